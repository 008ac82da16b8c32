// Reads YAML streams into plain values with go-yaml v3's scalar rules (what kustomize decodes with),
// bounded against alias bombs and oversized input.
import type { Node, Scalar } from "yaml";
import { fastParse } from "./fast-parse.ts";
import { lineParse } from "./line-parse.ts";
import { decodePlain } from "./scalar.ts";
import { yamlLib } from "./yaml-lib.ts";

/** A YAML document could not be read; `file` names where it came from. */
export class YamlError extends Error {
  override name = "YamlError";
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

/** Limits that keep a hostile document from exhausting memory. */
export interface ParseLimits {
  /** Values produced per document, counting alias expansions. */
  readonly maxNodes: number;
}

const DEFAULT_LIMITS: ParseLimits = { maxNodes: 2_000_000 };

/**
 * The source text of plain scalars under `metadata.labels` and `metadata.annotations` that decoded to
 * something other than a string: kustomize rewrites those maps as strings of the original text.
 */
export const rawMetadataText = new WeakMap<object, Map<string, string>>();

interface Ctx {
  budget: number;
  readonly file: string;
  readonly resolving: Set<Node>;
}

function convert(node: unknown, ctx: Ctx, path: readonly string[]): unknown {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  if (--ctx.budget < 0) throw new YamlError(ctx.file, "document too large or too many alias expansions");
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    throw new YamlError(ctx.file, "unresolved alias");
  }
  if (isScalar(node)) return scalarValue(node);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const trackRaw =
      path.length === 2 && path[0] === "metadata" && (path[1] === "labels" || path[1] === "annotations");
    let raw: Map<string, string> | undefined;
    for (const pair of node.items) {
      const keyNode = pair.key;
      const key = keyNode === null ? null : isScalar(keyNode) ? scalarValue(keyNode) : undefined;
      if (key === undefined) throw new YamlError(ctx.file, "mapping keys must be scalars");
      if (key === "<<" && isScalar(keyNode) && keyNode.type === "PLAIN") {
        mergeInto(out, pair.value, ctx);
        continue;
      }
      const k = key === null ? "null" : String(key);
      const childPath = path.length < 2 ? [...path, k] : path;
      const value = convert(pair.value, ctx, path.length < 2 ? childPath : ["-"]);
      out[k] = value;
      if (trackRaw && isScalar(pair.value) && value !== String(pair.value.value)) {
        raw ??= new Map();
        raw.set(k, String(pair.value.value));
      }
    }
    if (raw !== undefined) rawMetadataText.set(out, raw);
    return out;
  }
  if (isSeq(node)) return node.items.map((item) => convert(item, ctx, ["-"]));
  throw new YamlError(ctx.file, "unsupported YAML node");
}

function mergeInto(out: Record<string, unknown>, value: unknown, ctx: Ctx): void {
  const merged = convert(value, ctx, ["-"]);
  const sources = Array.isArray(merged) ? merged : [merged];
  for (const src of sources) {
    if (src === null || typeof src !== "object" || Array.isArray(src)) {
      throw new YamlError(ctx.file, "map merge requires map or sequence of maps as the value");
    }
    for (const [k, v] of Object.entries(src)) if (!(k in out)) out[k] = v;
  }
}

function scalarValue(node: Scalar): unknown {
  const v = node.value;
  if (node.tag === "tag:yaml.org,2002:str" || node.tag === "!!str") return String(v ?? "");
  if (node.type === "PLAIN" || node.type === undefined) {
    const text = typeof v === "string" ? v : String(v ?? "");
    if (node.tag === "tag:yaml.org,2002:int" || node.tag === "!!int") return decodePlain(text);
    return decodePlain(text);
  }
  return typeof v === "string" ? v : String(v ?? "");
}

/**
 * Parses a multi-document YAML stream; empty documents are dropped. The readers are tried from the
 * fastest (line by line) to the complete one; each leaves to the next what it does not read for sure.
 */
export function parseYamlStream(text: string, file: string, limits: ParseLimits = DEFAULT_LIMITS): unknown[] {
  return (
    lineParse(text, limits.maxNodes) ??
    fastParse(text, limits.maxNodes) ??
    parseYamlStreamComplete(text, file, limits)
  );
}

/**
 * Parses with the `yaml` library's full document model (errors, anchors, tags, merge keys). With
 * `uniqueKeys` false a repeated key takes the last value, as sigs.k8s.io/yaml reads kustomization files.
 */
export function parseYamlStreamComplete(
  text: string,
  file: string,
  limits: ParseLimits = DEFAULT_LIMITS,
  uniqueKeys = true,
): unknown[] {
  const docs = yamlLib().parseAllDocuments(text, {
    schema: "failsafe",
    uniqueKeys,
    merge: false,
    keepSourceTokens: false,
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: unknown[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err !== undefined) throw new YamlError(file, yamlMessage(err.message));
    if (doc.contents === null) continue;
    const resolved = resolveAliases(doc.contents as Node, new Map(), {
      budget: limits.maxNodes,
      file,
      resolving: new Set(),
    });
    const value = convert(resolved, { budget: limits.maxNodes, file, resolving: new Set() }, []);
    if (value === null) continue;
    out.push(value);
  }
  return out;
}

function yamlMessage(m: string): string {
  return m.split("\n")[0] ?? m;
}

// Replaces aliases by their anchored nodes (sharing structure), counting expansions against the budget.
function resolveAliases(node: Node, anchors: Map<string, Node>, ctx: Ctx): Node {
  const { isAlias, isMap, isSeq } = yamlLib();
  if (--ctx.budget < 0) throw new YamlError(ctx.file, "too many alias expansions");
  if (isAlias(node)) {
    const target = anchors.get(node.source);
    if (target === undefined) throw new YamlError(ctx.file, `unknown anchor '${node.source}' referenced`);
    return target;
  }
  if (node.anchor !== undefined) anchors.set(node.anchor, node);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (pair.value !== null && typeof pair.value === "object")
        pair.value = resolveAliases(pair.value as Node, anchors, ctx);
    }
  } else if (isSeq(node)) {
    node.items = node.items.map((item) =>
      item !== null && typeof item === "object" ? resolveAliases(item as Node, anchors, ctx) : item,
    );
  }
  return node;
}
