// The builtin transformer plugins: each reads its config object (as kustomize's plugin of that kind
// does) and returns the transformation, reusing the transformers the kustomization fields use.
import { z } from "zod";
import type { FieldSpec } from "../fieldspec.ts";
import type { Loader } from "../loader.ts";
import type { ResMap, Resource } from "../resource.ts";
import { addHashSuffixes } from "../transformers/finalize.ts";
import { applyImages } from "../transformers/images.ts";
import { setMapEntries } from "../transformers/metadata-maps.ts";
import { applyNamePrefix, applyNameSuffix } from "../transformers/name-affix.ts";
import { applyNamespace } from "../transformers/namespace.ts";
import { applyPatches, applyPatchesJson6902, applyPatchesStrategicMerge } from "../transformers/patches.ts";
import { applyReplacements } from "../transformers/replacements.ts";
import { applyReplicas } from "../transformers/replicas.ts";
import {
  configError,
  fieldSpecsSchema,
  imageSchema,
  parseConfig,
  patchEntrySchema,
  replacementsSchema,
  strMapSchema,
  targetSchema,
} from "./config.ts";
import { valueAdd } from "./value-add.ts";

/** A configured transformation. */
export type Transform = (rm: ResMap) => void;

/** Configures a transformer plugin from its config object; throws when kustomize would. */
export type TransformerFactory = (config: Resource, ldr: Loader) => Transform;

function specs(list: readonly FieldSpec[] | undefined): FieldSpec[] {
  return [...(list ?? [])];
}

const prefixConfig = z.object({ prefix: z.string().optional(), fieldSpecs: fieldSpecsSchema });
const suffixConfig = z.object({ suffix: z.string().optional(), fieldSpecs: fieldSpecsSchema });

// PrefixTransformer and SuffixTransformer are decoded by kyaml (yaml.v3): keys match exactly.
function prefix(config: Resource): Transform {
  const c = parseConfig(config, prefixConfig, true);
  if (c.fieldSpecs === undefined) throw configError(config, "fieldSpecs is not expected to be nil");
  const fs = specs(c.fieldSpecs);
  return (rm) => applyNamePrefix(rm, c.prefix ?? "", fs);
}

function suffix(config: Resource): Transform {
  const c = parseConfig(config, suffixConfig, true);
  if (c.fieldSpecs === undefined) throw configError(config, "fieldSpecs is not expected to be nil");
  const fs = specs(c.fieldSpecs);
  return (rm) => applyNameSuffix(rm, c.suffix ?? "", fs);
}

const maps = {
  labels: z.object({ labels: strMapSchema, fieldSpecs: fieldSpecsSchema }),
  annotations: z.object({ annotations: strMapSchema, fieldSpecs: fieldSpecsSchema }),
};

const namespaceConfig = z.object({
  metadata: z.object({ namespace: z.string().optional() }).optional(),
  fieldSpecs: fieldSpecsSchema,
  unsetOnly: z.boolean().optional(),
  setRoleBindingSubjects: z.string().optional(),
});

const ROLE_BINDING_MODES = ["defaultOnly", "allServiceAccounts", "none"] as const;

function namespace(config: Resource): Transform {
  const c = parseConfig(config, namespaceConfig);
  const mode = c.setRoleBindingSubjects ?? "";
  const subjects = mode === "" ? "defaultOnly" : ROLE_BINDING_MODES.find((m) => m === mode);
  if (subjects === undefined) {
    throw configError(
      config,
      `invalid value "${mode}" for setRoleBindingSubjects: must be one of "defaultOnly", "none" or "allServiceAccounts"`,
    );
  }
  const ns = c.metadata?.namespace ?? "";
  const fs = specs(c.fieldSpecs);
  return (rm) =>
    applyNamespace(rm, ns, fs, { unsetOnly: c.unsetOnly === true, roleBindingSubjects: subjects });
}

const imageConfig = z.object({ imageTag: imageSchema.optional(), fieldSpecs: fieldSpecsSchema });

function imageTag(config: Resource): Transform {
  const c = parseConfig(config, imageConfig);
  const img = c.imageTag ?? { name: "" };
  const fs = specs(c.fieldSpecs);
  return (rm) => applyImages(rm, [img], fs);
}

const replicaConfig = z.object({
  replica: z.object({ name: z.string().optional(), count: z.number().optional() }).optional(),
  fieldSpecs: fieldSpecsSchema,
});

