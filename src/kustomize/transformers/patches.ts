// patches, patchesStrategicMerge, patchesJson6902.
import type { PatchEntry } from "../kustomization.ts";
import type { Loader } from "../loader.ts";
import { BuildError, type ResMap } from "../resource.ts";

/** Applies `patchesStrategicMerge`. */
export function applyPatchesStrategicMerge(_ldr: Loader, _rm: ResMap, entries: readonly string[]): void {
  if (entries.length > 0) throw new BuildError("patchesStrategicMerge: not implemented yet");
}
/** Applies `patches`. */
export function applyPatches(_ldr: Loader, _rm: ResMap, entries: readonly PatchEntry[]): void {
  if (entries.length > 0) throw new BuildError("patches: not implemented yet");
}
/** Applies `patchesJson6902`. */
export function applyPatchesJson6902(_ldr: Loader, _rm: ResMap, entries: readonly PatchEntry[]): void {
  if (entries.length > 0) throw new BuildError("patchesJson6902: not implemented yet");
}
