// Drift tracking, better than Flux: driftless watches the objects its Kustomizations applied (by their
// owner labels) and, when someone else edits, relabels or deletes one, re-applies just that object within
// seconds. An interval reconcile whose revision, spec and render are unchanged, with no drift seen, does
// not dry-run every object again.
import { type InventoryEntry, inventoryEntry } from "../../api/inventory.ts";
import type { IgnoreRules } from "../../apply/ignore.ts";
import { isJobWithTTL } from "../../health/aggregate.ts";
import { findCondition, readConditions } from "../../health/fields.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ObjectKey, ResourceRef } from "../../kube/object.ts";
import { Informer } from "../runtime/informer.ts";
import { onlyIgnoredChanged } from "./ignore.ts";
import { OwnerLabels } from "./render.ts";

/** What was last applied for a Kustomization: enough to tell whether a reconcile may skip applying. */
interface Applied {
  readonly fingerprint: string;
  /** Object ids reported drifted since (or deleted); re-applied by the next reconcile. */
  readonly dirty: Set<string>;
  /** spec.ignore: edits of only these fields are not drift. */
  readonly ignore: IgnoreRules | undefined;
  /** The ids of the applied objects; others (pruned, say) are not drift. Undefined: every object. */
  readonly ids: ReadonlySet<string> | undefined;
}

/** Remembers the last full apply per Kustomization and the objects that drifted since. */
export class DriftTracker {
  readonly #applied = new Map<string, Applied>();
  readonly #watchers = new Map<string, Informer>();
  readonly #interrupts = new Map<string, Set<AbortController>>();
  readonly #client: KubeClient | undefined;
  readonly #fieldManager: string;
  readonly #enqueue: (key: ObjectKey) => void;
  readonly #onError: (err: unknown, context: string) => void;

