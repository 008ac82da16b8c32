// The wait verb of the ResourceManager: poll a set of objects until kstatus says every one is Current,
// one is Failed (fail fast), or the timeout passes.
import { compute, isJobWithTTL, type Result, Status } from "../health/index.ts";
import type { KubeObject } from "../kube/object.ts";
import { Action, entryFor } from "./changeset.ts";
import type { ObjectFailure } from "./errors.ts";
import { mapConcurrent, type ResourceManager } from "./manager.ts";

/** Options of waitForSet. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Stop at the first Failed object instead of waiting for the timeout (Flux's default). */
  readonly failFast?: boolean;
  readonly signal?: AbortSignal;
  /** A rule tried before kstatus (e.g. spec.healthCheckExprs); undefined defers to kstatus. */
  readonly rule?: (obj: unknown) => Result | undefined;
  /** Called after each poll with the objects that are not ready yet. */
  readonly onPoll?: (notReady: readonly ObjectStatus[]) => void;
}

/** The status of one object when the wait ended. */
export interface ObjectStatus {
  readonly subject: string;
  readonly status: Status;
  readonly message: string;
}

/** The outcome of a wait: ready, or the objects that were not, with their last status. */
export interface WaitResult {
  readonly ready: boolean;
  readonly timedOut: boolean;
  /** The signal was aborted before the objects became ready. */
  readonly canceled?: boolean;
  readonly statuses: readonly ObjectStatus[];
  readonly failures: readonly ObjectFailure[];
}

/** Waits for every object (by identity: the live one is read) to become Current. */
export async function waitForSet(
  m: ResourceManager,
  objects: readonly Pick<KubeObject, "apiVersion" | "kind" | "metadata">[],
  options: WaitOptions,
): Promise<WaitResult> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 2000;
  for (;;) {
    const results = await mapConcurrent(objects, m.concurrency, async (obj): Promise<ObjectStatus> => {
      const subject = entryFor(obj as KubeObject, Action.Unknown).subject;
      const live = await m.getLive(obj as KubeObject);
      if (!live) {
        // The TTL controller deletes a finished Job with ttlSecondsAfterFinished: gone counts as done, as Flux.
        return isJobWithTTL(obj)
          ? { subject, status: Status.Current, message: "finished and deleted after its TTL" }
          : { subject, status: Status.NotFound, message: "not found" };
      }
      const r = options.rule?.(live) ?? compute(live);
      return { subject, status: r.status, message: r.message };
    });
    const statuses = results.map((r, i) =>
      r.status === "fulfilled"
        ? r.value
        : {
            subject: entryFor(objects[i] as KubeObject, Action.Unknown).subject,
            status: Status.Unknown,
            message: r.reason instanceof Error ? r.reason.message : String(r.reason),
          },
    );
    const notReady = statuses.filter((s) => s.status !== Status.Current);
    const failed = statuses.filter((s) => s.status === Status.Failed);
    if (notReady.length === 0) return { ready: true, timedOut: false, statuses, failures: [] };
    options.onPoll?.(notReady);
    const toFailures = (list: readonly ObjectStatus[]): ObjectFailure[] =>
      list.map((s) => ({
        subject: s.subject,
        message: `status: '${s.status}': ${s.message}`,
        invalid: false,
      }));
    if ((options.failFast ?? true) && failed.length > 0) {
      return { ready: false, timedOut: false, statuses, failures: toFailures(failed) };
    }
    if (options.signal?.aborted)
      return { ready: false, timedOut: false, canceled: true, statuses, failures: toFailures(notReady) };
    if (Date.now() + interval > deadline) {
      return { ready: false, timedOut: true, statuses, failures: toFailures(notReady) };
    }
    await sleep(interval, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
