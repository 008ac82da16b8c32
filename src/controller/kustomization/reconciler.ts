// The Kustomization reconciler: source → dependencies → build → apply → prune → health → status,
// one phase per call, as Flux's kustomize-controller. Failures become conditions with Flux's reasons.
import type { Logger } from "pino";
import { ConditionStatus, Reason } from "../../api/condition.ts";
import { parseDuration } from "../../api/duration.ts";
import { inventoryEntry } from "../../api/inventory.ts";
import { type Kustomization, KustomizationType, parseKustomization } from "../../api/kustomization.ts";
import { FLUX_FINALIZER, RECONCILE_REQUEST_ANNOTATION } from "../../api/meta.ts";
import { applyAll, applyAllStaged } from "../../apply/apply.ts";
import { type ChangeSetEntry, formatChangeSet } from "../../apply/changeset.ts";
import { ApplyError } from "../../apply/errors.ts";
import { ResourceManager } from "../../apply/manager.ts";
import { InvalidCelExpressionError } from "../../health/cel.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ObjectKey, ResourceRef } from "../../kube/object.ts";
import { decryptionInputs, type SecretKey, secretGetter } from "../../sops/pipeline.ts";
import type { EventRecorder } from "../runtime/events.ts";
import type { ReconcileResult, Reconciler } from "../runtime/reconciler.ts";
import { writeStatus } from "../runtime/status.ts";
import type { ArtifactProvider, LocalArtifact, SourceRef } from "./artifacts.ts";
import { BuildCache, buildKey, fingerprintOf } from "./build-cache.ts";
import { checkDependencies, DependencyNotReadyError } from "./dependencies.ts";
import type { DriftTracker } from "./drift.ts";
import { finalize } from "./finalize.ts";
import { checkHealth, HealthCheckCanceledError, HealthCheckFailedError, timeoutOf } from "./health.ts";
import { ignoreRulesOf } from "./ignore.ts";
import { PruneFailedError, pruneStale, toIdentity } from "./prune.ts";
import { BuildFailedError, render } from "./render.ts";
import { AccessDeniedError, ArtifactNotReadyError, resolveArtifact } from "./source.ts";
import { StatusBuilder } from "./status.ts";
import { readSubstituteFrom } from "./substitute-from.ts";

/** Annotation choosing what to do about drift on an unchanged revision: "revert" (default) or "detect". */
export const DRIFT_ANNOTATION = "driftless.io/drift";

/** Condition set in drift detect mode while applied objects differ from Git. */
export const DRIFTED_CONDITION = "Drifted";

/** What the Kustomization reconciler needs from the process. */
export interface KustomizationReconcilerOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly events: EventRecorder;
  readonly artifacts: ArtifactProvider;
  readonly drift: DriftTracker;
  /** Reads a Kustomization ("namespace/name") from the informer cache. */
  readonly getKustomization: (key: string) => KubeObject | undefined;
  /** Reads a source object from the informer cache. */
  readonly getSource: (ref: SourceRef) => KubeObject | undefined;
  readonly noCrossNamespaceRefs?: boolean;
  readonly defaultServiceAccount?: string;
  /** Process-wide drift mode; the annotation overrides it per Kustomization. */
  readonly driftMode?: "revert" | "detect";
  /** How soon to look again at a Kustomization whose dependency is not ready (it is re-triggered too). */
  readonly requeueDependencyMs?: number;
  /** The controller-wide SOPS age key Secret (`--sops-age-secret`), for decryption without a secretRef. */
  readonly sopsAgeSecret?: SecretKey;
  readonly concurrency?: number;
}

const KS_RESOURCE: ResourceRef = {
  group: KustomizationType.group,
  version: KustomizationType.version,
  plural: KustomizationType.plural,
};

/** Reconciles Kustomizations. */
export class KustomizationReconciler implements Reconciler {
  readonly #o: KustomizationReconcilerOptions;
  readonly #builds = new BuildCache();

