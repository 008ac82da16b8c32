// Shell patterns for the trim operators: envsubst's variant of Go's path.Match (a star also matches
// "/"), on byte strings.
import { decodeRune, RUNE_ERROR } from "./bytes.ts";

/** Whether `name` matches the shell pattern as a whole; `undefined` when the pattern is malformed. */
export function globMatch(patternIn: string, nameIn: string): boolean | undefined {
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
