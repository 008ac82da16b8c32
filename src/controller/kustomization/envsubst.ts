// The `${var}` expansion Flux applies in postBuild (fluxcd/pkg/envsubst, a fork of drone/envsubst),
// reimplemented to behave the same on odd input: which constructs parse, which are errors, and what
// the escapes `$$` and `\/` do. The scanner's state machine (modes, accepted characters per position,
// escapes removed from the buffer as they are read) follows the original closely because its quirks are
// user-visible in manifests. Like the original, it works on UTF-8 bytes: text is held as "byte strings"
// (one char per byte) so that offsets, lengths and substrings count bytes as Go does.

/** An expansion error; `code` tells the parse errors and the strict-mode error apart. */
export class EnvsubstError extends Error {
  override name = "EnvsubstError";
  readonly code: EnvsubstErrorCode;

  constructor(code: EnvsubstErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** What went wrong in an expansion. */
export type EnvsubstErrorCode =
  | "BadSubstitution"
  | "MissingClosingBrace"
  | "ParseVariableName"
  | "ParseFuncSubstitution"
  | "ParseDefaultFunction"
  | "VariableNotSet";

const messages: Record<Exclude<EnvsubstErrorCode, "VariableNotSet">, string> = {
  BadSubstitution: "bad substitution",
  MissingClosingBrace: "missing closing brace",
  ParseVariableName: "unable to parse variable name",
  ParseFuncSubstitution: "unable to parse substitution within function",
  ParseDefaultFunction: "unable to parse default function",
};

function parseError(code: Exclude<EnvsubstErrorCode, "VariableNotSet">): EnvsubstError {
  return new EnvsubstError(code, messages[code]);
}

/** Looks a variable up: its value and whether it is set. */
export type Lookup = (name: string) => { value: string; exists: boolean };

/** Expands every `${…}` expression in `text`. Throws EnvsubstError on a malformed expression or, when `lookup` reports a variable unset, on a use without a default. */
export function expand(text: string, lookup: Lookup): string {
  return expandToBuffer(text, lookup).toString("utf8");
}

/**
 * Like expand, as UTF-8 bytes: byte-wise offsets and trims can split a character, which Flux passes on
 * (and its YAML reader then rejects); the bytes let a caller tell.
 */
export function expandToBuffer(text: string, lookup: Lookup): Buffer {
  const byteLookup: Lookup = (name) => {
    const { value, exists } = lookup(fromBytes(name));
    return { value: toBytes(value), exists };
  };
  return Buffer.from(evaluate(parse(toBytes(text)), byteLookup), "latin1");
}

// ---- byte strings ----

const toBytes = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
const fromBytes = (b: string): string => Buffer.from(b, "latin1").toString("utf8");
const RUNE_ERROR = "\ufffd";

/** Go's utf8.DecodeRuneInString on a byte string: the character at i and its width, U+FFFD and 1 when invalid. */
function decodeRune(b: string, i: number): { rune: string; width: number } {
  const b0 = b.charCodeAt(i);
  if (Number.isNaN(b0)) return { rune: RUNE_ERROR, width: 0 };
  if (b0 < 0x80) return { rune: b[i] ?? "", width: 1 };
  const invalid = { rune: RUNE_ERROR, width: 1 };
  const cont = (k: number, lo = 0x80, hi = 0xbf): number | undefined => {
    const c = b.charCodeAt(i + k);
    return c >= lo && c <= hi ? c & 0x3f : undefined;
  };
  let cp: number;
  let width: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    if (c1 === undefined) return invalid;
    cp = ((b0 & 0x1f) << 6) | c1;
    width = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = b0 === 0xe0 ? cont(1, 0xa0) : b0 === 0xed ? cont(1, 0x80, 0x9f) : cont(1);
    const c2 = cont(2);
    if (c1 === undefined || c2 === undefined) return invalid;
    cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
    width = 3;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = b0 === 0xf0 ? cont(1, 0x90) : b0 === 0xf4 ? cont(1, 0x80, 0x8f) : cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 === undefined || c2 === undefined || c3 === undefined) return invalid;
    cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
    width = 4;
  } else {
    return invalid;
  }
  return { rune: String.fromCodePoint(cp), width };
}

