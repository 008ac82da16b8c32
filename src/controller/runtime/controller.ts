import type { KubeClient } from "../../kube/client.ts";
import { type KubeObject, type ObjectKey, objectKey, type ResourceRef } from "../../kube/object.ts";
import { Informer, type InformerOptions } from "./informer.ts";
import {
  type BackoffOptions,
  type ReconcileOutcome,
  ReconcileRunner,
  type Reconciler,
} from "./reconciler.ts";
import type { WorkQueueObserver } from "./workqueue.ts";

/** Decides whether an update is worth a reconcile (creates and deletes always are). */
export type UpdatePredicate = (oldObj: KubeObject, newObj: KubeObject) => boolean;

/** Passes updates that changed the spec (generation), like controller-runtime's GenerationChangedPredicate. */
export const generationChanged: UpdatePredicate = (oldObj, newObj) =>
  oldObj.metadata.generation !== newObj.metadata.generation;

/** Passes updates that changed annotations (e.g. Flux's reconcile.fluxcd.io/requestedAt). */
export const annotationsChanged: UpdatePredicate = (oldObj, newObj) =>
  JSON.stringify(oldObj.metadata.annotations ?? {}) !== JSON.stringify(newObj.metadata.annotations ?? {});

/** Passes an update when any of the predicates does. */
export function anyOf(...predicates: UpdatePredicate[]): UpdatePredicate {
  return (oldObj, newObj) => predicates.some((p) => p(oldObj, newObj));
}

/** Which objects an informer watches. */
export interface WatchTarget {
  resource: ResourceRef;
  namespace?: string;
  labelSelector?: string;
  /** Filters updates; absent lets every update through. */
  predicate?: UpdatePredicate;
}

/** A secondary watch: objects of another kind mapped to the primary keys they affect. */
export interface SecondaryWatch extends WatchTarget {
  map(obj: KubeObject): ObjectKey[];
}

/** Options of a controller. */
export interface ControllerOptions {
  /** Names the controller in errors and logs. */
  name: string;
  client: KubeClient;
  /** The kind this controller reconciles; its keys are the reconcile keys. */
  primary: WatchTarget;
  watches?: SecondaryWatch[];
  reconciler: Reconciler;
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Informer tuning shared by every watch (resync, watchdog, retry). */
  informer?: Pick<InformerOptions, "resyncPeriodMs" | "silenceTimeoutMs" | "watchTimeoutSeconds" | "retry">;
  /** How long start() waits for the caches; default 120 s. */
  syncTimeoutMs?: number;
  onOutcome?: (outcome: ReconcileOutcome) => void;
  onError?: (err: unknown, context: string) => void;
  observer?: WorkQueueObserver;
}

/** Wires informers to a work queue and a reconciler: every change of a watched object queues its key. */
export class Controller {
  readonly name: string;
  /** The informer of the primary kind: its cache is readable by the reconciler. */
  readonly informer: Informer;
  readonly informers: Informer[];
  readonly runner: ReconcileRunner;
  readonly #options: ControllerOptions;
  // Keys seen before every cache synced are held back, as controller-runtime starts workers after sync.
  #started = false;
  readonly #pendingKeys = new Map<string, ObjectKey>();

  constructor(options: ControllerOptions) {
    this.#options = options;
    this.name = options.name;
    this.runner = new ReconcileRunner({
      reconciler: options.reconciler,
      concurrency: options.concurrency ?? 1,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    this.informer = this.#informer(options.primary, (obj) => [objectKey(obj)]);
    this.informers = [
      this.informer,
      ...(options.watches ?? []).map((w) => this.#informer(w, (obj) => w.map(obj))),
    ];
  }

  /** Starts the informers, waits for their caches, then starts reconciling. */
  async start(): Promise<void> {
    for (const informer of this.informers) informer.start();
    const timeoutMs = this.#options.syncTimeoutMs ?? 120_000;
    await Promise.all(this.informers.map((i) => i.waitForSync({ timeoutMs })));
    this.#started = true;
    for (const key of this.#pendingKeys.values()) this.runner.enqueue(key);
    this.#pendingKeys.clear();
  }

  /** Queues a key for reconciliation (e.g. from a webhook). */
  enqueue(key: ObjectKey): void {
    if (!this.#started) {
      this.#pendingKeys.set(`${key.namespace ?? ""}/${key.name}`, key);
      return;
    }
    this.runner.enqueue(key);
  }

  /** Stops watching and waits up to `timeoutMs` (default 30 s) for running reconciles. */
  async stop(options: { timeoutMs?: number } = {}): Promise<boolean> {
    const drained = this.runner.shutdown(options);
    await Promise.all(this.informers.map((i) => i.stop()));
    return drained;
  }

  #informer(target: WatchTarget, keys: (obj: KubeObject) => ObjectKey[]): Informer {
    const { client, onError } = this.#options;
    const informer = new Informer({
      client,
      resource: target.resource,
      ...(target.namespace ? { namespace: target.namespace } : {}),
      ...(target.labelSelector ? { labelSelector: target.labelSelector } : {}),
      ...this.#options.informer,
      onError: (err, context) => onError?.(err, `${this.name}: ${context}`),
    });
    const enqueueAll = (obj: KubeObject): void => {
      for (const key of keys(obj)) this.enqueue(key);
    };
    informer.addHandlers({
      onAdd: enqueueAll,
      onUpdate: (oldObj, newObj) => {
        if (!target.predicate || target.predicate(oldObj, newObj)) enqueueAll(newObj);
      },
      onDelete: enqueueAll,
    });
    return informer;
  }
}
