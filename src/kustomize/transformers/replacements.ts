// replacements: copy one field of a source object (or a literal value) into fields of the selected
// target objects, optionally into one part of a delimited string.
import type { ReplacementEntry } from "../kustomization.ts";
import type { Loader } from "../loader.ts";
import { effectiveNamespace, gvkSelected } from "../resid.ts";
import { BuildError, deepClone, isObj, type Obj, type ResMap, type Resource } from "../resource.ts";
import { parseYamlStream } from "../yaml/parse.ts";
import { decodePlain, formatNumber } from "../yaml/scalar.ts";
import { parsesAsDocument, setInEmbeddedText } from "./replacements-embedded.ts";
import { selects } from "./selector.ts";

type Sel = NonNullable<NonNullable<ReplacementEntry["targets"]>[number]["select"]>;
type Opts = NonNullable<NonNullable<ReplacementEntry["targets"]>[number]["options"]>;

/** Splits a field path on dots, keeping `[a.b=c]` selectors whole. */
export function splitFieldPath(p: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  for (const c of p) {
    if (c === "[") depth++;
    if (c === "]") depth--;
    if (c === "." && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * Splits a replacement field path as kyaml's SmarterPathSplitter does: a backslash escapes a dot, a bracketed
 * part spanning dots stays whole, and loses its brackets unless it selects a list element (`[a=b]`).
 */
export function splitReplacementPath(p: string): string[] {
  let raw = p.split(".");
  if (raw.length > 1 && raw[0] === "") raw = raw.slice(1);
  const escaped: string[] = [raw[0] as string];
  for (const part of raw.slice(1)) {
    const last = escaped.length - 1;
    if ((escaped[last] as string).endsWith("\\"))
      escaped[last] = `${(escaped[last] as string).slice(0, -1)}.${part}`;
    else escaped.push(part);
  }
  const out: string[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const elem = escaped[i] as string;
    if (!elem.startsWith("[") || elem.endsWith("]")) {
      out.push(elem);
      continue;
    }
    const bracketed = [elem];
    while (i < escaped.length - 1) {
      i++;
      bracketed.push(escaped[i] as string);
      if ((escaped[i] as string).endsWith("]")) break;
    }
    const joined = bracketed.join(".");
    out.push(joined.includes("=") ? joined : joined.replace(/^\[+|\]+$/g, ""));
  }
  return out;
}

function scalarText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return formatNumber(v);
  if (v === null || v === undefined) return "";
  return String(v);
}

interface Slot {
  holder: Obj | unknown[];
  key: string | number;
}

function matchesElement(el: unknown, sel: string): boolean {
  const eq = sel.indexOf("=");
  const k = sel.slice(0, eq);
  const v = sel.slice(eq + 1);
  if (k === "") return scalarText(el) === v;
  return isObj(el) && scalarText(el[k]) === v && el[k] !== undefined;
}

// Finds the slots a path reaches; with `create`, missing map fields (and list elements named by a
// selector) are made on the way.
function find(node: unknown, parts: readonly string[], create: boolean): Slot[] {
  const out: Slot[] = [];
  const walk = (cur: unknown, i: number, holder: Slot | undefined): void => {
    if (i === parts.length) {
      if (holder !== undefined) out.push(holder);
      return;
    }
    const part = parts[i] as string;
    const next = (h: Slot): void => {
      const v = Array.isArray(h.holder) ? h.holder[h.key as number] : (h.holder as Obj)[h.key as string];
      walk(v, i + 1, h);
    };
    if (part.startsWith("[") && part.endsWith("]")) {
      if (!Array.isArray(cur)) return;
      const sel = part.slice(1, -1);
      let found = false;
      cur.forEach((el, j) => {
        if (matchesElement(el, sel)) {
          found = true;
          next({ holder: cur, key: j });
        }
      });
      if (!found && create && i + 1 < parts.length) {
        const eq = sel.indexOf("=");
        const el: Obj = eq > 0 ? { [sel.slice(0, eq)]: sel.slice(eq + 1) } : {};
        cur.push(el);
        next({ holder: cur, key: cur.length - 1 });
      }
      return;
    }
    if (part === "*") {
      if (Array.isArray(cur)) for (let j = 0; j < cur.length; j++) next({ holder: cur, key: j });
      else if (isObj(cur)) for (const k of Object.keys(cur)) next({ holder: cur, key: k });
      return;
    }
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(part) && Number(part) < cur.length) next({ holder: cur, key: Number(part) });
      return;
    }
    if (!isObj(cur)) return;
    // A null field is there to be set (kyaml finds it); on the way it counts as missing.
    const last = i + 1 === parts.length;
    if (!(part in cur) || (cur[part] === null && !last)) {
      if (!create) return;
      if (i + 1 < parts.length) cur[part] = (parts[i + 1] as string).startsWith("[") ? [] : {};
    }
    next({ holder: cur, key: part });
  };
  walk(node, 0, undefined);
  return out;
}

