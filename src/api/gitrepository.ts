// GitRepository (source.toolkit.fluxcd.io): zod schemas that accept what crds/ accepts for v1 and the
// deprecated v1beta2, with the CRD defaults applied, and the inferred types.
import { z } from "zod";
import { ConditionSchema } from "./condition.ts";
import {
  ArtifactSchema,
  DURATION_NO_HOURS_PATTERN,
  DurationSchema,
  LocalObjectReferenceSchema,
  matching,
  ObjectMetaSchema,
  type ResourceType,
  StringMapSchema,
} from "./meta.ts";
import { objectName, type ParseResult, parseObject, safeParseObject, ValidationError } from "./validation.ts";

/** API group of GitRepository. */
export const SOURCE_GROUP = "source.toolkit.fluxcd.io";
/** GitRepository v1, the storage version. */
export const GitRepositoryType = {
  group: SOURCE_GROUP,
  version: "v1",
  kind: "GitRepository",
  plural: "gitrepositories",
  apiVersion: `${SOURCE_GROUP}/v1`,
} as const satisfies ResourceType;
/** GitRepository v1beta2, still served but deprecated. */
export const GitRepositoryV1Beta2Type = {
  ...GitRepositoryType,
  version: "v1beta2",
  apiVersion: `${SOURCE_GROUP}/v1beta2`,
} as const satisfies ResourceType;

/** CRD pattern of spec.url. */
export const GIT_URL_PATTERN = "^(http|https|ssh)://.*$";
/** The branch followed when spec.ref is empty (Flux's default, not the remote's HEAD). */
export const DEFAULT_GIT_BRANCH = "master";
/** Default of spec.timeout. */
export const DEFAULT_GIT_TIMEOUT = "60s";

/** Values of spec.provider. */
export const GitProvider = { Generic: "generic", AWS: "aws", Azure: "azure", GitHub: "github" } as const;
/** Values of spec.provider. */
export type GitProvider = (typeof GitProvider)[keyof typeof GitProvider];

/** Values of spec.verify.mode ("head" is the older spelling of "HEAD"). */
export const GitVerificationMode = {
  Head: "HEAD",
  HeadLegacy: "head",
  Tag: "Tag",
  TagAndHead: "TagAndHEAD",
} as const;
/** Values of spec.verify.mode. */
export type GitVerificationMode = (typeof GitVerificationMode)[keyof typeof GitVerificationMode];

/** spec.ref: which reference to follow (commit > name > semver > tag > branch). */
export const GitRepositoryRefSchema = z.object({
  branch: z.string().optional(),
  tag: z.string().optional(),
  semver: z.string().optional(),
  name: z.string().optional(),
  commit: z.string().optional(),
});
/** spec.ref. */
export type GitRepositoryRef = z.infer<typeof GitRepositoryRefSchema>;

/** spec.include[]: another GitRepository whose artifact is copied into this one. */
export const GitRepositoryIncludeSchema = z.object({
  repository: LocalObjectReferenceSchema,
  fromPath: z.string().optional(),
  toPath: z.string().optional(),
});
/** spec.include[]. */
export type GitRepositoryInclude = z.infer<typeof GitRepositoryIncludeSchema>;

/** spec.verify: signature verification of the fetched commit and/or tag. */
export const GitRepositoryVerificationSchema = z.object({
  mode: z
    .enum([
      GitVerificationMode.HeadLegacy,
      GitVerificationMode.Head,
      GitVerificationMode.Tag,
      GitVerificationMode.TagAndHead,
    ])
    .default(GitVerificationMode.Head),
  secretRef: LocalObjectReferenceSchema,
});
/** spec.verify. */
export type GitRepositoryVerification = z.infer<typeof GitRepositoryVerificationSchema>;

/** spec of a v1 GitRepository. */
export const GitRepositorySpecSchema = z
  .object({
    url: matching(GIT_URL_PATTERN),
    secretRef: LocalObjectReferenceSchema.optional(),
    provider: z
      .enum([GitProvider.Generic, GitProvider.AWS, GitProvider.Azure, GitProvider.GitHub])
      .optional(),
    serviceAccountName: z.string().optional(),
    interval: DurationSchema,
    timeout: matching(DURATION_NO_HOURS_PATTERN).default(DEFAULT_GIT_TIMEOUT),
    ref: GitRepositoryRefSchema.optional(),
    verify: GitRepositoryVerificationSchema.optional(),
    proxySecretRef: LocalObjectReferenceSchema.optional(),
    ignore: z.string().optional(),
    suspend: z.boolean().optional(),
    recurseSubmodules: z.boolean().optional(),
    include: z.array(GitRepositoryIncludeSchema).optional(),
    sparseCheckout: z.array(z.string()).optional(),
  })
  // The CRD's CEL rule: a ServiceAccount identity only makes sense for cloud providers.
  .refine(
    (s) =>
      s.serviceAccountName === undefined ||
      s.provider === GitProvider.Azure ||
      s.provider === GitProvider.AWS,
    { error: "serviceAccountName can only be set when provider is 'azure' or 'aws'" },
  );
/** spec of a v1 GitRepository. */
export type GitRepositorySpec = z.infer<typeof GitRepositorySpecSchema>;

