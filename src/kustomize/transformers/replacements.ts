// replacements: copy a field of one object into fields of others.
import type { ReplacementEntry } from "../kustomization.ts";
import type { Loader } from "../loader.ts";
import { BuildError, type ResMap } from "../resource.ts";

/** Applies `replacements`. */
export function applyReplacements(_ldr: Loader, _rm: ResMap, entries: readonly ReplacementEntry[]): void {
  if (entries.length > 0) throw new BuildError("replacements: not implemented yet");
}
