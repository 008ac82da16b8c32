// Reading a builtin plugin's config object the way kustomize decodes it: Go's JSON decoding through
// sigs.k8s.io/yaml, so unknown fields are ignored, field names match case-insensitively and null
// leaves a field at its zero value.
import type { z } from "zod";
import { describeIssue, foldKeys, kustomizationSchema } from "../kustomization.ts";
import { BuildError, isObj, type Obj, type Resource } from "../resource.ts";

/** Error text kustomize prints for a plugin that rejects its config. */
export function configError(config: Resource, message: string): BuildError {
  return new BuildError(`plugin ${config.idText()} fails configuration: ${message}`);
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

/** Parses a plugin config object with a (non-strict) schema; `exactKeys` for configs kyaml decodes. */
export function parseConfig<T>(config: Resource, schema: z.ZodType<T>, exactKeys = false): T {
  const cleaned = dropNulls(config.obj);
  const parsed = schema.safeParse(exactKeys ? cleaned : foldKeys(cleaned, schema));
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
