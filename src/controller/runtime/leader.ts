// Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it: a
// candidate takes the lease when it is free or its record has not changed for leaseDurationSeconds (measured
// on the candidate's own clock from when it last saw the record change), the leader renews it every retry
// period and gives up when a renewal has not succeeded within the renew deadline, and a leader that stops
// on purpose releases the lease so that a standby need not wait out the duration.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { KubeClient } from "../../kube/client.ts";
import { ApiError } from "../../kube/errors.ts";
import type { ResourceRef } from "../../kube/object.ts";
import { microTime } from "./events.ts";

const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", plural: "leases" };

/** The Lease spec fields of a leader-election record. */
export const LeaseSpecSchema = z.looseObject({
  holderIdentity: z.string().nullish(),
  leaseDurationSeconds: z.number().nullish(),
  acquireTime: z.string().nullish(),
  renewTime: z.string().nullish(),
  leaseTransitions: z.number().nullish(),
});

/** A Lease's spec as read from the apiserver. */
export type LeaseSpec = z.infer<typeof LeaseSpecSchema>;

/** The record fields of a Lease spec, whether read or about to be written. */
export type LeaseFields = Pick<
  LeaseSpec,
  "holderIdentity" | "leaseDurationSeconds" | "acquireTime" | "renewTime" | "leaseTransitions"
>;

const LeaseSchema = z.looseObject({
  metadata: z.looseObject({ resourceVersion: z.string().optional() }),
  spec: LeaseSpecSchema.optional(),
});

/** A complete leader-election record as written by the holder. */
export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime: RFC 3339 with 6 fractional digits. */
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** Timings of an election; client-go's defaults are 15 s, 10 s and 2 s. */
export interface LeaderElectionTimings {
  /** How long a standby waits, after the record last changed, before taking the lease. */
  leaseDurationMs: number;
  /** How long the leader keeps retrying a failed renewal before it gives up leadership. */
  renewDeadlineMs: number;
  /** Time between two attempts to acquire or renew. */
  retryPeriodMs: number;
}

/** client-go's default timings. */
export function defaultLeaderElectionTimings(): LeaderElectionTimings {
  return { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
}

/** Options of a leader elector. */
export interface LeaderElectorOptions extends Partial<LeaderElectionTimings> {
  client: KubeClient;
  namespace: string;
  /** Lease name; see leaseName() for the shard-aware default. */
  name: string;
  /** Unique per process: the pod name or host name plus a random suffix. */
  identity: string;
  /** Called when the leader failed to renew within the deadline (the process should stop at once). */
  onLost?: () => void;
  /** Called with every failed attempt (for logging). */
  onError?: (err: unknown, context: string) => void;
  now?: () => Date;
}

/**
 * The lease name of a shard: `base`, or `base-<first 8 hex of sha256(selector)>` when the controller watches a
 * label selector, as Flux's controllers name theirs, so that each shard elects its own leader.
 */
export function leaseName(base: string, labelSelector: string): string {
  if (labelSelector === "") return base;
  return `${base}-${createHash("sha256").update(labelSelector).digest("hex").slice(0, 8)}`;
}

/**
 * Whether `identity` may write the lease: it is free (no holder), already ours, or its record has not
 * changed for its leaseDurationSeconds since `observedAtMs` (the candidate's clock, never the record's times).
 */
export function mayAcquire(
  spec: LeaseFields,
  identity: string,
  observedAtMs: number,
  nowMs: number,
): boolean {
  const holder = spec.holderIdentity ?? "";
  if (holder === "" || holder === identity) return true;
  const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
  return observedAtMs + durationMs <= nowMs;
}

/** The spec to write when `identity` acquires or renews the lease read as `old` (absent: a new lease). */
export function nextLeaseSpec(
  old: LeaseFields | undefined,
  identity: string,
  leaseDurationMs: number,
  now: Date,
): LeaseRecord {
  const time = microTime(now);
  const renewing = old !== undefined && (old.holderIdentity ?? "") === identity;
  const transitions = old?.leaseTransitions ?? 0;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(leaseDurationMs / 1000)),
    acquireTime: renewing ? (old.acquireTime ?? time) : time,
    renewTime: time,
    // A lease that changes hands counts a transition; a new lease starts at 0 (client-go does the same).
    leaseTransitions: old === undefined ? 0 : renewing ? transitions : transitions + 1,
  };
}

