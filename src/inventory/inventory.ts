// Pure functions over a Kustomization's inventory (`status.inventory`): build it from applied objects,
// find what a new inventory leaves behind (the objects to prune), and decode entries to references.
import {
  type InventoryEntry,
  inventoryEntry,
  type ObjectIdentity,
  type ObjReference,
  parseInventoryEntry,
  type ResourceInventory,
} from "../api/inventory.ts";

/** An inventory listing objects in the order given (the apply order). Duplicates are kept once. */
export function inventoryOf(objects: readonly ObjectIdentity[]): ResourceInventory {
  const seen = new Set<string>();
  const entries: InventoryEntry[] = [];
  for (const obj of objects) {
    const e = inventoryEntry(obj);
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    entries.push(e);
  }
  return { entries };
}

/**
 * The objects of `previous` that `next` no longer lists, newest-applied first (reverse order), so that
 * dependants go before what they depend on. The version does not matter: moving an object from
 * v1beta1 to v1 is not a removal.
 */
export function staleReferences(
  previous: ResourceInventory | undefined,
  next: ResourceInventory,
): ObjReference[] {
  if (!previous) return [];
  const keep = new Set(next.entries.map((e) => e.id));
  return previous.entries
    .filter((e) => !keep.has(e.id))
    .map(parseInventoryEntry)
    .reverse();
}

/** Every entry of an inventory decoded to a reference. */
export function references(inventory: ResourceInventory | undefined): ObjReference[] {
  return inventory ? inventory.entries.map(parseInventoryEntry) : [];
}

/** `base` plus the entries of `extra` it lacks (e.g. objects whose delete failed, kept for the next run). */
export function mergeInventories(
  base: ResourceInventory,
  extra: readonly InventoryEntry[],
): ResourceInventory {
  const ids = new Set(base.entries.map((e) => e.id));
  return { entries: [...base.entries, ...extra.filter((e) => !ids.has(e.id))] };
}
