// JSON Patch (RFC 6902) over plain values, with the error cases kustomize's library reports.
import { BuildError, deepClone, isObj } from "../resource.ts";

/** One operation. */
export interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

// evanphx/json-patch drops whatever precedes the first `/`, so `spec/x` reads as `/x`.
function pointer(p: string): string[] {
  if (p === "") return [];
  return p
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

// An array index as evanphx/json-patch (v4) reads it: Go's Atoi (sign and leading zeros allowed) and
// negative indices counted from the end; `add` may also name the position after the last element.
function arrayIndex(list: readonly unknown[], key: string, forAdd: boolean): number | undefined {
  if (!/^[+-]?\d+$/.test(key)) return undefined;
  let i = Number(key);
  const size = forAdd ? list.length + 1 : list.length;
  if (i >= size || i < -size) return undefined;
  if (i < 0) i += size;
  return i;
}

function step(cur: unknown, key: string): unknown {
  if (Array.isArray(cur)) {
    const i = arrayIndex(cur, key, false);
    return i === undefined ? undefined : cur[i];
  }
  return isObj(cur) ? cur[key] : undefined;
}

function parent(doc: unknown, parts: string[], op: string, path: string): { holder: unknown; last: string } {
  let cur = doc;
  for (const key of parts.slice(0, -1)) {
    cur = step(cur, key);
    if (cur === undefined || cur === null)
      throw new BuildError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return { holder: cur, last: parts[parts.length - 1] ?? "" };
}

function index(list: unknown[], key: string, op: string, path: string, allowEnd: boolean): number {
  if (key === "-" && allowEnd) return list.length;
  if (!/^[+-]?\d+$/.test(key))
    throw new BuildError(`${op} operation does not apply: invalid index in path "${path}"`);
  const i = arrayIndex(list, key, allowEnd);
  if (i === undefined)
    throw new BuildError(`${op} operation does not apply: index out of bounds in path "${path}"`);
  return i;
}

function get(doc: unknown, path: string, op: string): unknown {
  let cur = doc;
  for (const key of pointer(path)) {
    cur = step(cur, key);
    if (cur === undefined)
      throw new BuildError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return cur;
}

function remove(doc: unknown, path: string, op: string): unknown {
  const parts = pointer(path);
  const { holder, last } = parent(doc, parts, op, path);
  if (Array.isArray(holder)) {
    const i = index(holder, last, op, path, false);
    return holder.splice(i, 1)[0];
  }
  if (isObj(holder)) {
    if (!Object.hasOwn(holder, last))
      throw new BuildError(`${op} operation does not apply: doc is missing key: "${path}"`);
    const v = holder[last];
    delete holder[last];
    return v;
  }
  throw new BuildError(`${op} operation does not apply: doc is missing path: "${path}"`);
}

function add(doc: unknown, path: string, value: unknown, op: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { holder, last } = parent(doc, parts, op, path);
  if (Array.isArray(holder)) holder.splice(index(holder, last, op, path, true), 0, value);
  else if (isObj(holder)) holder[last] = value;
  else throw new BuildError(`${op} operation does not apply: doc is missing path: "${path}"`);
  return doc;
}

/** Applies operations to a copy of doc and returns it. */
export function applyJsonPatch(docIn: unknown, ops: readonly Op[]): unknown {
  let doc = deepClone(docIn);
  for (const o of ops) {
    if (typeof o.path !== "string") throw new BuildError(`JSON patch operation ${o.op} is missing its path`);
    switch (o.op) {
      case "add":
        doc = add(doc, o.path, deepClone(o.value), "add");
        break;
      case "remove":
        remove(doc, o.path, "remove");
        break;
      case "replace": {
        const parts = pointer(o.path);
        if (parts.length === 0) {
          doc = deepClone(o.value);
          break;
        }
        const { holder, last } = parent(doc, parts, "replace", o.path);
        if (Array.isArray(holder)) holder[index(holder, last, "replace", o.path, false)] = deepClone(o.value);
        // evanphx/json-patch replaces a missing key of an object by adding it.
        else if (isObj(holder)) holder[last] = deepClone(o.value);
        else throw new BuildError(`replace operation does not apply: doc is missing path: ${o.path}`);
        break;
      }
      case "move": {
        const v = remove(doc, o.from ?? "", "move");
        doc = add(doc, o.path, v, "move");
        break;
      }
      case "copy":
        doc = add(doc, o.path, deepClone(get(doc, o.from ?? "", "copy")), "copy");
        break;
      case "test": {
        const v = get(doc, o.path, "test");
        if (JSON.stringify(v) !== JSON.stringify(o.value)) {
          throw new BuildError(`testing value ${o.path} failed: test operation failed`);
        }
        break;
      }
      default:
        throw new BuildError(`Unexpected kind: ${o.op}`);
    }
  }
  return doc;
}
