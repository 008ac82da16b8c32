// `namespace:` sets the namespace of every namespaced object, of the fields that hold one, and of
// (Cluster)RoleBinding subjects named "default".
import { type FieldSpec, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import { isClusterScoped } from "../resid.ts";
import { BuildError, isObj, type ResMap } from "../resource.ts";

/** Options of the NamespaceTransformer plugin (a kustomization's `namespace` uses the defaults). */
export interface NamespaceOptions {
  /** Set only namespace fields that are missing or empty. */
  readonly unsetOnly?: boolean;
  /** Which (Cluster)RoleBinding subjects get the namespace (default: those named "default"). */
  readonly roleBindingSubjects?: "defaultOnly" | "allServiceAccounts" | "none";
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

/** Applies a kustomization's `namespace`. */
export function applyNamespace(
  rm: ResMap,
  namespace: string,
  specs: readonly FieldSpec[],
  options: NamespaceOptions = {},
): void {
  if (namespace === "") return;
  const unsetOnly = options.unsetOnly === true;
  const subjects = options.roleBindingSubjects ?? "defaultOnly";
  for (const r of rm.list) {
    if (Object.keys(r.obj).length === 0) continue;
    const ann = r.meta().annotations;
    if (isObj(ann) && ann["kustomize.config.k8s.io/helm-generated"] === "true") continue;
    r.storePreviousId();
    const gvk = r.gvk();
    if (!isClusterScoped(r.type)) {
      const meta = r.meta(true);
      if (!unsetOnly || blank(meta.namespace)) meta.namespace = namespace;
    }
    const binding = gvk.kind === "RoleBinding" || gvk.kind === "ClusterRoleBinding";
    if (binding && subjects !== "none") {
      const list = r.obj.subjects;
      if (Array.isArray(list)) {
        for (const s of list) {
          if (!isObj(s))
            throw new BuildError(
              `setting namespace on (cluster)role binding subjects of ${r.idText()}: expected a mapping, got ${JSON.stringify(s)}`,
            );
          const wanted = subjects === "defaultOnly" ? s.name === "default" : s.kind === "ServiceAccount";
          if (wanted && (!unsetOnly || blank(s.namespace))) s.namespace = namespace;
        }
      }
    }
    const apiVersion = r.obj.apiVersion;
    for (const fs of specs) {
      if (fs.path === "metadata/namespace") continue;
      if (fs.path === "metadata/name" && apiVersion !== "v1") continue;
      if (
        binding &&
        fs.path === "subjects/namespace" &&
        (fs.kind === "RoleBinding" || fs.kind === "ClusterRoleBinding")
      )
        continue;
      if (!specSelects(fs, gvk)) continue;
      visitPath(r.obj, fs.path, fs.create === true, (s) => {
        if (!unsetOnly || blank(slotGet(s))) slotSet(s, namespace);
      });
    }
  }
}
