// Strategic merge, as kustomize's kyaml merge does it: maps merge, null deletes, lists the schema in
// use (built-in, or a kustomization's `openapi` one) marks with the merge strategy merge by their
// keys (patched elements first), other lists are taken from the patch; `$patch` directives delete,
// replace or merge.
import { elementSchema, fieldSchema, type SchemaNode, schemaFor } from "../openapi/schema.ts";
import { BuildError, deepClone, isObj, type Obj } from "../resource.ts";

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
  // kyaml neither walks nor cleans a list it does not merge: the patch's list is taken as written,
  // `$patch` entries included.
  if (!associative) return deepClone(patch);
  if (dest === undefined) {
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
  // The first element with a `$patch` key is a directive for the whole list when that key is its only one.
  const directive = patch.find((el) => isObj(el) && "$patch" in el);
  if (isObj(directive) && Object.keys(directive).length === 1) {
    const d = directive.$patch;
    if (d === "delete") return DELETE;
    if (d !== "replace" && d !== "merge") throw new BuildError(`unknown patch strategy '${text(d)}'`);
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
  if (keys.length > 1) return mergeMultiKey(dest, patch, keys, elSchema);
  // kyaml matches a patch element without the merge key against every element that has one and drops
  // them all (the keyed patch elements too): only the target's own keyless elements remain.
  const key = keys[0] as string;
  const lacksKey = (el: unknown): boolean =>
    !isObj(el) ||
    (!(Object.keys(el).length === 1 && "$patch" in el) && (el[key] === undefined || el[key] === null));
  if (patch.some(lacksKey))
    return dest.filter((el) => !isObj(el) || el[key] === undefined || el[key] === null);
  const order: string[] = [];
  const destBy = new Map<string, unknown>();
  const patchBy = new Map<string, unknown>();
  const keyless: unknown[] = [];
  for (const el of patch) {
    const k = keyOf(el, keys);
    if (k === undefined) continue;
    if (!patchBy.has(k) && !destBy.has(k)) order.push(k);
    // Of two patch elements with one key, the first is merged.
    if (!patchBy.has(k)) patchBy.set(k, el);
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
    // kyaml puts the target's element back over a merge result that is not that element itself,
    // so an element's own `$patch: replace` leaves the target's element as it was.
    if (d !== undefined && isObj(merged) && merged !== d && isObj(d)) merged = d;
    if (merged === DELETE || merged === null || merged === undefined) continue;
    if (isObj(merged) && Object.keys(merged).length === 0) continue;
    out.push(merged);
  }
  out.push(...keyless);
  return out;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);
}

// Field matching as kyaml's element setter does it: "" matches any present value.
function setterMatches(el: unknown, keys: readonly string[], values: readonly string[]): boolean {
  if (!isObj(el)) return false;
  if (values.length === 0) return false;
  for (let j = 0; j < keys.length && j < values.length; j++) {
    const k = keys[j] as string;
    if (!(k in el)) return false;
    if (values[j] !== "" && text(el[k]) !== values[j]) return false;
  }
  return true;
}

// Exact matching as kyaml's element matcher does it: every key has that value (absent reads as "").
function exactMatch(el: unknown, keys: readonly string[], values: readonly string[]): boolean {
  return isObj(el) && keys.every((k, j) => text(el[k]) === values[j]);
}

// Replaces every element the setter matches with `el` (or removes them when el is undefined);
// appends el when none matched.
function elementSetter(
  list: unknown[],
  keys: readonly string[],
  values: readonly string[],
  el: unknown,
): unknown[] {
  const out: unknown[] = [];
  let found = false;
  for (const x of list) {
    if (x === null || x === undefined || (isObj(x) && Object.keys(x).length === 0)) continue;
    if (!setterMatches(x, keys, values)) {
      if (values.length > 0) out.push(x);
      continue;
    }
    found = true;
    if (el !== undefined) out.push(el);
  }
  if (el !== undefined && !found) out.push(el);
  return out;
}

