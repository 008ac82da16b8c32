/** Receives queue timings, e.g. to feed Prometheus histograms. */
export interface WorkQueueObserver {
  /** Time from the (earliest) add of a key to the start of its processing. */
  queueLatency?(ms: number): void;
  /** Time one handler run took. */
  workDuration?(ms: number): void;
}

/** Options of a work queue. */
export interface WorkQueueOptions {
  /** Processes one key; errors are reported to `onError` and otherwise ignored (retry is the caller's policy). */
  handler: (key: string) => Promise<void>;
  /** How many keys run at once (different keys only); default 1. */
  concurrency?: number;
  onError?: (key: string, err: unknown) => void;
  observer?: WorkQueueObserver;
  now?: () => number;
}

/** Counters and gauges of a queue. */
export interface WorkQueueStats {
  /** Keys waiting to run now. */
  depth: number;
  /** Keys running. */
  inFlight: number;
  /** Keys scheduled by addAfter and not yet due. */
  delayed: number;
  adds: number;
  completed: number;
  /** How long the longest-running key has been running. */
  longestRunningMs: number;
}

/**
 * A de-duplicating work queue that runs its own workers: a key is queued at most once, never runs twice at
 * once (a key added while running runs again after), and at most `concurrency` keys run together.
 */
export class WorkQueue {
  readonly #handler: (key: string) => Promise<void>;
  readonly #concurrency: number;
  readonly #onError: (key: string, err: unknown) => void;
  readonly #observer: WorkQueueObserver;
  readonly #now: () => number;
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #addedAt = new Map<string, number>();
  readonly #running = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #idleWaiters: Array<() => void> = [];
  #shuttingDown = false;
  #adds = 0;
  #completed = 0;

  constructor(options: WorkQueueOptions) {
    this.#handler = options.handler;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#onError = options.onError ?? (() => {});
    this.#observer = options.observer ?? {};
    this.#now = options.now ?? Date.now;
  }

  /** Queues a key unless it is already queued; a running key is marked to run again after. */
  add(key: string): void {
    if (this.#shuttingDown) return;
    this.#adds++;
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.#now());
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#pump();
  }

  /** Queues a key after a delay; when several delays are pending for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.#now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#delayed.set(key, { at, timer });
  }

  /** Keys waiting to run now. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Keys running now. */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Whether shutdown() was called. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** A snapshot of the queue's numbers for metrics. */
  stats(): WorkQueueStats {
    const now = this.#now();
    let longest = 0;
    for (const started of this.#running.values()) longest = Math.max(longest, now - started);
    return {
      depth: this.#queue.length,
      inFlight: this.#running.size,
      delayed: this.#delayed.size,
      adds: this.#adds,
      completed: this.#completed,
      longestRunningMs: longest,
    };
  }

  /** Resolves when nothing is queued or running (delayed keys are not waited for). */
  async idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#running.size === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops taking work (queued and delayed keys are dropped) and waits for running keys to finish.
   * Resolves true when they did, false when `timeoutMs` passed first.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<boolean> {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    for (const key of this.#queue) this.#addedAt.delete(key);
    this.#queue.length = 0;
    this.#queued.clear();
    this.#dirty.clear();
    if (this.#running.size === 0) {
      this.#notifyIdle();
      return true;
    }
    const drained = new Promise<true>((resolve) => this.#idleWaiters.push(() => resolve(true)));
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #pump(): void {
    while (!this.#shuttingDown && this.#running.size < this.#concurrency && this.#queue.length > 0) {
      const key = this.#queue.shift();
      if (key === undefined) break;
      this.#queued.delete(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    const started = this.#now();
    this.#running.set(key, started);
    const addedAt = this.#addedAt.get(key) ?? started;
    this.#addedAt.delete(key);
    this.#observer.queueLatency?.(started - addedAt);
    try {
      await this.#handler(key);
    } catch (err) {
      this.#onError(key, err);
    } finally {
      this.#running.delete(key);
      this.#completed++;
      this.#observer.workDuration?.(this.#now() - started);
      if (this.#dirty.delete(key) && !this.#shuttingDown) {
        this.#queued.add(key);
        this.#queue.push(key);
      }
      this.#pump();
      if (this.#queue.length === 0 && this.#running.size === 0) this.#notifyIdle();
    }
  }

  #notifyIdle(): void {
    for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }
}
