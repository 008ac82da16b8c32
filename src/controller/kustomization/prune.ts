// Phase 5 of a Kustomization: delete the objects of the previous inventory that the new render lacks,
// newest first, only those carrying the owner labels; failed deletes stay in the inventory.
import {
  inventoryEntry,
  type ObjReference,
  type ResourceInventory,
  referenceApiVersion,
} from "../../api/inventory.ts";
import type { Kustomization } from "../../api/kustomization.ts";
import { Action, type ChangeSetEntry } from "../../apply/changeset.ts";
import { deleteAll } from "../../apply/delete.ts";
import type { ResourceManager } from "../../apply/manager.ts";
import { inventoryOf, mergeInventories, staleReferences } from "../../inventory/inventory.ts";
import type { KubeObject } from "../../kube/object.ts";
import { OwnerLabels } from "./render.ts";

/** The prune phase failed for some objects; `inventory` keeps them for the next run. */
export class PruneFailedError extends Error {
  override name = "PruneFailedError";
  readonly inventory: ResourceInventory;
  constructor(message: string, inventory: ResourceInventory) {
    super(message);
    this.inventory = inventory;
  }
}

/** What the prune phase did. */
export interface PruneResult {
  /** The inventory to record: the render's objects. */
  readonly inventory: ResourceInventory;
  readonly deleted: readonly ChangeSetEntry[];
  /** Set when the render was empty and everything previously applied was pruned (say so loudly). */
  readonly prunedAll?: number;
}

/** Prunes what the previous inventory has and `objects` lack (when spec.prune); throws PruneFailedError. */
export async function pruneStale(
  ks: Kustomization,
  manager: ResourceManager,
  objects: readonly KubeObject[],
): Promise<PruneResult> {
  const inventory = inventoryOf(objects.map(toIdentity));
  if (!ks.spec.prune) return { inventory, deleted: [] };
  const stale = staleReferences(ks.status.inventory, inventory);
  if (stale.length === 0) return { inventory, deleted: [] };
  const result = await deleteAll(manager, stale, {
    ownerLabels: {
      [OwnerLabels.name]: ks.metadata.name ?? "",
      [OwnerLabels.namespace]: ks.metadata.namespace ?? "",
    },
  });
  if (result.failures.length > 0) {
    const kept = mergeInventories(
      inventory,
      result.failures.map((f) => ({ id: inventoryEntry(refIdentity(f.ref)).id, v: f.ref.version })),
    );
    throw new PruneFailedError(
      `prune failed: ${result.failures.map((f) => `${f.subject}: ${f.message}`).join("; ")}`,
      kept,
    );
  }
  return {
    inventory,
    deleted: result.entries.filter((e) => e.action === Action.Deleted),
    ...(objects.length === 0 ? { prunedAll: stale.length } : {}),
  };
}

/** The identity of an object as an inventory records it. */
export function toIdentity(o: KubeObject): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: {
      name: o.metadata.name ?? "",
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    },
  };
}

function refIdentity(ref: ObjReference): ReturnType<typeof toIdentity> {
  return {
    apiVersion: referenceApiVersion(ref),
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}
