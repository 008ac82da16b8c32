// Reads and writes JSON as SOPS' JSON store does: key order and duplicate keys kept, every number a float,
// output indented with tabs and strings escaped as Go's encoding/json escapes them.

import type { MapNode, Node, Scalar } from "../tree.ts";

/** Input that is not one JSON object. */
export class JsonShapeError extends Error {
  override name = "JsonShapeError";
}

class Parser {
  private i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  private fail(what: string): never {
    throw new JsonShapeError(`invalid JSON at offset ${this.i}: ${what}`);
  }

  private ws(): void {
    while (this.i < this.s.length && " \t\r\n".includes(this.s[this.i] ?? "")) this.i++;
  }

  document(): MapNode {
    this.ws();
    if (this.s[this.i] !== "{") this.fail("expected a JSON object");
    const node = this.object();
    this.ws();
    return node;
  }

  private value(depth: number): Node {
    if (depth > 10_000) this.fail("nesting too deep");
    this.ws();
    const c = this.s[this.i];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return { t: "str", v: this.string() };
    if (this.s.startsWith("true", this.i)) {
      this.i += 4;
      return { t: "bool", v: true };
    }
    if (this.s.startsWith("false", this.i)) {
      this.i += 5;
      return { t: "bool", v: false };
    }
    if (this.s.startsWith("null", this.i)) {
      this.i += 4;
      return { t: "null" };
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail("unexpected character");
    this.i += m[0].length;
    return { t: "float", v: Number(m[0]) };
  }

  private object(depth = 0): MapNode {
    this.i++;
    const items: MapNode["items"] = [];
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return { t: "map", items };
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail("expected an object key");
      const key = this.string();
      this.ws();
      if (this.s[this.i] !== ":") this.fail("expected ':'");
      this.i++;
      items.push({ t: "pair", key, value: this.value(depth + 1) });
      this.ws();
      const c = this.s[this.i++];
      if (c === "}") return { t: "map", items };
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }

  private array(depth: number): Node {
    this.i++;
    const items: Node[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return { t: "seq", items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === "]") return { t: "seq", items };
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) this.fail("unterminated string");
      if (c === "\\") this.i += 2;
      else if (c === '"') break;
      else this.i++;
    }
    this.i++;
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string;
    } catch {
      return this.fail("invalid string");
    }
  }
}

/** Parses a JSON document whose top level is an object, keeping key order and duplicates. */
export function parseJson(text: string): MapNode {
  return new Parser(text).document();
}

/** Escapes a string as Go's json.Marshal does (HTML characters and line separators escaped too). */
export function goJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] ?? "";
    const code = s.charCodeAt(i);
    if (c === '"' || c === "\\") out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "\b") out += "\\b";
    else if (c === "\f") out += "\\f";
    else if (code < 0x20 || c === "<" || c === ">" || c === "&" || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += c + s[i + 1];
        i++;
      } else out += "\\ufffd";
    } else out += c;
  }
  return `${out}"`;
}

/** Formats a float as Go's encoding/json does. */
export function goJsonFloat(v: number): string {
  if (!Number.isFinite(v)) throw new JsonShapeError("a float that is not finite cannot be written as JSON");
  // JavaScript switches to exponents at the same magnitudes as Go, and writes them the same way.
  return Object.is(v, -0) ? "-0" : String(v);
}

function scalarJson(s: Scalar): string {
  switch (s.t) {
    case "str":
    case "time":
      return goJsonString(s.v);
    case "int":
      return s.v.toString();
    case "float":
      return goJsonFloat(s.v);
    case "bool":
      return s.v ? "true" : "false";
    case "null":
      return "null";
  }
}

function emit(node: Node, indent: string): string {
  if (node.t === "map") {
    const pairs = node.items.flatMap((i) => (i.t === "pair" ? [i] : []));
    if (pairs.length === 0) return "{}";
    const inner = `${indent}\t`;
    return `{\n${pairs.map((p) => `${inner}${goJsonString(p.key)}: ${emit(p.value, inner)}`).join(",\n")}\n${indent}}`;
  }
  if (node.t === "seq") {
    const items = node.items.flatMap((i) => (i.t === "comment" ? [] : [i]));
    if (items.length === 0) return "[]";
    const inner = `${indent}\t`;
    return `[\n${items.map((i) => inner + emit(i, inner)).join(",\n")}\n${indent}]`;
  }
  return scalarJson(node);
}

/** Writes a document as `sops -d` writes JSON: tab-indented, comments dropped, trailing newline. */
export function emitJson(doc: MapNode): string {
  return `${emit(doc, "")}\n`;
}
