// Reads YAML into a SOPS tree as SOPS' YAML store does: every document a mapping, aliases expanded, scalars
// typed by go-yaml's rules, and comments placed before the entry they belong to.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Node as YamlNode,
  type Scalar as YamlScalar,
} from "yaml";
import type { Comment, MapNode, Node, Scalar } from "../tree.ts";
import { resolvePlain } from "./resolve.ts";

/** A YAML document that SOPS cannot represent (not a mapping, non-string key, syntax error). */
export class YamlShapeError extends Error {
  override name = "YamlShapeError";
}

function commentLines(text: string | null | undefined): Comment[] {
  if (!text) return [];
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((v) => ({ t: "comment", v }));
}

/**
 * go-yaml, a YAML 1.1 parser, also breaks lines at NEL, LS and PS, dropping the blanks around them in flow
 * scalars; YAML 1.2 parsers keep those as content. SOPS writes such strings single-quoted.
 */
function foldUnicodeBreaks(text: string): string {
  return /[\u0085\u2028\u2029]/.test(text) ? text.replace(/[ \t]*([\u0085\u2028\u2029])[ \t]*/g, "$1") : text;
}

const TAG_PREFIX = "tag:yaml.org,2002:";

function scalarValue(node: YamlScalar): Scalar {
  // The parser reads a `!!merge <<` scalar as a symbol.
  const text = typeof node.value === "symbol" ? (node.value.description ?? "") : String(node.value ?? "");
  const tag = node.tag?.startsWith(TAG_PREFIX) ? `!!${node.tag.slice(TAG_PREFIX.length)}` : node.tag;
  if (tag === "!!str") return { t: "str", v: text };
  if (tag === "!!binary")
    return { t: "str", v: Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8") };
  if (tag === "!!timestamp") return { t: "time", v: text };
  const quoted = node.type !== undefined && node.type !== "PLAIN";
  if (node.type === "QUOTE_SINGLE" && tag === undefined) return { t: "str", v: foldUnicodeBreaks(text) };
  if (quoted && tag === undefined) return { t: "str", v: text };
  const resolved = resolvePlain(foldUnicodeBreaks(text));
  if (resolved.t === "timestamp") return { t: "str", v: text };
  return resolved;
}

class Reader {
  private depth = 0;
  private readonly doc: Document;
  constructor(doc: Document) {
    this.doc = doc;
  }

  value(node: unknown): Node {
    if (++this.depth > 10_000) throw new YamlShapeError("aliases nest too deeply");
    try {
      if (isAlias(node)) {
        const target = node.resolve(this.doc);
        if (target === undefined) throw new YamlShapeError("alias to an unknown anchor");
        return this.value(target);
      }
      if (isScalar(node)) return scalarValue(node);
      if (isMap(node)) return this.map(node.items, node.commentBefore, node.comment);
      if (isSeq(node)) {
        const items: (Node | Comment)[] = [];
        for (const item of node.items) {
          const n = item as YamlNode;
          items.push(...commentLines(n.commentBefore));
          if (isScalar(n)) items.push(...commentLines(n.comment));
          items.push(this.value(n));
          if (!isScalar(n)) items.push(...commentLines((n as { comment?: string | null }).comment));
        }
        items.push(...commentLines(node.comment));
        return { t: "seq", items };
      }
      if (node === null || node === undefined) return { t: "null" };
      throw new YamlShapeError("unsupported YAML node");
    } finally {
      this.depth--;
    }
  }

  map(
    pairs: readonly { key: unknown; value: unknown }[],
    commentBefore?: string | null,
    comment?: string | null,
  ): MapNode {
    const items: MapNode["items"] = [...commentLines(commentBefore)];
    for (const pair of pairs) {
      const key = pair.key as YamlNode | null;
      const keyValue = key === null ? { t: "null" as const } : this.value(key);
      if (keyValue.t !== "str") throw new YamlShapeError("the document has a key that is not a string");
      items.push(...commentLines(key?.commentBefore), ...commentLines(key?.comment));
      const value = pair.value as YamlNode | null;
      if (value && isScalar(value))
        items.push(...commentLines(value.commentBefore), ...commentLines(value.comment));
      items.push({ t: "pair", key: keyValue.v, value: value === null ? { t: "null" } : this.value(value) });
    }
    items.push(...commentLines(comment));
    return { t: "map", items };
  }
}

/** Parses (possibly multi-document) YAML into one mapping per document, aliases expanded. */
export function parseYaml(text: string): MapNode[] {
  const docs = parseAllDocuments(text, {
    schema: "failsafe",
    merge: false,
    uniqueKeys: false,
    strict: false,
    prettyErrors: true,
  });
  const out: MapNode[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error)
      throw new YamlShapeError(`invalid YAML: ${error.code} at line ${error.linePos?.[0]?.line ?? "?"}`);
    const contents = doc.contents;
    const reader = new Reader(doc);
    if (contents === null || contents === undefined) {
      out.push({ t: "map", items: [...commentLines(doc.commentBefore), ...commentLines(doc.comment)] });
      continue;
    }
    if (
      isScalar(contents) &&
      (contents.value === null || contents.value === "") &&
      contents.type === "PLAIN"
    ) {
      out.push({ t: "map", items: [] });
      continue;
    }
    if (!isMap(contents)) throw new YamlShapeError("a YAML document that is not a mapping is not supported");
    const map = reader.map(contents.items, contents.commentBefore, contents.comment);
    out.push({
      t: "map",
      items: [...commentLines(doc.commentBefore), ...map.items, ...commentLines(doc.comment)],
    });
  }
  return out;
}
