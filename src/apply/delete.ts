// The delete verb of the ResourceManager: prune objects, only those that carry the owner's labels and
// are not annotated `prune: disabled`. Failed deletes are reported, not thrown, so that the caller keeps
// them in the inventory for the next run.
import type { ObjReference } from "../api/inventory.ts";
import { referenceApiVersion } from "../api/inventory.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/object.ts";
import { Action, type ChangeSetEntry, entryFor } from "./changeset.ts";
import { failureOf, type ObjectFailure } from "./errors.ts";
import { Annotations, hasMeta, mapConcurrent, type ResourceManager } from "./manager.ts";

/** Options of deleteAll. */
export interface DeleteOptions {
  /** Only delete objects whose labels include all of these (the owner labels). */
  readonly ownerLabels: Readonly<Record<string, string>>;
  readonly propagationPolicy?: "Background" | "Foreground" | "Orphan";
}

/** The outcome of deleting a set: entries for what happened, failures for what could not be deleted. */
export interface DeleteResult {
  readonly entries: readonly ChangeSetEntry[];
  readonly failures: readonly (ObjectFailure & { readonly ref: ObjReference })[];
}

/** Deletes the referenced objects one by one, in the order given. */
export async function deleteAll(
  m: ResourceManager,
  refs: readonly ObjReference[],
  options: DeleteOptions,
): Promise<DeleteResult> {
  const entries: ChangeSetEntry[] = [];
  const failures: (ObjectFailure & { ref: ObjReference })[] = [];
  // Sequential in the given (reverse apply) order, but each object's own requests may run concurrently.
  const results = await mapConcurrent(refs, 1, (ref) => deleteOne(m, ref, options));
  results.forEach((r, i) => {
    const ref = refs[i] as ObjReference;
    if (r.status === "fulfilled") entries.push(r.value);
    else failures.push({ ...failureOf(subjectOf(ref), r.reason), ref });
  });
  return { entries, failures };
}

async function deleteOne(
  m: ResourceManager,
  ref: ObjReference,
  options: DeleteOptions,
): Promise<ChangeSetEntry> {
  const stub: KubeObject = {
    apiVersion: referenceApiVersion(ref),
    kind: ref.kind,
    metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name },
  };
  let live: KubeObject | undefined;
  try {
    live = await m.getLive(stub);
  } catch (err) {
    // The kind is gone (its CRD was removed): nothing left to delete.
    if (isNotFound(err)) return entryFor(stub, Action.Deleted);
    throw err;
  }
  if (!live) return entryFor(stub, Action.Deleted);
  const labels = live.metadata.labels ?? {};
  const owned = Object.entries(options.ownerLabels).every(([k, v]) => labels[k] === v);
  // As Flux: `prune: disabled` keeps an object, and so does `reconcile: disabled` (hands off entirely).
  if (
    !owned ||
    hasMeta(live, Annotations.prune, "disabled") ||
    hasMeta(live, Annotations.reconcile, "disabled")
  ) {
    return entryFor(live, Action.Skipped);
  }
  if (live.metadata.deletionTimestamp) return entryFor(live, Action.Deleted);
  const resource = await m.resourceFor(live);
  try {
    await m.client.delete(
      resource,
      live.metadata.namespace ? { name: ref.name, namespace: live.metadata.namespace } : { name: ref.name },
      { propagationPolicy: options.propagationPolicy ?? "Background" },
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return entryFor(live, Action.Deleted);
}

function subjectOf(ref: ObjReference): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}
