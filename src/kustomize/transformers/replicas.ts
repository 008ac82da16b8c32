// `replicas`: sets spec.replicas of the workloads with a given (current or earlier) name.
import { type FieldSpec, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import { BuildError, type ResMap } from "../resource.ts";

/** Applies a kustomization's `replicas`. */
export function applyReplicas(
  rm: ResMap,
  replicas: readonly { name: string; count: number }[],
  replicasSpecs: readonly FieldSpec[],
): void {
  for (const rep of replicas) {
    let found = false;
    for (const fs of replicasSpecs) {
      for (const r of rm.list) {
        const g = r.gvk();
        const ids = [...r.prevIds.map((p) => ({ ...g, kind: p.kind, name: p.name })), { ...g, name: r.name }];
        if (!ids.some((id) => id.name === rep.name && specSelects(fs, id))) continue;
        found = true;
        visitPath(r.obj, fs.path, fs.create === true, (s) => slotSet(s, rep.count));
      }
    }
    if (!found) {
      const gvks = replicasSpecs.map((s) => `${s.kind}.${s.version || "[noVer]"}.${s.group || "[noGrp]"}`);
      throw new BuildError(
        `resource with name ${rep.name} does not match a config with the following GVK [${gvks.join(" ")}]`,
      );
    }
  }
}
