// go-yaml v2's resolver, as far as writing needs it: does a plain scalar read back as a string?

const resolvedWords = new Set([
  ..."y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF".split(" "),
  ..."~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF".split(" "),
  "",
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const goInteger = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** Whether go-yaml reads this text, written plain, back as a string (not a bool, number, null or timestamp). */
export function resolvesToString(s: string): boolean {
  if (resolvedWords.has(s)) return false;
  const first = s[0] ?? "";
  if (first === ".") return !isGoFloat(s);
  if (!"+-0123456789".includes(first)) return true;
  if (isTimestamp(s)) return false;
  const plain = s.replaceAll("_", "");
  if (isGoInteger(plain)) return false;
  if (yamlStyleFloat.test(plain) && Number.isFinite(Number(plain))) return false;
  return true;
}

export function isBase60Float(s: string): boolean {
  return s.includes(":") && base60Float.test(s);
}

/** strconv.ParseFloat on text starting with ".": decimal digits, underscores between them, an exponent. */
function isGoFloat(s: string): boolean {
  if (!/^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s)) return false;
  return Number.isFinite(Number(s.replaceAll("_", "")));
}

/** strconv.ParseInt(s, 0, 64), or ParseUint for values past int64. */
function isGoInteger(s: string): boolean {
  const match = goInteger.exec(s);
  if (!match) return false;
  const negative = s.startsWith("-");
  let digits = (match[1] ?? "").toLowerCase();
  // A leading zero means octal.
  if (/^0[0-7]+$/.test(digits)) digits = `0o${digits.slice(1)}`;
  const magnitude = BigInt(digits);
  if (negative) return magnitude <= 2n ** 63n;
  if (s.startsWith("+")) return magnitude < 2n ** 63n;
  return magnitude < 2n ** 64n;
}

/** The timestamp forms go-yaml v2 recognises (it quotes them on output). */
function isTimestamp(s: string): boolean {
  const m =
    /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$/.exec(
      s,
    );
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return false;
  const [hour = 0, minute = 0, second = 0] = [m[4] ?? m[7], m[5] ?? m[8], m[6] ?? m[9]].map((v) =>
    Number(v ?? 0),
  );
  return hour < 24 && minute < 60 && second < 60;
}
