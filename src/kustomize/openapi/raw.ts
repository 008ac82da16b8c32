// OpenAPI schema objects as kyaml reads them (kube-openapi's spec.Schema): only the parts that steer
// strategic merge ($ref, type, properties, items, additionalProperties, x- extensions) are kept, and
// the ones whose wrong type makes kube-openapi refuse the whole document are checked.
import { z } from "zod";
import { BuildError, isObj } from "../resource.ts";

/** A schema object, checked and reduced to what merging and the crds field read. */
export interface RawSchema {
  readonly ref?: string;
  /** The `type` is exactly "array" (kyaml only walks the items of such schemas). */
  readonly array: boolean;
  readonly items?: RawSchema;
  /** `items` given as a list of schemas, which kyaml cannot walk. */
  readonly tupleItems: boolean;
  readonly properties: ReadonlyMap<string, RawSchema>;
  /** `additionalProperties` when it is a schema (not a boolean). */
  readonly additional?: RawSchema;
  /** Vendor extensions (`x-…` keys, case kept), values unchecked until read. */
  readonly ext: ReadonlyMap<string, unknown>;
}

const shape = z.looseObject({
  $ref: z.string().nullish(),
  type: z.union([z.string(), z.array(z.string())]).nullish(),
  properties: z.record(z.string(), z.unknown()).nullish(),
  items: z.unknown().optional(),
  additionalProperties: z.unknown().optional(),
});

/** Reads a schema object; `where` names it in errors. Throws BuildError when kube-openapi would. */
export function readSchema(v: unknown, where: string, depth = 0): RawSchema {
  if (depth > 200) throw new BuildError(`${where}: schema nested too deeply`);
  if (v === null) return readSchema({}, where, depth);
  const parsed = shape.safeParse(v);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? "" : `.${issue.path.join(".")}`;
    throw new BuildError(
      `${where}${at}: ${isObj(v) ? (issue?.message ?? "invalid schema") : "a schema must be an object"}`,
    );
  }
  const s = parsed.data;
  const type = s.type ?? [];
  const properties = new Map<string, RawSchema>();
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    properties.set(k, readSchema(p, `${where}.properties.${k}`, depth + 1));
  }
  let items: RawSchema | undefined;
  let tupleItems = false;
  if (Array.isArray(s.items)) {
    tupleItems = true;
    for (const [i, x] of s.items.entries()) readSchema(x, `${where}.items[${i}]`, depth + 1);
  } else if (s.items !== undefined && s.items !== null) {
    items = readSchema(s.items, `${where}.items`, depth + 1);
  }
  let additional: RawSchema | undefined;
  const ap = s.additionalProperties;
  if (isObj(ap)) additional = readSchema(ap, `${where}.additionalProperties`, depth + 1);
  else if (ap !== undefined && ap !== null && typeof ap !== "boolean") {
    throw new BuildError(`${where}.additionalProperties: expected a schema or a boolean`);
  }
  const ext = new Map<string, unknown>();
  for (const [k, x] of Object.entries(s)) if (k.toLowerCase().startsWith("x-")) ext.set(k, x);
  return {
    ...(s.$ref ? { ref: s.$ref } : {}),
    array: typeof type === "string" ? type === "array" : type.length === 1 && type[0] === "array",
    ...(items !== undefined ? { items } : {}),
    tupleItems,
    properties,
    ...(additional !== undefined ? { additional } : {}),
    ext,
  };
}

/** A string extension's value, or undefined when absent or not a string (kube-openapi's GetString). */
export function extString(s: RawSchema, key: string): string | undefined {
  const v = s.ext.get(key);
  return typeof v === "string" ? v : undefined;
}
