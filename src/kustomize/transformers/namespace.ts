// `namespace:` sets the namespace of every namespaced object, of the fields that hold one, and of
// (Cluster)RoleBinding subjects named "default".
import { type FieldSpec, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import { isClusterScoped } from "../resid.ts";
import { isObj, type ResMap } from "../resource.ts";

/** Applies a kustomization's `namespace`. */
export function applyNamespace(rm: ResMap, namespace: string, specs: readonly FieldSpec[]): void {
  if (namespace === "") return;
  for (const r of rm.list) {
    if (Object.keys(r.obj).length === 0) continue;
    const ann = r.meta().annotations;
    if (isObj(ann) && ann["kustomize.config.k8s.io/helm-generated"] === "true") continue;
    r.storePreviousId();
    const gvk = r.gvk();
    if (!isClusterScoped(r.type)) r.meta(true).namespace = namespace;
    if (gvk.kind === "RoleBinding" || gvk.kind === "ClusterRoleBinding") {
      const subjects = r.obj.subjects;
      if (Array.isArray(subjects)) {
        for (const s of subjects) if (isObj(s) && s.name === "default") s.namespace = namespace;
      }
    }
    const apiVersion = r.obj.apiVersion;
    for (const fs of specs) {
      if (fs.path === "metadata/namespace") continue;
      if (fs.path === "metadata/name" && apiVersion !== "v1") continue;
      if (!specSelects(fs, gvk)) continue;
      visitPath(r.obj, fs.path, fs.create === true, (s) => slotSet(s, namespace));
    }
  }
}