function sourceMatches(r: Resource, sel: Sel): boolean {
  const ids = [
    ...r.prevIds.map((p) => ({ name: p.name, namespace: p.namespace, kind: p.kind })),
    { name: r.name, namespace: r.namespace, kind: r.kind },
  ];
  const g = r.gvk();
  return ids.some((id) => {
    if (sel.name && sel.name !== id.name) return false;
    if (
      sel.namespace &&
      effectiveNamespace(r.type, sel.namespace) !== effectiveNamespace(r.type, id.namespace)
    )
      return false;
    return gvkSelected(
      { group: g.group, version: g.version, kind: id.kind },
      { group: sel.group, version: sel.version, kind: sel.kind },
    );
  });
}

function getValue(rm: ResMap, e: ReplacementEntry & { sourceValue?: string }): unknown {
  if (e.sourceValue !== undefined && e.source !== undefined)
    throw new BuildError("value and resource selectors are mutually exclusive");
  if (e.sourceValue !== undefined) return e.sourceValue;
  const src = e.source;
  if (src === undefined) throw new BuildError("replacements must specify a source and at least one target");
  const matches = rm.list.filter((r) => sourceMatches(r, src));
  if (matches.length > 1) throw new BuildError(`multiple matches for selector ${JSON.stringify(src)}`);
  const source = matches[0];
  if (source === undefined) throw new BuildError(`nothing selected by ${JSON.stringify(src)}`);
  const fieldPath = src.fieldPath || "metadata.name";
  const slots = find(source.obj, splitReplacementPath(fieldPath), false);
  const slot = slots[0];
  const v =
    slot === undefined
      ? undefined
      : Array.isArray(slot.holder)
        ? slot.holder[slot.key as number]
        : slot.holder[slot.key as string];
  if (
    v === undefined ||
    v === null ||
    v === "" ||
    (isObj(v) && Object.keys(v).length === 0) ||
    (Array.isArray(v) && v.length === 0)
  ) {
    throw new BuildError(`fieldPath \`${fieldPath}\` is missing for replacement source ${source.idText()}`);
  }
  const opts = src.options;
  if (opts?.delimiter) {
    if (isObj(v) || Array.isArray(v))
      throw new BuildError("delimiter option can only be used with scalar nodes");
    const parts = scalarText(v).split(opts.delimiter);
    const idx = opts.index ?? 0;
    if (idx >= parts.length || idx < 0)
      throw new BuildError(`options.index ${idx} is out of bounds for value ${scalarText(v)}`);
    return typeof v === "string" ? parts[idx] : decodePlain(parts[idx] as string);
  }
  return deepClone(v);
}

function setValue(slot: Slot, value: unknown, opts: Opts | undefined): void {
  const get = (): unknown =>
    Array.isArray(slot.holder) ? slot.holder[slot.key as number] : slot.holder[slot.key as string];
  const set = (v: unknown): void => {
    if (Array.isArray(slot.holder)) slot.holder[slot.key as number] = v;
    else slot.holder[slot.key as string] = v;
  };
  const current = get();
  const collection = isObj(value) || Array.isArray(value);
  let v = value;
  if (opts?.delimiter) {
    // A field created for a map or list value is no scalar either.
    if (isObj(current) || Array.isArray(current) || (current === undefined && collection))
      throw new BuildError("delimiter option can only be used with scalar nodes");
    const parts = current === undefined ? [""] : scalarText(current).split(opts.delimiter);
    const idx = opts.index ?? 0;
    const text = collection ? "" : scalarText(value);
    if (idx < 0) parts.unshift(text);
    else if (idx >= parts.length) parts.push(text);
    else parts[idx] = text;
    v = parts.join(opts.delimiter);
  }
  const scalarTarget = current !== undefined && !isObj(current) && !Array.isArray(current);
  if (scalarTarget) {
    // A scalar target keeps its own type; only the text changes (a collection has no text).
    const t = isObj(v) || Array.isArray(v) ? "" : scalarText(v);
    set(retyped(current, t));
  } else set(deepClone(v));
}

