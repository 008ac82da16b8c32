// The ResourceManager: server-side apply, diff, delete and wait for sets of objects, as fluxcd/pkg's
// ssa package does. The verbs live in their own files (apply.ts, delete.ts, wait.ts); the manager holds
// what they share. It returns data (change sets) and never logs.
import type { KubeClient } from "../kube/client.ts";
import type { ResourceInfo } from "../kube/discovery.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";

/** Labels and annotations driftless reads on applied objects (Flux's, so Flux users' manifests work). */
export const Annotations = {
  ssa: "kustomize.toolkit.fluxcd.io/ssa",
  reconcile: "kustomize.toolkit.fluxcd.io/reconcile",
  prune: "kustomize.toolkit.fluxcd.io/prune",
  force: "kustomize.toolkit.fluxcd.io/force",
  lastApplied: "kubectl.kubernetes.io/last-applied-configuration",
} as const;

/** What identifies the owner of applied objects: the field manager and the owner labels. */
export interface Owner {
  readonly fieldManager: string;
  /** Label prefix, e.g. "kustomize.toolkit.fluxcd.io": labels `<group>/name` and `<group>/namespace`. */
  readonly group: string;
}

/** The default owner: field manager "driftless", Flux's kustomize-controller labels. */
export const defaultOwner: Owner = { fieldManager: "driftless", group: "kustomize.toolkit.fluxcd.io" };

/** Applies, diffs, deletes and waits for objects through one client. */
export class ResourceManager {
  readonly client: KubeClient;
  readonly owner: Owner;
  /** How many objects to send at once. */
  readonly concurrency: number;
  /**
   * From how many objects of one resource, namespace and owner an apply reads them with one LIST instead
   * of a GET each (see live.ts). Below it, parallel GETs cost less than listing what is not needed.
   */
  readonly listThreshold: number;

  constructor(
    client: KubeClient,
    options: { owner?: Owner; concurrency?: number; listThreshold?: number } = {},
  ) {
    this.client = client;
    this.owner = options.owner ?? defaultOwner;
    this.concurrency = options.concurrency ?? 8;
    this.listThreshold = options.listThreshold ?? 8;
  }

  /** The resource of an object, from discovery. */
  resourceFor(obj: Pick<KubeObject, "apiVersion" | "kind">): Promise<ResourceInfo> {
    return this.client.resourceFor(obj);
  }

  /** A server-side dry-run apply of the object (forcing ownership, as the real apply will). */
  dryRunApply(obj: KubeObject, options: { signal?: AbortSignal } = {}): Promise<KubeObject> {
    return this.client.apply(obj, {
      dryRun: true,
      force: true,
      fieldManager: this.owner.fieldManager,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** The live object, or undefined when it does not exist. */
  async getLive(obj: KubeObject): Promise<KubeObject | undefined> {
    const resource = await this.resourceFor(obj);
    try {
      return await this.client.get(resource, {
        name: obj.metadata.name ?? "",
        ...(resource.namespaced && obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** Whether a label or annotation `key` has `value` (case-insensitive, as Flux compares). */
export function hasMeta(obj: KubeObject, key: string, value: string): boolean {
  const { labels, annotations } = obj.metadata;
  return labels?.[key]?.toLowerCase() === value || annotations?.[key]?.toLowerCase() === value;
}

/** Flux's exclusion: `reconcile: disabled` or `ssa: Ignore`, as a label or an annotation. */
export function excluded(obj: KubeObject): boolean {
  return hasMeta(obj, Annotations.reconcile, "disabled") || hasMeta(obj, Annotations.ssa, "ignore");
}

/**
 * As Flux: an existing object is left alone when it (in the cluster or in Git) opts out of reconciliation,
 * or when Git says to create it only if absent.
 */
export function skipsExisting(live: KubeObject, desired: KubeObject): boolean {
  return excluded(live) || excluded(desired) || hasMeta(desired, Annotations.ssa, "ifnotpresent");
}

/** An item not run because an earlier one failed in a way that dooms the rest (see mapConcurrent's stopOn). */
export class NotAttemptedError extends Error {
  override name = "NotAttemptedError";
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
]);

/** Whether a request failed for want of a connection to the apiserver (no answer at all). */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Runs fn over items with at most `limit` in flight; results in input order. Every item runs, unless
 * `stopOn` accepts a failure: the items not yet started are then rejected with NotAttemptedError (when the
 * apiserver is gone mid-apply, hundreds of doomed requests would only delay the retry).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { stopOn?: (err: unknown) => boolean } = {},
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  let stoppedBy: unknown;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      if (stoppedBy !== undefined) {
        const why = stoppedBy instanceof Error ? stoppedBy.message : String(stoppedBy);
        results[i] = { status: "rejected", reason: new NotAttemptedError(`not attempted after: ${why}`) };
        continue;
      }
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i] as T, i) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
        if (stoppedBy === undefined && options.stopOn?.(reason)) stoppedBy = reason;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
