// Resource identity: group/version/kind, name and namespace, and the legacy output order.

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

// Built-in kinds kustomize knows to be cluster-scoped (from the Kubernetes API discovery data).
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CSIDriver",
  "CSINode",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterTrustBundle",
  "ComponentStatus",
  "CustomResourceDefinition",
  "DeviceClass",
  "FlowSchema",
  "IPAddress",
  "IngressClass",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectReview",
  "SelfSubjectRulesReview",
  "ServiceCIDR",
  "StorageClass",
  "StorageVersion",
  "StorageVersionMigration",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
  "VolumeAttributesClass",
]);

/** Whether objects of this kind live outside namespaces. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The namespace an id effectively lives in: "" and "default" are the same; cluster-scoped is none. */
export function effectiveNamespace(kind: string, namespace: string): string {
  if (isClusterScoped(kind)) return "~cluster";
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
