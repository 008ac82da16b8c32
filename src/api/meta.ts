// Building blocks shared by the GitRepository and Kustomization schemas: Go-duration strings, object
// metadata, references and artifacts, each validated as the CRDs in crds/ validate them.
import { z } from "zod";

/** CRD pattern of an interval or timeout (Go duration with ms, s, m or h units). */
export const DURATION_PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
/** CRD pattern of GitRepository's spec.timeout, which has no hours unit. */
export const DURATION_NO_HOURS_PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$";
/** CRD pattern of an artifact digest, "<algorithm>:<checksum>". */
export const DIGEST_PATTERN = "^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$";

/** A string that must match a CRD `pattern`; the message reads like the apiserver's. */
export function matching(pattern: string): z.ZodString {
  return z.string().regex(new RegExp(pattern), { error: `should match '${pattern}'` });
}

/** A Go duration string as the CRDs accept it for intervals. */
export const DurationSchema = matching(DURATION_PATTERN);

/** A string-to-string map (labels, annotations, substitutions, metadata). */
export const StringMapSchema = z.record(z.string(), z.string());

/** An RFC 3339 timestamp (format date-time); the apiserver also takes one without a zone. */
export const TimestampSchema = z.iso.datetime({ offset: true, local: true });

/** The metadata fields driftless reads; everything else the server sends is kept as is. */
export const ObjectMetaSchema = z.looseObject({
  name: z.string().min(1),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.int().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: StringMapSchema.optional(),
  annotations: StringMapSchema.optional(),
  finalizers: z.array(z.string()).optional(),
});
/** The metadata fields driftless reads. */
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

/** Reference to an object in the same namespace (meta.LocalObjectReference). */
export const LocalObjectReferenceSchema = z.object({ name: z.string() });
/** Reference to an object in the same namespace. */
export type LocalObjectReference = z.infer<typeof LocalObjectReferenceSchema>;

/** Reference to a Secret and optionally one of its keys (meta.SecretKeyReference). */
export const SecretKeyReferenceSchema = z.object({ name: z.string(), key: z.string().optional() });
/** Reference to a Secret and optionally one of its keys. */
export type SecretKeyReference = z.infer<typeof SecretKeyReferenceSchema>;

/** The published output of a source reconciliation (meta.Artifact). */
export const ArtifactSchema = z.object({
  digest: matching(DIGEST_PATTERN),
  path: z.string(),
  url: z.string(),
  revision: z.string(),
  lastUpdateTime: TimestampSchema,
  size: z.int().optional(),
  metadata: StringMapSchema.optional(),
});
/** The published output of a source reconciliation. */
export type Artifact = z.infer<typeof ArtifactSchema>;

/** Annotation whose changed value asks for an immediate reconciliation. */
export const RECONCILE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/requestedAt";
/** Annotation that asks for a one-off forced reconciliation. */
export const FORCE_REQUEST_ANNOTATION = "reconcile.fluxcd.io/forceAt";
/** Finalizer Flux's controllers put on the objects they manage. */
export const FLUX_FINALIZER = "finalizers.fluxcd.io";

/** Group, version, kind and plural of a served resource. */
export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** "<group>/<version>". */
  readonly apiVersion: string;
}
