// Status of a GitRepository as Flux's source-controller writes it: the owned conditions, the Ready
// summary computed from them with Flux's priorities, and the artifact and observed fields.
import {
  type Condition,
  ConditionStatus,
  ConditionType,
  findCondition,
  Reason,
  removeCondition,
  setCondition,
} from "../../api/condition.ts";
import type { GitRepository, GitRepositoryStatus } from "../../api/gitrepository.ts";
import { RECONCILE_REQUEST_ANNOTATION } from "../../api/meta.ts";
import type { KubeClient } from "../../kube/client.ts";
import { type KubeObject, objectKey, type ResourceRef } from "../../kube/object.ts";

// The conditions Ready summarises, in Flux's priority order.
const SUMMARIZED: readonly string[] = [
  ConditionType.StorageOperationFailed,
  ConditionType.FetchFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.ArtifactOutdated,
  ConditionType.ArtifactInStorage,
  ConditionType.SourceVerified,
  ConditionType.Stalled,
  ConditionType.Reconciling,
];

// Conditions that signal trouble when True ("abnormal-true").
const NEGATIVE: ReadonlySet<string> = new Set([
  ConditionType.StorageOperationFailed,
  ConditionType.FetchFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.ArtifactOutdated,
  ConditionType.Stalled,
  ConditionType.Reconciling,
]);

/** The conditions that mean the last reconcile failed (a recovery from them is announced). */
export const FAILURE_CONDITIONS: readonly string[] = [
  ConditionType.FetchFailed,
  ConditionType.IncludeUnavailable,
  ConditionType.StorageOperationFailed,
];

/** A mutable copy of a GitRepository's status, edited phase by phase and written once at the end. */
export class GitRepositoryStatusBuilder {
  readonly status: GitRepositoryStatus;
  readonly #generation: number | undefined;
  readonly #now: () => string;

  constructor(
    current: GitRepositoryStatus | undefined,
    generation: number | undefined,
    now: () => Date = () => new Date(),
  ) {
    this.status = structuredClone(current ?? {});
    this.#generation = generation;
    this.#now = () =>
      now()
        .toISOString()
        .replace(/\.\d+Z$/, "Z");
  }

  /** The condition of a type, if present. */
  get(type: string): Condition | undefined {
    return findCondition(this.status.conditions, type);
  }

