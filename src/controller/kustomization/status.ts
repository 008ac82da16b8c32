// Status of a Kustomization as Flux's kustomize-controller writes it: conditions with Flux's reasons,
// revisions, inventory, history and lastHandledReconcileAt, so Flux's tools read driftless objects.
import {
  type Condition,
  ConditionStatus,
  ConditionType,
  removeCondition,
  setCondition,
} from "../../api/condition.ts";
import { HISTORY_MAX_SIZE, type KustomizationStatus, type Snapshot } from "../../api/kustomization.ts";

/** A mutable copy of a Kustomization's status, edited by the reconciler and written at the end. */
export class StatusBuilder {
  status: KustomizationStatus;
  readonly #now: () => string;

  constructor(current: KustomizationStatus | undefined, now: () => string = () => new Date().toISOString()) {
    this.status = structuredClone(current ?? {});
    this.#now = () => now().replace(/\.\d+Z$/, "Z");
  }

  /** Marks the object as being worked on: Reconciling=True and Ready=Unknown, as Flux does. */
  progressing(message: string, generation: number | undefined): void {
    this.set(ConditionType.Reconciling, ConditionStatus.True, "Progressing", message, generation);
    this.set(
      ConditionType.Ready,
      ConditionStatus.Unknown,
      "Progressing",
      "Reconciliation in progress",
      generation,
    );
  }

  /** Ready=True with the applied revision; clears Reconciling and Stalled. */
  ready(message: string, generation: number | undefined): void {
    this.set(ConditionType.Ready, ConditionStatus.True, "ReconciliationSucceeded", message, generation);
    this.clear(ConditionType.Reconciling);
    this.clear(ConditionType.Stalled);
  }

  /** Ready=False with a reason; Reconciling stays True with ProgressingWithRetry unless stalled. */
  failed(reason: string, message: string, generation: number | undefined, stalled = false): void {
    this.set(ConditionType.Ready, ConditionStatus.False, reason, message, generation);
    if (stalled) {
      this.set(ConditionType.Stalled, ConditionStatus.True, reason, message, generation);
      this.clear(ConditionType.Reconciling);
    } else {
      this.set(ConditionType.Reconciling, ConditionStatus.True, "ProgressingWithRetry", message, generation);
      this.clear(ConditionType.Stalled);
    }
  }

  /** Sets one condition (lastTransitionTime kept unless the status changes). */
  set(
    type: string,
    status: ConditionStatus,
    reason: string,
    message: string,
    generation: number | undefined,
  ): void {
    this.status.conditions = setCondition(
      this.status.conditions,
      {
        type,
        status,
        reason,
        message: message.slice(0, 32_000),
        ...(generation !== undefined ? { observedGeneration: generation } : {}),
      },
      this.#now(),
    );
  }

  /** Removes a condition. */
  clear(type: string): void {
    this.status.conditions = removeCondition(this.status.conditions, type);
  }

  /** The condition of a type. */
  get(type: string): Condition | undefined {
    return this.status.conditions?.find((c) => c.type === type);
  }

  /** Records a reconciliation in status.history (newest first, Flux's snapshot shape). */
  recordHistory(digest: string, revision: string, outcome: string, durationMs: number): void {
    const now = this.#now();
    const history = [...(this.status.history ?? [])];
    const i = history.findIndex((s) => s.digest === digest && s.lastReconciledStatus === outcome);
    const duration = `${(durationMs / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
    let snap: Snapshot;
    if (i >= 0) {
      const prev = history.splice(i, 1)[0] as Snapshot;
      snap = {
        ...prev,
        lastReconciled: now,
        lastReconciledDuration: duration,
        totalReconciliations: prev.totalReconciliations + 1,
      };
    } else {
      snap = {
        digest,
        firstReconciled: now,
        lastReconciled: now,
        lastReconciledDuration: duration,
        lastReconciledStatus: outcome,
        totalReconciliations: 1,
        metadata: { revision },
      };
    }
    this.status.history = [snap, ...history].slice(0, HISTORY_MAX_SIZE);
  }
}
