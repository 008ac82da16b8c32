// Reading a builtin plugin's config object the way kustomize decodes it: Go's JSON decoding through
// sigs.k8s.io/yaml, so unknown fields are ignored, field names match case-insensitively and null
// leaves a field at its zero value.
import type { z } from "zod";
import { describeIssue, kustomizationSchema } from "../kustomization.ts";
import { BuildError, isObj, type Obj, type Resource } from "../resource.ts";

/** Error text kustomize prints for a plugin that rejects its config. */
export function configError(config: Resource, message: string): BuildError {
  return new BuildError(`plugin ${config.idText()} fails configuration: ${message}`);
}

interface Def {
  readonly type: string;
  readonly shape?: Record<string, unknown>;
  readonly innerType?: unknown;
  readonly element?: unknown;
  readonly valueType?: unknown;
}

function defOf(schema: unknown): Def {
  return (schema as { _zod: { def: Def } })._zod.def;
}

/**
 * Shapes a decoded value as Go's decoding into the schema's struct would see it: nulls and unknown
 * fields dropped, field names matched ignoring case (unless `exact`), and scalars read as text where
 * a string is expected (sigs.k8s.io/yaml converts them by the target's type).
 */
function conform(value: unknown, schema: unknown, exact: boolean): unknown {
  let def = defOf(schema);
  while ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType)
    def = defOf(def.innerType);
  if (def.type === "string" && (typeof value === "number" || typeof value === "boolean"))
    return String(value);
  if (def.type === "array" && Array.isArray(value) && def.element !== undefined) {
    const element = def.element;
    return value.filter((v) => v !== null).map((v) => conform(v, element, exact));
  }
  if (def.type === "record" && isObj(value) && def.valueType !== undefined) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = conform(v, def.valueType, exact);
    return out;
  }
  if (def.type !== "object" || def.shape === undefined || !isObj(value)) return value;
  const shape = def.shape;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const key = Object.hasOwn(shape, k) ? k : exact ? undefined : byLower.get(k.toLowerCase());
    if (key === undefined || v === null || key in out) continue;
    out[key] = conform(v, shape[key], exact);
  }
  return out;
}

/** Parses a plugin config object with a schema; `exactKeys` for configs kyaml decodes (yaml.v3). */
export function parseConfig<T>(config: Resource, schema: z.ZodType<T>, exactKeys = false): T {
  const parsed = schema.safeParse(conform(config.obj, schema, exactKeys));
  if (!parsed.success) throw configError(config, describeIssue(parsed.error));
  return parsed.data;
}

const shape = kustomizationSchema.shape;

/** Element schemas shared with the kustomization file. */
export const fieldSpecsSchema = shape.labels.unwrap().element.shape.fields;
export const strMapSchema = shape.commonLabels;
export const patchEntrySchema = shape.patches.unwrap().element;
export const targetSchema = patchEntrySchema.shape.target;
export const imageSchema = shape.images.unwrap().element;
export const replacementsSchema = shape.replacements;
export const generatorArgsSchema = shape.configMapGenerator.unwrap().element;
