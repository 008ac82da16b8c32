// Status conditions (the metav1.Condition shape) and the condition types and reasons Flux's controllers
// use, so that `kubectl wait --for=condition=Ready`, `flux get` and kstatus read driftless objects alike.
import { z } from "zod";
import { matching, TimestampSchema } from "./meta.ts";

const CONDITION_TYPE_PATTERN =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
const REASON_PATTERN = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

/** Values of a condition's status. */
export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
/** Values of a condition's status. */
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/** One aspect of an object's state, validated as metav1.Condition is in the CRDs. */
export const ConditionSchema = z.object({
  type: matching(CONDITION_TYPE_PATTERN).max(316),
  status: z.enum([ConditionStatus.True, ConditionStatus.False, ConditionStatus.Unknown]),
  observedGeneration: z.int().min(0).optional(),
  lastTransitionTime: TimestampSchema,
  reason: matching(REASON_PATTERN).min(1).max(1024),
  message: z.string().max(32768),
});
/** One aspect of an object's state. */
export type Condition = z.infer<typeof ConditionSchema>;

/** Condition types of Flux's meta package, source-controller and kustomize-controller. */
export const ConditionType = {
  /** Fully reconciled (True), failing (False) or in progress (Unknown). */
  Ready: "Ready",
  /** Present and True only while the controller works on a change (abnormal-true). */
  Reconciling: "Reconciling",
  /** Present and True only when reconciliation cannot progress without a spec change (abnormal-true). */
  Stalled: "Stalled",
  /** Result of the last health assessment (Kustomization). */
  Healthy: "Healthy",
  /** The artifact is stored and served (sources). */
  ArtifactInStorage: "ArtifactInStorage",
  /** The stored artifact is older than the upstream revision (abnormal-true). */
  ArtifactOutdated: "ArtifactOutdated",
  /** Result of commit or tag signature verification (GitRepository with spec.verify). */
  SourceVerified: "SourceVerified",
  /** Fetching from upstream failed (abnormal-true). */
  FetchFailed: "FetchFailed",
  /** Building the artifact failed (abnormal-true). */
  BuildFailed: "BuildFailed",
  /** A storage operation failed (abnormal-true). */
  StorageOperationFailed: "StorageOperationFailed",
  /** One of spec.include is not available (abnormal-true). */
  IncludeUnavailable: "IncludeUnavailable",
} as const;
/** Condition types of Flux's meta package, source-controller and kustomize-controller. */
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

/** Condition reasons, with the values Flux's controllers write. */
export const Reason = {
  // Generic reasons (fluxcd/pkg/apis/meta).
  Succeeded: "Succeeded",
  Failed: "Failed",
  Progressing: "Progressing",
  ProgressingWithRetry: "ProgressingWithRetry",
  Suspended: "Suspended",
  DependencyNotReady: "DependencyNotReady",
  InvalidPath: "InvalidPath",
  InvalidURL: "InvalidURL",
  InsecureConnectionsDisallowed: "InsecureConnectionsDisallowed",
  UnsupportedConnectionType: "UnsupportedConnectionType",
  PruneFailed: "PruneFailed",
  ArtifactFailed: "ArtifactFailed",
  BuildFailed: "BuildFailed",
  HealthCheckFailed: "HealthCheckFailed",
  HealthCheckCanceled: "HealthCheckCanceled",
  ReconciliationSucceeded: "ReconciliationSucceeded",
  ReconciliationFailed: "ReconciliationFailed",
  InvalidCELExpression: "InvalidCELExpression",
  FeatureGateDisabled: "FeatureGateDisabled",
  AccessDenied: "AccessDenied",
  // source-controller.
  GitOperationSucceeded: "GitOperationSucceeded",
  GitOperationFailed: "GitOperationFailed",
  URLInvalid: "URLInvalid",
  AuthenticationFailed: "AuthenticationFailed",
  VerificationError: "VerificationError",
  DirectoryCreationFailed: "DirectoryCreationFailed",
  StatOperationFailed: "StatOperationFailed",
  ReadOperationFailed: "ReadOperationFailed",
  AcquireLockFailed: "AcquireLockFailed",
  ArchiveOperationFailed: "ArchiveOperationFailed",
  SymlinkUpdateFailed: "SymlinkUpdateFailed",
  CacheOperationFailed: "CacheOperationFailed",
  PatchOperationFailed: "PatchOperationFailed",
  InvalidProviderConfiguration: "InvalidProviderConfiguration",
  ArtifactUpToDate: "ArtifactUpToDate",
  NewArtifact: "NewArtifact",
  NewRevision: "NewRevision",
  /** A reason in Flux's v1beta1 sources; v1 uses it as a condition type. */
  StorageOperationFailed: "StorageOperationFailed",
  // driftless additions: Flux reports decryption failures as BuildFailed; driftless keeps them apart.
  DecryptionFailed: "DecryptionFailed",
  /** A GitRepository provider (azure, aws) that needs a cloud identity service this build cannot reach. */
  UnsupportedProvider: "UnsupportedProvider",
} as const;
/** Condition reasons, with the values Flux's controllers write. */
export type Reason = (typeof Reason)[keyof typeof Reason];

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether the condition of a type is present with status True. */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === ConditionStatus.True;
}

/** What a caller sets on a condition; the transition time is managed by setCondition. */
export type ConditionUpdate = Omit<Condition, "lastTransitionTime">;

/** The longest condition message the CRDs accept. */
export const MAX_CONDITION_MESSAGE_LENGTH = 32768;
const TRIMMED_SUFFIX = "...";

/**
 * Cuts a message to what the CRDs accept, ending it with "..." as Flux does, so that a long build error
 * cannot make the status update itself fail validation.
 */
export function trimConditionMessage(message: string, max = MAX_CONDITION_MESSAGE_LENGTH): string {
  if (message.length <= max) return message;
  let end = Math.max(max - TRIMMED_SUFFIX.length, 0);
  // Do not split a surrogate pair: half a character would not survive JSON encoding.
  const code = message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return message.slice(0, end) + TRIMMED_SUFFIX;
}

/**
 * Returns the conditions with `update` set, as apimachinery's SetStatusCondition does: an existing
 * condition of that type keeps its place and its lastTransitionTime unless its status changes; a new one is
 * appended. The message is trimmed to the CRDs' limit. `now` is an RFC 3339 timestamp.
 *
 * (Flux's own conditions.Set differs in two ways: it also moves lastTransitionTime when only the reason or
 * message changes, and it sorts Stalled, Reconciling and Ready first.)
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const existing = i === -1 ? undefined : list[i];
  const lastTransitionTime =
    existing !== undefined && existing.status === update.status ? existing.lastTransitionTime : now;
  const next: Condition = { ...update, message: trimConditionMessage(update.message), lastTransitionTime };
  if (i === -1) list.push(next);
  else list[i] = next;
  return list;
}

/** Returns the conditions without the ones of the given type. */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
