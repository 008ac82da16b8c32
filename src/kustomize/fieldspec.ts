// Field specs: "which field of which kinds" a transformer touches, as paths like
// `spec/template/spec/containers[]/image`; sequences met on the way are walked element by element.
import { type Gvk, gvkSelected } from "./resid.ts";
import { BuildError, isObj, type Obj } from "./resource.ts";

/** A field in objects of the kinds it selects. */
export interface FieldSpec {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly path: string;
  readonly create?: boolean;
}

/** A place holding a value: the container and the key in it. */
export interface Slot {
  readonly holder: Obj | unknown[];
  readonly key: string | number;
}

/** Reads the value of a slot. */
export function slotGet(s: Slot): unknown {
  return Array.isArray(s.holder) ? s.holder[s.key as number] : (s.holder as Obj)[s.key as string];
}
/** Writes the value of a slot. */
export function slotSet(s: Slot, v: unknown): void {
  if (Array.isArray(s.holder)) s.holder[s.key as number] = v;
  else (s.holder as Obj)[s.key as string] = v;
}

const splitCache = new Map<string, string[]>();

/** Splits a field-spec path on `/`, keeping `\/` as a slash inside a field name. */
export function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (parts === undefined) {
    parts = path
      .replaceAll("\\/", "\u0000")
      .split("/")
      .map((p) => p.replaceAll("\u0000", "/"));
    splitCache.set(path, parts);
  }
  return parts;
}

/** Whether the spec applies to an object of this gvk. */
export function specSelects(fs: FieldSpec, gvk: Gvk): boolean {
  return gvkSelected(gvk, fs);
}

/**
 * Calls `visit` for every slot the path reaches in obj. With `create`, missing maps on the way are made
 * and the last field is visited even when absent (its value then reads undefined).
 */
export function visitPath(obj: Obj, path: string, create: boolean, visit: (s: Slot) => void): void {
  try {
    walk(obj, splitPath(path), 0, create, visit);
  } catch (e) {
    if (e !== THROUGH_SCALAR) throw e;
    const meta = isObj(obj.metadata) ? obj.metadata : {};
    throw new BuildError(
      `considering field '${path}' of object ${String(obj.kind)}/${String(meta.name)}: expected sequence or mapping node`,
    );
  }
}

// kyaml refuses a field path that runs on through a scalar (a string where a map was expected).
const THROUGH_SCALAR = Symbol("through scalar");

function walk(
  node: unknown,
  parts: readonly string[],
  i: number,
  create: boolean,
  visit: (s: Slot) => void,
): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, parts, i, create, visit);
    return;
  }
  if (!isObj(node)) {
    if (node === null || node === undefined) return;
    throw THROUGH_SCALAR;
  }
  let field = parts[i] as string;
  const isSeq = field.endsWith("[]");
  if (isSeq) field = field.slice(0, -2);
  const last = i === parts.length - 1;
  if (last) {
    if (isSeq) {
      const list = node[field];
      if (Array.isArray(list)) for (let j = 0; j < list.length; j++) visit({ holder: list, key: j });
      return;
    }
    if (field in node || create) visit({ holder: node, key: field });
    return;
  }
  let next = node[field];
  // kyaml never creates a list on the way, but turns a null it meets where the path says list into [].
  if (next === null && isSeq) {
    node[field] = [];
    return;
  }
  if (next === undefined || next === null) {
    if (!create || isSeq) return;
    next = {};
    node[field] = next;
  }
  walk(next, parts, i + 1, create, visit);
}