/** The characters of a byte string as Go's []rune(s) sees them (each bad byte one U+FFFD). */
function runesOf(b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < b.length; ) {
    const { rune, width } = decodeRune(b, i);
    out.push(rune);
    i += width;
  }
  return out;
}

// ---- parse tree ----

type Node =
  | { type: "text"; value: string }
  | { type: "func"; param: string; name: string; args: Node[] }
  | { type: "list"; nodes: Node[] };

// ---- scanner ----

// Go's scanner returns rune 0 at the end of the text, so a NUL character also ends it.
const EOF = "\0";

type Token = "illegal" | "eof" | "ident" | "lbrack" | "rbrack";

// Mode bits: which tokens scan() may recognise.
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;

// Escape bits: which escapes are active while scanning with SCAN_ESCAPE.
const ESCAPE_DOLLAR = 1;
const ESCAPE_BACKSLASH = 2;
const ESCAPE_ALL = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;

/** Decides whether character `r`, the `i`-th of the current token (1-based), belongs to it. */
type Accept = (r: string, i: number) => boolean;

const isLetter = (r: string): boolean => /^\p{L}$/u.test(r);
const isDigit = (r: string): boolean => /^\p{Nd}$/u.test(r);

const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => isLetter(r) || isDigit(r) || r === "_";
const acceptColon: Accept = (r) => r === ":";
const acceptOneHash: Accept = (r, i) => r === "#" && i === 1;
const acceptNotClosing: Accept = (r) => r !== "}";
const acceptHashFunc: Accept = (r, i) => r === "#" && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === "%" && i < 3;
const acceptDefaultFunc: Accept = (r, i) => (i === 1 && r === ":") || (i === 2 && "=-?+".includes(r));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === "/") || (i === 2 && "/#%".includes(r));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === "=";
const acceptOneColon: Accept = (r, i) => i === 1 && r === ":";
const rejectColonClose: Accept = (r) => r !== ":" && r !== "}";
const acceptSlash: Accept = (r) => r === "/";
const acceptNotSlash: Accept = (r) => r !== "/";
const acceptCasingFunc: Accept = (r, i) => (r === "," || r === "^") && i < 3;

class Scanner {
  /** The text as a byte string. */
  private buf: string;
  private pos = 0;
  private start = 0;
  private width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = acceptRune;

  constructor(bytes: string) {
    this.buf = bytes;
  }

  read(): string {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const { rune, width } = decodeRune(this.buf, this.pos);
    this.width = width;
    this.pos += width;
    return rune;
  }

  unread(): void {
    this.pos -= this.width;
  }

  peek(): string {
    const r = this.read();
    this.unread();
    return r;
  }

  /** Drops the character just read from the buffer: an escape leaves only what it escapes. */
  private skip(): void {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }

  /** The text of the token scanned last, as a byte string. */
  text(): string {
    return this.buf.slice(this.start, this.pos);
  }

  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF) return "eof";
    if (this.scanLbrack(r)) return "lbrack";
    if (this.scanRbrack(r)) return "rbrack";
    if (this.scanIdent(r)) return "ident";
    return "illegal";
  }

  private scanIdent(first: string): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(first)) this.skip();
    else if (!this.accept(first, this.pos - this.start)) return false;
    for (;;) {
      const r = this.read();
      if (r === EOF) {
        this.unread();
        break;
      }
      if (this.scanLbrack(r)) {
        // Leave "${" for the next scan.
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(r)) {
        this.skip();
        continue;
      }
      if (!this.accept(r, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }

  private scanLbrack(r: string): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === "$") {
      if (this.read() === "{") return true;
      this.unread();
    }
    return false;
  }

  private scanRbrack(r: string): boolean {
    return (this.mode & SCAN_RBRACK) !== 0 && r === "}";
  }

  private scanEscaped(r: string): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === "$" && (this.escapeChars & ESCAPE_DOLLAR) !== 0 && this.peek() === "$") return true;
    if (r === "\\" && (this.escapeChars & ESCAPE_BACKSLASH) !== 0) {
      const next = this.peek();
      return next === "/" || next === "\\";
    }
    return false;
  }
}

