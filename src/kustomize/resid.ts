// Resource identity: group/version/kind, name and namespace, and the legacy output order.
import { schemaClusterScoped } from "./openapi/state.ts";

/** Group, version and kind of an object. */
export interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** Splits an apiVersion into group and version (`v1` has the empty group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** The apiVersion text of a gvk. */
export function apiVersionOf(gvk: Gvk): string {
  return gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
}

// The built-in types kustomize's schema (Kubernetes 1.21) knows to be cluster-scoped, by apiVersion
// and kind; any other type, custom ones included, counts as namespaced.
const CLUSTER_SCOPED = new Set([
  "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/v1 CustomResourceDefinition",
  "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
  "apiregistration.k8s.io/v1 APIService",
  "apiregistration.k8s.io/v1beta1 APIService",
  "certificates.k8s.io/v1 CertificateSigningRequest",
  "certificates.k8s.io/v1beta1 CertificateSigningRequest",
  "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema",
  "flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration",
  "networking.k8s.io/v1 IngressClass",
  "networking.k8s.io/v1beta1 IngressClass",
  "node.k8s.io/v1 RuntimeClass",
  "node.k8s.io/v1beta1 RuntimeClass",
  "policy/v1beta1 PodSecurityPolicy",
  "rbac.authorization.k8s.io/v1 ClusterRole",
  "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1beta1 ClusterRole",
  "rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding",
  "scheduling.k8s.io/v1 PriorityClass",
  "scheduling.k8s.io/v1beta1 PriorityClass",
  "storage.k8s.io/v1 CSIDriver",
  "storage.k8s.io/v1 CSINode",
  "storage.k8s.io/v1 StorageClass",
  "storage.k8s.io/v1 VolumeAttachment",
  "storage.k8s.io/v1beta1 CSIDriver",
  "storage.k8s.io/v1beta1 CSINode",
  "storage.k8s.io/v1beta1 StorageClass",
  "storage.k8s.io/v1beta1 VolumeAttachment",
  "v1 ComponentStatus",
  "v1 Namespace",
  "v1 Node",
  "v1 NodeProxyOptions",
  "v1 PersistentVolume",
]);

/** An object's type as the scope table keys it. */
export interface TypeRef {
  readonly apiVersion: string;
  readonly kind: string;
}

/** Whether objects of this type live outside namespaces. */
export function isClusterScoped(t: TypeRef): boolean {
  return (
    CLUSTER_SCOPED.has(`${t.apiVersion} ${t.kind}`) || schemaClusterScoped(t.apiVersion, t.kind) === true
  );
}

/** The namespace an id effectively lives in: "" and "default" are the same; cluster-scoped is none. */
export function effectiveNamespace(t: TypeRef, namespace: string): string {
  if (isClusterScoped(t)) return "_non_namespaceable_";
  return namespace === "" ? "default" : namespace;
}

/** A gvk selector matches when each of its non-empty fields equals the gvk's. */
export function gvkSelected(gvk: Gvk, sel: Partial<Gvk>): boolean {
  if (sel.group && sel.group !== gvk.group) return false;
  if (sel.version && sel.version !== gvk.version) return false;
  if (sel.kind && sel.kind !== gvk.kind) return false;
  return true;
}

/** kustomize's id text, as used in its messages: `Kind.version.group/name.namespace`. */
export function idString(gvk: Gvk, name: string, namespace: string): string {
  const g = gvk.group === "" ? "[noGrp]" : gvk.group;
  const v = gvk.version === "" ? "[noVer]" : gvk.version;
  const k = gvk.kind === "" ? "[noKind]" : gvk.kind;
  return `${k}.${v}.${g}/${name === "" ? "[noName]" : name}.${namespace === "" ? "[noNs]" : namespace}`;
}
