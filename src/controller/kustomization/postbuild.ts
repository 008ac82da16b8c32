// Flux's postBuild variable substitution: each rendered object is written out as YAML, its `${var}`
// expressions are expanded as fluxcd/pkg/envsubst does, and the text is parsed back. Working on the
// text (not on parsed values) is what Flux does, and it is user-visible: `replicas: ${n}` becomes a
// number, `${quote}${id}${quote}` a quoted string.
import { Document, isCollection, isScalar, parseDocument, type ScalarTag, type Tags, visit } from "yaml";
import { EnvsubstError, expandToBuffer } from "./envsubst/expand.ts";
import { toGoYaml } from "./goyaml/emit.ts";

/** The label or annotation that opts an object out of substitution when set to "disabled". */
export const SubstituteAnnotation = "kustomize.toolkit.fluxcd.io/substitute";

/** Flux's rule for variable names (POSIX classes are ASCII-only in Go's regexp). */
export const VarNamePattern = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";
const varName = /^[_A-Za-z][_A-Za-z0-9]*$/;

/** The variables of a Kustomization's postBuild. */
export interface PostBuildVars {
  /** spec.postBuild.substitute: wins over every substituteFrom value. */
  substitute?: Record<string, string>;
  /** The data of each spec.postBuild.substituteFrom ConfigMap/Secret (decoded), in spec order: later ones win. */
  from?: ReadonlyArray<Record<string, string>>;
}

/** How substitution behaves. */
export interface PostBuildOptions {
  /** Fail on a `${var}` without a default whose variable is not set (Flux's StrictPostBuildSubstitutions). */
  strict?: boolean;
  /** Substitute even when no variable is set (spec.postBuild.substituteStrategy: Always), so defaults apply. */
  always?: boolean;
}

/** A substitution that failed on one object, named `Kind/namespace/name`. */
export class PostBuildError extends Error {
  override name = "PostBuildError";
  /** The object, as `Kind/namespace/name` (`Kind/name` when cluster-scoped). */
  readonly object: string;
  /** The envsubst error code, or "InvalidVarName" / "InvalidResult". */
  readonly code: string;

  constructor(object: string, code: string, message: string, options?: ErrorOptions) {
    super(`variable substitution failed for '${object}': ${message}`, options);
    this.object = object;
    this.code = code;
  }
}

/**
 * Substitutes the postBuild variables into every object, as Flux does: values lose their newlines,
 * substituteFrom maps apply in order and `substitute` wins; nothing happens unless some variable is set
 * (or `always`); objects labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` are
 * returned untouched. Throws PostBuildError naming the first object that fails.
 */
export function substituteObjects(
  objects: readonly unknown[],
  vars: PostBuildVars,
  options: PostBuildOptions = {},
): unknown[] {
  const values = mergeVars(vars);
  if (values.size === 0 && !options.always) return [...objects];
  const invalid = [...values.keys()].find((name) => !varName.test(name));
  const lookup = options.strict
    ? (name: string) => ({ value: values.get(name) ?? "", exists: values.has(name) })
    : (name: string) => ({ value: values.get(name) ?? "", exists: true });

  return objects.map((obj) => {
    if (isDisabled(obj)) return obj;
    // Without a "$" the text comes back unchanged, and so does the object: skip the round trip.
    if (invalid === undefined && !containsDollar(obj)) return obj;
    const id = objectId(obj);
    // Flux checks the names per object, so a bad name fails the first object substituted.
    if (invalid !== undefined) {
      throw new PostBuildError(
        id,
        "InvalidVarName",
        `'${invalid}' var name is invalid, must match '${VarNamePattern}'`,
      );
    }
    let bytes: Buffer;
    try {
      bytes = expandToBuffer(toYaml(obj), lookup);
    } catch (error) {
      if (error instanceof EnvsubstError)
        throw new PostBuildError(id, error.code, error.message, { cause: error });
      throw error;
    }
    return fromYaml(decodeUtf8(bytes, id), id);
  });
}

