// Kustomization (kustomize.toolkit.fluxcd.io/v1): zod schema that accepts what crds/ accepts, with the CRD
// defaults applied, and the inferred types.
import { z } from "zod";
import { ConditionSchema } from "./condition.ts";
import { parseDuration } from "./duration.ts";
import { ResourceInventorySchema } from "./inventory.ts";
import {
  DurationSchema,
  LocalObjectReferenceSchema,
  ObjectMetaSchema,
  type ResourceType,
  SecretKeyReferenceSchema,
  StringMapSchema,
  TimestampSchema,
} from "./meta.ts";
import { type ParseResult, parseObject, safeParseObject } from "./validation.ts";

/** API group of Kustomization. */
export const KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
/** Kustomization v1. */
export const KustomizationType = {
  group: KUSTOMIZE_GROUP,
  version: "v1",
  kind: "Kustomization",
  plural: "kustomizations",
  apiVersion: `${KUSTOMIZE_GROUP}/v1`,
} as const satisfies ResourceType;

/** Values of spec.deletionPolicy; MirrorPrune applies when unset. */
export const DeletionPolicy = {
  MirrorPrune: "MirrorPrune",
  Delete: "Delete",
  WaitForTermination: "WaitForTermination",
  Orphan: "Orphan",
} as const;
/** Values of spec.deletionPolicy. */
export type DeletionPolicy = (typeof DeletionPolicy)[keyof typeof DeletionPolicy];

/** Values of spec.postBuild.substituteStrategy; WithVariables applies when unset. */
export const SubstituteStrategy = { WithVariables: "WithVariables", Always: "Always" } as const;
/** Values of spec.postBuild.substituteStrategy. */
export type SubstituteStrategy = (typeof SubstituteStrategy)[keyof typeof SubstituteStrategy];

/** Kinds spec.sourceRef may name. */
export const SourceKinds = ["OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"] as const;

/** A kustomize selector of objects (patch and ignore targets). */
export const SelectorSchema = z.object({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  annotationSelector: z.string().optional(),
  labelSelector: z.string().optional(),
});
/** A kustomize selector of objects. */
export type Selector = z.infer<typeof SelectorSchema>;

/** spec.patches[]: an inline strategic merge or JSON 6902 patch and its target. */
export const PatchSchema = z.object({ patch: z.string(), target: SelectorSchema.optional() });
/** spec.patches[]. */
export type Patch = z.infer<typeof PatchSchema>;

/** spec.images[]: an image override. */
export const ImageSchema = z.object({
  name: z.string(),
  newName: z.string().optional(),
  newTag: z.string().optional(),
  digest: z.string().optional(),
});
/** spec.images[]. */
export type Image = z.infer<typeof ImageSchema>;

/** spec.sourceRef: the source whose artifact is built. */
export const CrossNamespaceSourceReferenceSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.enum(SourceKinds),
  name: z.string(),
  namespace: z.string().optional(),
});
/** spec.sourceRef. */
export type CrossNamespaceSourceReference = z.infer<typeof CrossNamespaceSourceReferenceSchema>;

/** spec.dependsOn[]: a Kustomization that must be ready first. */
export const DependencyReferenceSchema = z.object({
  name: z.string(),
  namespace: z.string().optional(),
  readyExpr: z.string().optional(),
});
/** spec.dependsOn[]. */
export type DependencyReference = z.infer<typeof DependencyReferenceSchema>;

/** spec.healthChecks[]: an object whose health gates readiness. */
export const NamespacedObjectKindReferenceSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});
/** spec.healthChecks[]. */
export type NamespacedObjectKindReference = z.infer<typeof NamespacedObjectKindReferenceSchema>;

