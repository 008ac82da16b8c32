// Writes a SOPS tree as YAML the way `sops -d` does: go-yaml v3's emitter with an indent of 4, block style,
// comments as head comments, and go-yaml's rules for when and how strings are quoted.

import { type Comment, type MapNode, type Node, type Scalar, shortestDigits } from "../tree.ts";
import { canBePlainString } from "./resolve.ts";

const BEST_INDENT = 4;

/** Formats a float as Go's strconv.FormatFloat(v, 'g', -1, 64), then go-yaml's spellings of inf and nan. */
export function formatFloatYaml(v: number): string {
  if (Number.isNaN(v)) return ".nan";
  if (v === Number.POSITIVE_INFINITY) return ".inf";
  if (v === Number.NEGATIVE_INFINITY) return "-.inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const { negative, digits, exp } = shortestDigits(v);
  let out: string;
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, "0");
    out = `${mantissa}e${exp < 0 ? "-" : "+"}${e}`;
  } else if (exp < 0) out = `0.${"0".repeat(-exp - 1)}${digits}`;
  else if (exp + 1 >= digits.length) out = digits + "0".repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return negative ? `-${out}` : out;
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}
const isBreak = (c: string | undefined): boolean =>
  c === "\n" || c === "\r" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isSpace = (c: string | undefined): boolean => c === " ";
