// The field specs transformers use: kustomize's defaults merged with `configurations` files of every
// kustomization in the tree (children first), as kustomize merges its transformer configs.
import type { FieldSpec } from "../fieldspec.ts";
import type { Loader } from "../loader.ts";
import { BuildError, isObj } from "../resource.ts";
import { parseYamlStream } from "../yaml/parse.ts";
import {
  commonAnnotationsSpecs,
  commonLabelsSpecs,
  imagesSpecs,
  namePrefixSpecs,
  nameSuffixSpecs,
  namespaceSpecs,
  replicasSpecs,
  templateLabelsSpecs,
  varReferenceSpecs,
} from "./builtin.ts";
import { type NameBackRef, nameReferenceSpecs } from "./name-references.ts";

/** Field-spec lists by transformer. */
export interface TransformerConfig {
  readonly namePrefix: readonly FieldSpec[];
  readonly nameSuffix: readonly FieldSpec[];
  readonly namespace: readonly FieldSpec[];
  readonly commonLabels: readonly FieldSpec[];
  readonly labels: readonly FieldSpec[];
  readonly templateLabels: readonly FieldSpec[];
  readonly commonAnnotations: readonly FieldSpec[];
  readonly nameReference: readonly NameBackRef[];
  readonly varReference: readonly FieldSpec[];
  readonly images: readonly FieldSpec[];
  readonly replicas: readonly FieldSpec[];
}

const LISTS = [
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "templateLabels",
  "commonAnnotations",
  "varReference",
  "images",
  "replicas",
] as const;

/** An empty config (what an accumulation starts from). */
export function emptyConfig(): TransformerConfig {
  return {
    namePrefix: [],
    nameSuffix: [],
    namespace: [],
    commonLabels: [],
    labels: [],
    templateLabels: [],
    commonAnnotations: [],
    nameReference: [],
    varReference: [],
    images: [],
    replicas: [],
  };
}

/** kustomize's built-in config. */
export function defaultConfig(): TransformerConfig {
  return {
    namePrefix: namePrefixSpecs,
    nameSuffix: nameSuffixSpecs,
    namespace: namespaceSpecs,
    commonLabels: commonLabelsSpecs,
    labels: [],
    templateLabels: templateLabelsSpecs,
    commonAnnotations: commonAnnotationsSpecs,
    nameReference: nameReferenceSpecs,
    varReference: varReferenceSpecs,
    images: imagesSpecs,
    replicas: replicasSpecs,
  };
}

/** Appends specs not already present; the same spec with a different `create` is a conflict. */
export function mergeSpecs(a: readonly FieldSpec[], b: readonly FieldSpec[]): readonly FieldSpec[] {
  // Most merges combine the same default lists: keep them shared instead of rebuilding.
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out = [...a];
  const index = new Map<string, FieldSpec>(a.map((x) => [specKey(x), x]));
  for (const x of b) {
    const found = index.get(specKey(x));
    if (found === undefined) {
      out.push(x);
      index.set(specKey(x), x);
    } else if ((found.create === true) !== (x.create === true))
      throw new BuildError("conflicting fieldspecs");
  }
  return out;
}

function specKey(x: FieldSpec): string {
  return `${x.group ?? ""}|${x.version ?? ""}|${x.kind ?? ""}|${x.path}`;
}

function mergeBackRefs(a: readonly NameBackRef[], b: readonly NameBackRef[]): readonly NameBackRef[] {
  if (a === b || b.length === 0) return a;
  if (a.length === 0) return b;
  const out = [...a];
  for (const x of b) {
    const i = out.findIndex(
      (y) =>
        (y.group ?? "") === (x.group ?? "") && (y.version ?? "") === (x.version ?? "") && y.kind === x.kind,
    );
    if (i < 0) out.push(x);
    else {
      const y = out[i] as NameBackRef;
      out[i] = { ...y, referrers: mergeSpecs(y.referrers, x.referrers) };
    }
  }
  return out;
}

/** Merges b into a. */
export function mergeConfig(a: TransformerConfig, b: TransformerConfig): TransformerConfig {
  if (a === b) return a;
  const out = { ...a, nameReference: mergeBackRefs(a.nameReference, b.nameReference) } as Record<
    string,
    unknown
  >;
  for (const k of LISTS) out[k] = mergeSpecs(a[k], b[k]);
  return out as unknown as TransformerConfig;
}