/** status of a v1 GitRepository. */
export const GitRepositoryStatusSchema = z.object({
  observedGeneration: z.int().optional(),
  conditions: z.array(ConditionSchema).optional(),
  artifact: ArtifactSchema.optional(),
  includedArtifacts: z.array(ArtifactSchema).optional(),
  observedIgnore: z.string().optional(),
  observedRecurseSubmodules: z.boolean().optional(),
  observedInclude: z.array(GitRepositoryIncludeSchema).optional(),
  observedSparseCheckout: z.array(z.string()).optional(),
  sourceVerificationMode: z.string().optional(),
  lastHandledReconcileAt: z.string().optional(),
});
/** status of a v1 GitRepository. */
export type GitRepositoryStatus = z.infer<typeof GitRepositoryStatusSchema>;

/** A v1 GitRepository. */
export const GitRepositorySchema = z.object({
  apiVersion: z.literal(GitRepositoryType.apiVersion),
  kind: z.literal(GitRepositoryType.kind),
  metadata: ObjectMetaSchema,
  spec: GitRepositorySpecSchema,
  status: GitRepositoryStatusSchema.default({ observedGeneration: -1 }),
});
/** A v1 GitRepository. */
export type GitRepository = z.infer<typeof GitRepositorySchema>;

/** spec of a v1beta2 GitRepository: no provider, proxy or sparse checkout; gitImplementation and accessFrom. */
export const GitRepositorySpecV1Beta2Schema = z.object({
  url: matching(GIT_URL_PATTERN),
  secretRef: LocalObjectReferenceSchema.optional(),
  interval: DurationSchema,
  timeout: matching(DURATION_NO_HOURS_PATTERN).default(DEFAULT_GIT_TIMEOUT),
  ref: GitRepositoryRefSchema.optional(),
  verify: z
    .object({ mode: z.enum([GitVerificationMode.HeadLegacy]), secretRef: LocalObjectReferenceSchema })
    .optional(),
  ignore: z.string().optional(),
  suspend: z.boolean().optional(),
  gitImplementation: z.enum(["go-git", "libgit2"]).default("go-git"),
  recurseSubmodules: z.boolean().optional(),
  include: z.array(GitRepositoryIncludeSchema).optional(),
  accessFrom: z
    .object({ namespaceSelectors: z.array(z.object({ matchLabels: StringMapSchema.optional() })) })
    .optional(),
});

/** status of a v1beta2 GitRepository. */
export const GitRepositoryStatusV1Beta2Schema = z.object({
  observedGeneration: z.int().optional(),
  conditions: z.array(ConditionSchema).optional(),
  url: z.string().optional(),
  artifact: ArtifactSchema.optional(),
  includedArtifacts: z.array(ArtifactSchema).optional(),
  contentConfigChecksum: z.string().optional(),
  observedIgnore: z.string().optional(),
  observedRecurseSubmodules: z.boolean().optional(),
  observedInclude: z.array(GitRepositoryIncludeSchema).optional(),
  lastHandledReconcileAt: z.string().optional(),
});

/** A v1beta2 GitRepository (deprecated). */
export const GitRepositoryV1Beta2Schema = z.object({
  apiVersion: z.literal(GitRepositoryV1Beta2Type.apiVersion),
  kind: z.literal(GitRepositoryType.kind),
  metadata: ObjectMetaSchema,
  spec: GitRepositorySpecV1Beta2Schema,
  status: GitRepositoryStatusV1Beta2Schema.default({ observedGeneration: -1 }),
});
/** A v1beta2 GitRepository (deprecated). */
export type GitRepositoryV1Beta2 = z.infer<typeof GitRepositoryV1Beta2Schema>;

/** Validates a v1 GitRepository (defaults applied); throws ValidationError. */
export function parseGitRepository(data: unknown): GitRepository {
  return parseObject(GitRepositorySchema, GitRepositoryType.kind, data);
}

/** Validates a v1 GitRepository without throwing. */
export function safeParseGitRepository(data: unknown): ParseResult<GitRepository> {
  return safeParseObject(GitRepositorySchema, data);
}

/**
 * Validates a GitRepository of either served version and returns it as v1, converting the way the CRD's
 * strategy None does: the apiVersion changes and fields v1 does not know are dropped.
 */
export function parseAnyGitRepository(data: unknown): GitRepository {
  const r = safeParseAnyGitRepository(data);
  if (r.success) return r.data;
  throw new ValidationError(GitRepositoryType.kind, objectName(data), r.issues);
}

/** Like parseAnyGitRepository, without throwing. */
export function safeParseAnyGitRepository(data: unknown): ParseResult<GitRepository> {
  const apiVersion =
    data !== null && typeof data === "object" && "apiVersion" in data ? data.apiVersion : undefined;
  if (apiVersion !== GitRepositoryV1Beta2Type.apiVersion) return safeParseGitRepository(data);
  const old = safeParseObject(GitRepositoryV1Beta2Schema, data);
  if (!old.success) return old;
  return safeParseGitRepository({ ...old.data, apiVersion: GitRepositoryType.apiVersion });
}