function replicaCount(config: Resource): Transform {
  const c = parseConfig(config, replicaConfig);
  const rep = { name: c.replica?.name ?? "", count: c.replica?.count ?? 0 };
  const fs = specs(c.fieldSpecs);
  return (rm) => applyReplicas(rm, [rep], fs);
}

const patchConfig = patchEntrySchema.partial().strip();

function patch(config: Resource, ldr: Loader): Transform {
  const c = parseConfig(config, patchConfig);
  const entry = { ...c, patch: c.patch?.trim() };
  if ((entry.patch ?? "") === "" && (entry.path ?? "") === "")
    throw configError(config, "must specify one of patch and path");
  if ((entry.patch ?? "") !== "" && (entry.path ?? "") !== "")
    throw configError(config, "patch and path can't be set at the same time");
  return (rm) => applyPatches(ldr, rm, [entry]);
}

const smConfig = z.object({ paths: z.array(z.string()).optional(), patches: z.string().optional() });

function patchStrategicMerge(config: Resource, ldr: Loader): Transform {
  const c = parseConfig(config, smConfig);
  const entries = [...(c.paths ?? [])];
  if ((c.patches ?? "") !== "") entries.push(c.patches ?? "");
  if (entries.length === 0) throw configError(config, "empty file path and empty patch content");
  return (rm) => applyPatchesStrategicMerge(ldr, rm, entries);
}

const json6902Config = z.object({
  target: targetSchema,
  path: z.string().optional(),
  jsonOp: z.string().optional(),
});

function patchJson6902(config: Resource, ldr: Loader): Transform {
  const c = parseConfig(config, json6902Config);
  if ((c.target?.name ?? "") === "") throw configError(config, "must specify the target name");
  const file = c.path ?? "";
  const op = c.jsonOp ?? "";
  if (file === "" && op === "") throw configError(config, "empty file path and empty jsonOp");
  if (file !== "" && op !== "") throw configError(config, "must specify a file path or jsonOp, not both");
  const entry = file !== "" ? { target: c.target, path: file } : { target: c.target, patch: op };
  return (rm) => applyPatchesJson6902(ldr, rm, [entry]);
}

const replacementConfig = z.object({ replacements: replacementsSchema });

function replacement(config: Resource, ldr: Loader): Transform {
  const c = parseConfig(config, replacementConfig);
  for (const r of c.replacements ?? []) {
    if (r.path !== undefined && r.path !== "" && (r.source !== undefined || (r.targets?.length ?? 0) > 0))
      throw configError(config, "cannot specify both path and inline replacement");
  }
  const list = c.replacements ?? [];
  return (rm) => applyReplacements(ldr, rm, list);
}

function labels(config: Resource): Transform {
  const c = parseConfig(config, maps.labels);
  const fs = specs(c.fieldSpecs);
  return (rm) => setMapEntries(rm, c.labels ?? {}, fs);
}

function annotations(config: Resource): Transform {
  const c = parseConfig(config, maps.annotations);
  const fs = specs(c.fieldSpecs);
  return (rm) => setMapEntries(rm, c.annotations ?? {}, fs);
}

// PrefixSuffixTransformer hands the same config to a prefix and a suffix transformer, in that order.
function prefixSuffix(config: Resource): Transform {
  const p = prefix(config);
  const s = suffix(config);
  return (rm) => {
    p(rm);
    s(rm);
  };
}

/** The builtin transformer plugins by kind. */
export const TRANSFORMER_PLUGINS: ReadonlyMap<string, TransformerFactory> = new Map<
  string,
  TransformerFactory
>([
  ["AnnotationsTransformer", annotations],
  ["HashTransformer", () => addHashSuffixes],
  ["ImageTagTransformer", imageTag],
  ["LabelTransformer", labels],
  ["NamespaceTransformer", namespace],
  ["PatchJson6902Transformer", patchJson6902],
  ["PatchStrategicMergeTransformer", patchStrategicMerge],
  ["PatchTransformer", patch],
  ["PrefixSuffixTransformer", prefixSuffix],
  ["PrefixTransformer", prefix],
  ["SuffixTransformer", suffix],
  ["ReplacementTransformer", replacement],
  ["ReplicaCountTransformer", replicaCount],
  ["ValueAddTransformer", valueAdd],
]);