  /** Sets a condition, keeping its transition time when the status does not change. */
  mark(type: string, status: ConditionStatus, reason: string, message: string): void {
    this.status.conditions = setCondition(
      this.status.conditions,
      {
        type,
        status,
        reason,
        message,
        ...(this.#generation !== undefined ? { observedGeneration: this.#generation } : {}),
      },
      this.#now(),
    );
  }

  /** Removes a condition. */
  clear(type: string): void {
    this.status.conditions = removeCondition(this.status.conditions, type);
  }

  /**
   * Reconciling=True with the message; Ready=Unknown with the same words when a drift from the stored
   * artifact is seen, or Ready is absent or Unknown (Flux's ProgressiveStatus).
   */
  progressing(message: string, drift = false): void {
    this.mark(ConditionType.Reconciling, ConditionStatus.True, Reason.Progressing, message);
    const ready = this.get(ConditionType.Ready);
    if (drift || !ready || ready.status === ConditionStatus.Unknown) {
      this.mark(ConditionType.Ready, ConditionStatus.Unknown, Reason.Progressing, message);
    }
  }

  /** Marks the outcome: a success drops Reconciling and Stalled; a failure keeps Reconciling as a retry. */
  finish(outcome: "success" | "retry" | "stalled", stalled?: { reason: string; message: string }): void {
    if (outcome === "success") this.clear(ConditionType.Reconciling);
    const reconciling = this.get(ConditionType.Reconciling);
    if (reconciling) {
      this.mark(
        ConditionType.Reconciling,
        ConditionStatus.True,
        Reason.ProgressingWithRetry,
        reconciling.message,
      );
    }
    if (outcome === "stalled" && stalled) {
      this.mark(ConditionType.Stalled, ConditionStatus.True, stalled.reason, stalled.message);
    } else {
      this.clear(ConditionType.Stalled);
    }
    this.summarize();
  }

  /**
   * Computes Ready from the summarised conditions as Flux's summarize helper does: the first failing one
   * (an abnormal-true condition that is True or a normal one that is False) makes Ready False with its
   * reason and message; else the first Unknown makes it Unknown; else the first True one makes it True.
   * A False SourceVerified always wins.
   */
  summarize(): void {
    const present = SUMMARIZED.map((t) => this.get(t)).filter((c): c is Condition => c !== undefined);
    const failing = present.find((c) =>
      NEGATIVE.has(c.type) ? c.status === ConditionStatus.True : c.status === ConditionStatus.False,
    );
    const unknown = present.find((c) => c.status === ConditionStatus.Unknown);
    const good = present.find((c) => !NEGATIVE.has(c.type) && c.status === ConditionStatus.True);
    const verified = this.get(ConditionType.SourceVerified);
    const pick: [Condition, ConditionStatus] | undefined =
      verified?.status === ConditionStatus.False
        ? [verified, ConditionStatus.False]
        : failing
          ? [failing, ConditionStatus.False]
          : unknown
            ? [unknown, ConditionStatus.Unknown]
            : good
              ? [good, ConditionStatus.True]
              : undefined;
    if (!pick) return;
    const [top, status] = pick;
    this.mark(ConditionType.Ready, status, top.reason, top.message);
    // Ready comes first, as Flux's patcher orders owned conditions.
    const ready = this.get(ConditionType.Ready);
    if (ready) this.status.conditions = [ready, ...removeCondition(this.status.conditions, ready.type)];
  }

  /** Whether any failure condition is present. */
  hasFailure(): boolean {
    return FAILURE_CONDITIONS.some((t) => this.get(t) !== undefined);
  }
}

/**
 * Writes a GitRepository's status through the status subresource as one merge patch, removing the fields
 * the controller owns with null, and skips writes that would change nothing (a no-change poll costs no write).
 */
export class StatusWriter {
  readonly #client: KubeClient;
  readonly #resource: ResourceRef;
  readonly #requestedAt: string | undefined;
  #object: KubeObject;
  #last: string;

  constructor(client: KubeClient, resource: ResourceRef, raw: KubeObject, obj: GitRepository) {
    this.#client = client;
    this.#resource = resource;
    this.#object = raw;
    this.#requestedAt = obj.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    this.#last = canonicalJson(statusPatch(obj.status, obj.status.observedGeneration));
  }

  /** The object as last written (for events). */
  get object(): KubeObject {
    return this.#object;
  }

  /** Writes the builder's status with observedGeneration, unless nothing changed since the last write. */
  async write(st: GitRepositoryStatusBuilder, observedGeneration: number | undefined): Promise<void> {
    // The reconcile request is handled whatever the outcome (Flux's RecordReconcileReq).
    if (this.#requestedAt !== undefined) st.status.lastHandledReconcileAt = this.#requestedAt;
    const patch = statusPatch(st.status, observedGeneration);
    const body = canonicalJson(patch);
    if (body === this.#last) return;
    this.#object = await this.#client.patchStatus(
      this.#resource,
      objectKey(this.#object),
      { status: patch },
      { type: "merge" },
    );
    this.#last = body;
  }
}

/** The status fields the controller owns, with null for the ones to remove. */
export function statusPatch(
  s: GitRepositoryStatus,
  observedGeneration: number | undefined,
): Record<string, unknown> {
  return {
    observedGeneration: observedGeneration ?? -1,
    conditions: s.conditions ?? [],
    artifact: s.artifact ?? null,
    includedArtifacts: s.includedArtifacts ?? null,
    observedIgnore: s.observedIgnore ?? null,
    observedInclude: s.observedInclude ?? null,
    observedRecurseSubmodules: s.observedRecurseSubmodules ?? null,
    observedSparseCheckout: s.observedSparseCheckout ?? null,
    sourceVerificationMode: s.sourceVerificationMode ?? null,
    lastHandledReconcileAt: s.lastHandledReconcileAt ?? null,
  };
}

/** JSON with object keys sorted, so that equal statuses compare equal whatever order the server sent. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