// Lists merged on several keys (x-kubernetes-list-map-keys, e.g. ports by port and protocol), with
// kyaml's way of pairing partially keyed elements and of ordering the result.
function mergeMultiKey(
  destIn: unknown[],
  patch: unknown[],
  keys: readonly string[],
  elSchema: SchemaNode | undefined,
): unknown[] {
  let dest = [...destIn];
  const tuples: string[][] = [];
  const seen = new Set<string>();
  for (const el of [...patch, ...dest]) {
    const t = keys.map((k) => (isObj(el) && k in el ? text(el[k]) : ""));
    const id = JSON.stringify(t);
    if (seen.has(id)) continue;
    seen.add(id);
    tuples.push(t);
  }
  for (let i = 0; i < tuples.length; i++) {
    for (let j = 0; j < tuples.length; j++) {
      const a = tuples[i] as string[];
      const b = tuples[j] as string[];
      let common = false;
      let ok = true;
      const res: string[] = [];
      for (let k = 0; k < a.length; k++) {
        const x = a[k] as string;
        const y = b[k] as string;
        if (x === y) {
          common = true;
          res.push(x);
        } else if (x !== "" && y !== "") {
          ok = false;
          break;
        } else res.push(x !== "" ? x : y);
      }
      if (ok && common) {
        tuples[i] = res;
        tuples[j] = res;
      }
    }
  }
  const valid = keys.filter((_, i) => tuples.some((t) => t[i] !== ""));
  const validKeys = valid.length === 0 ? keys : valid;
  let items: unknown[] = [];
  for (const t of tuples) {
    const values =
      valid.length === 0 ? t : keys.flatMap((k, i) => (valid.includes(k) ? [t[i] as string] : []));
    const d = dest.find((el) => exactMatch(el, validKeys, values));
    const p = patch.find((el) => exactMatch(el, validKeys, values));
    const val: Merged =
      d === undefined && p === undefined ? undefined : p === undefined ? d : mergeValue(d, p, elSchema);
    if (
      val === DELETE ||
      val === undefined ||
      val === null ||
      (isObj(val) && Object.keys(val).length === 0)
    ) {
      dest = elementSetter(dest, validKeys, values, undefined);
      continue;
    }
    if (isObj(val)) {
      validKeys.forEach((k, i) => {
        const v = values[i] as string;
        if (isObj(val) && !(k in val) && v !== "") val[k] = v;
      });
    }
    items = elementSetter(items, validKeys, values, val);
  }
  for (const el of dest) {
    const v: string[] = [];
    for (const k of validKeys) {
      if (isObj(el) && k in el && el[k] !== null) v.push(text(el[k]));
      else items.push(el);
    }
    if (validKeys.length > 1) items = elementSetter(items, validKeys, v, undefined);
    items = elementSetter(items, validKeys, v, el);
  }
  return items;
}

// A map without a schema from its parent takes its own type's, when it names one (kyaml's walker
// looks at apiVersion and kind of the target first, then of the patch).
function typeSchema(dest: Obj | undefined, patch: Obj): SchemaNode | undefined {
  for (const m of [dest, patch]) {
    if (m === undefined) continue;
    const { apiVersion, kind } = m;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "")
      continue;
    const s = schemaFor(apiVersion, kind);
    if (s !== undefined) return s;
  }
  return undefined;
}

function nodeKind(v: unknown): string {
  return Array.isArray(v) ? "SequenceNode" : isObj(v) ? "MappingNode" : "ScalarNode";
}

function mergeValue(dest: unknown, patch: unknown, schema: SchemaNode | undefined): Merged {
  if (dest !== undefined && dest !== null && patch !== null && nodeKind(dest) !== nodeKind(patch)) {
    throw new BuildError(`wrong node kind: expected ${nodeKind(dest)} but got ${nodeKind(patch)}`);
  }
  if (isObj(patch)) {
    const d = isObj(dest) ? dest : undefined;
    return mergeMap(d, patch, schema ?? typeSchema(d, patch));
  }
  if (Array.isArray(patch)) return mergeList(Array.isArray(dest) ? dest : undefined, patch, schema);
  return patch;
}

/** Merges a strategic-merge patch into obj; returns undefined when the patch deletes the object. */
export function strategicMerge(obj: Obj, patch: Obj, schema: SchemaNode | undefined): Obj | undefined {
  // kustomize leaves the object as it was when the whole patch says `$patch: replace`.
  if (patch.$patch === "replace") return obj;
  const r = mergeMap(obj, patch, schema ?? typeSchema(obj, patch));
  if (r === DELETE || !isObj(r)) return undefined;
  return r;
}
