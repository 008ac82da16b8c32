// The envsubst parser: a scanner whose modes and per-position accept functions decide what each token
// may contain, and a recursive-descent parser over it. Escapes ("$$", "\\/") are removed from the buffer as
// they are read, as in the original; widths are UTF-8 byte counts, which matters after a multi-byte
// character (a peek followed by an unread moves back by the width of the character peeked).
import { decodeRune } from "./bytes.ts";
import { parseError } from "./errors.ts";

/** A parsed template: literal text, an expression with its operator and arguments, or a sequence. */
export type Node =
  | { type: "text"; value: string }
  | { type: "func"; param: string; name: string; args: Node[] }
  | { type: "list"; nodes: Node[] };

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

/** Parses a byte string into the nodes of a template; throws EnvsubstError on a malformed expression. */
export function parse(bytes: string): Node[] {
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