// ---- parser ----

function parse(bytes: string): Node[] {
  const s = new Scanner(bytes);
  const nodes: Node[] = [];
  for (;;) {
    // Outside expressions only "$$" is an escape.
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = ESCAPE_DOLLAR;
    switch (s.scan()) {
      case "ident":
        nodes.push({ type: "text", value: s.text() });
        break;
      case "eof":
        return nodes;
      case "lbrack":
        nodes.push(parseFunc(s));
        break;
      default:
        throw parseError("BadSubstitution");
    }
  }
}

function func(param: string, name = "", args: Node[] = []): Node & { type: "func" } {
  return { type: "func", param, name, args };
}

/** Parses the expression after "${", up to and including its "}". */
function parseFunc(s: Scanner): Node {
  s.escapeChars = ESCAPE_ALL;
  if (s.peek() === "#") return parseLenFunc(s);

  s.accept = acceptIdent;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("ParseVariableName");
  const name = s.text();

  switch (s.peek()) {
    case ":":
      return parseDefaultOrSubstr(s, name);
    case "=":
      return parseDefaultFunc(s, name);
    case ",":
    case "^":
      return parseCasingFunc(s, name);
    case "/":
      return parseReplaceFunc(s, name);
    case "#":
      return parseRemoveFunc(s, name, acceptHashFunc);
    case "%":
      return parseRemoveFunc(s, name, acceptPercentFunc);
  }

  s.accept = acceptIdent;
  s.mode = SCAN_RBRACK;
  if (s.scan() !== "rbrack") throw parseError("MissingClosingBrace");
  return func(name);
}

/** Parses one argument of a function: literal text or a nested expression. */
function parseParam(s: Scanner, accept: Accept, mode: number): Node {
  s.accept = accept;
  s.mode = mode | SCAN_LBRACK;
  switch (s.scan()) {
    case "lbrack":
      return parseFunc(s);
    case "ident":
    case "rbrack":
      return { type: "text", value: s.text() };
    default:
      throw parseError("ParseFuncSubstitution");
  }
}

function parseDefaultOrSubstr(s: Scanner, name: string): Node {
  s.read();
  const r = s.peek();
  s.unread();
  return r !== EOF && "=-?+".includes(r) ? parseDefaultFunc(s, name) : parseSubstrFunc(s, name);
}

/** ${param:offset} and ${param:offset:length}. */
function parseSubstrFunc(s: Scanner, name: string): Node {
  const node = func(name);
  s.accept = acceptOneColon;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.name = s.text();

  node.args.push(parseParam(s, rejectColonClose, SCAN_IDENT));

  s.accept = acceptColon;
  s.mode = SCAN_IDENT | SCAN_RBRACK;
  const delimiter = s.scan();
  if (delimiter === "rbrack") return node;
  if (delimiter !== "ident") throw parseError("BadSubstitution");

  node.args.push(parseParam(s, acceptNotClosing, SCAN_IDENT));
  consumeRbrack(s);
  return node;
}

/** ${param#word}, ${param##word}, ${param%word} and ${param%%word}. */
function parseRemoveFunc(s: Scanner, name: string, accept: Accept): Node {
  const node = func(name);
  s.accept = accept;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.name = s.text();
  node.args.push(parseParam(s, acceptNotClosing, SCAN_IDENT));
  consumeRbrack(s);
  return node;
}

