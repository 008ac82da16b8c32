import { isRecord } from "./fields.ts";
import { type Result, Status } from "./status.ts";

/** Identifies an object in health reports. */
export interface ObjectRef {
  kind: string;
  /** Absent or "" for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** The last status seen for one object of a health check. */
export interface ObjectHealth {
  ref: ObjectRef;
  /** Absent when the object's status has not been read yet. */
  result?: Result;
  /**
   * The object is a Job with spec.ttlSecondsAfterFinished: the TTL controller deletes it once finished,
   * so NotFound counts as Current.
   */
  deletedWhenFinished?: boolean;
}

/** Options for judging a set of objects. */
export interface AggregateOptions {
  /** Stop as soon as any object is Failed (Flux's default). */
  failFast?: boolean;
}

/** The verdict over a set of objects, for one poll of a health check. */
export interface HealthSummary {
  /** Failed if any object failed, else Unknown if any is unknown, Current if all are, else InProgress. */
  status: Status;
  /** Every object is Current. */
  ready: boolean;
  /** Polling can stop: all Current, or only Current and Failed remain, or (with failFast) any Failed. */
  done: boolean;
  /** The objects that are Failed. */
  failed: ObjectHealth[];
  /** The objects that are neither Current nor Failed (including those not read yet). */
  inProgress: ObjectHealth[];
}

/** Formats an object as Flux does in messages: "Kind/namespace/name", or "Kind/name" when cluster-scoped. */
export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** The status an object counts with, after the TTL-Job exception. */
function effectiveStatus(entry: ObjectHealth): Status | undefined {
  const status = entry.result?.status;
  if (status === Status.NotFound && entry.deletedWhenFinished) return Status.Current;
  return status;
}

/** Judges the last statuses of a set of objects as Flux's wait does. */
export function aggregate(entries: readonly ObjectHealth[], options: AggregateOptions = {}): HealthSummary {
  const failFast = options.failFast ?? true;
  const failed: ObjectHealth[] = [];
  const inProgress: ObjectHealth[] = [];
  let anyUnknown = false;
  let terminal = true;
  for (const entry of entries) {
    const status = effectiveStatus(entry);
    if (status === Status.Failed) {
      failed.push(entry);
    } else if (status !== Status.Current) {
      inProgress.push(entry);
      if (status === Status.Unknown) anyUnknown = true;
    }
    // Something that is neither Current nor Failed can still change; an unread object too.
    if (status !== Status.Failed && status !== Status.Current) terminal = false;
  }
  const ready = failed.length === 0 && inProgress.length === 0;
  let status: Status = Status.InProgress;
  if (failed.length > 0) status = Status.Failed;
  else if (anyUnknown) status = Status.Unknown;
  else if (ready) status = Status.Current;
  const done = ready || terminal || (failFast && failed.length > 0);
  return { status, ready, done, failed, inProgress };
}

/** Describes one object that kept a health check from passing: "Kind/ns/name status: 'Failed'". */
export function describeHealth(entry: ObjectHealth): string {
  if (!entry.result) return `can't determine status for ${formatRef(entry.ref)}`;
  const line = `${formatRef(entry.ref)} status: '${entry.result.status}'`;
  return entry.result.status === Status.Unknown ? `${line}: ${entry.result.message}` : line;
}

/**
 * The error of a health check that did not pass, worded as Flux's: objects not read are always named;
 * after a timeout every object that is not Current, otherwise (an early stop) the Failed ones.
 * `undefined` when nothing is to blame.
 */
export function healthCheckMessage(
  entries: readonly ObjectHealth[],
  options: { timedOut: boolean },
): string | undefined {
  const blamed: string[] = [];
  for (const entry of entries) {
    const status = effectiveStatus(entry);
    if (!entry.result) {
      if (!entry.deletedWhenFinished) blamed.push(describeHealth(entry));
    } else if (status === Status.Failed || (options.timedOut && status !== Status.Current)) {
      blamed.push(describeHealth(entry));
    }
  }
  if (blamed.length === 0) return undefined;
  const prefix = options.timedOut ? "timeout waiting for" : "failed early due to stalled resources";
  return `${prefix}: [${blamed.join(", ")}]`;
}

/** Whether an object is a Job that the TTL controller deletes after it finishes (spec.ttlSecondsAfterFinished set). */
export function isJobWithTTL(obj: unknown): boolean {
  if (!isRecord(obj) || obj.kind !== "Job") return false;
  if (typeof obj.apiVersion !== "string" || !obj.apiVersion.startsWith("batch/")) return false;
  return isRecord(obj.spec) && Number.isInteger(obj.spec.ttlSecondsAfterFinished);
}
