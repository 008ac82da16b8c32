// The document model SOPS works on: an ordered tree of mappings, sequences, typed scalars and comments,
// independent of the file format it was read from (YAML, JSON, dotenv, binary).

/** A scalar with the type SOPS gives it; the type decides the plaintext bytes (MAC) and the output. */
export type Scalar =
  /** `raw` keeps plaintext bytes that are not valid UTF-8 (binary files). */
  | { t: "str"; v: string; raw?: Uint8Array }
  | { t: "int"; v: bigint }
  | { t: "float"; v: number }
  | { t: "bool"; v: boolean }
  /** A timestamp, kept as the RFC 3339 text SOPS encrypts and hashes. */
  | { t: "time"; v: string }
  | { t: "null" };

/** A comment line (without its `#`); SOPS may encrypt it but never hashes it. */
export interface Comment {
  t: "comment";
  v: string;
}

/** One entry of a mapping: a key and its value. */
export interface Pair {
  t: "pair";
  key: string;
  value: Node;
}

/** An ordered mapping; comments sit between its pairs in document order. */
export interface MapNode {
  t: "map";
  items: (Pair | Comment)[];
}

/** A sequence; comments sit between its items in document order. */
export interface SeqNode {
  t: "seq";
  items: (Node | Comment)[];
}

/** Any value in the tree. */
export type Node = Scalar | MapNode | SeqNode;

/** Builds a string scalar. */
export function str(v: string): Scalar {
  return { t: "str", v };
}

/** Formats a float as Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloatFixed(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  const { negative, digits, exp } = shortestDigits(v);
  let out: string;
  if (exp < 0) out = `0.${"0".repeat(-exp - 1)}${digits}`;
  else if (exp + 1 >= digits.length) out = digits + "0".repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return negative ? `-${out}` : out;
}

/** The shortest round-tripping decimal digits of v and the exponent of the first digit. */
export function shortestDigits(v: number): { negative: boolean; digits: string; exp: number } {
  const negative = v < 0 || Object.is(v, -0);
  const e = Math.abs(v).toExponential();
  const [mantissa = "0", exponent = "0"] = e.split("e");
  const digits = mantissa.replace(".", "");
  return { negative, digits, exp: Number(exponent) };
}

/** The bytes SOPS hashes into the MAC (and encrypts) for a scalar, as its ToBytes does. */
export function scalarBytes(s: Scalar): string | Uint8Array {
  switch (s.t) {
    case "str":
      return s.raw ?? s.v;
    case "time":
      return s.v;
    case "int":
      return s.v.toString();
    case "float":
      return formatFloatFixed(s.v);
    case "bool":
      return s.v ? "True" : "False";
    case "null":
      return "";
  }
}
