// kustomize turns every resource into JSON, which refuses what YAML allows: mapping keys that are not
// strings (plain `8080:`, `true:`, `1.5:`, `~:`, a date) and the floats .inf and .nan. driftless's
// readers make such keys strings and keep the floats, so the few files that may hold one are checked.
import type { Node as YamlNode } from "yaml";
import { BuildError, isObj } from "./resource.ts";
import { decodePlain, parseTimestamp } from "./yaml/scalar.ts";
import { yamlLib } from "./yaml/yaml-lib.ts";

// A line whose plain key starts like a number, a boolean, a null or a date (block scalars may give false
// hits, which the syntax tree then clears).
const KEY_START = String.raw`(?:[-+]?\.?[0-9][^:#'"\n,{}]*|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)`;
const MAYBE_KEY = new RegExp(
  String.raw`^[ \t]*(?:-[ \t]+)*${KEY_START}[ \t]*:(?:[ \t]|$)|[{,][ \t]*${KEY_START}[ \t]*:[ \t]`,
  "m",
);
const MAYBE_NONFINITE = /\.(?:inf|Inf|INF|nan|NaN|NAN)\b/;

function nonStringKey(source: string): boolean {
  return typeof decodePlain(source) !== "string" || parseTimestamp(source) !== null;
}

function findKey(node: unknown): string | undefined {
  const Y = yamlLib();
  if (Y.isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key;
      if (k === null) return "null";
      if (Y.isScalar(k) && k.type === "PLAIN" && typeof k.source === "string" && nonStringKey(k.source))
        return k.source;
      const inner = findKey(pair.value);
      if (inner !== undefined) return inner;
    }
  } else if (Y.isSeq(node)) {
    for (const item of node.items) {
      const inner = findKey(item as YamlNode);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function hasNonFinite(v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (Array.isArray(v)) return v.some(hasNonFinite);
  if (isObj(v)) return Object.values(v).some(hasNonFinite);
  return false;
}

/** Refuses a resource file whose documents kustomize could not turn into JSON. */
export function checkJsonCompatible(text: string, docs: readonly unknown[], file: string): void {
  if (MAYBE_NONFINITE.test(text) && docs.some(hasNonFinite))
    throw new BuildError(`${file}: .inf and .nan cannot be represented in JSON`);
  if (!MAYBE_KEY.test(text)) return;
  for (const doc of yamlLib().parseAllDocuments(text, { uniqueKeys: false })) {
    const key = findKey(doc.contents);
    if (key !== undefined) throw new BuildError(`${file}: mapping key ${key} is not a string`);
  }
}
