// buildMetadata: origin annotations, transformer annotations and the managed-by label, as the
// top-level kustomization asks.
import path from "node:path";
import type { Kustomization } from "../kustomization.ts";
import { isObj, type Origin, type ResMap } from "../resource.ts";
import { emitYaml } from "../yaml/emit.ts";

/** The version kustomize writes in its managed-by label; driftless renders as kustomize v5.8.1 does. */
export const KUSTOMIZE_VERSION = "v5.8.1";

const ORIGIN = "config.kubernetes.io/origin";
/** The annotation listing the transformers that changed an object (`buildMetadata: [transformerAnnotations]`). */
export const TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations";

// A scalar as kyaml marshals it: plain when possible, double-quoted when YAML would read it as
// another type, single-quoted when it holds YAML syntax (the emitter's choice is the same in v2 and v3).
function scalar(s: string): string {
  return emitYaml(s).replace(/\n$/, "");
}

/** An origin as kustomize marshals it: its YAML lines, paths relative to the build root. */
function originLines(o: Origin, root: string): string[] | undefined {
  if (o.path !== undefined) return [`path: ${scalar(path.relative(root, o.path))}`];
  if (o.configuredIn === undefined) return undefined;
  const lines = [
    `configuredIn: ${scalar(path.relative(root, o.configuredIn))}`,
    "configuredBy:",
    `  apiVersion: ${scalar(o.apiVersion ?? "builtin")}`,
    `  kind: ${scalar(o.generator ?? "")}`,
  ];
  if (o.name !== undefined && o.name !== "") lines.push(`  name: ${scalar(o.name)}`);
  if (o.namespace !== undefined && o.namespace !== "") lines.push(`  namespace: ${scalar(o.namespace)}`);
  return lines;
}

/**
 * Records that a transformer ran over every object in rm, as kustomize does after each transformer
 * when the build tracks origins: an object without an origin takes the transformer's as its origin.
 */
export function recordTransformation(rm: ResMap, origin: Origin, root: string): void {
  const lines = originLines(origin, root);
  if (lines === undefined) return;
  const item = `${lines.map((l, i) => (i === 0 ? `- ${l}` : `  ${l}`)).join("\n")}\n`;
  for (const r of rm.list) {
    if (r.origin === undefined) {
      r.origin = origin;
      continue;
    }
    const meta = r.meta(true);
    const ann = isObj(meta.annotations) ? meta.annotations : {};
    const before = ann[TRANSFORMATIONS];
    ann[TRANSFORMATIONS] = typeof before === "string" ? before + item : item;
    meta.annotations = ann;
    r.annotated = true;
  }
}

/** Adds what `buildMetadata` asks for to every resource (and drops transformer annotations otherwise). */
export function applyBuildMetadata(rm: ResMap, k: Kustomization, root: string): void {
  // kustomize ignores options it does not know.
  const options = k.buildMetadata ?? [];
  if (!options.includes("transformerAnnotations")) {
    for (const r of rm.list) {
      const ann = r.meta().annotations;
      if (isObj(ann) && TRANSFORMATIONS in ann) {
        delete ann[TRANSFORMATIONS];
        r.annotated = true;
      }
    }
  }
  if (options.includes("managedByLabel")) {
    for (const r of rm.list) {
      const meta = r.meta(true);
      meta.labels = {
        ...(isObj(meta.labels) ? meta.labels : {}),
        "app.kubernetes.io/managed-by": `kustomize-${KUSTOMIZE_VERSION}`,
      };
    }
  }
  if (!options.includes("originAnnotations")) return;
  for (const r of rm.list) {
    const o = r.origin;
    if (o === undefined) continue;
    const lines = originLines(o, root);
    if (lines === undefined) continue;
    const meta = r.meta(true);
    const ann = isObj(meta.annotations) ? meta.annotations : {};
    ann[ORIGIN] = `${lines.join("\n")}\n`;
    meta.annotations = ann;
  }
}