  constructor(options: KustomizationReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult> {
    const cached = this.#o.getKustomization(`${key.namespace ?? ""}/${key.name}`);
    if (!cached) {
      this.#o.drift.forget(`${key.namespace ?? ""}/${key.name}`);
      this.#builds.forget(`${key.namespace ?? ""}/${key.name}`);
      return;
    }
    const ks = parseKustomization(cached);
    const ksKey = `${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`;
    const log = this.#o.log.child({ kustomization: ksKey });
    const gen = ks.metadata.generation;

    // Finalize on deletion, as the deletionPolicy says; make sure the finalizer is there otherwise.
    if (ks.metadata.deletionTimestamp) {
      await finalize(ks, {
        client: this.#o.client,
        manager: this.#manager(ks),
        log,
        event: (type, reason, note) => this.#event(ks, type, reason, note, ks.status.lastAppliedRevision),
      });
      this.#o.drift.forget(ksKey);
      return;
    }
    if (!(ks.metadata.finalizers ?? []).includes(FLUX_FINALIZER)) await this.#addFinalizer(ks);
    if (ks.spec.suspend) return;

    const started = Date.now();
    const status = new StatusBuilder(ks.status);
    const requestedAt = ks.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    if (requestedAt !== undefined) status.status.lastHandledReconcileAt = requestedAt;
    const interval = parseDuration(ks.spec.interval);
    const retryInterval = ks.spec.retryInterval ? parseDuration(ks.spec.retryInterval) : interval;
    let outcome: ReconcileResult;
    try {
      // 1. Get the source's artifact.
      const artifact = resolveArtifact(ks, {
        getSource: this.#o.getSource,
        artifacts: this.#o.artifacts,
        noCrossNamespaceRefs: this.#o.noCrossNamespaceRefs ?? false,
      });
      status.status.lastAttemptedRevision = artifact.revision;
      log.debug({ revision: artifact.revision }, "source resolved");

      // 2. Wait for the dependencies.
      checkDependencies(ks, artifact.revision, this.#o.getKustomization);

      // 3. Build the manifests (or reuse the last render when nothing it depends on changed).
      const substituteFrom = await readSubstituteFrom(this.#o.client, ks);
      const cacheKey = buildKey(ks, artifact, substituteFrom);
      let built = this.#builds.get(ksKey, cacheKey);
      if (!built) {
        const rendered = await render(ks, artifact.dir, {
          substituteFrom,
          ...decryptionInputs({
            namespace: ks.metadata.namespace ?? "",
            decryption: ks.spec.decryption,
            components: ks.spec.components,
            getSecret: secretGetter(this.#o.client),
            fallbackSecret: this.#o.sopsAgeSecret,
          }),
        });
        built = { objects: rendered, fingerprint: fingerprintOf(ks, artifact, rendered) };
        this.#builds.set(ksKey, cacheKey, built);
      }
      const { objects, fingerprint } = built;
      log.debug({ objects: objects.length }, "built");

      // 4. Apply what changed (or, on an unchanged revision, only what drifted).
      const manager = this.#manager(ks);
      const changes = await this.#apply(ks, ksKey, manager, objects, fingerprint, artifact, status);

      // 5. Prune what was removed from Git.
      log.debug({ changes: changes.length }, "applied");
      const pruned = await this.#prune(ks, manager, objects, status, log);

      // 6. Wait for the objects to become ready.
      log.debug("pruned; checking health");
      await this.#healthCheck(ks, ksKey, manager, objects, status, log);

      // 7. Report success.
      status.ready(
        `Applied revision: ${artifact.revision}${pruned.warning ? `; ${pruned.warning}` : ""}`,
        gen,
      );
      status.status.lastAppliedRevision = artifact.revision;
      status.recordHistory(fingerprint, artifact.revision, "ReconciliationSucceeded", Date.now() - started);
      if (changes.length > 0) {
        await this.#event(
          ks,
          "Normal",
          Reason.ReconciliationSucceeded,
          formatChangeSet(changes),
          artifact.revision,
        );
      }
      log.info(
        { revision: artifact.revision, changes: changes.length, ms: Date.now() - started },
        "reconciled",
      );
      outcome = { requeueAfter: jitter(interval) };
    } catch (err) {
      outcome = await this.#failed(ks, ksKey, err, status, retryInterval, log);
    } finally {
      if (this.#o.getKustomization(ksKey)) {
        await writeStatus(
          this.#o.client,
          KS_RESOURCE,
          cached,
          { ...status.status },
          {
            ...(gen !== undefined ? { observedGeneration: gen } : {}),
          },
        );
      }
    }
    return outcome;
  }

  // Applies in stages, skipping the dry runs when nothing changed since the last full apply.
  async #apply(
    ks: Kustomization,
    ksKey: string,
    manager: ResourceManager,
    objects: KubeObject[],
    fingerprint: string,
    artifact: LocalArtifact,
    status: StatusBuilder,
  ): Promise<ChangeSetEntry[]> {
    const resources = await resourcesOf(manager, objects);
    const drifted = resources && this.#o.drift.driftedSince(ksKey, fingerprint, resources);
    if (drifted !== undefined && drifted.size === 0) return [];
    const force = ks.spec.force;
    // spec.ignore: fields left to other controllers (an HPA's replicas).
    const ignore = ignoreRulesOf(ks);
    if (drifted !== undefined) {
      const subset = objects.filter((o) => drifted.has(inventoryEntry(toIdentity(o)).id));
      this.#o.drift.clearDirty(ksKey, drifted);
      if (this.#driftMode(ks) === "detect") {
        if (subset.length > 0) await this.#reportDrift(ks, subset, status, artifact);
        return [];
      }
      const entries = await applyAll(manager, subset, { force, ignore });
      return entries.filter((e) => e.action === "created" || e.action === "configured");
    }
    status.progressing(`Reconciling revision ${artifact.revision}`, ks.metadata.generation);
    await this.#writeProgress(ks, ksKey, status);
    const entries = await applyAllStaged(manager, objects, {
      force,
      ignore,
      stageTimeoutMs: timeoutOf(ks),
    });
    this.#o.drift.watch((await resourcesOf(manager, objects)) ?? []);
    this.#o.drift.markApplied(ksKey, fingerprint, {
      ignore,
      ids: objects.map((o) => inventoryEntry(toIdentity(o)).id),
    });
    // A full apply made the cluster equal to Git: any drift reported before is gone.
    status.clear(DRIFTED_CONDITION);
    return entries.filter((e) => e.action === "created" || e.action === "configured");
  }

