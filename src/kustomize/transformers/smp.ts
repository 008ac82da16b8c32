// Strategic merge, as kustomize's kyaml merge does it: maps merge, null deletes, lists of built-in
// kinds merge by their merge keys (patched elements first), other lists are replaced; `$patch`
// directives delete, replace or merge.
import { elementSchema, fieldSchema, type SchemaNode } from "../openapi/schema.ts";
import { BuildError, isObj, type Obj } from "../resource.ts";

const DELETE = Symbol("delete");
type Merged = unknown | typeof DELETE;

// kustomize's merge knows only `$patch`; other strategic-merge directives ($setElementOrder,
// $deleteFromPrimitiveList, $retainKeys) are kept as ordinary fields, as it does.
function isDirectiveKey(k: string): boolean {
  return k === "$patch";
}

/** Removes patch directives from content that is added rather than merged. */
function clean(v: unknown, schema: SchemaNode | undefined): Merged {
  return mergeValue(undefined, v, schema);
}

function mergeMap(dest: Obj | undefined, patch: Obj, schema: SchemaNode | undefined): Merged {
  const directive = patch.$patch;
  if (directive === "delete") return DELETE;
  if (directive === "replace") {
    const out: Obj = {};
    for (const [k, v] of Object.entries(patch)) {
      if (isDirectiveKey(k)) continue;
      const c = clean(v, fieldSchema(schema, k));
      if (c !== DELETE && v !== null) out[k] = c;
    }
    return out;
  }
  if (directive !== undefined && directive !== "merge") {
    throw new BuildError(`unknown patch directive: $patch: ${String(directive)}`);
  }
  const out: Obj = dest ?? {};
  for (const [k, v] of Object.entries(patch)) {
    if (isDirectiveKey(k)) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const r = mergeValue(out[k], v, fieldSchema(schema, k));
    if (r === DELETE) delete out[k];
    else out[k] = r;
  }
  return out;
}

function keyOf(el: unknown, keys: readonly string[]): string | undefined {
  if (!isObj(el)) return undefined;
  const vals = keys.map((k) => {
    const v = el[k];
    return v === undefined || v === null ? "" : String(v);
  });
  if (vals.every((v) => v === "")) return undefined;
  return JSON.stringify(vals);
}

function mergeList(dest: unknown[] | undefined, patch: unknown[], schema: SchemaNode | undefined): Merged {
  const elSchema = elementSchema(schema);
  const associative = schema?.strategy.split(",").includes("merge") === true;
  if (!associative || dest === undefined) {
    if (patch.some((el) => isObj(el) && el.$patch === "replace")) {
      return patch.filter((el) => !(isObj(el) && el.$patch === "replace")).map((el) => clean(el, elSchema));
    }
    const out: unknown[] = [];
    for (const el of patch) {
      const c = clean(el, elSchema);
      if (c !== DELETE) out.push(c);
    }
    return out;
  }
  if (patch.some((el) => isObj(el) && el.$patch === "replace" && Object.keys(el).length === 1)) {
    return patch.filter((el) => !(isObj(el) && el.$patch === "replace")).map((el) => clean(el, elSchema));
  }
  const keys = schema?.keys ?? [];
  if (keys.length === 0) {
    // A list of scalars with the merge strategy: a union, the patch's values first.
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const v of [...patch, ...dest]) {
      const k = JSON.stringify(v);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(v);
    }
    return out;
  }
  const order: string[] = [];
  const destBy = new Map<string, unknown>();
  const patchBy = new Map<string, unknown>();
  const keyless: unknown[] = [];
  for (const el of patch) {
    const k = keyOf(el, keys);
    if (k === undefined) continue;
    if (!patchBy.has(k) && !destBy.has(k)) order.push(k);
    patchBy.set(k, el);
  }
  for (const el of dest) {
    const k = keyOf(el, keys);
    if (k === undefined) {
      keyless.push(el);
      continue;
    }
    if (!patchBy.has(k) && !destBy.has(k)) order.push(k);
    if (!destBy.has(k)) destBy.set(k, el);
  }
  const out: unknown[] = [];
  for (const k of order) {
    const p = patchBy.get(k);
    const d = destBy.get(k);
    let merged: Merged;
    if (p === undefined) merged = d;
    else merged = mergeValue(d, p, elSchema);
    if (merged === DELETE || merged === null || merged === undefined) continue;
    if (isObj(merged) && Object.keys(merged).length === 0) continue;
    out.push(merged);
  }
  out.push(...keyless);
  return out;
}

function nodeKind(v: unknown): string {
  return Array.isArray(v) ? "SequenceNode" : isObj(v) ? "MappingNode" : "ScalarNode";
}

function mergeValue(dest: unknown, patch: unknown, schema: SchemaNode | undefined): Merged {
  if (dest !== undefined && dest !== null && patch !== null && nodeKind(dest) !== nodeKind(patch)) {
    throw new BuildError(`wrong node kind: expected ${nodeKind(dest)} but got ${nodeKind(patch)}`);
  }
  if (isObj(patch)) return mergeMap(isObj(dest) ? dest : undefined, patch, schema);
  if (Array.isArray(patch)) return mergeList(Array.isArray(dest) ? dest : undefined, patch, schema);
  return patch;
}

/** Merges a strategic-merge patch into obj; returns undefined when the patch deletes the object. */
export function strategicMerge(obj: Obj, patch: Obj, schema: SchemaNode | undefined): Obj | undefined {
  const r = mergeMap(obj, patch, schema);
  if (r === DELETE || !isObj(r)) return undefined;
  return r;
}
