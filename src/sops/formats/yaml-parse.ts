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
import type { Comment, MapNode, Node, Pair, Scalar, SeqNode } from "../tree.ts";
import { goTimestamp, resolvePlain } from "./resolve.ts";

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
  if (tag === "!!timestamp") return { t: "time", v: goTimestamp(text) ?? text };
  const quoted = node.type !== undefined && node.type !== "PLAIN";
  if (node.type === "QUOTE_SINGLE" && tag === undefined) return { t: "str", v: foldUnicodeBreaks(text) };
  if (quoted && tag === undefined) return { t: "str", v: text };
  return resolvePlain(foldUnicodeBreaks(text));
}

/** Without aliases a node takes at least a character of source; allow this many beyond that. */
const NODE_ALLOWANCE = 100_000;

/** A comment line and the column it starts at in the source. */
interface PlacedComment {
  column: number;
  comment: Comment;
}

type Collection = YamlNode & { range?: [number, number, number] | null; comment?: string | null };

class Reader {
  private depth = 0;
  /** Nodes read so far, aliases expanded: a budget against alias bombs ("billion laughs"). */
  private nodes = 0;
  private readonly aliases = new Map<object, unknown>();
  private readonly doc: Document;
  private readonly src: string;
  private readonly maxNodes: number;
  constructor(doc: Document, src: string) {
    this.doc = doc;
    this.src = src;
    this.maxNodes = NODE_ALLOWANCE + src.length;
  }

  private column(offset: number): number {
    return offset - (this.src.lastIndexOf("\n", offset - 1) + 1);
  }

  /**
   * The comments after a collection's last entry. The YAML library gives them all to the innermost
   * collection; go-yaml places each by its indentation, so keep the columns to hand the outer ones up.
   */
  private trailing(node: Collection): PlacedComment[] {
    const lines = commentLines(node.comment);
    const range = node.range;
    if (lines.length === 0) return [];
    if (range) {
      const found = this.src
        .slice(range[1], range[2])
        .split("\n")
        .flatMap((l) => {
          const m = /^([ \t]*)#/.exec(l);
          return m ? [m[1]?.length ?? 0] : [];
        });
      if (found.length === lines.length)
        return lines.map((comment, i) => ({ column: found[i] ?? 0, comment }));
    }
    return lines.map((comment) => ({ column: Number.POSITIVE_INFINITY, comment }));
  }

  /** Reads a value; comments after it that belong to an outer level come back as `escaped`. */
  read(node: unknown, leadingHandled = false): { node: Node; escaped: PlacedComment[] } {
    if (++this.depth > 10_000) throw new YamlShapeError("the document nests too deeply");
    if (++this.nodes > this.maxNodes)
      throw new YamlShapeError("the document expands to too many nodes (alias bomb?)");
    try {
      if (isAlias(node)) {
        // Resolving searches the document for the anchor: remember each alias' target.
        const target = this.aliases.get(node) ?? node.resolve(this.doc);
        this.aliases.set(node, target);
        if (target === undefined) throw new YamlShapeError("alias to an unknown anchor");
        // An alias repeats the anchored value, not the comments around it.
        return { node: this.read(target).node, escaped: [] };
      }
      if (isScalar(node)) return { node: scalarValue(node), escaped: [] };
      if (isMap(node) || isSeq(node)) {
        const own = this.column((node as Collection).range?.[0] ?? 0);
        const items: (Pair | Node | Comment)[] = leadingHandled ? [] : [...commentLines(node.commentBefore)];
        const escaped: PlacedComment[] = [];
        const keep = (placed: PlacedComment[]): void => {
          for (const p of placed) {
            if (p.column >= own) items.push(p.comment);
            else escaped.push(p);
          }
        };
        if (isMap(node)) {
          for (const pair of node.items) keep(this.pair(pair, items));
        } else {
          for (const item of node.items) {
            const n = item as YamlNode;
            // go-yaml makes the comments above an item (a "- " line) head comments of the sequence entry.
            items.push(...commentLines(n.commentBefore));
            if (isScalar(n)) items.push(...commentLines(n.comment));
            const child = this.read(n, true);
            items.push(child.node);
            keep(child.escaped);
          }
        }
        keep(this.trailing(node as Collection));
        const out = isMap(node)
          ? { t: "map" as const, items: items as MapNode["items"] }
          : { t: "seq" as const, items: items as SeqNode["items"] };
        return { node: out, escaped };
      }
      if (node === null || node === undefined) return { node: { t: "null" }, escaped: [] };
      throw new YamlShapeError("unsupported YAML node");
    } finally {
      this.depth--;
    }
  }

  private pair(pair: { key: unknown; value: unknown }, items: (Pair | Node | Comment)[]): PlacedComment[] {
    const key = pair.key as YamlNode | null;
    const keyValue = key === null ? { t: "null" as const } : this.read(key).node;
    if (keyValue.t !== "str") throw new YamlShapeError("the document has a key that is not a string");
    items.push(...commentLines(key?.commentBefore), ...commentLines(key?.comment));
    const value = pair.value as YamlNode | null;
    if (value && isScalar(value))
      items.push(...commentLines(value.commentBefore), ...commentLines(value.comment));
    const child = value === null ? { node: { t: "null" as const }, escaped: [] } : this.read(value);
    items.push({ t: "pair", key: keyValue.v, value: child.node });
    return child.escaped;
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
    const reader = new Reader(doc, text);
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
    const { node, escaped } = reader.read(contents);
    const items = node.t === "map" ? node.items : [];
    out.push({
      t: "map",
      items: [
        ...commentLines(doc.commentBefore),
        ...items,
        ...escaped.map((e) => e.comment),
        ...commentLines(doc.comment),
      ],
    });
  }
  return out;
}