  // Says "Reconciliation in progress" while a new revision applies and waits, as Flux does; best effort.
  async #writeProgress(ks: Kustomization, ksKey: string, status: StatusBuilder): Promise<void> {
    const cached = this.#o.getKustomization(ksKey);
    if (!cached) return;
    const observed = ks.status.observedGeneration;
    await writeStatus(
      this.#o.client,
      KS_RESOURCE,
      cached,
      { ...status.status },
      {
        ...(observed !== undefined ? { observedGeneration: observed } : {}),
      },
    ).catch((err: unknown) =>
      this.#o.log.debug({ kustomization: ksKey, err: String(err) }, "progress status not written"),
    );
  }

  async #reportDrift(
    ks: Kustomization,
    objects: KubeObject[],
    status: StatusBuilder,
    artifact: LocalArtifact,
  ): Promise<void> {
    const names = objects.map(
      (o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`,
    );
    const message = `drift detected (not reverted, drift mode is detect): ${names.join(", ")}`;
    status.set(DRIFTED_CONDITION, ConditionStatus.True, "DriftDetected", message, ks.metadata.generation);
    await this.#event(ks, "Warning", "DriftDetected", message, artifact.revision);
  }

  // Deletes what Git no longer has; an empty render that prunes everything is reported loudly.
  async #prune(
    ks: Kustomization,
    manager: ResourceManager,
    objects: KubeObject[],
    status: StatusBuilder,
    log: Logger,
  ): Promise<{ warning?: string }> {
    const revision = status.status.lastAttemptedRevision;
    const result = await pruneStale(ks, manager, objects);
    status.status.inventory = result.inventory;
    let warning: string | undefined;
    if (result.prunedAll !== undefined) {
      const n = result.prunedAll;
      log.warn({ objects: n }, "empty build prunes everything");
      const message = `the build at path '${ks.spec.path ?? "./"}' produced no objects: pruning all ${n} previously applied objects`;
      await this.#event(ks, "Warning", "PruneAll", message, revision);
      warning = `the build produced no objects: pruned all ${n} previously applied objects`;
    }
    if (result.deleted.length > 0) {
      await this.#event(ks, "Normal", "Progressing", formatChangeSet(result.deleted), revision);
    }
    return warning ? { warning } : {};
  }

  // Waits for health, giving way when the Kustomization drifts again or gets a new artifact.
  async #healthCheck(
    ks: Kustomization,
    ksKey: string,
    manager: ResourceManager,
    objects: KubeObject[],
    status: StatusBuilder,
    log: Logger,
  ): Promise<void> {
    const interrupt = this.#o.drift.interruptSignal(ksKey);
    try {
      await checkHealth(ks, manager, objects, status, {
        signal: interrupt.signal,
        onPoll: (notReady) =>
          log.debug(
            { notReady: notReady.map((s) => `${s.subject} ${s.status}: ${s.message}`) },
            "waiting for health",
          ),
      });
    } finally {
      interrupt.release();
    }
  }

  async #failed(
    ks: Kustomization,
    ksKey: string,
    err: unknown,
    status: StatusBuilder,
    retryIntervalMs: number,
    log: Logger,
  ): Promise<ReconcileResult> {
    if (err instanceof PruneFailedError) status.status.inventory = err.inventory;
    const { reason, requeueAfter } = classify(err, retryIntervalMs, this.#o.requeueDependencyMs ?? 30_000);
    const message = err instanceof Error ? err.message : String(err);
    // A failed run must not skip the next one's dry runs (a canceled health check applied everything).
    if (reason !== Reason.HealthCheckCanceled) this.#o.drift.forget(ksKey);
    if (
      reason === Reason.DependencyNotReady ||
      reason === Reason.ArtifactFailed ||
      reason === Reason.HealthCheckCanceled
    ) {
      status.failed(reason, message, ks.metadata.generation);
      log.info({ reason }, message);
    } else {
      const stalled = reason === Reason.AccessDenied || reason === Reason.InvalidCELExpression;
      status.failed(reason, message, ks.metadata.generation, stalled);
      log.error({ reason, err: message }, "reconciliation failed");
      await this.#event(ks, "Warning", reason, message, status.status.lastAttemptedRevision);
    }
    return { requeueAfter };
  }

  #manager(ks: Kustomization): ResourceManager {
    const sa = ks.spec.serviceAccountName ?? this.#o.defaultServiceAccount;
    const namespace = ks.metadata.namespace ?? "";
    const client = sa
      ? this.#o.client.impersonating({
          user: `system:serviceaccount:${namespace}:${sa}`,
        })
      : this.#o.client;
    return new ResourceManager(client, { concurrency: this.#o.concurrency ?? 8 });
  }

  #driftMode(ks: Kustomization): "revert" | "detect" {
    const a = ks.metadata.annotations?.[DRIFT_ANNOTATION]?.toLowerCase();
    return a === "detect" || a === "revert" ? a : (this.#o.driftMode ?? "revert");
  }

  async #addFinalizer(ks: Kustomization): Promise<void> {
    const finalizers = [...(ks.metadata.finalizers ?? []), FLUX_FINALIZER];
    await this.#o.client.patch(
      KS_RESOURCE,
      { namespace: ks.metadata.namespace ?? "", name: ks.metadata.name ?? "" },
      { metadata: { finalizers, resourceVersion: ks.metadata.resourceVersion } },
      { type: "merge" },
    );
  }

  async #event(
    ks: Kustomization,
    type: "Normal" | "Warning",
    reason: string,
    note: string,
    revision?: string,
  ): Promise<void> {
    if (note === "") return;
    await this.#o.events.emit(
      { apiVersion: ks.apiVersion, kind: ks.kind, metadata: ks.metadata } as KubeObject,
      {
        type,
        reason,
        action: "Reconcile",
        note,
        ...(revision ? { annotations: { [`${KustomizationType.group}/revision`]: revision } } : {}),
      },
    );
  }
}

function classify(
  err: unknown,
  retryMs: number,
  dependencyMs: number,
): { reason: string; requeueAfter: number } {
  if (err instanceof ArtifactNotReadyError)
    return { reason: Reason.ArtifactFailed, requeueAfter: Math.min(retryMs, 30_000) };
  if (err instanceof DependencyNotReadyError)
    return { reason: Reason.DependencyNotReady, requeueAfter: dependencyMs };
  if (err instanceof AccessDeniedError) return { reason: Reason.AccessDenied, requeueAfter: retryMs };
  if (err instanceof InvalidCelExpressionError)
    return { reason: Reason.InvalidCELExpression, requeueAfter: retryMs };
  if (err instanceof BuildFailedError) return { reason: Reason.BuildFailed, requeueAfter: retryMs };
  if (err instanceof PruneFailedError) return { reason: Reason.PruneFailed, requeueAfter: retryMs };
  if (err instanceof HealthCheckCanceledError) return { reason: Reason.HealthCheckCanceled, requeueAfter: 1 };
  if (err instanceof HealthCheckFailedError)
    return { reason: Reason.HealthCheckFailed, requeueAfter: retryMs };
  if (err instanceof ApplyError) return { reason: Reason.ReconciliationFailed, requeueAfter: retryMs };
  return { reason: Reason.ReconciliationFailed, requeueAfter: retryMs };
}

/** The resources of the objects' kinds; undefined when one is not served (yet: its CRD is in this apply). */
async function resourcesOf(
  manager: ResourceManager,
  objects: readonly KubeObject[],
): Promise<ResourceRef[] | undefined> {
  const seen = new Map<string, KubeObject>();
  for (const o of objects) seen.set(`${o.apiVersion}/${o.kind}`, o);
  const out: ResourceRef[] = [];
  for (const o of seen.values()) {
    try {
      const r = await manager.resourceFor(o);
      out.push({ group: r.group, version: r.version, plural: r.plural });
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Flux spreads requeues by up to 5% so that many objects do not reconcile in lockstep. */
function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.05));
}