/** spec.healthCheckExprs[]: CEL health rules for a custom resource kind. */
export const CustomHealthCheckSchema = z.object({
  apiVersion: z.string(),
  kind: z.string().optional(),
  current: z.string(),
  inProgress: z.string().optional(),
  failed: z.string().optional(),
});
/** spec.healthCheckExprs[]. */
export type CustomHealthCheck = z.infer<typeof CustomHealthCheckSchema>;

/** spec.ignore[]: JSON pointers excluded from drift detection and apply. */
export const IgnoreRuleSchema = z.object({ paths: z.array(z.string()), target: SelectorSchema.optional() });
/** spec.ignore[]. */
export type IgnoreRule = z.infer<typeof IgnoreRuleSchema>;

/** spec.decryption: SOPS decryption of Secrets. */
export const DecryptionSchema = z.object({
  provider: z.enum(["sops"]),
  serviceAccountName: z.string().optional(),
  secretRef: LocalObjectReferenceSchema.optional(),
});
/** spec.decryption. */
export type Decryption = z.infer<typeof DecryptionSchema>;

/** spec.postBuild.substituteFrom[]: a ConfigMap or Secret of variables. */
export const SubstituteReferenceSchema = z.object({
  kind: z.enum(["Secret", "ConfigMap"]),
  name: z.string().min(1).max(253),
  optional: z.boolean().default(false),
});
/** spec.postBuild.substituteFrom[]. */
export type SubstituteReference = z.infer<typeof SubstituteReferenceSchema>;

/** spec.postBuild: variable substitution. */
export const PostBuildSchema = z.object({
  substituteStrategy: z.enum([SubstituteStrategy.WithVariables, SubstituteStrategy.Always]).optional(),
  substitute: StringMapSchema.optional(),
  substituteFrom: z.array(SubstituteReferenceSchema).optional(),
});
/** spec.postBuild. */
export type PostBuild = z.infer<typeof PostBuildSchema>;

const KUBECONFIG_ONE_OF =
  "exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified";

/** spec.kubeConfig: a remote cluster, by ConfigMap or by Secret (exactly one, as the CRD's CEL rules say). */
export const KubeConfigReferenceSchema = z
  .object({
    configMapRef: LocalObjectReferenceSchema.optional(),
    secretRef: SecretKeyReferenceSchema.optional(),
  })
  .refine((k) => k.configMapRef !== undefined || k.secretRef !== undefined, { error: KUBECONFIG_ONE_OF })
  .refine((k) => k.configMapRef === undefined || k.secretRef === undefined, { error: KUBECONFIG_ONE_OF });
/** spec.kubeConfig. */
export type KubeConfigReference = z.infer<typeof KubeConfigReferenceSchema>;

/** spec of a Kustomization. */
export const KustomizationSpecSchema = z.object({
  sourceRef: CrossNamespaceSourceReferenceSchema,
  path: z.string().optional(),
  interval: DurationSchema,
  retryInterval: DurationSchema.optional(),
  timeout: DurationSchema.optional(),
  prune: z.boolean(),
  deletionPolicy: z
    .enum([
      DeletionPolicy.MirrorPrune,
      DeletionPolicy.Delete,
      DeletionPolicy.WaitForTermination,
      DeletionPolicy.Orphan,
    ])
    .optional(),
  suspend: z.boolean().optional(),
  force: z.boolean().default(false),
  wait: z.boolean().optional(),
  targetNamespace: z.string().min(1).max(63).optional(),
  namePrefix: z.string().min(1).max(200).optional(),
  nameSuffix: z.string().min(1).max(200).optional(),
  commonMetadata: z
    .object({ annotations: StringMapSchema.optional(), labels: StringMapSchema.optional() })
    .optional(),
  components: z.array(z.string()).optional(),
  ignoreMissingComponents: z.boolean().optional(),
  buildMetadata: z.array(z.enum(["originAnnotations", "transformerAnnotations"])).optional(),
  patches: z.array(PatchSchema).optional(),
  images: z.array(ImageSchema).optional(),
  postBuild: PostBuildSchema.optional(),
  dependsOn: z.array(DependencyReferenceSchema).optional(),
  healthChecks: z.array(NamespacedObjectKindReferenceSchema).optional(),
  healthCheckExprs: z.array(CustomHealthCheckSchema).optional(),
  ignore: z.array(IgnoreRuleSchema).optional(),
  decryption: DecryptionSchema.optional(),
  serviceAccountName: z.string().optional(),
  kubeConfig: KubeConfigReferenceSchema.optional(),
});
/** spec of a Kustomization. */
export type KustomizationSpec = z.infer<typeof KustomizationSpecSchema>;

