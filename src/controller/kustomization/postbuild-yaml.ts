// Writes an object as YAML text the way Flux does before substituting variables (kustomize's AsYAML:
// JSON through go-yaml v2's encoder). The text matters, not just the data: whether a scalar is plain,
// quoted or a literal block, where long lines fold, and the order of keys decide what a substituted
// value turns into when the text is parsed again. So this follows go-yaml's emitter rules: its scalar
// analysis and style choice, its folding past column 80, its indentation, and its key order.

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

type Style = "plain" | "single" | "double" | "literal";

interface Context {
  root: boolean;
  sequence: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

interface Analysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isSpace = (c: string | undefined): boolean => c === " ";
const isBlank = (c: string | undefined): boolean => c === " " || c === "\t";
const isBreak = (c: string | undefined): boolean =>
  c === "\r" || c === "\n" || c === "\u0085" || c === "\u2028" || c === "\u2029";
const isBlankOrEnd = (c: string | undefined): boolean =>
  c === undefined || c === "\0" || isBlank(c) || isBreak(c);

/** go-yaml's printable set: LF, ASCII printables, and the BMP above U+00A0 minus surrogates, BOM and non-characters. */
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0) ?? 0;
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
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

/** The escape sequence go-yaml writes for a character in a double-quoted scalar. */
function escapeSequence(c: string): string {
  const named: Record<string, string> = {
    "\0": "0",
    "\x07": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
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
  const name = named[c];
  if (name !== undefined) return `\\${name}`;
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}

/** go-yaml's scalar analysis: which styles can represent the text. */
function analyze(chars: readonly string[]): Analysis {
  if (chars.length === 0) {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;

  const head = chars.slice(0, 3).join("");
  if (head === "---" || head === "...") {
    blockIndicators = true;
    flowIndicators = true;
  }

  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? "";
    const followedByWhitespace = i + 1 >= chars.length || isBlank(chars[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === "?" || c === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (",?[]{}".includes(c)) {
      flowIndicators = true;
    } else if (c === ":") {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === "#" && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }

    if (!isPrintable(c)) specialCharacters = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankOrEnd(c);
  }

  const result: Analysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (trailingSpace) result.blockAllowed = false;
  if (breakSpace) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
    result.blockAllowed = false;
  }
  if (lineBreaks) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (flowIndicators) result.flowPlainAllowed = false;
  if (blockIndicators) result.blockPlainAllowed = false;
  return result;
}

/** The style the emitter settles on (block context only: driftless never writes flow collections with content). */
function selectStyle(requested: Style, analysis: Analysis, empty: boolean, ctx: Context): Style {
  let style = requested;
  if (ctx.simpleKey && analysis.multiline) style = "double";
  if (style === "plain") {
    if (!analysis.blockPlainAllowed) style = "single";
    if (empty && ctx.simpleKey) style = "single";
  }
  if (style === "single" && !analysis.singleQuotedAllowed) style = "double";
  if (style === "literal" && (!analysis.blockAllowed || ctx.simpleKey)) style = "double";
  return style;
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

// ---- go-yaml v2's resolver: does a plain scalar read back as a string? ----

const resolvedWords = new Set([
  ..."y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF".split(" "),
  ..."~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split(" "),
  "",
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goInteger = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function resolvesToString(s: string): boolean {
  if (resolvedWords.has(s)) return false;
  const first = s[0] ?? "";
  if (first === ".") return !isGoFloat(s);
  if (!"+-0123456789".includes(first)) return true;
  if (isTimestamp(s)) return false;
  const plain = s.replaceAll("_", "");
  if (isGoInteger(plain)) return false;
  if (yamlStyleFloat.test(plain) && Number.isFinite(Number(plain))) return false;
  return true;
}

function isBase60Float(s: string): boolean {
  return s.includes(":") && base60Float.test(s);
}

/** strconv.ParseFloat on text starting with ".": decimal digits, underscores between them, an exponent. */
function isGoFloat(s: string): boolean {
  if (!/^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s)) return false;
  return Number.isFinite(Number(s.replaceAll("_", "")));
}

/** strconv.ParseInt(s, 0, 64), or ParseUint for values past int64. */
function isGoInteger(s: string): boolean {
  const match = goInteger.exec(s);
  if (!match) return false;
  const negative = s.startsWith("-");
  let digits = (match[1] ?? "").toLowerCase();
  // A leading zero means octal.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const magnitude = BigInt(digits);
  if (negative) return magnitude <= 2n ** 63n;
  if (s.startsWith("+")) return magnitude < 2n ** 63n;
  return magnitude < 2n ** 64n;
}

/** The timestamp forms go-yaml v2 recognises (it quotes them on output). */
function isTimestamp(s: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$/.exec(
      s,
    );
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  const [hour = 0, minute = 0, second = 0] = [m[4] ?? m[7], m[5] ?? m[8], m[6] ?? m[9]].map((v) =>
    Number(v ?? 0),
  );
  return hour < 24 && minute < 60 && second < 60;
}

// ---- go-yaml v2's key order ----

const isLetterChar = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigitChar = (c: string): boolean => /^\p{Nd}$/u.test(c);

/** go-yaml's order for string keys: letters before other characters, runs of digits compared as numbers. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
}

function keyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] ?? "";
    const bc = br[i] ?? "";
    if (ac === bc) continue;
    const al = isLetterChar(ac);
    const bl = isLetterChar(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === "0" || bc === "0") {
      for (let j = i - 1; j >= 0 && isDigitChar(ar[j] ?? ""); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigitChar(ar[ai] ?? ""); ai++) an = an * 10n + digitValue(ar[ai] ?? "0");
    let bi = i;
    for (; bi < br.length && isDigitChar(br[bi] ?? ""); bi++) bn = bn * 10n + digitValue(br[bi] ?? "0");
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** Go subtracts '0' from any Unicode digit; keep that (it only matters for non-ASCII digits). */
function digitValue(c: string): bigint {
  return BigInt((c.codePointAt(0) ?? 48) - 48);
}
