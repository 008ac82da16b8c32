// A faster reading of plain YAML: walks the `yaml` library's concrete syntax tree directly instead
// of building its document model. Anything beyond block/flow collections and scalars (anchors,
// aliases, tags, explicit keys, merge keys, duplicate keys, syntax errors) gives up, and the caller
// parses the stream the complete way instead.
import type { CST } from "yaml";
import { rawMetadataText } from "./parse.ts";
import { decodePlain } from "./scalar.ts";
import { yamlLib } from "./yaml-lib.ts";

type Token = CST.Token;
type SourceToken = CST.SourceToken;

class GiveUp extends Error {}

const giveUp = (): never => {
  throw new GiveUp();
};

function checkProps(tokens: readonly SourceToken[] | undefined): void {
  if (tokens === undefined) return;
  for (const t of tokens) {
    if (
      t.type === "anchor" ||
      t.type === "tag" ||
      t.type === "explicit-key-ind" ||
      t.type === "flow-error-end"
    )
      giveUp();
  }
}

function scalar(tok: Token): { text: string; plain: boolean } {
  if (tok.type === "alias") giveUp();
  if (tok.type === "block-scalar") checkProps(tok.props as SourceToken[]);
  const r = yamlLib().CST.resolveAsScalar(tok, true, () => giveUp());
  if (r === null) return giveUp();
  return { text: r.value, plain: r.type === "PLAIN" };
}

function isScalarToken(tok: Token): boolean {
  return (
    tok.type === "scalar" ||
    tok.type === "single-quoted-scalar" ||
    tok.type === "double-quoted-scalar" ||
    tok.type === "block-scalar"
  );
}

interface Budget {
  left: number;
  readonly text: string;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

// A block collection as a map value must start on a new line ("a: b: c" is an error).
function requireNewline(sep: readonly SourceToken[] | undefined, v: Token | undefined): void {
  if (v === undefined || (v.type !== "block-map" && v.type !== "block-seq")) return;
  if (!(sep ?? []).some((t) => t.type === "newline")) giveUp();
}

function keyOf(tok: Token | null | undefined): string {
  if (tok === null || tok === undefined) return giveUp();
  if (!isScalarToken(tok)) return giveUp();
  const { text, plain } = scalar(tok);
  if (plain && text === "<<") giveUp();
  const v = plain ? decodePlain(text) : text;
  return v === null ? "null" : String(v);
}

function value(tok: Token | undefined, path: readonly string[], budget: Budget): unknown {
  if (--budget.left < 0) giveUp();
  if (tok === undefined) return null;
  switch (tok.type) {
    case "scalar":
    case "single-quoted-scalar":
    case "double-quoted-scalar":
    case "block-scalar": {
      const { text, plain } = scalar(tok);
      return plain ? decodePlain(text) : text;
    }
    case "block-map":
      return mapping(tok.items, path, budget, true);
    case "block-seq": {
      const out: unknown[] = [];
      let col = -1;
      for (const item of tok.items) {
        checkProps(item.start);
        const ind = item.start.find((t) => t.type === "seq-item-ind");
        if (ind === undefined) giveUp();
        const c = column(budget.text, (ind as SourceToken).offset);
        if (col < 0) col = c;
        else if (c !== col) giveUp();
        out.push(value(item.value, ["-"], budget));
      }
      return out;
    }
    case "flow-collection": {
      const close = tok.start.source === "{" ? "flow-map-end" : "flow-seq-end";
      if (!tok.end.some((t) => t.type === close)) giveUp();
      if (tok.start.source === "{") return mapping(tok.items, path, budget);
      const out: unknown[] = [];
      for (const item of tok.items) {
        checkProps(item.start);
        if (item.key !== undefined || item.sep !== undefined) giveUp();
        out.push(value(item.value, ["-"], budget));
      }
      return out;
    }
    default:
      return giveUp();
  }
}

function mapping(
  items: readonly CST.CollectionItem[],
  path: readonly string[],
  budget: Budget,
  block = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let col = -1;
  const trackRaw =
    path.length === 2 && path[0] === "metadata" && (path[1] === "labels" || path[1] === "annotations");
  let raw: Map<string, string> | undefined;
  for (const item of items) {
    checkProps(item.start);
    checkProps(item.sep);
    if (item.key === undefined && item.value === undefined) continue;
    const k = keyOf(item.key);
    if (Object.hasOwn(out, k)) giveUp();
    if (block) {
      // Every key of a block mapping sits in the same column, on one line, followed by ':'.
      const c = column(budget.text, (item.key as Token).offset);
      if (col < 0) col = c;
      else if (c !== col) giveUp();
      if (!(item.sep ?? []).some((t) => t.type === "map-value-ind")) giveUp();
      const keyTok = item.key as Token;
      if ("source" in keyTok && /[\n\r]/.test(keyTok.source)) giveUp();
      requireNewline(item.sep, item.value);
    }
    const child = path.length < 2 ? [...path, k] : ["-"];
    const v = value(item.value, child, budget);
    out[k] = v;
    if (trackRaw && item.value !== undefined && isScalarToken(item.value)) {
      const { text, plain } = scalar(item.value);
      if (plain && v !== text) {
        raw ??= new Map();
        raw.set(k, text);
      }
    }
  }
  if (raw !== undefined) rawMetadataText.set(out, raw);
  return out;
}

/** Reads a stream the fast way; undefined when it needs the complete parser. */
export function fastParse(text: string, maxNodes: number): unknown[] | undefined {
  // Tabs in indentation and very long lines are left to the complete parser's checks.
  if (/(^|\n)[ ]*\t/.test(text)) return undefined;
  const out: unknown[] = [];
  const budget: Budget = { left: maxNodes, text };
  try {
    for (const tok of new (yamlLib().Parser)().parse(text)) {
      switch (tok.type) {
        case "document": {
          for (const t of tok.start)
            if (t.type !== "doc-start" && t.type !== "comment" && t.type !== "newline" && t.type !== "space")
              giveUp();
          if (tok.value === undefined) continue;
          const v = value(tok.value, [], budget);
          if (v !== null) out.push(v);
          break;
        }
        case "doc-end":
        case "comment":
        case "newline":
        case "space":
        case "byte-order-mark":
          break;
        default:
          giveUp();
      }
    }
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
  return out;
}
