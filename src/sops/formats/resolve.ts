// How go-yaml v3 (the YAML library SOPS uses) resolves an untagged plain scalar, so that values get the
// types SOPS gives them (int, float, bool, null, str) and strings are quoted exactly when SOPS quotes them.

import type { Scalar } from "../tree.ts";

const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["true", "True", "TRUE"]);
const FALSES = new Set(["false", "False", "FALSE"]);
const INFS = new Set([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"]);
const NEG_INFS = new Set(["-.inf", "-.Inf", "-.INF"]);
const NANS = new Set([".nan", ".NaN", ".NAN"]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const OLD_BOOLS = new Set([
  "y",
  "Y",
  "yes",
  "Yes",
  "YES",
  "on",
  "On",
  "ON",
  "n",
  "N",
  "no",
  "No",
  "NO",
  "off",
  "Off",
  "OFF",
]);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Parses an integer as Go's strconv.ParseInt(s, 0, 64) / ParseUint would (prefixes 0x, 0o, 0b, leading 0). */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const sign = m[1] === "-" ? -1n : 1n;
  let digits = m[2] ?? "0";
  let value: bigint;
  if (/^0[xXoObB]/.test(digits)) value = BigInt(digits.toLowerCase());
  else if (digits.length > 1 && digits.startsWith("0")) {
    digits = digits.slice(1);
    value = BigInt(`0o${digits}`);
  } else value = BigInt(digits);
  value *= sign;
  if (value >= INT64_MIN && value <= INT64_MAX) return value;
  if (sign > 0n && m[1] === "" && value <= UINT64_MAX) return value;
  return undefined;
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|( ))(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?)?$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Parses a timestamp as go-yaml does (Go's time.Parse with its four layouts) and returns it the way Go's
 * time.Time.MarshalText writes it (RFC 3339 with nanoseconds), or undefined when it is not one.
 */
export function goTimestamp(s: string): string | undefined {
  const m = TIMESTAMP.exec(s);
  if (!m) return undefined;
  const [, y = "", mo = "", d = "", space, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const pad = (n: number): string => String(n).padStart(2, "0");
  const date = `${y}-${pad(month)}-${pad(day)}`;
  if (h === undefined) return `${date}T00:00:00Z`;
  // The layout with a space has no zone; the ones with T require one.
  if ((space !== undefined) !== (zone === undefined)) return undefined;
  const [hour, minute, second] = [Number(h), Number(mi), Number(se)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const nanos = (frac ?? "").slice(0, 9).replace(/0+$/, "");
  const offset = zone === undefined || /^(Z|[+-]00:00)$/.test(zone) ? "Z" : zone;
  return `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${nanos ? `.${nanos}` : ""}${offset}`;
}

/** What go-yaml resolves an untagged plain scalar to. */
export type Resolved = Scalar;

/** Resolves an untagged plain scalar as go-yaml v3 does. */
export function resolvePlain(s: string): Resolved {
  if (NULLS.has(s)) return { t: "null" };
  if (TRUES.has(s)) return { t: "bool", v: true };
  if (FALSES.has(s)) return { t: "bool", v: false };
  if (INFS.has(s)) return { t: "float", v: Number.POSITIVE_INFINITY };
  if (NEG_INFS.has(s)) return { t: "float", v: Number.NEGATIVE_INFINITY };
  if (NANS.has(s)) return { t: "float", v: Number.NaN };
  const c = s[0] ?? "";
  if (c === ".") {
    if (YAML_FLOAT.test(s)) return { t: "float", v: Number(s) };
    return { t: "str", v: s };
  }
  if (!/[0-9+-]/.test(c)) return { t: "str", v: s };
  const time = goTimestamp(s);
  if (time !== undefined) return { t: "time", v: time };
  const plain = s.replaceAll("_", "");
  const int = parseGoInt(plain);
  if (int !== undefined) return { t: "int", v: int };
  if (YAML_FLOAT.test(plain)) return { t: "float", v: Number(plain) };
  return { t: "str", v: s };
}

/** Whether go-yaml would write this string unquoted (it must not read back as another type). */
export function canBePlainString(s: string): boolean {
  return resolvePlain(s).t === "str" && !BASE60_FLOAT.test(s) && !OLD_BOOLS.has(s);
}
