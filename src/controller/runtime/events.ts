import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ResourceRef } from "../../kube/object.ts";

const EVENTS: ResourceRef = { group: "events.k8s.io", version: "v1", plural: "events" };

/** Points an Event at an object. */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** What happened, in the fields of an events.k8s.io/v1 Event. */
export interface EventSpec {
  type: "Normal" | "Warning";
  /** Why the action was taken, CamelCase (e.g. "ReconciliationSucceeded"); at most 128 characters. */
  reason: string;
  /** What was done, CamelCase (e.g. "Reconcile"); at most 128 characters. */
  action: string;
  /** Human-readable description; truncated to 1 kB. */
  note: string;
  related?: ObjectReference;
  annotations?: Record<string, string>;
}

/** Options of an event recorder. */
export interface EventRecorderOptions {
  client: KubeClient;
  /** Default "driftless". */
  reportingController?: string;
  /** Which instance reported, e.g. the pod name. */
  reportingInstance: string;
  /** A repeat within this window extends the event's series instead of creating an event; default 6 min. */
  seriesWindowMs?: number;
  /** Minimum time between two writes of one series; default 30 s (the first repeat is written at once). */
  seriesUpdateIntervalMs?: number;
  /** Receives failed writes: events are best effort and never fail a reconcile. */
  onError?: (err: unknown) => void;
  now?: () => Date;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  lastObserved: Date;
  lastWritten: number;
  timer: NodeJS.Timeout | undefined;
  writing: Promise<void>;
}

/** Formats a time as a Kubernetes MicroTime: RFC 3339 with exactly 6 fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Emits events.k8s.io/v1 Events about objects; repeats become a series (count, lastObservedTime). */
export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #series = new Map<string, Series>();
  readonly #now: () => Date;
  #lastNanos = 0n;

  constructor(options: EventRecorderOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Records an event about `regarding`; resolves when written (errors go to onError, never thrown). */
  async emit(regarding: KubeObject | ObjectReference, spec: EventSpec): Promise<void> {
    const ref = toReference(regarding);
    const controller = this.#options.reportingController ?? "driftless";
    const key = JSON.stringify([
      ref.apiVersion,
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
      spec.type,
      spec.reason,
      spec.action,
      spec.note,
      spec.related?.uid ?? spec.related?.name,
    ]);
    const now = this.#now();
    const windowMs = this.#options.seriesWindowMs ?? 6 * 60_000;
    const existing = this.#series.get(key);
    if (existing && now.getTime() - existing.lastObserved.getTime() <= windowMs) {
      existing.count++;
      existing.lastObserved = now;
      return this.#scheduleSeriesWrite(existing);
    }
    if (existing) clearTimeout(existing.timer);
    const namespace = ref.namespace || "default";
    const name = this.#eventName(ref.name, now);
    const series: Series = {
      name,
      namespace,
      count: 1,
      lastObserved: now,
      lastWritten: now.getTime(),
      timer: undefined,
      writing: Promise.resolve(),
    };
    this.#series.set(key, series);
    this.#prune(now.getTime(), windowMs);
    const event = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace, ...(spec.annotations ? { annotations: spec.annotations } : {}) },
      eventTime: microTime(now),
      reportingController: controller,
      reportingInstance: this.#options.reportingInstance,
      action: truncate(spec.action, 128),
      reason: truncate(spec.reason, 128),
      note: truncateBytes(spec.note, 1024),
      type: spec.type,
      regarding: ref,
      ...(spec.related ? { related: spec.related } : {}),
    };
    series.writing = this.#options.client
      .create(EVENTS, event)
      .then(() => {})
      .catch((err: unknown) => {
        this.#options.onError?.(err);
      });
    return series.writing;
  }

  /** Writes pending series updates now and cancels their timers. */
  async flush(): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const series of this.#series.values()) {
      if (series.timer) {
        clearTimeout(series.timer);
        series.timer = undefined;
        writes.push(this.#writeSeries(series));
      } else {
        writes.push(series.writing);
      }
    }
    await Promise.all(writes);
  }

  #scheduleSeriesWrite(series: Series): Promise<void> {
    const interval = this.#options.seriesUpdateIntervalMs ?? 30_000;
    const since = this.#now().getTime() - series.lastWritten;
    if (series.count === 2 || since >= interval) return this.#writeSeries(series);
    if (!series.timer) {
      series.timer = setTimeout(() => {
        series.timer = undefined;
        void this.#writeSeries(series);
      }, interval - since);
      series.timer.unref();
    }
    return Promise.resolve();
  }

  #writeSeries(series: Series): Promise<void> {
    series.lastWritten = this.#now().getTime();
    const patch = { series: { count: series.count, lastObservedTime: microTime(series.lastObserved) } };
    // Chain after the create (or the previous patch) so the event exists and counts never go backwards.
    series.writing = series.writing.then(() =>
      this.#options.client
        .patch(EVENTS, { namespace: series.namespace, name: series.name }, patch, { type: "merge" })
        .then(() => {})
        .catch((err: unknown) => {
          this.#options.onError?.(err);
        }),
    );
    return series.writing;
  }

  // Forget series that have ended so the map does not grow without bound.
  #prune(now: number, windowMs: number): void {
    for (const [key, s] of this.#series) {
      if (now - s.lastObserved.getTime() > windowMs && !s.timer) this.#series.delete(key);
    }
  }

  // Like client-go: the object's name, a dot and the time in hex nanoseconds, unique per recorder.
  #eventName(objectName: string, now: Date): string {
    let nanos = BigInt(now.getTime()) * 1_000_000n;
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + 1n;
    this.#lastNanos = nanos;
    const suffix = `.${nanos.toString(16)}`;
    return objectName.slice(0, 253 - suffix.length) + suffix;
  }
}

function toReference(obj: KubeObject | ObjectReference): ObjectReference {
  if (!("metadata" in obj)) return obj;
  const m = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: m.name ?? "",
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
  };
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

function truncateBytes(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value) <= maxBytes) return value;
  let out = value.slice(0, maxBytes);
  while (Buffer.byteLength(out) > maxBytes - 3) out = out.slice(0, -1);
  return `${out}...`;
}