/** Whether any key or string in the object holds a "$". */
function containsDollar(value: unknown): boolean {
  if (typeof value === "string") return value.includes("$");
  if (Array.isArray(value)) return value.some(containsDollar);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([k, v]) => k.includes("$") || containsDollar(v));
  }
  return false;
}

/** The variables in effect: substituteFrom maps in order, then `substitute`, newlines removed from values. */
function mergeVars(vars: PostBuildVars): Map<string, string> {
  const values = new Map<string, string>();
  const sources = [...(vars.from ?? []), vars.substitute ?? {}];
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) values.set(name, value.replaceAll("\n", ""));
  }
  return values;
}

function isDisabled(obj: unknown): boolean {
  const metadata = field(obj, "metadata");
  return (
    field(field(metadata, "labels"), SubstituteAnnotation) === "disabled" ||
    field(field(metadata, "annotations"), SubstituteAnnotation) === "disabled"
  );
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === "object" && obj !== null && !Array.isArray(obj)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

function objectId(obj: unknown): string {
  const str = (value: unknown): string => (typeof value === "string" ? value : "");
  const metadata = field(obj, "metadata");
  const kind = str(field(obj, "kind"));
  const namespace = str(field(metadata, "namespace"));
  const name = str(field(metadata, "name"));
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

// Flux writes and re-reads objects with go-yaml v2, a YAML 1.1 parser: `yes`, `on`, `0777` are not
// strings there. Both directions use the same YAML 1.1 schema so untouched strings survive the round
// trip, minus what go-yaml does not resolve either (sexagesimal numbers, timestamps: kept as strings).
// go-yaml also reads the integer prefixes of Go's strconv that YAML 1.1 lacks: 0o17, 0X1F, 0B101.
const goPrefixedInt: ScalarTag = {
  tag: "tag:yaml.org,2002:int",
  format: "GO",
  default: true,
  identify: () => false,
  test: /^[-+]?(?:0[oO][0-7_]+|0X[0-9a-fA-F_]+|0B[01_]+)$/,
  resolve: (text) => {
    const negative = text.startsWith("-");
    const digits = text.replace(/^[-+]/, "").replaceAll("_", "").toLowerCase();
    const value = Number(digits);
    return negative ? -value : value;
  },
};

const customTags = (tags: Tags): Tags => [
  ...tags.filter(
    (tag) =>
      typeof tag !== "object" ||
      (tag.tag !== "tag:yaml.org,2002:timestamp" && !("format" in tag && tag.format === "TIME")),
  ),
  goPrefixedInt,
];

const schemaTags = new Document(null, { version: "1.1", customTags }).schema.tags;

/** Whether our parser reads a plain scalar back as this string (go-yaml's writer only knows go-yaml's reader). */
function plainReadsAsString(text: string): boolean {
  return !schemaTags.some(
    (tag) =>
      tag.default === true && tag.tag !== "tag:yaml.org,2002:str" && "test" in tag && tag.test?.test(text),
  );
}

function toYaml(obj: unknown): string {
  return toGoYaml(obj, { plainReadsAsString });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The substituted text; a byte-wise substring or trim that split a character fails as in Flux's YAML reader. */
function decodeUtf8(bytes: Buffer, id: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new PostBuildError(id, "InvalidResult", "YAMLToJSON: invalid UTF-8 in the substituted manifest", {
      cause,
    });
  }
}

function fromYaml(text: string, id: string): unknown {
  const doc = parseDocument(text, { version: "1.1", customTags, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) throw new PostBuildError(id, "InvalidResult", `YAMLToJSON: ${error.message}`, { cause: error });
  const unsupported = unsupportedSyntax(doc, text);
  if (unsupported !== undefined) throw new PostBuildError(id, "InvalidResult", `YAMLToJSON: ${unsupported}`);
  let obj: unknown;
  try {
    obj = doc.toJS();
  } catch (cause) {
    // An alias without its anchor, for one, surfaces only here.
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PostBuildError(id, "InvalidResult", `YAMLToJSON: ${reason}`, { cause });
  }
  try {
    obj = toJsonValue(obj);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PostBuildError(id, "InvalidResult", `YAMLToJSON: ${reason}`, { cause });
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    throw new PostBuildError(id, "InvalidResult", "the substituted manifest is not an object");
  }
  return obj;
}

/** The value as JSON can hold it, as Flux's YAML-to-JSON step leaves it: binary as text, no infinities. */
function toJsonValue(value: unknown): unknown {
  if (typeof value === "number") {
    // JSON has no infinities or NaN (".inf", ".nan"): Flux fails converting them, so do we.
    if (!Number.isFinite(value)) throw new Error(`unsupported value: ${value}`);
    return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), toJsonValue(v)]));
  if (value instanceof Set) return Object.fromEntries([...value].map((k) => [String(k), null]));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

// go-yaml only takes letters, digits, "-" and "_" in anchor and alias names; YAML 1.2 parsers take more.
const anchorName = /^[A-Za-z0-9_-]+$/;

/** What Flux's YAML-to-JSON step refuses that our reader accepts: odd anchor names, null or collection keys. */
function unsupportedSyntax(doc: Document.Parsed, text: string): string | undefined {
  let problem: string | undefined;
  // One Node callback: a visitor calls only the most specific callback a node has.
  visit(doc, {
    Alias(_, node) {
      if (!anchorName.test(node.source)) problem ??= `invalid alias name '${node.source}'`;
    },
    Node(_, node) {
      if (node.anchor !== undefined && !anchorName.test(node.anchor)) {
        problem ??= `invalid anchor name '${node.anchor}'`;
      }
      // Our reader recovers from some unclosed quotes (a value that brought its own quote); go-yaml does not.
      if (isScalar(node) && (node.type === "QUOTE_SINGLE" || node.type === "QUOTE_DOUBLE") && node.range) {
        if (!closedQuote(text.slice(node.range[0], node.range[1])))
          problem ??= "a quoted scalar is not closed";
      }
    },
    Pair(_, pair) {
      // JSON keys are strings; booleans and numbers are spelled out, but null and collections cannot be.
      const key = pair.key;
      if (key === null || (isScalar(key) && key.value === null)) problem ??= "unsupported map key: null";
      else if (isCollection(key)) problem ??= "unsupported map key: a collection";
      else if (isScalar(key) && typeof key.value === "number")
        key.value = jsonNumberKey(key.value, key.source);
    },
  });
  return problem;
}

/** Whether a quoted scalar's source ends with its closing quote (not an escaped one). */
function closedQuote(source: string): boolean {
  const quote = source[0];
  const body = source.slice(1);
  if (!body.endsWith(quote ?? "")) return false;
  if (quote === "'") {
    // Inside single quotes '' is an escaped quote: the closing one makes the trailing run odd.
    const run = body.length - body.replace(/'+$/, "").length;
    return run % 2 === 1;
  }
  const backslashes = body.length - 1 - body.slice(0, -1).replace(/\\+$/, "").length;
  return backslashes % 2 === 0;
}

/**
 * A number key as Flux's YAML-to-JSON step spells it: integers in decimal, floats as Go's
 * strconv.FormatFloat(f, 'g', -1, 32), and the infinities and NaN as YAML writes them.
 */
function jsonNumberKey(value: number, source: unknown): string {
  const text = typeof source === "string" ? source.replaceAll("_", "") : "";
  if (/^[-+]?(0[xXoObB][0-9a-fA-F]+|[0-9]+)$/.test(text)) return String(value);
  if (Number.isNaN(value)) return ".nan";
  if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
  const single = Math.fround(value);
  if (single === 0) return Object.is(single, -0) ? "-0" : "0";
  // The fewest digits that read back as the same float32.
  let digits = 1;
  while (digits < 9 && Math.fround(Number(single.toPrecision(digits))) !== single) digits++;
  const [mantissa = "", exponentText = "0"] = single.toExponential(digits - 1).split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(Number(single.toPrecision(digits)));
}
