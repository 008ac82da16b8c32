import type { KubeClient } from "../../kube/client.ts";
import { isGone } from "../../kube/errors.ts";
import {
  type KubeObject,
  keyToString,
  type ObjectKey,
  objectKey,
  type ResourceRef,
} from "../../kube/object.ts";

/** Callbacks of an informer; run synchronously in event order, and a throwing handler is reported, not fatal. */
export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  /** Receives the last state the informer knew (after a relist, possibly older than the deletion). */
  onDelete?(obj: KubeObject): void;
}

/** Options of an informer. */
export interface InformerOptions {
  client: KubeClient;
  resource: ResourceRef;
  /** Namespace to watch; absent watches all namespaces. */
  namespace?: string;
  labelSelector?: string;
  /** Calls onUpdate(obj, obj) for every cached object this often; 0 (default) disables resync. */
  resyncPeriodMs?: number;
  /** Restarts a watch that received nothing, not even a bookmark, for this long; default 180 s. */
  silenceTimeoutMs?: number;
  /** Server-side timeout of each watch; default a random 300–600 s so that watches spread out. */
  watchTimeoutSeconds?: number;
  /** Page size of lists; default 500. */
  pageSize?: number;
  /** Delay after a failed list or watch, doubling per failure; default 800 ms to 30 s like client-go. */
  retry?: { baseMs?: number; maxMs?: number };
  /** Called with every error the informer recovers from (for logging). */
  onError?: (err: unknown, context: string) => void;
}

/** Numbers describing an informer's history, for metrics and tests. */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Relists forced by 410 Gone. */
  relistsAfterGone: number;
  /** Watches restarted by the watchdog for silence. */
  silentRestarts: number;
  /** Failed lists or watches. */
  errors: number;
  events: number;
}

/**
 * Lists then watches one resource into an in-memory cache, and heals itself: resumes from the last
 * resourceVersion when a watch ends, relists (diffing the cache so no change is lost) on 410 Gone,
 * retries errors with backoff, and restarts a watch that goes silent.
 */
export class Informer {
  readonly resource: ResourceRef;
  readonly stats: InformerStats = {
    lists: 0,
    watches: 0,
    relistsAfterGone: 0,
    silentRestarts: 0,
    errors: 0,
    events: 0,
  };
  readonly #options: InformerOptions;
  readonly #cache = new Map<string, KubeObject>();
  readonly #handlers: InformerHandlers[] = [];
  readonly #syncWaiters: Array<() => void> = [];
  #resourceVersion = "";
  #synced = false;
  #running: Promise<void> | undefined;
  #stop = new AbortController();
  #watchAbort: AbortController | undefined;
  #resyncTimer: NodeJS.Timeout | undefined;

  constructor(options: InformerOptions) {
    this.#options = options;
    this.resource = options.resource;
  }

  /** Registers callbacks; objects already cached are not replayed. */
  addHandlers(handlers: InformerHandlers): void {
    this.#handlers.push(handlers);
  }

  /** Starts listing and watching in the background. */
  start(): void {
    if (this.#running) return;
    this.#stop = new AbortController();
    this.#running = this.#run();
    const period = this.#options.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.#resyncTimer = setInterval(() => this.#resync(), period);
      this.#resyncTimer.unref();
    }
  }

