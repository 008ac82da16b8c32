// Scalar resolution rules of the two YAML libraries kustomize runs data through: plain scalars are
// decoded with YAML 1.2-style rules (go-yaml v3), and output strings are quoted when go-yaml v2 would
// read them back as something other than a string.

/** A decoded plain scalar: JSON-like, with big integers as bigint and timestamps as RFC 3339 strings. */
export type Decoded = string | number | bigint | boolean | null;

const INT64_MIN = -(2n ** 63n);
const _INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Parses an integer the way Go's strconv.ParseInt/ParseUint with base 0 do; null when it is not one. */
export function parseGoInt(s: string): bigint | null {
  let i = 0;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    i = 1;
  }
  let body = s.slice(i);
  let base = 10;
  if (/^0[xX]/.test(body)) {
    base = 16;
    body = body.slice(2);
  } else if (/^0[bB]/.test(body)) {
    base = 2;
    body = body.slice(2);
  } else if (/^0[oO]/.test(body)) {
    base = 8;
    body = body.slice(2);
  } else if (body.length > 1 && body[0] === "0") {
    base = 8;
    body = body.slice(1);
  }
  if (body === "") return null;
  const digits =
    base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!digits.test(body)) return null;
  const prefix = base === 16 ? "0x" : base === 8 ? "0o" : base === 2 ? "0b" : "";
  const v = BigInt(prefix + body);
  return neg ? -v : v;
}

const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const HINT_DIGIT_OR_SIGN = /^[-+0-9]/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Recognises go-yaml's timestamp forms; returns the RFC 3339 text Go's JSON encoding of it gives, or null. */
export function parseTimestamp(s: string): string | null {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt]| )(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      s,
    );
  if (m === null) return null;
  const [, ys, ms, ds, sep, hh, mi, ss, frac, zone] = m;
  const year = Number(ys);
  const month = Number(ms);
  const day = Number(ds);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  const pad = (n: string | undefined): string => (n ?? "0").padStart(2, "0");
  const date = `${ys}-${pad(ms)}-${pad(ds)}`;
  if (sep === undefined) return `${date}T00:00:00Z`;
  if (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 59) return null;
  if (sep === " " && zone !== undefined) return null;
  if (sep !== " " && zone === undefined) return null;
  let fraction = (frac ?? "").replace(/0+$/, "");
  if (fraction === ".") fraction = "";
  const z = zone === undefined || zone === "Z" || zone === "+00:00" ? "Z" : zone;
  return `${date}T${pad(hh)}:${pad(mi)}:${pad(ss)}${fraction}${z}`;
}

function toNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Decodes a plain (unquoted, untagged) scalar as go-yaml v3 does into an interface{}. */
export function decodePlain(s: string): Decoded {
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
      return Number.POSITIVE_INFINITY;
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return Number.NEGATIVE_INFINITY;
    case ".nan":
    case ".NaN":
    case ".NAN":
      return Number.NaN;
  }
  if (s[0] === ".") {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) ? Number(s) : s;
  }
  if (!HINT_DIGIT_OR_SIGN.test(s)) return s;
  const ts = parseTimestamp(s);
  if (ts !== null) return ts;
  const plain = s.replaceAll("_", "");
  const i = parseGoInt(plain);
  if (i !== null && i >= INT64_MIN && i <= UINT64_MAX) return toNumber(i);
  if (YAML_FLOAT.test(plain)) return Number(plain);
  return s;
}

/** True when go-yaml v2 would resolve the unquoted string to a non-string (so it must be quoted). */
export function v2NeedsQuotes(s: string): boolean {
  switch (s) {
    case "y":
    case "Y":
    case "yes":
    case "Yes":
    case "YES":
    case "n":
    case "N":
    case "no":
    case "No":
    case "NO":
    case "true":
    case "True":
    case "TRUE":
    case "false":
    case "False":
    case "FALSE":
    case "on":
    case "On":
    case "ON":
    case "off":
    case "Off":
    case "OFF":
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
    case ".nan":
    case ".NaN":
    case ".NAN":
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return true;
  }
  const c = s[0];
  if (c === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (!HINT_DIGIT_OR_SIGN.test(s)) return false;
  if (BASE60_FLOAT.test(s)) return true;
  if (parseTimestamp(s) !== null) return true;
  const plain = s.replaceAll("_", "");
  const i = parseGoInt(plain);
  if (i !== null && i >= INT64_MIN && i <= UINT64_MAX) return true;
  if (YAML_FLOAT.test(plain)) return true;
  if (/^-?0b[01]+$/.test(plain)) return true;
  return false;
}

/** Formats a float as Go's strconv.FormatFloat(f, 'g', -1, 64). */
export function goFormatG(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mant = "", expText = "0"] = f.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    const e = String(Math.abs(exp)).padStart(2, "0");
    return `${mant}e${sign}${e}`;
  }
  return String(f);
}

/** The text kustomize prints for a number: Go's JSON encoding read back by go-yaml v2 and printed again. */
export function formatNumber(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) {
    const b = BigInt(n);
    if (b >= INT64_MIN && b <= UINT64_MAX) return b.toString();
  }
  return goFormatG(n);
}