/** Competes for a Lease; only the holder may run the controllers. */
export class LeaderElector {
  readonly identity: string;
  readonly name: string;
  readonly namespace: string;
  readonly timings: LeaderElectionTimings;
  readonly #o: LeaderElectorOptions;
  readonly #now: () => Date;
  // The last record seen and when (local clock): the basis of expiry, as in client-go.
  #observedJson = "";
  #observedAtMs = 0;
  #observedSpec: LeaseFields | undefined;
  #leading = false;
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: LeaderElectorOptions) {
    const defaults = defaultLeaderElectionTimings();
    this.#o = options;
    this.identity = options.identity;
    this.name = options.name;
    this.namespace = options.namespace;
    this.timings = {
      leaseDurationMs: options.leaseDurationMs ?? defaults.leaseDurationMs,
      renewDeadlineMs: options.renewDeadlineMs ?? defaults.renewDeadlineMs,
      retryPeriodMs: options.retryPeriodMs ?? defaults.retryPeriodMs,
    };
    if (this.timings.leaseDurationMs <= this.timings.renewDeadlineMs) {
      throw new Error("leader election: the lease duration must be greater than the renew deadline");
    }
    if (this.timings.renewDeadlineMs <= this.timings.retryPeriodMs * 1.2) {
      throw new Error("leader election: the renew deadline must be greater than 1.2 × the retry period");
    }
    this.#now = options.now ?? (() => new Date());
  }

  /** Whether this process holds the lease. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /**
   * Tries every retry period (with jitter) until the lease is ours; resolves true then, false when `signal`
   * aborts first. Once leading, renewals run in the background until release() or loss (onLost).
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(signal, "acquire")) {
        this.#leading = true;
        this.#scheduleRenew();
        return true;
      }
      const jittered = this.timings.retryPeriodMs * (1 + Math.random() * 0.2);
      await sleep(jittered, signal);
    }
    return false;
  }

  /** Stops renewing and, when leading, gives the lease up: no holder, a 1 s duration (client-go's release). */
  async release(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#renewTimer);
    await this.#renewing;
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#get(AbortSignal.timeout(this.timings.renewDeadlineMs));
      if (!lease || (lease.spec?.holderIdentity ?? "") !== this.identity) return;
      const time = microTime(this.#now());
      await this.#o.client.patch(
        LEASES,
        { namespace: this.namespace, name: this.name },
        {
          metadata: { resourceVersion: lease.metadata.resourceVersion },
          spec: {
            holderIdentity: "",
            leaseDurationSeconds: 1,
            acquireTime: time,
            renewTime: time,
            leaseTransitions: lease.spec?.leaseTransitions ?? 0,
          },
        },
        { signal: AbortSignal.timeout(this.timings.renewDeadlineMs) },
      );
    } catch (err) {
      this.#o.onError?.(err, "release lease");
    }
  }

  #scheduleRenew(): void {
    if (this.#stopped) return;
    this.#renewTimer = setTimeout(() => {
      this.#renewing = this.#renewRound().finally(() => {
        this.#renewing = undefined;
      });
    }, this.timings.retryPeriodMs);
  }

  // One renewal round: retries every retry period until it succeeds or the renew deadline passes.
  async #renewRound(): Promise<void> {
    const deadline = Date.now() + this.timings.renewDeadlineMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timings.renewDeadlineMs);
    try {
      while (!this.#stopped) {
        if (await this.#tryAcquireOrRenew(controller.signal, "renew")) {
          this.#scheduleRenew();
          return;
        }
        if (Date.now() + this.timings.retryPeriodMs >= deadline) break;
        await sleep(this.timings.retryPeriodMs, controller.signal);
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.#stopped) return;
    this.#leading = false;
    this.#o.onLost?.();
  }

  // client-go's tryAcquireOrRenew: read, decide on the local observation, write with the read resourceVersion.
  async #tryAcquireOrRenew(signal: AbortSignal, context: string): Promise<boolean> {
    const key = { namespace: this.namespace, name: this.name };
    try {
      const lease = await this.#get(signal);
      const now = this.#now();
      if (!lease) {
        const spec = nextLeaseSpec(undefined, this.identity, this.timings.leaseDurationMs, now);
        await this.#o.client.create(
          LEASES,
          { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: key, spec },
          { signal },
        );
        this.#observe(spec, now);
        return true;
      }
      const old = lease.spec ?? {};
      this.#observe(old, now);
      if (!mayAcquire(old, this.identity, this.#observedAtMs, now.getTime())) return false;
      const spec = nextLeaseSpec(old, this.identity, this.timings.leaseDurationMs, now);
      await this.#o.client.patch(
        LEASES,
        key,
        { metadata: { resourceVersion: lease.metadata.resourceVersion }, spec },
        { signal },
      );
      this.#observe(spec, now);
      return true;
    } catch (err) {
      // A conflict means another candidate wrote first, and an abort is our own stop: neither is worth reporting.
      const conflict = err instanceof ApiError && (err.status === 409 || err.reason === "AlreadyExists");
      if (!conflict && !signal.aborted) {
        this.#o.onError?.(err, `${context} lease ${this.namespace}/${this.name}`);
      }
      return false;
    }
  }

  async #get(signal: AbortSignal): Promise<z.infer<typeof LeaseSchema> | undefined> {
    try {
      const obj = await this.#o.client.get(
        LEASES,
        { namespace: this.namespace, name: this.name },
        { signal },
      );
      return LeaseSchema.parse(obj);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  #observe(spec: LeaseFields, now: Date): void {
    const json = JSON.stringify([
      spec.holderIdentity ?? "",
      spec.leaseDurationSeconds ?? 0,
      spec.acquireTime ?? "",
      spec.renewTime ?? "",
      spec.leaseTransitions ?? 0,
    ]);
    if (json !== this.#observedJson) {
      this.#observedJson = json;
      this.#observedAtMs = now.getTime();
      this.#observedSpec = spec;
    }
  }

  /** The lease record last seen (for tests and logs). */
  get observed(): LeaseFields | undefined {
    return this.#observedSpec;
  }
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
