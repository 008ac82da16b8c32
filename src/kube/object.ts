import { z } from "zod";

/** The object metadata fields driftless reads; every other field is kept as is. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().optional(),
  generateName: z.string().optional(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
  ownerReferences: z.array(z.looseObject({})).optional(),
});

/** Any Kubernetes object: apiVersion, kind and metadata parsed, the rest passed through untouched. */
export const KubeObjectSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: ObjectMetaSchema,
});

/** Any Kubernetes object with its unknown fields kept. */
export type KubeObject = z.infer<typeof KubeObjectSchema>;

/** A list response: items plus the list's resourceVersion and continue token. */
export const KubeListSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z
    .looseObject({ resourceVersion: z.string().optional(), continue: z.string().optional() })
    .optional(),
  items: z.array(z.looseObject({ metadata: ObjectMetaSchema.optional() })).nullable(),
});

/** A resource as the REST API addresses it. */
export interface ResourceRef {
  /** "" for the core group. */
  group: string;
  version: string;
  /** Lowercase plural resource name, e.g. "gitrepositories". */
  plural: string;
}

/** A group/version/kind as written in manifests. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Identifies one object: namespace ("" or absent for cluster-scoped) and name. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** Parses the group and version of an `apiVersion` ("v1" → core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Formats a group and version as an `apiVersion`. */
export function formatApiVersion(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}

/** The string form of a key: "namespace/name", or "name" when cluster-scoped (like client-go's cache keys). */
export function keyToString(key: ObjectKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

/** Parses "namespace/name" or "name" back into a key. */
export function keyFromString(value: string): ObjectKey {
  const slash = value.indexOf("/");
  return slash < 0 ? { name: value } : { namespace: value.slice(0, slash), name: value.slice(slash + 1) };
}

/** The key of an object. */
export function objectKey(obj: KubeObject): ObjectKey {
  const name = obj.metadata.name ?? "";
  return obj.metadata.namespace ? { namespace: obj.metadata.namespace, name } : { name };
}

/** Parses any value as a Kubernetes object; throws a ZodError naming the missing field. */
export function parseKubeObject(value: unknown): KubeObject {
  return KubeObjectSchema.parse(value);
}

/** Names an object for messages: `Kind/namespace/name` or `Kind/name`. */
export function describeObject(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${obj.kind}/${ns}/${obj.metadata.name ?? ""}` : `${obj.kind}/${obj.metadata.name ?? ""}`;
}
