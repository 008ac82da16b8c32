// A kustomization's `openapi` field ({path} or {version}), applied to the running build's schema
// state the way kustomize does: the file is read first, even when the setting will be ignored.
import type { Loader } from "../loader.ts";
import { activeOpenApiState } from "./state.ts";

/** Applies `openapi` of a kustomization; `top` for the kustomization being built. */
export function applyOpenApiField(
  ldr: Loader,
  field: Readonly<Record<string, string>> | undefined,
  top: boolean,
): void {
  const state = activeOpenApiState();
  if (state === undefined) return;
  const f = field ?? {};
  const file = Object.hasOwn(f, "path") ? f.path : undefined;
  const text = file === undefined ? undefined : ldr.read(file);
  state.set(
    { field: f, ...(text !== undefined ? { text } : {}), ...(file !== undefined ? { file } : {}) },
    top,
  );
}

/** Tells the running build's schema state that a resource of this type was read. */
export function noteResourceType(apiVersion: unknown, kind: unknown): void {
  activeOpenApiState()?.noteType(
    typeof apiVersion === "string" ? apiVersion : "",
    typeof kind === "string" ? kind : "",
  );
}