function tagOf(v: unknown): string {
  if (v === null) return "!!null";
  if (typeof v === "boolean") return "!!bool";
  if (typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v))) return "!!int";
  return typeof v === "number" ? "!!float" : "!!str";
}

// kyaml keeps a scalar target's tag and swaps its text, so the text must still read as that type:
// `new` cannot become an int or a null, `7` cannot become a bool.
function retyped(current: unknown, t: string): unknown {
  if (typeof current === "string") return t;
  const d = decodePlain(t);
  const want = tagOf(current);
  const got = tagOf(d);
  if (want === got || (want === "!!float" && got === "!!int")) return d;
  throw new BuildError(`cannot decode ${got} \`${t}\` as a ${want}`);
}

// kustomize looks into the first string on the path that parses as YAML; when the rest of the path
// reaches nothing in it, the plain path is tried (and fails, as it runs through a string).
function setInStructuredData(obj: Obj, parts: readonly string[], value: unknown, create: boolean): boolean {
  for (let i = 1; i < parts.length; i++) {
    const slot = find(obj, parts.slice(0, i), false)[0];
    if (slot === undefined) continue;
    const text = Array.isArray(slot.holder)
      ? slot.holder[slot.key as number]
      : slot.holder[slot.key as string];
    if (typeof text !== "string" || !parsesAsDocument(text)) continue;
    const out = setInEmbeddedText(text, parts.slice(i), value, create);
    if (out === undefined) return false;
    if (Array.isArray(slot.holder)) slot.holder[slot.key as number] = out;
    else slot.holder[slot.key as string] = out;
    return true;
  }
  return false;
}

function loadEntries(ldr: Loader, entries: readonly ReplacementEntry[]): ReplacementEntry[] {
  const out: ReplacementEntry[] = [];
  for (const e of entries) {
    if (e.path === undefined) {
      out.push(e);
      continue;
    }
    for (const doc of parseYamlStream(ldr.read(e.path), e.path)) {
      const list = Array.isArray(doc) ? doc : [doc];
      for (const item of list) {
        if (!isObj(item)) throw new BuildError(`${e.path}: a replacement must be a mapping`);
        out.push(item as ReplacementEntry);
      }
    }
  }
  return out;
}

/** Applies `replacements`. */
export function applyReplacements(ldr: Loader, rm: ResMap, entries: readonly ReplacementEntry[]): void {
  // An inline entry's empty target list is dropped on the way to kustomize's transformer (omitempty).
  if (entries.some((e) => e.path === undefined && e.targets?.length === 0))
    throw new BuildError("replacements must specify a source and at least one target");
  for (const e of loadEntries(ldr, entries)) {
    if (
      (e.source === undefined && (e as { sourceValue?: string }).sourceValue === undefined) ||
      e.targets === undefined
    ) {
      throw new BuildError("replacements must specify a source and at least one target");
    }
    const value = getValue(rm, e);
    for (const t of e.targets) {
      if (t.select === undefined) throw new BuildError("target must specify resources to select");
      const select = t.select;
      const paths = t.fieldPaths && t.fieldPaths.length > 0 ? t.fieldPaths : ["metadata.name"];
      for (const r of rm.list) {
        if (!selects(select, r)) continue;
        if ((t.reject ?? []).some((rej) => Object.values(rej).some((v) => v) && selects(rej, r))) continue;
        for (const fp of paths) {
          const create = t.options?.create === true;
          const parts = splitReplacementPath(fp);
          if (setInStructuredData(r.obj, parts, value, create)) continue;
          const slots = find(r.obj, parts, create);
          if (slots.length === 0) {
            throw new BuildError(
              create
                ? `unable to find or create field "${fp}" in replacement target`
                : `unable to find field "${fp}" in replacement target`,
            );
          }
          for (const s of slots) setValue(s, value, t.options);
        }
      }
    }
  }
}
