// "Byte strings": one char per UTF-8 byte, so that offsets, lengths and substrings count bytes as Go
// does, with Go's rules for decoding characters from them.

/** A string as a byte string. */
export const toBytes = (s: string): string => Buffer.from(s, "utf8").toString("latin1");
/** A byte string as a string (bad bytes become U+FFFD). */
export const fromBytes = (b: string): string => Buffer.from(b, "latin1").toString("utf8");
/** Go's utf8.RuneError. */
export const RUNE_ERROR = "\ufffd";

/** Go's utf8.DecodeRuneInString on a byte string: the character at i and its width, U+FFFD and 1 when invalid. */
export function decodeRune(b: string, i: number): { rune: string; width: number } {
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
export function runesOf(b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < b.length; ) {
    const { rune, width } = decodeRune(b, i);
    out.push(rune);
    i += width;
  }
  return out;
}
