// buildMetadata: origin annotations and the managed-by label, as the top-level kustomization asks.
import path from "node:path";
import type { Kustomization } from "../kustomization.ts";
import { BuildError, isObj, type ResMap } from "../resource.ts";

/** The version kustomize writes in its managed-by label; driftless renders as kustomize v5.8.1 does. */
export const KUSTOMIZE_VERSION = "v5.8.1";

const ORIGIN = "config.kubernetes.io/origin";

/** Adds what `buildMetadata` asks for to every resource. */
export function applyBuildMetadata(rm: ResMap, k: Kustomization, root: string): void {
  const options = k.buildMetadata ?? [];
  for (const o of options) {
    if (o !== "originAnnotations" && o !== "managedByLabel") {
      throw new BuildError(`buildMetadata option "${o}" is not supported by driftless`);
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
    let text: string;
    if (o.path !== undefined) text = `path: ${path.relative(root, o.path)}\n`;
    else if (o.configuredIn !== undefined) {
      text = `configuredIn: ${path.relative(root, o.configuredIn)}\nconfiguredBy:\n  apiVersion: builtin\n  kind: ${o.generator ?? ""}\n`;
    } else continue;
    const meta = r.meta(true);
    const ann = isObj(meta.annotations) ? meta.annotations : {};
    ann[ORIGIN] = text;
    meta.annotations = ann;
  }
}