/** status.history[]: one reconciliation outcome per digest and status, newest first. */
export const SnapshotSchema = z.object({
  digest: z.string(),
  firstReconciled: TimestampSchema,
  lastReconciled: TimestampSchema,
  lastReconciledDuration: z.string(),
  lastReconciledStatus: z.string(),
  totalReconciliations: z.int(),
  metadata: StringMapSchema.optional(),
});
/** status.history[]. */
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** How many snapshots Flux keeps in status.history. */
export const HISTORY_MAX_SIZE = 5;

/** status of a Kustomization. */
export const KustomizationStatusSchema = z.object({
  observedGeneration: z.int().optional(),
  conditions: z.array(ConditionSchema).optional(),
  lastAppliedRevision: z.string().optional(),
  lastAppliedOriginRevision: z.string().optional(),
  lastAttemptedRevision: z.string().optional(),
  lastHandledReconcileAt: z.string().optional(),
  inventory: ResourceInventorySchema.optional(),
  history: z.array(SnapshotSchema).optional(),
});
/** status of a Kustomization. */
export type KustomizationStatus = z.infer<typeof KustomizationStatusSchema>;

/** A v1 Kustomization. */
export const KustomizationSchema = z.object({
  apiVersion: z.literal(KustomizationType.apiVersion),
  kind: z.literal(KustomizationType.kind),
  metadata: ObjectMetaSchema,
  spec: KustomizationSpecSchema,
  status: KustomizationStatusSchema.default({ observedGeneration: -1 }),
});
/** A v1 Kustomization. */
export type Kustomization = z.infer<typeof KustomizationSchema>;

/** Validates a Kustomization (defaults applied); throws ValidationError. */
export function parseKustomization(data: unknown): Kustomization {
  return parseObject(KustomizationSchema, KustomizationType.kind, data);
}

/** Validates a Kustomization without throwing. */
export function safeParseKustomization(data: unknown): ParseResult<Kustomization> {
  return safeParseObject(KustomizationSchema, data);
}

/** The deletion policy in effect (MirrorPrune when unset). */
export function deletionPolicy(ks: Kustomization): DeletionPolicy {
  return ks.spec.deletionPolicy ?? DeletionPolicy.MirrorPrune;
}

/** The substitution strategy in effect (WithVariables when unset). */
export function substituteStrategy(ks: Kustomization): SubstituteStrategy {
  return ks.spec.postBuild?.substituteStrategy ?? SubstituteStrategy.WithVariables;
}

/** Reconciliation interval in milliseconds. */
export function intervalMs(ks: Kustomization): number {
  return parseDuration(ks.spec.interval);
}

/** Delay before retrying a failed reconciliation: retryInterval, else interval (milliseconds). */
export function retryIntervalMs(ks: Kustomization): number {
  return parseDuration(ks.spec.retryInterval ?? ks.spec.interval);
}

/**
 * Time allowed for build, apply and health checks in milliseconds, as Flux computes it: spec.timeout, else
 * interval minus 30s, and never less than 30s.
 */
export function timeoutMs(ks: Kustomization): number {
  const ms =
    ks.spec.timeout !== undefined ? parseDuration(ks.spec.timeout) : parseDuration(ks.spec.interval) - 30_000;
  return Math.max(ms, 30_000);
}