// kustomize decodes a configurations file strictly (sigs.k8s.io/yaml UnmarshalStrict): unknown fields
// and values of the wrong type are errors; field names match ignoring case, as Go's JSON decoding does.
function strictFields(
  o: Record<string, unknown>,
  known: readonly string[],
  file: string,
  where: string,
): Record<string, unknown> {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const name = byLower.get(k.toLowerCase());
    if (name === undefined)
      throw new BuildError(`${file}: unknown field "${where}${k}" in transformer configuration`);
    out[name] = v;
  }
  return out;
}

const FIELD_SPEC_KEYS = ["group", "version", "kind", "path", "create"] as const;
const BACK_REF_KEYS = ["group", "version", "kind", "fieldSpecs"] as const;

function checkTypes(o: Record<string, unknown>, file: string, where: string): void {
  for (const k of ["group", "version", "kind", "path"]) {
    if (o[k] !== undefined && o[k] !== null && typeof o[k] !== "string")
      throw new BuildError(`${file}: field "${where}${k}" must be a string`);
  }
  if (o.create !== undefined && o.create !== null && typeof o.create !== "boolean")
    throw new BuildError(`${file}: field "${where}create" must be a boolean`);
}

function specsOf(v: unknown, file: string, field: string): FieldSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BuildError(`${file}: field "${field}" must be a list of field specs`);
  return v.map((raw) => {
    if (!isObj(raw)) throw new BuildError(`${file}: field "${field}": each entry must be a mapping`);
    const x = strictFields(raw, FIELD_SPEC_KEYS, file, `${field}.`);
    checkTypes(x, file, `${field}.`);
    if (typeof x.path !== "string")
      throw new BuildError(`${file}: field "${field}": each entry needs a path`);
    const fs: { group?: string; version?: string; kind?: string; path: string; create?: boolean } = {
      path: x.path,
    };
    if (typeof x.group === "string" && x.group !== "") fs.group = x.group;
    if (typeof x.version === "string" && x.version !== "") fs.version = x.version;
    if (typeof x.kind === "string" && x.kind !== "") fs.kind = x.kind;
    if (x.create === true) fs.create = true;
    return fs;
  });
}

/** Reads `configurations` files into a config (not yet merged with the defaults). */
export function loadConfigurations(ldr: Loader, files: readonly string[]): TransformerConfig {
  let cfg = emptyConfig();
  for (const f of files) {
    for (const doc of parseYamlStream(ldr.read(f), f)) {
      if (!isObj(doc)) throw new BuildError(`${f}: a transformer configuration must be a mapping`);
      const fields = strictFields(doc, [...LISTS, "nameReference"], f, "");
      const part = emptyConfig() as unknown as Record<string, unknown>;
      for (const k of LISTS) part[k] = specsOf(fields[k], f, k);
      const refs: NameBackRef[] = [];
      const raw = fields.nameReference;
      if (raw !== undefined && raw !== null && !Array.isArray(raw))
        throw new BuildError(`${f}: field "nameReference" must be a list`);
      if (Array.isArray(raw)) {
        for (const entry of raw) {
          if (!isObj(entry)) throw new BuildError(`${f}: nameReference entries must be mappings`);
          const r = strictFields(entry, BACK_REF_KEYS, f, "nameReference.");
          checkTypes(r, f, "nameReference.");
          if (typeof r.kind !== "string") throw new BuildError(`${f}: nameReference entries need a kind`);
          const ref: { group?: string; version?: string; kind: string; referrers: FieldSpec[] } = {
            kind: r.kind,
            referrers: specsOf(r.fieldSpecs, f, "nameReference.fieldSpecs"),
          };
          if (typeof r.group === "string" && r.group !== "") ref.group = r.group;
          if (typeof r.version === "string" && r.version !== "") ref.version = r.version;
          refs.push(ref);
        }
      }
      part.nameReference = refs;
      cfg = mergeConfig(cfg, part as unknown as TransformerConfig);
    }
  }
  return cfg;
}
