// Masks decrypted values in text shown to a person (a diff, an error from the API server): the decryption
// steps record what they revealed, and every line printed afterwards goes through `redact`. Structured masking
// (Secret values as `***`) comes first; this catches the rest: values quoted in error messages, and encrypted
// fields of kinds other than Secret.

/** Replaces a redacted value. */
export const REDACTED = "***";

// Shorter values would mask common words and digits everywhere; structured masking covers them in Secrets.
const MIN_LENGTH = 4;
// Encrypted booleans and nulls hold no secret worth masking every `true` of a diff for.
const NOT_SECRET = new Set(["true", "false", "null", "True", "False", "TRUE", "FALSE", "Null", "NULL"]);
// Enough for any real source; a hostile one cannot make each redact() call quadratic without bound.
const MAX_VALUES = 20_000;

/** A set of plaintext values to mask in output, and tokens never to mask (kinds, names, namespaces). */
export class Redactor {
  readonly #values = new Set<string>();
  readonly #keep = new Set<string>();
  #sorted: string[] | undefined;

  /**
   * Records a revealed value: the whole of it, each of its lines and the values of its `k: v`/`K=v` lines,
   * each also in base64 (as a Secret's `data` holds it), and decoded when it is base64 of text.
   */
  add(value: string): void {
    for (const v of fragments(value).flatMap((f) => [f, ...decodedText(f).flatMap(fragments)])) {
      if (v.length < MIN_LENGTH || NOT_SECRET.has(v) || this.#values.has(v)) continue;
      if (this.#values.size >= MAX_VALUES) return;
      this.#values.add(v);
      this.#values.add(Buffer.from(v, "utf8").toString("base64"));
      this.#sorted = undefined;
    }
  }

  /** Records every value. */
  addAll(values: Iterable<string>): void {
    for (const v of values) this.add(v);
  }

  /** Never masks this token on its own (an object's kind, name or namespace, printed as its subject). */
  keep(token: string): void {
    this.#keep.add(token);
    this.#sorted = undefined;
  }

  /** Tells whether a value, or one of its lines, was recorded (and is not kept). */
  reveals(value: string): boolean {
    const hit = (v: string): boolean => this.#values.has(v) && !this.#keep.has(v);
    return hit(value) || (/\n/.test(value) && value.split(/\r?\n/).some((l) => hit(l.trim())));
  }

  /** How many values are recorded. */
  get size(): number {
    return this.#values.size;
  }

  /** The text with every recorded value masked (longest first, so a value inside another goes too). */
  redact(text: string): string {
    this.#sorted ??= [...this.#values].filter((v) => !this.#keep.has(v)).sort((a, b) => b.length - a.length);
    let out = text;
    for (const v of this.#sorted) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  }
}

// The forms a value can be printed in: whole, JSON-escaped (as YAML's double quotes and Go's %q print special
// characters), and for a text of several lines, each line or the value part of its `key: value`/`KEY=value`.
function fragments(value: string): string[] {
  const out = [value];
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) out.push(escaped);
  if (!/[\r\n]/.test(value)) return out;
  for (const raw of value.split(/\r?\n/)) out.push(...lineFragments(raw));
  return out;
}

// A base64 value (a Secret's `data` in a decrypted file) is also recorded as the text it encodes.
function decodedText(v: string): string[] {
  if (v.length < 8 || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return [];
  const text = Buffer.from(v, "base64").toString("utf8");
  return /^[^\p{Cc}\uFFFD]*$/u.test(text.replace(/[\t\r\n]/g, "")) ? [text] : [];
}

// The value of a `key: value` or `KEY=value` line (keys are not secret, and masking them would hide which
// field changed), else the line without a list item's dash.
function lineFragments(raw: string): string[] {
  const line = raw.trim();
  const m = /^[^=:]*?(?:=|:\s)(.*)$/.exec(line);
  if (m?.[1] !== undefined) return [m[1].trim().replace(/^["']|["']$/g, "")];
  return [line.replace(/^-\s+/, "")];
}

/**
 * The values a decryption revealed in a document: the string leaves of `after` that differ from the leaf at
 * the same path of `before` (its ciphertext), with a Secret's `data` values also base64-decoded.
 */
export function revealedValues(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  const walk = (b: unknown, a: unknown): void => {
    if (typeof a === "string") {
      if (a !== b) out.push(a);
    } else if (Array.isArray(a)) {
      for (const [i, v] of a.entries()) walk(Array.isArray(b) ? b[i] : undefined, v);
    } else if (isRecord(a)) {
      const bm = isRecord(b) ? b : {};
      for (const [k, v] of Object.entries(a)) walk(bm[k], v);
    }
  };
  walk(before, after);
  if (isRecord(after) && after.kind === "Secret" && isRecord(after.data)) {
    const was = isRecord(before) && isRecord(before.data) ? before.data : {};
    for (const [k, v] of Object.entries(after.data)) {
      if (typeof v === "string" && v !== was[k]) out.push(Buffer.from(v, "base64").toString("utf8"));
    }
  }
  return out;
}

/** The values of a Secret (`data` decoded and as is, `stringData`); nothing for other kinds. */
export function secretValues(obj: unknown): string[] {
  if (!isRecord(obj) || obj.kind !== "Secret") return [];
  const out: string[] = [];
  for (const field of ["data", "stringData"]) {
    const map = obj[field];
    if (!isRecord(map)) continue;
    for (const v of Object.values(map)) {
      if (typeof v !== "string") continue;
      out.push(v);
      if (field === "data") out.push(Buffer.from(v, "base64").toString("utf8"));
    }
  }
  return out;
}

/**
 * The values in the lines of a decrypted file that its encrypted form lacks: the lines that hold decrypted
 * values (SOPS keeps keys, structure and plain values as they are), and their `key: value`/`KEY=value` values.
 */
export function revealedLines(encrypted: Uint8Array, decrypted: Uint8Array): string[] {
  const lines = (b: Uint8Array): string[] =>
    Buffer.from(b)
      .toString("utf8")
      .split(/\r?\n/)
      .map((l) => l.trim());
  const before = new Set(lines(encrypted));
  return lines(decrypted)
    .filter((l) => l !== "" && !before.has(l))
    .flatMap((l) => lineFragments(l));
}

/** A path into a document: map keys and list indexes. */
export type LeafPath = readonly (string | number)[];

/** The paths of the string leaves of a document that hold a value the redactor recorded. */
export function pathsRevealing(doc: unknown, redactor: Redactor): LeafPath[] {
  const out: LeafPath[] = [];
  const walk = (v: unknown, path: LeafPath): void => {
    if (typeof v === "string") {
      if (redactor.reveals(v)) out.push(path);
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, [...path, i]);
    } else if (isRecord(v)) {
      for (const [k, item] of Object.entries(v)) walk(item, [...path, k]);
    }
  };
  walk(doc, []);
  return out;
}

/** The string leaves of a document at the paths (missing and non-string ones left out). */
export function stringsAt(doc: unknown, paths: readonly LeafPath[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    let v: unknown = doc;
    for (const step of path) {
      if (typeof step === "number") v = Array.isArray(v) ? v[step] : undefined;
      else v = isRecord(v) ? v[step] : undefined;
    }
    if (typeof v === "string") out.push(v);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
