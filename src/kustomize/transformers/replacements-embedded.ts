// Replacement targets inside YAML or JSON text held by a string field (`data.[config.yaml].server.host`),
// which kustomize supports since v5.8: the text is edited as a document (comments, key order and styles
// kept) and written back as YAML, or as JSON when it starts with `{` or `[`.
import type { Document, YAMLMap, YAMLSeq, Node as YamlNode } from "yaml";
import { isObj, type Obj } from "../resource.ts";
import { decodePlain } from "../yaml/scalar.ts";
import { yamlLib } from "../yaml/yaml-lib.ts";

interface Slot {
  readonly parent: YAMLMap | YAMLSeq;
  readonly key: unknown;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : String(v);
}

function valueText(v: unknown): string {
  return isObj(v) || Array.isArray(v) ? "" : text(v);
}

// The nodes a path reaches inside the document, as kyaml's PathMatcher finds them; with `create`,
// missing map fields and list elements named by `[k=v]` are made on the way.
function find(doc: Document, root: unknown, parts: readonly string[], create: boolean): Slot[] {
  const Y = yamlLib();
  const out: Slot[] = [];
  const walk = (node: unknown, i: number, slot: Slot | undefined): void => {
    if (i === parts.length) {
      if (slot !== undefined) out.push(slot);
      return;
    }
    const part = parts[i] as string;
    const last = i + 1 === parts.length;
    const fresh = (): YamlNode | null =>
      last ? null : doc.createNode((parts[i + 1] as string).startsWith("[") ? [] : {});
    if (Y.isSeq(node)) {
      if (part.startsWith("[") && part.endsWith("]") && part.includes("=")) {
        const eq = part.indexOf("=");
        const k = part.slice(1, eq);
        const v = part.slice(eq + 1, -1);
        let found = false;
        node.items.forEach((item, j) => {
          const hit =
            k === ""
              ? Y.isScalar(item) && text(item.value) === v
              : Y.isMap(item) && Y.isScalar(item.get(k, true)) && text(item.get(k)) === v;
          if (hit) {
            found = true;
            walk(item, i + 1, { parent: node, key: j });
          }
        });
        if (!found && create && !last) {
          const el = doc.createNode(k === "" ? {} : { [k]: v });
          node.items.push(el);
          walk(el, i + 1, { parent: node, key: node.items.length - 1 });
        }
      } else if (/^\d+$/.test(part) && Number(part) < node.items.length) {
        walk(node.items[Number(part)], i + 1, { parent: node, key: Number(part) });
      }
      return;
    }
    if (!Y.isMap(node)) return;
    const pair = node.items.find((p) => Y.isScalar(p.key) && text(p.key.value) === part);
    const child = pair?.value;
    if (pair === undefined || child === null || (Y.isScalar(child) && child.value === null)) {
      if (!create) return;
      const made = fresh();
      if (pair !== undefined) pair.value = made;
      else node.items.push(doc.createPair(part, made) as (typeof node.items)[number]);
      walk(made, i + 1, { parent: node, key: part });
      return;
    }
    walk(child, i + 1, { parent: node, key: pair.key });
  };
  walk(root, 0, undefined);
  return out;
}

// Go's encoding/json: map keys sorted, and <, >, &, U+2028 and U+2029 escaped.
function goJson(v: unknown, pretty: boolean): string {
  const sorted = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sorted);
    if (!isObj(x)) return typeof x === "bigint" ? Number(x) : x;
    const out: Obj = {};
    for (const k of Object.keys(x).sort()) out[k] = sorted(x[k]);
    return out;
  };
  return JSON.stringify(sorted(v), null, pretty ? 2 : undefined).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Whether kustomize reads this string as a document to look into: it parses as YAML. (Only a map or
 * a list has fields; any other document makes kustomize fall back to the plain path, which fails.)
 */
export function parsesAsDocument(source: string): boolean {
  const doc = yamlLib().parseDocument(source);
  return doc.errors.length === 0;
}

/**
 * Sets the fields `parts` reach inside the document `source` to value and returns the new text, or
 * undefined when the text is no map or list or the path reaches nothing there. A scalar keeps its type
 * and style and takes the value's text; anything else is replaced by the value.
 */
export function setInEmbeddedText(
  source: string,
  parts: readonly string[],
  value: unknown,
  create: boolean,
): string | undefined {
  const Y = yamlLib();
  const doc = Y.parseDocument(source);
  if (doc.errors.length > 0 || !(Y.isMap(doc.contents) || Y.isSeq(doc.contents))) return undefined;
  const slots = find(doc, doc.contents, parts, create);
  if (slots.length === 0) return undefined;
  for (const s of slots) {
    const current = s.parent.get(s.key, true);
    if (Y.isScalar(current) && current.value !== null) {
      const t = valueText(value);
      const decoded = typeof current.value === "string" ? t : decodePlain(t);
      current.value = typeof decoded === "bigint" ? Number(decoded) : decoded;
    } else {
      s.parent.set(s.key, doc.createNode(value));
    }
  }
  const first = source.trim()[0];
  if (first === "{" || first === "[")
    return goJson(doc.toJS(), source.includes("\n") && source.includes("  "));
  return doc.toString({ indent: 2, indentSeq: false, lineWidth: 0, flowCollectionPadding: false }).trim();
}
