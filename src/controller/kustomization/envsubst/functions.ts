// The operators of ${var<op>…} expressions, on byte strings as in Go: lengths and offsets count bytes,
// case mapping and reversal go through characters (bad bytes become U+FFFD).
import { decodeRune, runesOf, toBytes } from "./bytes.ts";
import { EnvsubstError } from "./errors.ts";
import { globMatch } from "./glob.ts";

/** An operator applied to a variable's value and the expanded arguments (all byte strings). */
export type Substitute = (s: string, args: readonly string[]) => string;

/** The operator for an expression's operator name; unknown names act as a default. */
export function functionFor(name: string, argCount: number): Substitute {
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
