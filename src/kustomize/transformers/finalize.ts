// The last steps of a top-level build: hash suffixes, legacy ordering, annotation clean-up.
import { contentHash } from "../generators/hash.ts";
import { KIND_ORDER_FIRST, KIND_ORDER_LAST } from "../kind-order.ts";
import type { Kustomization } from "../kustomization.ts";
import { BuildError, isObj, type ResMap, type Resource } from "../resource.ts";
import { rawMetadataText } from "../yaml/parse.ts";

/** Appends the content hash to the names of generated objects that want one. */
export function addHashSuffixes(rm: ResMap): void {
  for (const r of rm.list) {
    if (!r.needsHash) continue;
    const h = contentHash(r.obj);
    r.storePreviousId();
    r.name = `${r.name}-${h}`;
  }
}

function gvkSortKey(r: Resource): string {
  const g = r.gvk();
  return [g.group || "~G", g.version || "~V", g.kind || "~K"].join("_");
}

function idSortKey(r: Resource): string {
  return `${r.namespace || "~X"}|${r.name || "~N"}`;
}

/** Orders resources as kustomize's legacy sort does (or leaves them, for `fifo`). */
export function sortResources(rm: ResMap, k: Kustomization): void {
  const opts = k.sortOptions;
  // A sortOptions without an order is an error, not the default.
  const order = opts === undefined ? "legacy" : (opts.order ?? "");
  if (order !== "legacy" && order !== "fifo") {
    throw new BuildError("the field 'sortOptions.order' must be one of [fifo, legacy]");
  }
  if (order === "fifo") {
    if (opts?.legacySortOptions !== undefined) {
      throw new BuildError(
        "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
      );
    }
    return;
  }
  const first = opts?.legacySortOptions?.orderFirst ?? (opts?.legacySortOptions ? [] : KIND_ORDER_FIRST);
  const last = opts?.legacySortOptions?.orderLast ?? (opts?.legacySortOptions ? [] : KIND_ORDER_LAST);
  const rank = new Map<string, number>();
  for (const [i, kind] of first.entries()) rank.set(kind, -first.length + i);
  for (const [i, kind] of last.entries()) rank.set(kind, 1 + i);
  const keyed = rm.list.map((r) => ({
    r,
    rank: rank.get(r.kind) ?? 0,
    gvk: gvkSortKey(r),
    id: idSortKey(r),
  }));
  keyed.sort((a, b) => {
    if (a.gvk !== b.gvk) {
      if (a.rank !== b.rank) return a.rank - b.rank;
      if (
        a.r.kind === "Namespace" &&
        b.r.kind === "Namespace" &&
        (a.r.gvk().group === "" || b.r.gvk().group === "")
      ) {
        return a.gvk > b.gvk ? -1 : 1;
      }
      return a.gvk < b.gvk ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  rm.list.splice(0, rm.list.length, ...keyed.map((x) => x.r));
}

function asString(v: unknown, raw: Map<string, string> | undefined, key: string): string {
  const text = raw?.get(key);
  if (text !== undefined) return text;
  if (typeof v === "string") return v;
  // A map or list has no scalar text: kyaml reads it as "".
  if (v === null || v === undefined || typeof v === "object") return "";
  return String(v);
}

/**
 * kustomize keeps its bookkeeping in annotations and rewrites the annotation map when it removes them:
 * values become strings, and a map left empty disappears.
 */
export function cleanAnnotations(rm: ResMap): void {
  for (const r of rm.list) {
    const meta = r.obj.metadata;
    if (!isObj(meta)) continue;
    const ann = meta.annotations;
    // kustomize's bookkeeping annotations are on every resource it loads, so an annotation map that
    // is empty (or null) once they are gone disappears, whatever the build did.
    if (ann === null) {
      delete meta.annotations;
      continue;
    }
    if (!isObj(ann)) continue;
    const keys = Object.keys(ann);
    if (keys.length === 0) {
      delete meta.annotations;
      continue;
    }
    const raw = rawMetadataText.get(ann);
    for (const k of keys) ann[k] = asString(ann[k], raw, k);
  }
}
