// The kustomization file: which names kustomize accepts, and its fields checked with zod.
import { z } from "zod";

/** File names kustomize recognises as a kustomization, in its order of preference. */
export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

const strMap = z.record(z.string(), z.string());
const target = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    labelSelector: z.string().optional(),
    annotationSelector: z.string().optional(),
  })
  .strict();

const patch = z
  .object({
    path: z.string().optional(),
    patch: z.string().optional(),
    target: target.optional(),
    options: z
      .object({ allowNameChange: z.boolean().optional(), allowKindChange: z.boolean().optional() })
      .strict()
      .optional(),
  })
  .strict();

const generatorOptions = z
  .object({
    labels: strMap.optional(),
    annotations: strMap.optional(),
    disableNameSuffixHash: z.boolean().optional(),
    immutable: z.boolean().optional(),
  })
  .strict();

const generatorArgs = z
  .object({
    name: z.string().optional(),
    namespace: z.string().optional(),
    behavior: z.string().optional(),
    files: z.array(z.string()).optional(),
    literals: z.array(z.string()).optional(),
    envs: z.array(z.string()).optional(),
    env: z.string().optional(),
    options: generatorOptions.optional(),
    type: z.string().optional(),
  })
  .strict();

const image = z
  .object({
    name: z.string().default(""),
    newName: z.string().optional(),
    newTag: z.string().optional(),
    digest: z.string().optional(),
    tagSuffix: z.string().optional(),
  })
  .strict();

const fieldSpec = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    path: z.string(),
    create: z.boolean().optional(),
  })
  .strict();

const selectorSpec = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    labelSelector: z.string().optional(),
    annotationSelector: z.string().optional(),
  })
  .strict();

const replacementTarget = z
  .object({
    select: selectorSpec.optional(),
    reject: z.array(selectorSpec).optional(),
    fieldPaths: z.array(z.string()).optional(),
    options: z
      .object({
        delimiter: z.string().optional(),
        index: z.number().optional(),
        create: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const replacement = z
  .object({
    path: z.string().optional(),
    sourceValue: z.string().optional(),
    source: selectorSpec
      .extend({ fieldPath: z.string().optional(), options: replacementTarget.shape.options })
      .strict()
      .optional(),
    targets: z.array(replacementTarget).optional(),
  })
  .strict();

const varSchema = z
  .object({
    name: z.string().default(""),
    objref: z
      .object({
        apiVersion: z.string().optional(),
        group: z.string().optional(),
        version: z.string().optional(),
        kind: z.string().optional(),
        name: z.string().optional(),
        namespace: z.string().optional(),
      })
      .strict(),
    fieldref: z.object({ fieldpath: z.string().optional() }).strict().optional(),
  })
  .strict();

/** The fields of a kustomization file driftless understands (unknown fields are errors, as in kustomize). */
export const kustomizationSchema = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z
      .object({
        name: z.string().optional(),
        namespace: z.string().optional(),
        labels: strMap.optional(),
        annotations: strMap.optional(),
      })
      .strict()
      .optional(),
    openapi: strMap.optional(),
    namePrefix: z.string().optional(),
    nameSuffix: z.string().optional(),
    namespace: z.string().optional(),
    commonLabels: strMap.optional(),
    labels: z
      .array(
        z
          .object({
            pairs: strMap.optional(),
            includeSelectors: z.boolean().optional(),
            includeTemplates: z.boolean().optional(),
            fields: z.array(fieldSpec).optional(),
          })
          .strict(),
      )
      .optional(),
    commonAnnotations: strMap.optional(),
    patchesStrategicMerge: z.array(z.string()).optional(),
    patchesJson6902: z.array(patch).optional(),
    patches: z.array(patch).optional(),
    images: z.array(image).optional(),
    imageTags: z.array(image).optional(),
    replacements: z.array(replacement).optional(),
    replicas: z
      .array(z.object({ name: z.string().default(""), count: z.number().int().default(0) }).strict())
      .optional(),
    vars: z.array(varSchema).optional(),
    sortOptions: z
      .object({
        order: z.string().optional(),
        legacySortOptions: z
          .object({ orderFirst: z.array(z.string()).optional(), orderLast: z.array(z.string()).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    resources: z.array(z.string()).optional(),
    components: z.array(z.string()).optional(),
    crds: z.array(z.string()).optional(),
    bases: z.array(z.string()).optional(),
    configMapGenerator: z.array(generatorArgs).optional(),
    secretGenerator: z.array(generatorArgs).optional(),
    helmGlobals: z.unknown().optional(),
    helmCharts: z.unknown().optional(),
    helmChartInflationGenerator: z.unknown().optional(),
    generatorOptions: generatorOptions.optional(),
    configurations: z.array(z.string()).optional(),
    generators: z.array(z.string()).optional(),
    transformers: z.array(z.string()).optional(),
    validators: z.array(z.string()).optional(),
    buildMetadata: z.array(z.string()).optional(),
  })
  .strict();

/** A parsed kustomization. */
export type Kustomization = z.infer<typeof kustomizationSchema>;
/** One entry of `patches`/`patchesJson6902`. */
export type PatchEntry = z.infer<typeof patch>;
/** A patch target selector. */
export type Selector = z.infer<typeof target>;
/** configMapGenerator / secretGenerator arguments. */
export type GeneratorArgs = z.infer<typeof generatorArgs>;
/** generatorOptions. */
export type GeneratorOptions = z.infer<typeof generatorOptions>;
/** An `images` entry. */
export type ImageEntry = z.infer<typeof image>;
/** A `replacements` entry. */
export type ReplacementEntry = z.infer<typeof replacement>;
/** A `vars` entry. */
export type VarEntry = z.infer<typeof varSchema>;

interface ZodDef {
  readonly type: string;
  readonly shape?: Record<string, { _zod: { def: ZodDef } }>;
  readonly innerType?: { _zod: { def: ZodDef } };
  readonly element?: { _zod: { def: ZodDef } };
}

function defOf(schema: unknown): ZodDef {
  return (schema as { _zod: { def: ZodDef } })._zod.def;
}

/**
 * Renames keys to the schema's spelling ignoring case, as Go's JSON decoding (which kustomize
 * uses for kustomization files) matches struct fields case-insensitively.
 */
export function foldKeys(value: unknown, schema: unknown = kustomizationSchema): unknown {
  let def = defOf(schema);
  while ((def.type === "optional" || def.type === "nullable" || def.type === "default") && def.innerType) {
    def = defOf(def.innerType);
  }
  if (def.type === "array" && Array.isArray(value) && def.element) {
    const element = def.element;
    return value.map((v) => foldKeys(v, element));
  }
  if (
    def.type !== "object" ||
    def.shape === undefined ||
    value === null ||
    typeof value !== "object" ||
    Array.isArray(value)
  ) {
    return value;
  }
  const shape = def.shape;
  const byLower = new Map(Object.keys(shape).map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = Object.hasOwn(shape, k) ? k : (byLower.get(k.toLowerCase()) ?? k);
    const field = shape[key];
    out[key] = field === undefined ? v : foldKeys(v, field);
  }
  return out;
}

/** Formats the first zod issue as kustomize-style field text. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return "invalid";
  const path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    return `unknown field "${path === "" ? key : `${path}.${key}`}"`;
  }
  return `field "${path}": ${issue.message}`;
}