  /** Stops watching and waits for the loop to end; the cache stays readable and start() resumes. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#watchAbort?.abort();
    clearInterval(this.#resyncTimer);
    await this.#running;
    this.#running = undefined;
  }

  /** Whether the first list has been cached. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been cached; rejects after `timeoutMs` (default: wait forever). */
  async waitForSync(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#synced) return;
    const synced = new Promise<void>((resolve) => this.#syncWaiters.push(resolve));
    if (options.timeoutMs === undefined) return synced;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(`informer ${describeResource(this.resource)} did not sync in ${options.timeoutMs} ms`),
          ),
        options.timeoutMs,
      );
    });
    try {
      await Promise.race([synced, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The cached object with this key, if any. */
  get(key: ObjectKey | string): KubeObject | undefined {
    return this.#cache.get(typeof key === "string" ? key : keyToString(key));
  }

  /** Every cached object, optionally of one namespace. */
  list(namespace?: string): KubeObject[] {
    const all = [...this.#cache.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** The resourceVersion the informer would resume from. */
  get lastResourceVersion(): string {
    return this.#resourceVersion;
  }

  async #run(): Promise<void> {
    const { baseMs = 800, maxMs = 30_000 } = this.#options.retry ?? {};
    // A restarted informer resumes from where it stopped; a 410 relists if that is too old.
    let needList = !this.#synced;
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        if (needList) {
          await this.#relist();
          needList = false;
        }
        const silent = await this.#watchOnce();
        if (silent) this.stats.silentRestarts++;
        failures = 0;
      } catch (err) {
        if (this.#stop.signal.aborted) break;
        if (isGone(err)) {
          // The resourceVersion is too old to resume from: relist now and diff the cache.
          this.stats.relistsAfterGone++;
          needList = true;
          continue;
        }
        this.stats.errors++;
        this.#options.onError?.(err, needList ? "list" : "watch");
        await sleep(Math.min(baseMs * 2 ** failures, maxMs), this.#stop.signal);
        failures++;
      }
    }
  }

  async #relist(): Promise<void> {
    this.stats.lists++;
    const { client, resource } = this.#options;
    const filters = {
      ...(this.#options.namespace ? { namespace: this.#options.namespace } : {}),
      ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
      signal: this.#stop.signal,
    };
    let listed: { items: KubeObject[]; resourceVersion: string };
    try {
      listed = await client.listAll(resource, { ...filters, limit: this.#options.pageSize ?? 500 });
    } catch (err) {
      // An expired continue token: read everything in one consistent request instead.
      if (!isGone(err)) throw err;
      listed = await client.listAll(resource, filters);
    }
    const next = new Map<string, KubeObject>();
    for (const obj of listed.items) next.set(keyToString(objectKey(obj)), obj);
    const previous = new Map(this.#cache);
    this.#cache.clear();
    for (const [key, obj] of next) this.#cache.set(key, obj);
    this.#resourceVersion = listed.resourceVersion;
    // Emit what changed while the informer was not watching, so handlers miss nothing.
    for (const [key, obj] of next) {
      const old = previous.get(key);
      if (!old) this.#emit("add", obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#emit("update", obj, old);
    }
    for (const [key, old] of previous) {
      if (!next.has(key)) this.#emit("delete", old);
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const waiter of this.#syncWaiters.splice(0)) waiter();
    }
  }

  /** Watches until the stream ends; returns true when the watchdog cut it for silence. */
  async #watchOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.#watchAbort = abort;
    const onStop = (): void => abort.abort();
    this.#stop.signal.addEventListener("abort", onStop, { once: true });
    const silenceMs = this.#options.silenceTimeoutMs ?? 180_000;
    let silent = false;
    let watchdog: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        silent = true;
        abort.abort();
      }, silenceMs);
      watchdog.unref();
    };
    this.stats.watches++;
    const startedAt = Date.now();
    let received = 0;
    arm();
    try {
      const events = this.#options.client.watch(this.#options.resource, {
        ...(this.#options.namespace ? { namespace: this.#options.namespace } : {}),
        ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.#options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
        signal: abort.signal,
      });
      for await (const event of events) {
        arm();
        received++;
        this.stats.events++;
        if (event.type === "BOOKMARK") {
          if (event.resourceVersion) this.#resourceVersion = event.resourceVersion;
          continue;
        }
        const obj = event.object;
        const key = keyToString(objectKey(obj));
        if (obj.metadata.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
        if (event.type === "DELETED") {
          // The event carries the final state, newer than the cached one.
          this.#cache.delete(key);
          this.#emit("delete", obj);
          continue;
        }
        const old = this.#cache.get(key);
        this.#cache.set(key, obj);
        if (old) this.#emit("update", obj, old);
        else this.#emit("add", obj);
      }
      // Like client-go: a watch closed at once with nothing received is a failure, so it backs off
      // instead of spinning against a server that keeps hanging up.
      if (received === 0 && Date.now() - startedAt < 1000) {
        throw new Error(`watch ${describeResource(this.resource)} closed after ${Date.now() - startedAt} ms`);
      }
      return false;
    } catch (err) {
      if (silent || this.#stop.signal.aborted) return silent;
      throw err;
    } finally {
      clearTimeout(watchdog);
      this.#stop.signal.removeEventListener("abort", onStop);
      this.#watchAbort = undefined;
    }
  }

  #resync(): void {
    if (!this.#synced) return;
    for (const obj of this.#cache.values()) this.#emit("update", obj, obj);
  }

  #emit(type: "add" | "update" | "delete", obj: KubeObject, old?: KubeObject): void {
    for (const h of this.#handlers) {
      try {
        if (type === "add") h.onAdd?.(obj);
        else if (type === "update") h.onUpdate?.(old ?? obj, obj);
        else h.onDelete?.(obj);
      } catch (err) {
        this.#options.onError?.(err, `${type} handler`);
      }
    }
  }
}

function describeResource(r: ResourceRef): string {
  return r.group === "" ? `${r.plural}.${r.version}` : `${r.plural}.${r.version}.${r.group}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
