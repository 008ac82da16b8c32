// Reads and writes dotenv files as SOPS' dotenv store does: KEY=value lines with `\n` escapes, `#` comments,
// and the metadata flattened into `sops_…` keys (`__map_` and `__list_N` mark nesting).

import { goRfc3339 } from "../metadata.ts";
import type { MapNode } from "../tree.ts";
import { formatFloatYaml } from "./yaml-emit.ts";

/** A dotenv file SOPS could not have written (a line without `=`, a nested value). */
export class DotenvShapeError extends Error {
  override name = "DotenvShapeError";
}

const SOPS_PREFIX = "sops_";

/** Parses a dotenv file; returns the data entries and the (unflattened) `sops_` metadata, if any. */
export function parseDotenv(text: string): { doc: MapNode; metadata: Record<string, unknown> | undefined } {
  const items: MapNode["items"] = [];
  const flat = new Map<string, string>();
  text.split("\n").forEach((line, n) => {
    if (line.length === 0) return;
    if (line.startsWith("#")) {
      items.push({ t: "comment", v: line.slice(1) });
      return;
    }
    const eq = line.indexOf("=");
    if (eq === -1) throw new DotenvShapeError(`line ${n + 1} has no '='`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).replaceAll("\\n", "\n");
    if (key.startsWith(SOPS_PREFIX)) flat.set(key.slice(SOPS_PREFIX.length), value);
    else items.push({ t: "pair", key, value: { t: "str", v: value } });
  });
  return { doc: { t: "map", items }, metadata: flat.size > 0 ? unflatten(flat) : undefined };
}

type Token = { map: string } | { list: number };

function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  const re = /__(map|list)_/g;
  let last = 0;
  let kind: "map" | "list" = "map";
  for (let m = re.exec(path); m; m = re.exec(path)) {
    const part = path.slice(last, m.index);
    tokens.push(kind === "map" ? { map: part } : { list: Number.parseInt(part, 10) || 0 });
    kind = m[1] === "map" ? "map" : "list";
    last = m.index + m[0].length;
  }
  const part = path.slice(last);
  tokens.push(kind === "map" ? { map: part } : { list: Number.parseInt(part, 10) || 0 });
  return tokens;
}

type Container = Record<string, unknown> | unknown[];

function unflatten(flat: Map<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of flat) {
    const tokens = tokenize(path);
    let current: Container = root;
    tokens.forEach((token, i) => {
      const next = tokens[i + 1];
      const slot = "map" in token ? token.map : token.list;
      const get = (): unknown => (Array.isArray(current) ? current[slot as number] : current[slot as string]);
      const set = (v: unknown): void => {
        if (Array.isArray(current)) current[slot as number] = v;
        else current[slot as string] = v;
      };
      if (next === undefined) {
        set(value);
        return;
      }
      let child = get();
      if ("map" in next) {
        if (typeof child !== "object" || child === null || Array.isArray(child)) {
          child = {};
          set(child);
        }
      } else if (!Array.isArray(child)) {
        child = [];
        set(child);
      }
      current = child as Container;
    });
  }
  return root;
}

function valueText(node: MapNode["items"][number] & { t: "pair" }): string {
  const v = node.value;
  switch (v.t) {
    case "str":
      return v.v.replaceAll("\n", "\\n");
    case "int":
      return v.v.toString();
    case "float": {
      const g = formatFloatYaml(v.v).replace("e", "E");
      if (!Number.isFinite(v.v)) return Number.isNaN(v.v) ? "NaN" : v.v > 0 ? "+Inf" : "-Inf";
      return g.includes(".") || g.includes("E") ? g : `${g}.0`;
    }
    case "bool":
      return v.v ? "true" : "false";
    case "time":
      return goRfc3339(v.v) ?? v.v;
    case "null":
      return "<nil>";
    default:
      throw new DotenvShapeError(`key '${node.key}' has a nested value, which dotenv cannot hold`);
  }
}

/** Writes entries as `sops -d` writes dotenv. */
export function emitDotenv(doc: MapNode): string {
  let out = "";
  for (const item of doc.items) {
    if (item.t === "comment") out += `#${item.v}\n`;
    else out += `${item.key}=${valueText(item)}\n`;
  }
  return out;
}
