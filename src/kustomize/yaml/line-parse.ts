// The fastest reading of YAML: one pass over the lines, for the YAML that manifests and kustomizations
// are nearly always written in (block mappings and sequences, one-line plain and quoted scalars, literal
// block scalars, one-line flow sequences of scalars, empty flow collections). Whatever it does not know
// for sure (anchors, tags, folded or multi-line scalars, flow mappings, escapes beyond the common ones,
// unusual indentation, tabs, CR, control characters, directives) gives up, and the caller reads the
// stream with the syntax-tree reader (fast-parse.ts) or the complete parser, which also report errors.
import { rawMetadataText } from "./parse.ts";
import { decodePlain } from "./scalar.ts";

class GiveUp extends Error {}

// One instance: giving up is common enough that capturing a stack each time would show.
const GIVE_UP = new GiveUp("line reader gives up");

const giveUp = (): never => {
  throw GIVE_UP;
};

// Characters that make the reader give up wherever they appear.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its purpose
const UNSUPPORTED_CHARS = /[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

// Characters a plain scalar may not start with (YAML's indicators), besides "-", "?" and ":".
const INDICATOR_START = /^[,[\]{}#&*!|>'"%@`]/;

// Plain keys the reader leaves to the parsers: starting with an indicator, holding flow indicators or
// " #", ending in a space, or the merge key "<<".
const BAD_PLAIN_KEY = /^[-?:,[\]{}#&*!|>'"%@`<]|[[\]{},]| #| $/;

const SPACE = 32;

function leadingSpaces(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === SPACE) n++;
  return n;
}

// What may follow a scalar on its line: nothing, spaces, or spaces and a comment.
function checkTrailer(text: string, from: number): void {
  let j = from;
  while (text.charCodeAt(j) === SPACE) j++;
  if (j === text.length) return;
  if (j > from && text[j] === "#") return;
  giveUp();
}

interface Quoted {
  readonly value: string;
  /** Index just past the closing quote. */
  readonly end: number;
}

// A quoted scalar that opens at text[start] and closes on the same line.
function quoted(text: string, start: number): Quoted {
  const q = text[start];
  let out = "";
  let from = start + 1;
  if (q === "'") {
    for (;;) {
      const j = text.indexOf("'", from);
      if (j < 0) return giveUp();
      out += text.slice(from, j);
      if (text[j + 1] === "'") {
        out += "'";
        from = j + 2;
        continue;
      }
      return { value: out, end: j + 1 };
    }
  }
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '"') return { value: out + text.slice(from, j), end: j + 1 };
    if (c !== "\\") continue;
    out += text.slice(from, j);
    const e = text[j + 1];
    if (e === "\\" || e === '"' || e === "/") out += e;
    else if (e === "n") out += "\n";
    else if (e === "t") out += "\t";
    else giveUp();
    j++;
    from = j + 1;
  }
  return giveUp();
}

interface Entry {
  readonly key: string;
  /** Offset in the line's text where the value starts (after ":" and spaces). */
  readonly rest: number;
}

// The key of a "key: value" line, or undefined when the text is not a mapping entry.
function entry(text: string): Entry | undefined {
  let keyEnd: number;
  let key: string;
  const c = text[0];
  if (c === '"' || c === "'") {
    const q = quoted(text, 0);
    keyEnd = q.end;
    while (text.charCodeAt(keyEnd) === SPACE) keyEnd++;
    if (text[keyEnd] !== ":") return undefined;
    key = q.value;
  } else {
    keyEnd = -1;
    for (let from = 0; ; ) {
      const j = text.indexOf(":", from);
      if (j < 0) return undefined;
      if (j + 1 === text.length || text.charCodeAt(j + 1) === SPACE) {
        keyEnd = j;
        break;
      }
      from = j + 1;
    }
    const plain = text.slice(0, keyEnd);
    if (plain === "" || BAD_PLAIN_KEY.test(plain)) return giveUp();
    const v = decodePlain(plain);
    key = v === null ? "null" : String(v);
  }
  if (keyEnd > 1000) giveUp();
  let rest = keyEnd + 1;
  if (rest < text.length && text.charCodeAt(rest) !== SPACE) giveUp();
  while (text.charCodeAt(rest) === SPACE) rest++;
  return { key, rest };
}

const isDash = (text: string): boolean => text === "-" || text.startsWith("- ");