const isBlankz = (c: string | undefined): boolean =>
  c === undefined || c === " " || c === "\t" || isBreak(c) || c === "\0";

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** go-yaml's yaml_emitter_analyze_scalar, for block context. */
function analyze(value: string): Analysis {
  if (value === "")
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const chars = Array.from(value);
  let blockIndicators = value.startsWith("---") || value.startsWith("...");
  let specialCharacters = false;
  let tabCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? "";
    const followedByWhitespace = isBlankz(chars[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      if ((c === "?" || c === ":") && followedByWhitespace) blockIndicators = true;
      if (c === "-" && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ":" && followedByWhitespace) blockIndicators = true;
      if (c === "#" && precededByWhitespace) blockIndicators = true;
    }
    const cp = c.codePointAt(0) ?? 0;
    if (c === "\t") tabCharacters = true;
    else if (!isPrintable(cp)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || tabCharacters || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = "plain" | "single" | "double" | "literal";

function selectStyle(value: string, simpleKey: boolean): Style {
  let style: Style;
  if (value.includes("\n")) style = "literal";
  else if (canBePlainString(value)) style = "plain";
  else style = "double";
  const a = analyze(value);
  if (simpleKey && a.multiline) return "double";
  if (style === "plain") {
    if (!a.blockPlainAllowed || (value === "" && simpleKey)) style = "single";
  }
  if (style === "single" && !a.singleQuotedAllowed) style = "double";
  if (style === "literal" && (!a.blockAllowed || simpleKey)) style = "double";
  return style;
}

const ESCAPES: Record<string, string> = {
  "\0": "0",
  "\x07": "a",
  "\b": "b",
  "\t": "t",
  "\n": "n",
  "\x0b": "v",
  "\f": "f",
  "\r": "r",
  "\x1b": "e",
  '"': '"',
  "\\": "\\",
  "\u0085": "N",
  "\u00a0": "_",
  "\u2028": "L",
  "\u2029": "P",
};

function doubleQuoted(value: string): string {
  let out = '"';
  for (const c of value) {
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(c) || c === '"' || c === "\\") {
      const e = ESCAPES[c];
      if (e !== undefined) out += `\\${e}`;
      else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`;
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
      else out += `\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`;
    } else out += c;
  }
  return `${out}"`;
}

function literal(value: string, indent: number): string {
  let header = "|";
  if (value.startsWith(" ") || isBreak(value[0])) header += String(BEST_INDENT);
  const last = value.length - 1;
  if (!isBreak(value[last])) header += "-";
  else if (last === 0 || isBreak(value[last - 1])) header += "+";
  // Like go-yaml: a line break ends a line, the next character starts an indented one; empty lines stay empty.
  let out = `${header}\n`;
  let afterBreak = true;
  for (const c of value) {
    if (isBreak(c)) {
      out += c;
      afterBreak = true;
      continue;
    }
    if (afterBreak) out += " ".repeat(indent);
    afterBreak = false;
    out += c;
  }
  return out;
}

/** go-yaml writes a line separator (U+2028/U+2029) inside single quotes as a line break, then indents. */
function singleQuoted(value: string, indent: number): string {
  let out = "'";
  let afterBreak = false;
  for (const c of value) {
    if (isBreak(c)) {
      out += c;
      afterBreak = true;
      continue;
    }
    if (afterBreak) out += " ".repeat(indent);
    afterBreak = false;
    out += c === "'" ? "''" : c;
  }
  return `${out}'`;
}

/** Writes a string scalar; `indent` is where block scalar lines go. */
function stringScalar(value: string, indent: number, simpleKey: boolean): string {
  switch (selectStyle(value, simpleKey)) {
    case "plain":
      // SOPS re-parses each encoded value, and the parser reads a plain `<<` as a merge key.
      return value === "<<" ? "!!merge <<" : value;
    case "single":
      return singleQuoted(value, indent);
    case "double":
      return doubleQuoted(value);
    case "literal":
      return literal(value, indent);
  }
}

function scalarText(s: Scalar, indent: number): string {
  switch (s.t) {
    case "str":
      return stringScalar(s.v, indent, false);
    case "int":
      return s.v.toString();
    case "float":
      return formatFloatYaml(s.v);
    case "bool":
      return s.v ? "true" : "false";
    case "time":
      return s.v;
    case "null":
      return "null";
  }
}

/** Where a nested block goes: past "- " inside a sequence item, else the next multiple of the indent. */
function nextIndent(indent: number, inSequenceItem: boolean): number {
  if (indent < 0) return 0;
  if (inSequenceItem) return indent + 2;
  return BEST_INDENT * Math.floor((indent + BEST_INDENT) / BEST_INDENT);
}

/** go-yaml writes a key inline only when it is one line of at most 128 bytes. */
function isSimpleKey(key: string): boolean {
  return !Array.from(key).some((c) => isBreak(c)) && Buffer.byteLength(key, "utf8") <= 128;
}

function isEmptyCollection(node: Node): boolean {
  return (node.t === "map" || node.t === "seq") && !node.items.some((i) => i.t !== "comment");
}

function emptyFlow(node: Node): string {
  return node.t === "map" ? "{}" : "[]";
}

class Emitter {
  out = "";
  /** Whether a nested block may start on the current line (after "-" or an explicit key's ":"). */
  private inline = false;
  private column = 0;

  private write(text: string): void {
    this.out += text;
    const nl = text.lastIndexOf("\n");
    this.column = nl === -1 ? this.column + text.length : text.length - nl - 1;
  }

  private newline(): void {
    this.write("\n");
    this.inline = false;
  }

  /**
   * Moves to column `indent`: on the current line right after "-" or an explicit key's ":" (go-yaml pads
   * to the indent there), else on a fresh line.
   */
  private startLine(indent: number): void {
    if (this.inline && this.column <= indent) {
      this.inline = false;
      this.write(" ".repeat(indent - this.column));
      return;
    }
    if (this.out.length > 0 && !isBreak(this.out[this.out.length - 1])) this.newline();
    this.write(" ".repeat(indent));
    this.inline = false;
  }

  private comments(lines: string[], indent: number): void {
    for (const line of lines) {
      this.startLine(indent);
      this.write(`#${line}`);
      this.newline();
    }
  }

  map(node: MapNode, indent: number): void {
    let pending: string[] = [];
    for (const item of node.items) {
      if (item.t === "comment") {
        pending.push(item.v);
        continue;
      }
      this.comments(pending, indent);
      pending = [];
      this.startLine(indent);
      if (isSimpleKey(item.key)) {
        this.write(`${stringScalar(item.key, indent, true)}:`);
      } else {
        // go-yaml writes a long or multi-line key as an explicit "? key" entry, its value after ":".
        const key = stringScalar(item.key, nextIndent(indent, false), false);
        this.write(`? ${key}`);
        if (!isBreak(key[key.length - 1])) this.newline();
        this.startLine(indent);
        this.write(":");
        this.inline = true;
      }
      this.value(item.value, indent, false);
    }
    if (pending.length > 0) this.comments(pending, indent);
  }

  private seq(items: (Node | Comment)[], indent: number): void {
    let pending: string[] = [];
    for (let item of items) {
      if (item.t === "comment") {
        pending.push(item.v);
        continue;
      }
      // A collection's leading comments become its head comment, which go-yaml writes above the "- ".
      if (item.t === "map" || item.t === "seq") {
        const first = item.items.findIndex((i) => i.t !== "comment");
        const lead = first === -1 ? item.items.length : first;
        if (lead > 0 && first !== -1) {
          for (const c of item.items.slice(0, lead)) if (c.t === "comment") pending.push(c.v);
          item = { ...item, items: item.items.slice(lead) } as typeof item;
        }
      }
      this.comments(pending, indent);
      pending = [];
      this.startLine(indent);
      this.write("-");
      this.value(item, indent, true);
    }
    if (pending.length > 0) this.comments(pending, indent);
  }

  /** Writes a value after "key:" or "-" at the parent's indent. */
  private value(node: Node, parentIndent: number, inSequenceItem: boolean): void {
    if (node.t === "map" || node.t === "seq") {
      if (isEmptyCollection(node)) {
        this.write(` ${emptyFlow(node)}`);
        this.newline();
        return;
      }
      const indent = nextIndent(parentIndent, inSequenceItem);
      if (inSequenceItem) this.inline = true;
      else if (!this.inline) this.newline();
      if (node.t === "map") this.map(node, indent);
      else this.seq(node.items, indent);
      return;
    }
    const text = scalarText(node, nextIndent(parentIndent, inSequenceItem));
    this.write(` ${text}`);
    // A literal block ends with its own line break (go-yaml adds none after any break character).
    if (!isBreak(text[text.length - 1])) this.newline();
  }
}

/** Emits documents as `sops -d` writes YAML: one per document, separated by `---`. */
export function emitYaml(docs: MapNode[]): string {
  const parts = docs.map((doc) => {
    const e = new Emitter();
    if (isEmptyCollection(doc)) {
      e.map({ t: "map", items: doc.items }, 0);
      return `${e.out}{}\n`;
    }
    e.map(doc, 0);
    return e.out;
  });
  return parts.join("---\n");
}
