// Prints values the way `kustomize build` does: each object goes through Go's JSON encoding (keys
// sorted) and is printed by go-yaml v2 — block style, indentless sequences under mapping keys,
// strings quoted only when needed, long plain lines folded past column 80.
import { sortKeys } from "./key-order.ts";
import { formatNumber, v2NeedsQuotes } from "./scalar.ts";

const BEST_WIDTH = 80;

type Style = "plain" | "single" | "double" | "literal";

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

function isBreakCp(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function analyze(chars: readonly string[]): Analysis {
  if (chars.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  const joined3 = chars.slice(0, 3).join("");
  if (chars.length >= 3 && (joined3 === "---" || joined3 === "...")) blockIndicators = true;
  const n = chars.length;
  for (let i = 0; i < n; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    const followedByWs = next === undefined || next === " " || next === "\t";
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) blockIndicators = true;
      else if ((c === "?" || c === ":" || c === "-") && followedByWs) blockIndicators = true;
    } else if (c === ":" && followedByWs) blockIndicators = true;
    else if (c === "#" && precededByWs) blockIndicators = true;
    const cp = c.codePointAt(0) ?? 0;
    if (!isPrintable(cp)) special = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isBreakCp(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = c === " " || c === "\t" || isBreakCp(cp);
  }
  const a: Analysis = {
    multiline: lineBreaks,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlainAllowed = false;
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) a.blockPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

// Strings that go-yaml prints plain as they are: they start with a letter, digit, `_` or `/` and
// hold no space, colon, `#` or other indicator.
const SAFE_PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./=+@-]*$/;

class Emitter {
  out: string[] = [];
  column = 0;
  indent = -1;
  whitespace = true;
  indention = true;
  private readonly indents: number[] = [];

  put(s: string): void {
    this.out.push(s);
    this.column += 1;
  }
  putText(s: string, width: number): void {
    this.out.push(s);
    this.column += width;
  }
  putBreak(): void {
    this.out.push("\n");
    this.column = 0;
  }
  /** As go-yaml's write_break: "\n" is the emitter's line break; \r, NEL, U+2028 and U+2029 are copied. */
  writeBreak(c: string): void {
    if (c === "\n") this.putBreak();
    else {
      this.out.push(c);
      this.column = 0;
    }
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    if (this.column < indent) this.putText(" ".repeat(indent - this.column), indent - this.column);
    this.whitespace = true;
    this.indention = true;
  }
  indicator(text: string, needWs: boolean, isWs: boolean, isIndention: boolean): void {
    if (needWs && !this.whitespace) this.put(" ");
    this.putText(text, text.length);
    this.whitespace = isWs;
    this.indention = this.indention && isIndention;
  }
  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? 2 : 0;
    else if (!indentless) this.indent += 2;
  }
  popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  node(v: unknown, mappingContext: boolean, simpleKey: boolean): void {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        this.emptyFlow("[", "]");
        return;
      }
      this.increaseIndent(false, mappingContext && !this.indention);
      for (const item of v) {
        this.writeIndent();
        this.indicator("-", true, false, true);
        this.node(item, false, false);
      }
      this.popIndent();
      return;
    }
    if (v !== null && typeof v === "object") {
      const keys = sortKeys(Object.keys(v));
      if (keys.length === 0) {
        this.emptyFlow("{", "}");
        return;
      }
      this.increaseIndent(false, false);
      const rec = v as Record<string, unknown>;
      for (const k of keys) {
        this.writeIndent();
        if (Buffer.byteLength(k) > 128 || /[\n\r\u0085\u2028\u2029]/.test(k)) {
          // Not a simple key: go-yaml writes it as an explicit `? key` / `: value` pair.
          this.indicator("?", true, false, true);
          this.node(k, false, false);
          this.writeIndent();
          this.indicator(":", true, false, true);
          this.node(rec[k], true, false);
          continue;
        }
        this.node(k, false, true);
        this.indicator(":", false, false, false);
        this.node(rec[k], true, false);
      }
      this.popIndent();
      return;
    }
    this.scalar(v, simpleKey);
  }

  emptyFlow(open: string, close: string): void {
    this.indicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.popIndent();
    this.indicator(close, false, false, false);
  }

  scalar(v: unknown, simpleKey: boolean): void {
    let text: string;
    let style: Style;
    if (v === null || v === undefined) {
      text = "null";
      style = "plain";
    } else if (typeof v === "boolean") {
      text = v ? "true" : "false";
      style = "plain";
    } else if (typeof v === "number" || typeof v === "bigint") {
      text = formatNumber(v);
      style = "plain";
    } else {
      text = String(v);
      style = text.includes("\n") ? "literal" : v2NeedsQuotes(text) ? "double" : "plain";
    }
    if (style === "plain" && SAFE_PLAIN.test(text)) {
      // Fast path: no spaces, indicators or special characters, so no quoting and no folding.
      if (!this.whitespace) this.put(" ");
      this.putText(text, text.length);
      this.whitespace = false;
      this.indention = false;
      return;
    }
    const chars = Array.from(text);
    const a = analyze(chars);
    if (simpleKey && a.multiline) style = "double";
    if (style === "plain") {
      if (!a.blockPlainAllowed) style = "single";
      if (chars.length === 0 && simpleKey) style = "single";
    }
    if (style === "single" && !a.singleQuotedAllowed) style = "double";
    if (style === "literal" && (!a.blockAllowed || simpleKey)) style = "double";
    this.increaseIndent(true, false);
    const allowBreaks = !simpleKey;
    if (style === "plain") this.plain(chars, allowBreaks);
    else if (style === "single") this.single(chars, allowBreaks);
    else if (style === "double") this.double(chars, allowBreaks);
    else this.literal(chars);
    this.popIndent();
  }

  plain(chars: readonly string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== " ") this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreakCp(c.codePointAt(0) ?? 0)) {
        if (!breaks && c === "\n") this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  single(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    const n = chars.length;
    for (let i = 0; i < n; i++) {
      const c = chars[i] as string;
      if (c === " ") {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i > 0 &&
          i < n - 1 &&
          chars[i + 1] !== " "
        ) {
          this.writeIndent();
        } else this.put(c);
        spaces = true;
      } else if (isBreakCp(c.codePointAt(0) ?? 0)) {
        if (!breaks && c === "\n") this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === "'") this.put("'");
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  double(chars: readonly string[], allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    const n = chars.length;
    for (let i = 0; i < n; i++) {
      const c = chars[i] as string;
      const cp = c.codePointAt(0) ?? 0;
      if (!isPrintable(cp) || (i === 0 && cp === 0xfeff) || isBreakCp(cp) || c === '"' || c === "\\") {
        this.put("\\");
        const esc = ESCAPES.get(cp);
        if (esc !== undefined) this.put(esc);
        else {
          const [letter, width] = cp <= 0xff ? ["x", 2] : cp <= 0xffff ? ["u", 4] : ["U", 8];
          this.put(letter);
          const hex = cp.toString(16).toUpperCase().padStart(width, "0");
          for (const h of hex) this.put(h);
        }
        spaces = false;
      } else if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < n - 1) {
          this.writeIndent();
          if (chars[i + 1] === " ") this.put("\\");
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  literal(chars: readonly string[]): void {
    this.indicator("|", true, false, false);
    const first = chars[0] ?? "";
    if (first === " " || isBreakCp(first.codePointAt(0) ?? 0)) this.indicator("2", false, false, false);
    const last = chars[chars.length - 1] ?? "";
    const prev = chars[chars.length - 2] ?? "";
    if (chars.length === 0 || !isBreakCp(last.codePointAt(0) ?? 0)) this.indicator("-", false, false, false);
    else if (chars.length === 1 || isBreakCp(prev.codePointAt(0) ?? 0))
      this.indicator("+", false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreakCp(c.codePointAt(0) ?? 0)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const ESCAPES = new Map<number, string>([
  [0x00, "0"],
  [0x07, "a"],
  [0x08, "b"],
  [0x09, "t"],
  [0x0a, "n"],
  [0x0b, "v"],
  [0x0c, "f"],
  [0x0d, "r"],
  [0x1b, "e"],
  [0x22, '"'],
  [0x5c, "\\"],
  [0x85, "N"],
  [0xa0, "_"],
  [0x2028, "L"],
  [0x2029, "P"],
]);

/** Prints one object as kustomize prints a resource (ends with a newline). */
export function emitYaml(value: unknown): string {
  const e = new Emitter();
  e.node(value, false, false);
  e.writeIndent();
  return e.out.join("");
}

/** Prints objects as one multi-document stream, separated by `---` as `kustomize build` does. */
export function emitYamlStream(values: readonly unknown[]): string {
  return values.map(emitYaml).join("---\n");
}