class Reader {
  readonly lines: string[];
  /** Number of lines (a final newline does not start one more). */
  readonly end: number;
  readonly endsWithNewline: boolean;
  budget: number;
  /** The current line. */
  i = 0;
  /** Whether indent and text hold the current line (or the part of it still to read). */
  held = false;
  indent = 0;
  text = "";
  /** The source text of the last scalar read when it was plain, else undefined. */
  lastPlain: string | undefined;

  constructor(text: string, maxNodes: number) {
    this.lines = text.split("\n");
    this.endsWithNewline = text.endsWith("\n");
    this.end = this.endsWithNewline ? this.lines.length - 1 : this.lines.length;
    this.budget = maxNodes;
  }

  // Holds the next line with content (not blank, not a comment); false at the end of the stream.
  peek(): boolean {
    if (this.held) return true;
    while (this.i < this.end) {
      const line = this.lines[this.i] as string;
      const n = leadingSpaces(line);
      if (n === line.length || line.charCodeAt(n) === 35) {
        this.i++;
        continue;
      }
      this.indent = n;
      this.text = n === 0 ? line : line.slice(n);
      this.held = true;
      return true;
    }
    return false;
  }

  next(): void {
    this.i++;
    this.held = false;
  }

  // A document marker at the current line ("---" alone; anything else there gives up).
  atMarker(): boolean {
    if (this.indent !== 0) return false;
    const t = this.text;
    if (t.startsWith("---") || t.startsWith("...") || t[0] === "%") {
      if (t.trimEnd() !== "---") giveUp();
      return true;
    }
    return false;
  }

  count(): void {
    if (--this.budget < 0) giveUp();
  }

  stream(): unknown[] {
    const out: unknown[] = [];
    while (this.peek()) {
      if (this.atMarker()) {
        this.next();
        continue;
      }
      if (this.indent !== 0) giveUp();
      const v = this.block(-1, [], false);
      if (this.peek() && !this.atMarker()) giveUp();
      if (v !== null) out.push(v);
    }
    return out;
  }

  // The collection below a key or dash, or null when nothing more indented follows.
  block(parent: number, path: readonly string[], sameIndentSeq: boolean): unknown {
    if (!this.peek() || this.atMarker()) return null;
    if (this.indent > parent) {
      if (isDash(this.text)) return this.sequence(this.indent);
      return this.mapping(this.indent, path);
    }
    if (this.indent === parent && sameIndentSeq && isDash(this.text)) return this.sequence(this.indent);
    return null;
  }

  // first: the entry of the current line, when the caller has read it already.
  mapping(indent: number, path: readonly string[], first?: Entry): Record<string, unknown> {
    this.count();
    const out: Record<string, unknown> = {};
    const trackRaw =
      path.length === 2 && path[0] === "metadata" && (path[1] === "labels" || path[1] === "annotations");
    let raw: Map<string, string> | undefined;
    while (this.peek() && !this.atMarker()) {
      if (this.indent < indent) break;
      if (this.indent > indent) giveUp();
      const text = this.text;
      if (isDash(text)) break;
      const e = first ?? entry(text);
      first = undefined;
      if (e === undefined) return giveUp();
      const k = e.key;
      if (Object.hasOwn(out, k) || k === "__proto__") giveUp();
      this.next();
      const v = this.value(text.slice(e.rest), indent, path.length < 2 ? [...path, k] : ["-"], true);
      out[k] = v;
      if (trackRaw && this.lastPlain !== undefined && v !== this.lastPlain) {
        raw ??= new Map();
        raw.set(k, this.lastPlain);
      }
    }
    if (raw !== undefined) rawMetadataText.set(out, raw);
    return out;
  }

  sequence(indent: number): unknown[] {
    this.count();
    const out: unknown[] = [];
    while (this.peek() && !this.atMarker()) {
      if (this.indent < indent) break;
      if (this.indent > indent) giveUp();
      const text = this.text;
      if (!isDash(text)) break;
      let r = 1;
      while (text.charCodeAt(r) === SPACE) r++;
      const rest = text.slice(r);
      const col = indent + r;
      const e = rest !== "" && rest[0] !== "#" && rest[0] !== "-" ? entry(rest) : undefined;
      if (e !== undefined) {
        // "- key: value": a mapping whose keys line up with this key.
        this.indent = col;
        this.text = rest;
        out.push(this.mapping(col, ["-"], e));
        continue;
      }
      this.next();
      out.push(this.value(rest, indent, ["-"], false));
    }
    return out;
  }