/** ${param/pattern/string}, ${param//pattern/string}, ${param/#pattern/string} and ${param/%pattern/string}. */
function parseReplaceFunc(s: Scanner, name: string): Node {
  const node = func(name);
  s.accept = acceptReplaceFunc;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.name = s.text();

  node.args.push(parseParam(s, acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));

  s.accept = acceptSlash;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");

  // An empty replacement: the argument is simply absent.
  if (s.peek() === "}") {
    consumeRbrack(s);
    return node;
  }
  node.args.push(parseParam(s, acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
  consumeRbrack(s);
  return node;
}

/** ${param=word}, ${param:=word}, ${param:-word}, ${param:?word} and ${param:+word}. */
function parseDefaultFunc(s: Scanner, name: string): Node {
  const node = func(name);
  s.accept = s.peek() === "=" ? acceptOneEqual : acceptDefaultFunc;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("ParseDefaultFunction");
  node.name = s.text();

  // The default is a run of text and nested expressions up to the closing brace.
  for (;;) {
    if (s.peek() === "}") {
      consumeRbrack(s);
      return node;
    }
    node.args.push(parseParam(s, acceptNotClosing, SCAN_IDENT));
  }
}

/** ${param,}, ${param,,}, ${param^} and ${param^^}. */
function parseCasingFunc(s: Scanner, name: string): Node {
  const node = func(name);
  s.accept = acceptCasingFunc;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.name = s.text();
  consumeRbrack(s);
  return node;
}

/** ${#param}. */
function parseLenFunc(s: Scanner): Node {
  const node = func("");
  s.accept = acceptOneHash;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.name = s.text();

  s.accept = acceptIdent;
  s.mode = SCAN_IDENT;
  if (s.scan() !== "ident") throw parseError("BadSubstitution");
  node.param = s.text();
  consumeRbrack(s);
  return node;
}

function consumeRbrack(s: Scanner): void {
  s.mode = SCAN_RBRACK;
  if (s.scan() !== "rbrack") throw parseError("BadSubstitution");
}

// ---- evaluation (on byte strings) ----

// Operators that supply their own value when the variable is unset: exempt from strict mode.
const DEFAULT_OPERATORS = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

function evaluate(nodes: readonly Node[], lookup: Lookup): string {
  let out = "";
  for (const node of nodes) out += evaluateNode(node, lookup);
  return out;
}

function evaluateNode(node: Node, lookup: Lookup): string {
  switch (node.type) {
    case "text":
      return node.value;
    case "list":
      return evaluate(node.nodes, lookup);
    case "func": {
      // Arguments are expanded first, even when the operator will not use them.
      const args = node.args.map((arg) => evaluateNode(arg, lookup));
      const { value, exists } = lookup(node.param);
      if (!exists && !DEFAULT_OPERATORS.has(node.name)) {
        const name = JSON.stringify(fromBytes(node.param));
        throw new EnvsubstError("VariableNotSet", `variable not set (strict mode): ${name}`);
      }
      return functionFor(node.name, args.length)(value, args);
    }
  }
}

type Substitute = (s: string, args: readonly string[]) => string;

function functionFor(name: string, argCount: number): Substitute {
  switch (name) {
    case ",":
      return (s) => mapFirst(s, (c) => c.toLowerCase());
    case ",,":
      return (s) => mapAll(s, (c) => c.toLowerCase());
    case "^":
      return (s) => mapFirst(s, (c) => c.toUpperCase());
    case "^^":
      return (s) => mapAll(s, (c) => c.toUpperCase());
    case "#":
      return argCount === 0 ? (s) => String(s.length) : withPattern(trimShortestPrefix);
    case "##":
      return withPattern(trimLongestPrefix);
    case "%":
      return withPattern(trimShortestSuffix);
    case "%%":
      return withPattern(trimLongestSuffix);
    case ":":
      return substring;
    case "/#":
      return (s, [pattern, replacement]) =>
        pattern !== undefined && replacement !== undefined && s.startsWith(pattern)
          ? replace(s, pattern, replacement, 1)
          : s;
    case "/%":
      return (s, [pattern, replacement]) =>
        pattern !== undefined && replacement !== undefined && s.endsWith(pattern)
          ? s.slice(0, s.length - pattern.length) + replacement
          : s;
    case "/":
      return (s, [pattern, replacement]) =>
        pattern === undefined ? s : replace(s, pattern, replacement ?? "", 1);
    case "//":
      return (s, [pattern, replacement]) =>
        pattern === undefined ? s : replace(s, pattern, replacement ?? "", -1);
    default:
      // The default operators and anything unrecognised: the value, or the joined arguments when empty.
      return (s, args) => (s.length === 0 && args.length > 0 ? args.join("") : s);
  }
}

/** Maps one character (Go's unicode.ToUpper/ToLower map one rune to one rune: keep longer mappings out). */
function mapRune(c: string, map: (c: string) => string): string {
  const mapped = map(c);
  return Array.from(mapped).length === 1 ? mapped : c;
}

function mapFirst(s: string, map: (c: string) => string): string {
  if (s === "") return s;
  const { rune, width } = decodeRune(s, 0);
  return toBytes(mapRune(rune, map)) + s.slice(width);
}

function mapAll(s: string, map: (c: string) => string): string {
  // Go's ASCII fast path leaves the bytes as they are; otherwise every rune is mapped (bad bytes become U+FFFD).
  if (!/[\u0080-\u00ff]/.test(s)) return map(s);
  return toBytes(
    runesOf(s)
      .map((c) => mapRune(c, map))
      .join(""),
  );
}

function withPattern(trim: (s: string, pattern: string) => string): Substitute {
  return (s, [pattern]) => (pattern === undefined ? s : trim(s, pattern));
}

/** Go's strings.Replace: `n` < 0 replaces all; an empty pattern matches before every character and at the end. */
function replace(s: string, pattern: string, replacement: string, n: number): string {
  if (pattern === "") {
    let out = "";
    let done = 0;
    let i = 0;
    while (i < s.length) {
      if (n < 0 || done < n) {
        out += replacement;
        done++;
      }
      const { width } = decodeRune(s, i);
      out += s.slice(i, i + width);
      i += width;
    }
    return n < 0 || done < n ? out + replacement : out;
  }
  if (n < 0) return s.split(pattern).join(replacement);
  const at = s.indexOf(pattern);
  return at < 0 ? s : s.slice(0, at) + replacement + s.slice(at + pattern.length);
}

/** Go's strconv.Atoi: an optionally signed run of decimal digits. */
function atoi(text: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/** ${var:offset[:length]} over the value's bytes. */
const substring: Substitute = (s, args) => {
  const [first, second] = args;
  if (first === undefined) return s;
  let pos = atoi(first);
  if (pos === undefined) return s;
  // A negative offset counts from the end.
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (second === undefined) return pos < s.length ? s.slice(pos) : "";
  const length = atoi(second);
  if (length === undefined) return s;
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : "";
  // Flux's code panics on a negative length here (the reconcile fails); fail the same way, cleanly.
  if (length < 0) throw new EnvsubstError("BadSubstitution", "bad substitution: negative substring length");
  return s.slice(pos, pos + length);
};

/** Go's reverse over []rune(s): bad bytes turn into U+FFFD. */
const reverse = (s: string): string => toBytes(runesOf(s).reverse().join(""));

function trimShortest(s: string, pattern: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    const matched = globMatch(pattern, prefix);
    if (matched === undefined) return s;
    if (matched) shortest = prefix;
  }
  return shortest !== "" && s.startsWith(shortest) ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, pattern: string): string {
  for (let i = 0; i < s.length; i++) {
    const prefix = s.slice(0, s.length - i);
    const matched = globMatch(pattern, prefix);
    if (matched === undefined) return s;
    if (matched) return s.slice(prefix.length);
  }
  return s;
}

const trimShortestPrefix = trimShortest;
const trimLongestPrefix = trimLongest;
// Suffixes are trimmed by reversing both the value and the pattern.
const trimShortestSuffix = (s: string, pattern: string): string =>
  reverse(trimShortest(reverse(s), reverse(pattern)));
const trimLongestSuffix = (s: string, pattern: string): string =>
  reverse(trimLongest(reverse(s), reverse(pattern)));

// ---- glob matching (envsubst's variant of Go's path.Match: a star also matches "/"), on bytes ----

/** Whether `name` matches the shell pattern as a whole; `undefined` when the pattern is malformed. */
function globMatch(patternIn: string, nameIn: string): boolean | undefined {
  let pattern = patternIn;
  let name = nameIn;
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return true;
    const here = matchChunk(chunk, name);
    if (here.ok && (here.rest.length === 0 || pattern.length > 0)) {
      name = here.rest;
      continue;
    }
    if (here.bad) return undefined;
    if (star) {
      for (let i = 0; i < name.length; i++) {
        const later = matchChunk(chunk, name.slice(i + 1));
        if (later.ok) {
          // The last chunk must consume the rest of the name.
          if (pattern.length === 0 && later.rest.length > 0) continue;
          name = later.rest;
          continue outer;
        }
        if (later.bad) return undefined;
      }
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let start = 0;
  while (pattern[start] === "*") start++;
  const star = start > 0;
  let inRange = false;
  let i = start;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      if (i + 1 < pattern.length) i++;
    } else if (c === "[") {
      inRange = true;
    } else if (c === "]") {
      inRange = false;
    } else if (c === "*" && !inRange) {
      break;
    }
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

interface ChunkMatch {
  ok: boolean;
  bad: boolean;
  rest: string;
}

const codePoint = (c: string): number => c.codePointAt(0) ?? -1;

function matchChunk(chunkIn: string, nameIn: string): ChunkMatch {
  let chunk = chunkIn;
  let s = nameIn;
  const fail: ChunkMatch = { ok: false, bad: false, rest: "" };
  const bad: ChunkMatch = { ok: false, bad: true, rest: "" };
  while (chunk.length > 0) {
    if (s.length === 0) return fail;
    const c = chunk[0];
    if (c === "[") {
      const { rune, width } = decodeRune(s, 0);
      const r = codePoint(rune);
      s = s.slice(width);
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk[0] === "^") {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (chunk[0] === "]" && ranges > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = escapedChar(chunk);
        if (!lo) return bad;
        chunk = lo.rest;
        let hi = lo;
        if (chunk[0] === "-") {
          const upper = escapedChar(chunk.slice(1));
          if (!upper) return bad;
          hi = upper;
          chunk = upper.rest;
        }
        if (lo.char <= r && r <= hi.char) matched = true;
        ranges++;
      }
      if (matched === negated) return fail;
    } else if (c === "?") {
      s = s.slice(decodeRune(s, 0).width);
      chunk = chunk.slice(1);
    } else {
      if (c === "\\") {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return bad;
      }
      if (chunk[0] !== s[0]) return fail;
      s = s.slice(1);
      chunk = chunk.slice(1);
    }
  }
  return { ok: true, bad: false, rest: s };
}

/** A possibly escaped character of a character class (as a code point), or `undefined` when the class is malformed. */
function escapedChar(chunkIn: string): { char: number; rest: string } | undefined {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") return undefined;
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return undefined;
  }
  const { rune, width } = decodeRune(chunk, 0);
  // A bad byte, or a class that is not closed.
  if (rune === RUNE_ERROR && width === 1) return undefined;
  const rest = chunk.slice(width);
  if (rest.length === 0) return undefined;
  return { char: codePoint(rune), rest };
}