  constructor(options: {
    client?: KubeClient;
    fieldManager: string;
    enqueue: (key: ObjectKey) => void;
    onError?: (err: unknown, context: string) => void;
  }) {
    this.#client = options.client;
    this.#fieldManager = options.fieldManager;
    this.#enqueue = options.enqueue;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Records a full apply of `fingerprint` (revision, generation and rendered digest), the ignore rules it
   * ran with and the inventory ids of the objects it applied.
   */
  markApplied(
    ksKey: string,
    fingerprint: string,
    options: { ignore?: IgnoreRules | undefined; ids?: Iterable<string> } = {},
  ): void {
    this.#applied.set(ksKey, {
      fingerprint,
      dirty: new Set(),
      ignore: options.ignore,
      ids: options.ids ? new Set(options.ids) : undefined,
    });
  }

  /** Forgets a Kustomization (deleted, or its apply failed and must start over). */
  forget(ksKey: string): void {
    this.#applied.delete(ksKey);
  }

  /**
   * undefined when a full apply is needed (first run in this process, something changed, or the watches
   * are not synced); otherwise the ids of objects that drifted (empty: nothing to do).
   */
  driftedSince(
    ksKey: string,
    fingerprint: string,
    resources: readonly ResourceRef[],
  ): Set<string> | undefined {
    const applied = this.#applied.get(ksKey);
    if (!applied || applied.fingerprint !== fingerprint) return undefined;
    if (!resources.every((r) => this.#watchers.get(resourceKey(r))?.hasSynced())) return undefined;
    return new Set(applied.dirty);
  }

  /** Clears the drift marks that a reconcile has handled. */
  clearDirty(ksKey: string, ids: Iterable<string>): void {
    const applied = this.#applied.get(ksKey);
    if (!applied) return;
    for (const id of ids) applied.dirty.delete(id);
  }

  /**
   * A signal aborted when the Kustomization drifts again or its source has a new artifact, so that a
   * long health check gives way to the reconcile that will handle it. Call release() when done.
   */
  interruptSignal(ksKey: string): { signal: AbortSignal; release: () => void } {
    const ac = new AbortController();
    let set = this.#interrupts.get(ksKey);
    if (!set) {
      set = new Set();
      this.#interrupts.set(ksKey, set);
    }
    set.add(ac);
    return {
      signal: ac.signal,
      release: () => {
        set.delete(ac);
        if (set.size === 0) this.#interrupts.delete(ksKey);
      },
    };
  }

  /** Aborts the running waits of a Kustomization (see interruptSignal). */
  interrupt(ksKey: string): void {
    for (const ac of this.#interrupts.get(ksKey) ?? []) ac.abort();
  }

  /** Makes sure the objects of these resources are watched (one informer per resource). */
  watch(resources: readonly ResourceRef[]): void {
    const client = this.#client;
    if (!client) return;
    for (const resource of resources) {
      const k = resourceKey(resource);
      if (this.#watchers.has(k)) continue;
      const informer = new Informer({
        client,
        resource,
        labelSelector: OwnerLabels.name,
        onError: (err, context) => this.#onError(err, `drift watch ${k}: ${context}`),
      });
      informer.addHandlers({
        onUpdate: (oldObj, newObj) => {
          if (!changedByOthers(oldObj, newObj, this.#fieldManager)) return;
          // An edit of only ignored fields (an HPA's replicas) is left to whoever made it.
          if (onlyIgnoredChanged(oldObj, newObj, this.#appliedFor(newObj)?.ignore)) return;
          this.#mark(newObj);
        },
        // A deletion, or an object relabelled out of the owner selector. A finished Job removed by its
        // TTL is the Job's own life cycle, not drift: re-creating it at once would run it in a loop. The
        // next interval reconcile re-creates it, as Flux does.
        onDelete: (obj) => {
          if (!removedByTtl(obj)) this.#mark(obj);
        },
      });
      informer.start();
      this.#watchers.set(k, informer);
    }
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    await Promise.all([...this.#watchers.values()].map((i) => i.stop()));
    this.#watchers.clear();
  }

  // The last full apply of the Kustomization that owns the object (by its owner labels).
  #appliedFor(obj: KubeObject): Applied | undefined {
    const labels = obj.metadata.labels ?? {};
    const name = labels[OwnerLabels.name];
    const namespace = labels[OwnerLabels.namespace];
    return name && namespace ? this.#applied.get(`${namespace}/${name}`) : undefined;
  }

  #mark(obj: KubeObject): void {
    const labels = obj.metadata.labels ?? {};
    const name = labels[OwnerLabels.name];
    const namespace = labels[OwnerLabels.namespace];
    if (!name || !namespace) return;
    const ksKey = `${namespace}/${name}`;
    const applied = this.#applied.get(ksKey);
    if (!applied) return;
    const entry: InventoryEntry = inventoryEntry({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name ?? "", namespace: obj.metadata.namespace },
    });
    // An object the apply did not send (the prune that follows it deletes the stale ones) is not drift:
    // a reconcile for it would change nothing and overwrite the status the apply just wrote.
    if (applied.ids && !applied.ids.has(entry.id)) return;
    applied.dirty.add(entry.id);
    this.interrupt(ksKey);
    this.#enqueue({ namespace, name });
  }
}

/** Whether an update was written by a manager other than ours to anything but status. */
export function changedByOthers(oldObj: KubeObject, newObj: KubeObject, fieldManager: string): boolean {
  if (oldObj.metadata.resourceVersion === newObj.metadata.resourceVersion) return false;
  const before = managerTimes(oldObj);
  for (const [manager, time] of managerTimes(newObj)) {
    if (manager === fieldManager) continue;
    if (before.get(manager) !== time) return true;
  }
  // Labels or annotations removed by someone else leave no new managed-fields entry behind.
  const labelsGone = Object.keys(oldObj.metadata.labels ?? {}).some(
    (k) => !(k in (newObj.metadata.labels ?? {})),
  );
  const ownerLabels = Object.values(OwnerLabels).some((k) => newObj.metadata.labels?.[k] === undefined);
  return labelsGone || ownerLabels;
}

/** Whether a deleted object is a finished Job with ttlSecondsAfterFinished (the TTL controller's work). */
export function removedByTtl(obj: KubeObject): boolean {
  if (!isJobWithTTL(obj)) return false;
  const conditions = readConditions(obj as unknown as Record<string, unknown>);
  return (
    findCondition(conditions, "Complete", "True") !== undefined ||
    findCondition(conditions, "Failed", "True") !== undefined
  );
}

function managerTimes(obj: KubeObject): Map<string, string> {
  const out = new Map<string, string>();
  const entries = (obj.metadata as { managedFields?: unknown }).managedFields;
  if (!Array.isArray(entries)) return out;
  for (const e of entries) {
    if (typeof e !== "object" || e === null) continue;
    const m = e as { manager?: unknown; time?: unknown; subresource?: unknown; fieldsV1?: unknown };
    if (typeof m.manager !== "string" || m.subresource === "status") continue;
    out.set(m.manager, `${String(m.time)}|${JSON.stringify(m.fieldsV1 ?? null)}`);
  }
  return out;
}

function resourceKey(r: ResourceRef): string {
  return `${r.group}/${r.version}/${r.plural}`;
}
