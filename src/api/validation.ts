// Parsing API objects with zod and reporting problems the way the apiserver words them, so that a
// failure from `driftless build` reads like the one `kubectl apply` prints for the same manifest.
import { z } from "zod";

/** One problem with an object: the field path ("spec.url") and what is wrong with it. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by the parse helpers when an object does not validate. */
export class ValidationError extends Error {
  override name = "ValidationError";
  readonly kind: string;
  readonly objectName: string;
  readonly issues: readonly FieldIssue[];
  constructor(kind: string, objectName: string, issues: readonly FieldIssue[]) {
    super(
      `${kind} ${JSON.stringify(objectName)} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join(", ")}`,
    );
    this.kind = kind;
    this.objectName = objectName;
    this.issues = issues;
  }
}

/** Error map giving zod issues the apiserver's phrasing (schema-level messages still take precedence). */
export const apiServerErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? "Required value"
        : `Invalid value: ${describe(issue.input)}: must be of type ${issue.expected}`;
    case "invalid_value":
      return `Unsupported value: ${describe(issue.input)}: supported values: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "string"
        ? `Invalid value: ${describe(issue.input)}: should be at least ${issue.minimum} chars long`
        : `Invalid value: ${describe(issue.input)}: should be greater than or equal to ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string"
        ? `Too long: may not be more than ${issue.maximum} bytes`
        : `Invalid value: ${describe(issue.input)}: should be less than or equal to ${issue.maximum}`;
    default:
      return undefined;
  }
};

function describe(input: unknown): string {
  return typeof input === "string" ? JSON.stringify(input) : typeof input;
}

/** Renders zod issues as apiserver-style field issues. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out === "" ? "<root>" : out;
}

/**
 * Drops object properties whose value is null, as the apiserver prunes nulls from fields that are not
 * nullable before defaulting and validating (none of these APIs has nullable fields).
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) out[k] = dropNulls(v);
    }
    return out;
  }
  return value;
}

/** Result of a safe parse: the typed object or the issues. */
export type ParseResult<T> = { success: true; data: T } | { success: false; issues: FieldIssue[] };

/** Validates `data` with `schema` after apiserver-style null pruning, without throwing. */
export function safeParseObject<S extends z.ZodType>(schema: S, data: unknown): ParseResult<z.output<S>> {
  const r = schema.safeParse(dropNulls(data), { error: apiServerErrorMap });
  return r.success ? { success: true, data: r.data } : { success: false, issues: fieldIssues(r.error) };
}

/** Validates `data` with `schema` after null pruning; throws ValidationError naming the object. */
export function parseObject<S extends z.ZodType>(schema: S, kind: string, data: unknown): z.output<S> {
  const r = safeParseObject(schema, data);
  if (r.success) return r.data;
  throw new ValidationError(kind, objectName(data), r.issues);
}

/** metadata.name of an unvalidated object, or "" when it has none. */
export function objectName(data: unknown): string {
  if (data !== null && typeof data === "object" && "metadata" in data) {
    const meta = data.metadata;
    if (meta !== null && typeof meta === "object" && "name" in meta && typeof meta.name === "string") {
      return meta.name;
    }
  }
  return "";
}

type JsonSchemaNode = { [key: string]: unknown };

const jsonSchemas = new WeakMap<z.ZodType, JsonSchemaNode>();

function jsonSchemaOf(schema: z.ZodType): JsonSchemaNode {
  let js = jsonSchemas.get(schema);
  if (js === undefined) {
    js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchemaNode;
    jsonSchemas.set(schema, js);
  }
  return js;
}

function isNode(v: unknown): v is JsonSchemaNode {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Paths of fields in `data` that `schema` does not know ("spec.intervall"), which parsing silently drops as
 * the apiserver's pruning does. kubectl's default strict field validation rejects such objects with
 * `unknown field "<path>"`; callers reading manifests can warn with the same words.
 */
export function unknownFields(schema: z.ZodType, data: unknown): string[] {
  const out: string[] = [];
  walkUnknown(jsonSchemaOf(schema), dropNulls(data), "", out);
  return out;
}

function walkUnknown(node: JsonSchemaNode, value: unknown, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    if (isNode(node.items)) {
      const items = node.items;
      value.forEach((v, i) => {
        walkUnknown(items, v, `${path}[${i}]`, out);
      });
    }
    return;
  }
  if (!isNode(value)) return;
  const properties = isNode(node.properties) ? node.properties : undefined;
  const additional = node.additionalProperties;
  for (const [key, v] of Object.entries(value)) {
    const child = path === "" ? key : `${path}.${key}`;
    const known = properties?.[key];
    if (isNode(known)) walkUnknown(known, v, child, out);
    else if (isNode(additional)) walkUnknown(additional, v, child, out);
    else if (properties !== undefined || additional === false) out.push(child);
  }
}