  // The value after "key:" or "-" (rest; the line is already consumed) of a key or dash at column parent.
  value(rest: string, parent: number, path: readonly string[], inMap: boolean): unknown {
    this.count();
    this.lastPlain = undefined;
    if (rest === "" || rest[0] === "#") {
      const v = this.block(parent, path, inMap);
      // Nothing below: the complete parser reads an empty plain scalar here.
      this.lastPlain = v === null ? "" : undefined;
      return v;
    }
    const c = rest[0];
    if (c === '"' || c === "'") {
      const q = quoted(rest, 0);
      checkTrailer(rest, q.end);
      return q.value;
    }
    if (c === "|") return this.literal(rest, parent);
    if (c === "[") return this.flowSequence(rest);
    if (c === "{") {
      if (rest[1] !== "}") giveUp();
      checkTrailer(rest, 2);
      return {};
    }
    if (INDICATOR_START.test(rest)) return giveUp();
    if ((c === "-" || c === "?" || c === ":") && (rest.length === 1 || rest.charCodeAt(1) === SPACE)) {
      return giveUp();
    }
    if (c === "?" || c === ":") giveUp();
    const hash = rest.indexOf(" #");
    const text = (hash < 0 ? rest : rest.slice(0, hash)).trimEnd();
    if (text.includes(": ") || text.endsWith(":")) giveUp();
    this.lastPlain = text;
    return decodePlain(text);
  }

  // A literal block scalar ("|", "|-", "|+") whose header is rest; its lines follow the current line.
  literal(header: string, parent: number): string {
    const chomp = header[1] === "-" || header[1] === "+" ? header[1] : "";
    checkTrailer(header, chomp === "" ? 1 : 2);
    const lines = this.lines;
    let j = this.i;
    const first = lines[j];
    if (j >= this.end || first === undefined) return giveUp();
    const n = leadingSpaces(first);
    // Leading empty lines and an empty scalar have rules of their own: leave them to the parsers.
    if (n === first.length || n <= parent) return giveUp();
    const body: string[] = [];
    let blanks = 0;
    for (; j < this.end; j++) {
      const line = lines[j] as string;
      const s = leadingSpaces(line);
      if (s === line.length) {
        if (s > n) giveUp();
        blanks++;
        continue;
      }
      if (s < n) break;
      for (; blanks > 0; blanks--) body.push("");
      body.push(line.slice(n));
    }
    if (j === this.end && !this.endsWithNewline) giveUp();
    this.i = j;
    this.held = false;
    const text = body.join("\n");
    if (chomp === "-") return text;
    if (chomp === "+") return `${text}\n${"\n".repeat(blanks)}`;
    return `${text}\n`;
  }

  // A one-line flow sequence of scalars: "[]", "[a, 'b', "c"]".
  flowSequence(rest: string): unknown[] {
    const out: unknown[] = [];
    let j = 1;
    while (rest.charCodeAt(j) === SPACE) j++;
    if (rest[j] === "]") {
      checkTrailer(rest, j + 1);
      return out;
    }
    for (;;) {
      while (rest.charCodeAt(j) === SPACE) j++;
      const c = rest[j];
      if (c === '"' || c === "'") {
        const q = quoted(rest, j);
        this.count();
        out.push(q.value);
        j = q.end;
      } else {
        let k = j;
        while (k < rest.length && rest[k] !== "," && rest[k] !== "]") k++;
        const text = rest.slice(j, k).trimEnd();
        if (
          text === "" ||
          INDICATOR_START.test(text) ||
          /^[-?:]/.test(text) ||
          /[[\]{}]|: | #|:$/.test(text)
        ) {
          giveUp();
        }
        this.count();
        out.push(decodePlain(text));
        j = k;
      }
      while (rest.charCodeAt(j) === SPACE) j++;
      if (rest[j] === "]") {
        checkTrailer(rest, j + 1);
        return out;
      }
      if (rest[j] !== ",") giveUp();
      j++;
      while (rest.charCodeAt(j) === SPACE) j++;
      if (rest[j] === "]" || j >= rest.length) giveUp();
    }
  }
}

/** Reads a stream line by line; undefined when it needs one of the other readers. */
export function lineParse(text: string, maxNodes: number): unknown[] | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  try {
    return new Reader(text, maxNodes).stream();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}
