// Go durations as Flux's APIs carry them (metav1.Duration): "1m30s", "500ms", "1.5h".

/** Nanoseconds per unit accepted by Go's time.ParseDuration. */
const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek small letter mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** 2^63 - 1 nanoseconds, Go's largest duration (as the nearest double). */
const MAX_NANOS = 2 ** 63;

const COMPONENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** Thrown when a string is not a Go duration. */
export class InvalidDurationError extends Error {
  override name = "InvalidDurationError";
  readonly input: string;
  constructor(input: string) {
    super(`invalid duration ${JSON.stringify(input)}`);
    this.input = input;
  }
}

/**
 * Parses a Go duration string to milliseconds, as Go's time.ParseDuration does: an optional sign, then one
 * or more decimal numbers each with a unit (ns, us/µs, ms, s, m, h); "0" needs no unit. Sub-millisecond
 * parts give a fractional result.
 */
export function parseDuration(input: string): number {
  let s = input;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new InvalidDurationError(input);
  let nanos = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < s.length) {
    const start = COMPONENT.lastIndex;
    const m = COMPONENT.exec(s);
    if (m === null || m.index !== start) throw new InvalidDurationError(input);
    const whole = m[1] ?? "";
    const frac = m[2];
    const unit = m[3] ?? "";
    // Go wants at least one digit on either side of the point.
    if (whole === "" && (frac === undefined || frac === "")) throw new InvalidDurationError(input);
    const per = UNIT_NANOS[unit];
    if (per === undefined) throw new InvalidDurationError(input);
    const value = Number(`${whole === "" ? "0" : whole}.${frac ?? ""}0`);
    nanos += value * per;
  }
  // Go rejects durations beyond int64 nanoseconds (~292 years).
  if (nanos > MAX_NANOS) throw new InvalidDurationError(input);
  return (sign * Math.round(nanos)) / 1e6;
}

/** Whether the string parses as a Go duration. */
export function isDuration(input: string): boolean {
  try {
    parseDuration(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * Formats milliseconds the way Go's time.Duration.String() does ("1h0m0s", "1m30s", "1.5s", "500ms",
 * "0s"), so values written to status read like Flux's.
 */
export function formatDuration(ms: number): string {
  let nanos = Math.round(ms * 1e6);
  if (nanos === 0) return "0s";
  const neg = nanos < 0;
  if (neg) nanos = -nanos;
  let out: string;
  if (nanos < 1e9) {
    // Below one second Go picks the largest unit that keeps a non-zero integer part.
    if (nanos < 1e3) out = `${nanos}ns`;
    else if (nanos < 1e6) out = `${fraction(nanos, 1e3)}µs`;
    else out = `${fraction(nanos, 1e6)}ms`;
  } else {
    const hours = Math.floor(nanos / 3600e9);
    const minutes = Math.floor((nanos % 3600e9) / 60e9);
    const seconds = fraction(nanos % 60e9, 1e9);
    out =
      hours > 0 ? `${hours}h${minutes}m${seconds}s` : minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
  }
  return neg ? `-${out}` : out;
}

/** value/unit as a decimal without trailing zeros (integer arithmetic, no float rounding). */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}
