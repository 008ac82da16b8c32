// Writes an object as YAML text the way Flux does before substituting variables (kustomize's AsYAML:
// JSON through go-yaml v2's encoder). The text matters, not just the data: whether a scalar is plain,
// quoted or a literal block, where long lines fold, and the order of keys decide what a substituted
// value turns into when the text is parsed again. So this follows go-yaml's emitter rules: its scalar
// analysis and style choice, its folding past column 80, its indentation, and its key order.
import { compareKeys } from "./order.ts";
import { isBase60Float, resolvesToString } from "./resolve.ts";
import {
  analyze,
  type Context,
  escapeSequence,
  isBreak,
  isPrintable,
  isSpace,
  type Style,
  selectStyle,
} from "./scalar.ts";

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

/** Options for writing YAML. */
export interface GoYamlOptions {
  /**
   * Whether the parser that will read the text back takes this plain scalar as a string. When it would
   * not (where it resolves types differently from go-yaml), the string is double-quoted instead.
   */
  plainReadsAsString?: (text: string) => boolean;
}

/** The YAML text go-yaml v2 writes for a JSON-like value (no document markers, ends with a newline). */
export function toGoYaml(value: unknown, options: GoYamlOptions = {}): string {
  const emitter = new Emitter(options.plainReadsAsString ?? (() => true));
  emitter.node(value, { root: true, sequence: false, mapping: false, simpleKey: false });
  // Document end: a final line break unless one was just written.
  emitter.writeIndent();
  return emitter.text();
}

class Emitter {
  private readonly out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private readonly plainReadsAsString: (text: string) => boolean;

  constructor(plainReadsAsString: (text: string) => boolean) {
    this.plainReadsAsString = plainReadsAsString;
  }

  /** The style go-yaml's encoder asks for: a literal block for multi-line text, quotes for text that would read back as another type. */
  private requestedStyle(s: string): Style {
    if (s.includes("\n")) return "literal";
    return resolvesToString(s) && !isBase60Float(s) && this.plainReadsAsString(s) ? "plain" : "double";
  }

  text(): string {
    return this.out.join("");
  }

  node(value: unknown, ctx: Context): void {
    if (typeof value === "string") {
      this.scalar(value, this.requestedStyle(value), ctx);
    } else if (typeof value === "boolean") {
      this.scalar(value ? "true" : "false", "plain", ctx);
    } else if (typeof value === "number") {
      this.scalar(formatNumber(value), "plain", ctx);
    } else if (typeof value === "bigint") {
      this.scalar(value.toString(), "plain", ctx);
    } else if (Array.isArray(value)) {
      if (value.length === 0) this.emptyFlow("[", "]");
      else this.sequence(value, ctx);
    } else if (typeof value === "object" && value !== null) {
      // Like JSON: keys whose value is undefined do not exist.
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      entries.sort(([a], [b]) => compareKeys(a, b));
      if (entries.length === 0) this.emptyFlow("{", "}");
      else this.mapping(entries);
    } else {
      this.scalar("null", "plain", ctx);
    }
  }

  private pushIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }

  private put(c: string): void {
    this.out.push(c);
    this.column++;
  }

  private putBreak(): void {
    this.out.push("\n");
    this.column = 0;
  }

  private writeBreak(c: string): void {
    if (c === "\n") {
      this.putBreak();
    } else {
      this.out.push(c);
      this.column = 0;
    }
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    for (const c of indicator) this.put(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private sequence(items: readonly unknown[], ctx: Context): void {
    // A sequence that is a mapping value is not indented further ("key:\n- a").
    this.pushIndent(false, ctx.mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, { root: false, sequence: true, mapping: false, simpleKey: false });
    }
    this.popIndent();
  }

  private mapping(entries: ReadonlyArray<[string, unknown]>): void {
    this.pushIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      const keyChars = Array.from(key);
      const simple = !analyze(keyChars).multiline && Buffer.byteLength(key, "utf8") <= 128;
      if (simple) {
        this.scalar(key, this.requestedStyle(key), {
          root: false,
          sequence: false,
          mapping: true,
          simpleKey: true,
        });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.scalar(key, this.requestedStyle(key), {
          root: false,
          sequence: false,
          mapping: true,
          simpleKey: false,
        });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.node(value, { root: false, sequence: false, mapping: true, simpleKey: false });
    }
    this.popIndent();
  }

  private scalar(value: string, requested: Style, ctx: Context): void {
    const chars = Array.from(value);
    const style = selectStyle(requested, analyze(chars), chars.length === 0, ctx);
    this.pushIndent(true, false);
    const allowBreaks = !ctx.simpleKey;
    switch (style) {
      case "plain":
        this.plain(chars, allowBreaks);
        break;
      case "single":
        this.singleQuoted(chars, allowBreaks);
        break;
      case "double":
        this.doubleQuoted(chars, allowBreaks);
        break;
      case "literal":
        this.literal(chars);
        break;
    }
    this.popIndent();
  }

  private plain(chars: readonly string[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] ?? "";
      if (isSpace(c)) {
        // Fold at a single space once past the width.
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(chars[i + 1])) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
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

  private singleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] ?? "";
      if (isSpace(c)) {
        const fold =
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i > 0 &&
          i < chars.length - 1 &&
          !isSpace(chars[i + 1]);
        if (fold) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
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
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private doubleQuoted(chars: readonly string[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    // go-yaml checks for a byte order mark at the start of the text, not at each character: text that
    // starts with one has every character escaped.
    const bom = chars[0] === "\ufeff";
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] ?? "";
      if (bom || !isPrintable(c) || isBreak(c) || c === '"' || c === "\\") {
        for (const e of escapeSequence(c)) this.put(e);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          // A space after the fold would be eaten by it: escape it.
          if (isSpace(chars[i + 1])) this.put("\\");
        } else {
          this.put(c);
        }
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(chars: readonly string[]): void {
    this.writeIndicator("|", true, false, false);
    // Block scalar hints: an indentation indicator when the text starts with a space or break, and a
    // chomping indicator unless the text ends with exactly one line break.
    if (isSpace(chars[0]) || isBreak(chars[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars.length - 1;
    let chomp = "";
    if (!isBreak(chars[last])) chomp = "-";
    else if (last === 0 || isBreak(chars[last - 1])) chomp = "+";
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c)) {
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

/**
 * Numbers as go-yaml writes them: integers in decimal, other numbers as Go's strconv.FormatFloat(f, 'g', -1)
 * (exponent form below 1e-4 and from 1e6 up, with a two-digit exponent). Integral floats are written as
 * integers: JSON does not tell 3.0 from 3, and both read back the same.
 */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return ".nan";
  if (n === Number.POSITIVE_INFINITY) return ".inf";
  if (n === Number.NEGATIVE_INFINITY) return "-.inf";
  if (Number.isInteger(n)) return String(n);
  const [mantissa = "", exponentText = "0"] = n.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(n);
  const sign = exponent < 0 ? "-" : "+";
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}
