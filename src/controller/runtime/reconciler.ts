import { keyFromString, keyToString, type ObjectKey } from "../../kube/object.ts";
import { WorkQueue, type WorkQueueObserver } from "./workqueue.ts";

/** What a reconcile asks for: nothing (done until the next event) or another run after a delay. */
// biome-ignore lint/suspicious/noConfusingVoidType: a reconciler that returns nothing is the common case.
export type ReconcileResult = { requeueAfter?: number } | void;

/**
 * The level-based contract: given only a key, make the world match the object's spec.
 * Throwing retries the key with per-key exponential backoff; throwing TerminalError does not retry.
 */
export interface Reconciler {
  reconcile(key: ObjectKey): Promise<ReconcileResult>;
}

/** An error that retrying cannot fix (bad configuration): the key is not requeued. */
export class TerminalError extends Error {
  override name = "TerminalError";
  /** A machine-readable reason for status conditions, e.g. "BuildFailed". */
  readonly reason: string | undefined;

  constructor(message: string, options: ErrorOptions & { reason?: string } = {}) {
    super(message, options);
    this.reason = options.reason;
  }
}

/** Whether an error (or one of its causes) is terminal. */
export function isTerminalError(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (current instanceof TerminalError) return true;
    current = current.cause;
  }
  return false;
}

/** Options of the per-key exponential backoff. */
export interface BackoffOptions {
  /** First delay; default 5 ms (client-go's default item rate limiter). */
  baseMs?: number;
  /** Largest delay; default 1000 s. */
  maxMs?: number;
}

/** Per-key exponential backoff: base·2^failures, capped; forgetting a key resets it. */
export class ItemBackoff {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: BackoffOptions = {}) {
    this.#baseMs = options.baseMs ?? 5;
    this.#maxMs = options.maxMs ?? 1_000_000;
  }

  /** Records a failure of the key and returns how long to wait before retrying it. */
  next(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // Exponents past ~60 overflow to Infinity; the cap applies either way.
    return Math.min(this.#baseMs * 2 ** Math.min(failures, 64), this.#maxMs);
  }

  /** How many failures in a row the key has had. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Resets the key after a success. */
  forget(key: string): void {
    this.#failures.delete(key);
  }
}

/** How one reconcile ended. */
export type ReconcileOutcome =
  | { key: ObjectKey; result: "success"; durationMs: number }
  | { key: ObjectKey; result: "requeue"; durationMs: number; requeueAfter: number }
  | {
      key: ObjectKey;
      result: "error";
      durationMs: number;
      error: unknown;
      retryAfter: number;
      failures: number;
    }
  | { key: ObjectKey; result: "terminal"; durationMs: number; error: unknown };

/** Options of a reconcile runner. */
export interface ReconcileRunnerOptions {
  reconciler: Reconciler;
  /** Keys reconciled at once; default 1. */
  concurrency?: number;
  backoff?: BackoffOptions;
  /** Called after every reconcile (logging, metrics). */
  onOutcome?: (outcome: ReconcileOutcome) => void;
  observer?: WorkQueueObserver;
}

/** Runs a reconciler over a work queue with controller-runtime's outcome rules. */
export class ReconcileRunner {
  readonly queue: WorkQueue;
  readonly backoff: ItemBackoff;
  readonly #reconciler: Reconciler;
  readonly #onOutcome: (outcome: ReconcileOutcome) => void;

  constructor(options: ReconcileRunnerOptions) {
    this.#reconciler = options.reconciler;
    this.#onOutcome = options.onOutcome ?? (() => {});
    this.backoff = new ItemBackoff(options.backoff);
    this.queue = new WorkQueue({
      handler: (key) => this.#reconcileOne(key),
      concurrency: options.concurrency ?? 1,
      ...(options.observer ? { observer: options.observer } : {}),
    });
  }

  /** Queues a key for reconciliation now. */
  enqueue(key: ObjectKey): void {
    this.queue.add(keyToString(key));
  }

  /** Queues a key after a delay (the earliest pending delay wins). */
  enqueueAfter(key: ObjectKey, delayMs: number): void {
    this.queue.addAfter(keyToString(key), delayMs);
  }

  /** Stops taking work and waits for running reconciles; false when they outlived the timeout. */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<boolean> {
    return this.queue.shutdown(options);
  }

  async #reconcileOne(keyString: string): Promise<void> {
    const key = keyFromString(keyString);
    const started = Date.now();
    try {
      const result = await this.#reconciler.reconcile(key);
      const durationMs = Date.now() - started;
      // Success of any kind resets the backoff, like controller-runtime's Forget.
      this.backoff.forget(keyString);
      const requeueAfter = result?.requeueAfter ?? 0;
      if (requeueAfter > 0) {
        this.queue.addAfter(keyString, requeueAfter);
        this.#onOutcome({ key, result: "requeue", durationMs, requeueAfter });
      } else {
        this.#onOutcome({ key, result: "success", durationMs });
      }
    } catch (error) {
      const durationMs = Date.now() - started;
      if (isTerminalError(error)) {
        this.backoff.forget(keyString);
        this.#onOutcome({ key, result: "terminal", durationMs, error });
        return;
      }
      const retryAfter = this.backoff.next(keyString);
      this.queue.addAfter(keyString, retryAfter);
      this.#onOutcome({
        key,
        result: "error",
        durationMs,
        error,
        retryAfter,
        failures: this.backoff.failures(keyString),
      });
    }
  }
}
