// Kubernetes label selector expressions ("app=web,tier in (a,b),!canary"), parsed once and matched against
// label or annotation maps, as k8s.io/apimachinery's labels.Parse reads them.

/** One requirement of a selector. */
interface Requirement {
  readonly key: string;
  readonly op: "=" | "!=" | "in" | "notin" | "exists" | "!" | ">" | "<";
  readonly values: readonly string[];
}

/** A selector expression that does not parse. */
export class InvalidSelectorError extends Error {
  override name = "InvalidSelectorError";
  readonly selector: string;
  constructor(selector: string, detail: string) {
    super(`invalid selector ${JSON.stringify(selector)}: ${detail}`);
    this.selector = selector;
  }
}

/** A parsed selector; `matches` tells whether a label (or annotation) map satisfies every requirement. */
export class LabelSelector {
  readonly #requirements: readonly Requirement[];

  private constructor(requirements: readonly Requirement[]) {
    this.#requirements = requirements;
  }

  /** Parses a selector expression; "" selects everything. Throws InvalidSelectorError. */
  static parse(text: string): LabelSelector {
    return new LabelSelector(splitTopLevel(text).map((part) => requirementOf(text, part)));
  }

  /** Whether the map satisfies every requirement. */
  matches(map: Readonly<Record<string, string>> | undefined): boolean {
    const m = map ?? {};
    return this.#requirements.every((r) => {
      const has = Object.hasOwn(m, r.key);
      const v = m[r.key];
      switch (r.op) {
        case "=":
          return has && v === r.values[0];
        case "!=":
          return !has || v !== r.values[0];
        case "in":
          return has && r.values.includes(v as string);
        case "notin":
          return !has || !r.values.includes(v as string);
        case "exists":
          return has;
        case "!":
          return !has;
        case ">":
        case "<": {
          const n = Number(v);
          const bound = Number(r.values[0]);
          if (!has || !Number.isInteger(n)) return false;
          return r.op === ">" ? n > bound : n < bound;
        }
      }
      return false;
    });
  }
}

// Splits at commas outside parentheses; empty input has no requirements.
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of text) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  if (parts.length > 0 || cur.trim() !== "") parts.push(cur);
  return parts;
}

const KEY = "[A-Za-z0-9](?:[-A-Za-z0-9_./]*[A-Za-z0-9])?";
const VALUE = "(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?";

function requirementOf(text: string, raw: string): Requirement {
  const p = raw.trim();
  let m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(p);
  if (m) {
    const values = (m[3] as string).split(",").map((v) => v.trim());
    if (values.some((v) => !new RegExp(`^${VALUE}$`).test(v)))
      throw new InvalidSelectorError(text, `invalid value in ${JSON.stringify(p)}`);
    return { key: m[1] as string, op: m[2] as "in" | "notin", values };
  }
  m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(p);
  if (m) return { key: m[1] as string, op: m[2] === "!=" ? "!=" : "=", values: [m[3] ?? ""] };
  m = new RegExp(`^(${KEY})\\s*([<>])\\s*(-?\\d+)$`).exec(p);
  if (m) return { key: m[1] as string, op: m[2] as ">" | "<", values: [m[3] as string] };
  m = new RegExp(`^!\\s*(${KEY})$`).exec(p);
  if (m) return { key: m[1] as string, op: "!", values: [] };
  if (new RegExp(`^${KEY}$`).test(p)) return { key: p, op: "exists", values: [] };
  throw new InvalidSelectorError(text, `cannot parse requirement ${JSON.stringify(p)}`);
}
