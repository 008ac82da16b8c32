// Wires the Kustomization reconciler into a controller: the Kustomization informer (its cache is what the
// reconciler reads), a watch of GitRepositories, new artifacts from the registry, dependants re-triggered
// the moment a dependency becomes Ready, and the drift watches.
import type { Logger } from "pino";
import { ConditionType, isConditionTrue } from "../../api/condition.ts";
import { GitRepositoryType } from "../../api/gitrepository.ts";
import { KustomizationType } from "../../api/kustomization.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ObjectKey } from "../../kube/object.ts";
import {
  annotationsChanged,
  anyOf,
  Controller,
  generationChanged,
  type UpdatePredicate,
} from "../runtime/controller.ts";
import type { EventRecorder } from "../runtime/events.ts";
import { Informer } from "../runtime/informer.ts";
import type { ReconcileOutcome } from "../runtime/reconciler.ts";
import type { WorkQueueObserver } from "../runtime/workqueue.ts";
import type { ArtifactRegistry, SourceRef } from "./artifacts.ts";
import { dependencyKeys } from "./dependencies.ts";
import { DriftTracker } from "./drift.ts";
import { KustomizationReconciler, type KustomizationReconcilerOptions } from "./reconciler.ts";

/** Options of the Kustomization controller. */
export interface KustomizationControllerOptions
  extends Pick<
    KustomizationReconcilerOptions,
    "noCrossNamespaceRefs" | "defaultServiceAccount" | "driftMode" | "requeueDependencyMs" | "sopsAgeSecret"
  > {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly events: EventRecorder;
  readonly registry: ArtifactRegistry;
  readonly concurrency?: number;
  readonly labelSelector?: string;
  /** Also receives every reconcile's outcome (metrics). */
  readonly onOutcome?: (outcome: ReconcileOutcome) => void;
  /** Receives the work queue's timings (metrics). */
  readonly observer?: WorkQueueObserver;
  /** Concurrent requests of one apply. */
  readonly applyConcurrency?: number;
}

const deletionStarted: UpdatePredicate = (o, n) =>
  o.metadata.deletionTimestamp === undefined && n.metadata.deletionTimestamp !== undefined;

/** The running Kustomization controller and its drift tracker. */
export interface KustomizationController {
  readonly controller: Controller;
  readonly drift: DriftTracker;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the Kustomization controller (not started). */
export function createKustomizationController(
  options: KustomizationControllerOptions,
): KustomizationController {
  const { client, log, registry } = options;
  const sources = new Informer({
    client,
    resource: {
      group: GitRepositoryType.group,
      version: GitRepositoryType.version,
      plural: GitRepositoryType.plural,
    },
    onError: (err, context) => log.warn({ err: String(err), context }, "gitrepository watch error"),
  });
  let controller: Controller | undefined;
  const enqueue = (key: ObjectKey): void => controller?.enqueue(key);
  const drift = new DriftTracker({
    client,
    fieldManager: "driftless",
    enqueue,
    onError: (err, context) => log.warn({ err: String(err), context }, "drift watch error"),
  });
  const reconciler = new KustomizationReconciler({
    client,
    log,
    events: options.events,
    artifacts: registry,
    drift,
    getKustomization: (key) => controller?.informer.get(key),
    getSource: (ref: SourceRef) => sources.get({ namespace: ref.namespace, name: ref.name }),
    ...(options.noCrossNamespaceRefs !== undefined
      ? { noCrossNamespaceRefs: options.noCrossNamespaceRefs }
      : {}),
    ...(options.defaultServiceAccount ? { defaultServiceAccount: options.defaultServiceAccount } : {}),
    ...(options.driftMode ? { driftMode: options.driftMode } : {}),
    ...(options.requeueDependencyMs !== undefined
      ? { requeueDependencyMs: options.requeueDependencyMs }
      : {}),
    ...(options.applyConcurrency !== undefined ? { concurrency: options.applyConcurrency } : {}),
    ...(options.sopsAgeSecret ? { sopsAgeSecret: options.sopsAgeSecret } : {}),
  });
  const ksResource = {
    group: KustomizationType.group,
    version: KustomizationType.version,
    plural: KustomizationType.plural,
  };
  controller = new Controller({
    name: "kustomization",
    client,
    primary: {
      resource: ksResource,
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      predicate: anyOf(generationChanged, annotationsChanged, deletionStarted),
    },
    reconciler,
    concurrency: options.concurrency ?? 4,
    onError: (err, context) => log.warn({ err: String(err), context }, "kustomization controller error"),
    ...(options.observer ? { observer: options.observer } : {}),
    onOutcome: (o) => {
      options.onOutcome?.(o);
      if (o.result === "error" || o.result === "terminal") {
        log.error(
          { key: o.key, err: o.error instanceof Error ? o.error.message : String(o.error) },
          "reconcile error",
        );
      }
    },
  });
  // A Kustomization that became Ready, or Ready on a new revision or generation, releases the ones that
  // depend on it at once. The handler sits on the primary informer so that the dependant's reconcile reads
  // the dependency's new status from the same (already updated) cache.
  controller.informer.addHandlers({
    onUpdate: (o, n) => {
      if (isReady(n) && (!isReady(o) || appliedStateOf(o) !== appliedStateOf(n))) {
        for (const key of dependantsOf(n, controller?.informer.list() ?? [])) enqueue(key);
      }
    },
  });
  // A new artifact triggers every Kustomization that uses the source, without waiting for their interval.
  registry.subscribe((ref) => {
    for (const ks of controller?.informer.list() ?? []) {
      const spec = (ks as { spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } } })
        .spec;
      const sr = spec?.sourceRef;
      if (
        sr?.kind === ref.kind &&
        sr.name === ref.name &&
        (sr.namespace ?? ks.metadata.namespace) === ref.namespace
      ) {
        // A health check still waiting on the previous revision gives way to the new one.
        drift.interrupt(`${ks.metadata.namespace ?? ""}/${ks.metadata.name ?? ""}`);
        enqueue({ namespace: ks.metadata.namespace ?? "", name: ks.metadata.name ?? "" });
      }
    }
  });
  const c = controller;
  return {
    controller: c,
    drift,
    start: async () => {
      sources.start();
      await sources.waitForSync({ timeoutMs: 120_000 });
      await c.start();
    },
    stop: async () => {
      await c.stop();
      await sources.stop();
      await drift.stop();
    },
  };
}

function isReady(obj: KubeObject): boolean {
  const conditions = (obj as { status?: { conditions?: unknown } }).status?.conditions;
  return Array.isArray(conditions) && isConditionTrue(conditions, ConditionType.Ready);
}

function appliedStateOf(obj: KubeObject): string {
  const status = (obj as { status?: { lastAppliedRevision?: unknown; observedGeneration?: unknown } }).status;
  return `${String(status?.lastAppliedRevision)}|${String(status?.observedGeneration)}`;
}

function dependantsOf(dep: KubeObject, all: readonly KubeObject[]): ObjectKey[] {
  const depKey = `${dep.metadata.namespace ?? ""}/${dep.metadata.name ?? ""}`;
  const out: ObjectKey[] = [];
  for (const ks of all) {
    const deps =
      (ks as { spec?: { dependsOn?: { name: string; namespace?: string }[] } }).spec?.dependsOn ?? [];
    const keys = dependencyKeys({ metadata: ks.metadata, spec: { dependsOn: deps } } as Parameters<
      typeof dependencyKeys
    >[0]);
    if (keys.includes(depKey))
      out.push({ namespace: ks.metadata.namespace ?? "", name: ks.metadata.name ?? "" });
  }
  return out;
}
