// One kustomization directory, accumulated as kustomize does: resources, generators, components,
// then the built-in transformers in kustomize's fixed order.
import path from "node:path";
import { defaultConfig, loadConfigurations, mergeConfig } from "./config/transformer-config.ts";
import { loadCrdConfig } from "./crds.ts";
import { generate } from "./generators/configmap-secret.ts";
import type { Kustomization } from "./kustomization.ts";
import { type LoadedKustomization, readKustomization } from "./kustomization-file.ts";
import type { Loader } from "./loader.ts";
import { applyOpenApiField } from "./openapi/field.ts";
import { activeOpenApiState, OpenApiState, withOpenApiState } from "./openapi/state.ts";
import { configureGenerators, configureTransformers, runValidators } from "./plugins/index.ts";
import { BuildError, deepClone, isObj, type Obj, ResMap, Resource } from "./resource.ts";
import { loadResourceFile, resourcesFromDocs } from "./resource-file.ts";
import { recordTransformation } from "./transformers/build-metadata.ts";
import { applyImages } from "./transformers/images.ts";
import { applyAnnotations, applyLabels } from "./transformers/metadata-maps.ts";
import { applyNamePrefix, applyNameSuffix } from "./transformers/name-affix.ts";
import { applyNamespace } from "./transformers/namespace.ts";
import { applyPatches, applyPatchesJson6902, applyPatchesStrategicMerge } from "./transformers/patches.ts";
import { applyReplacements } from "./transformers/replacements.ts";
import { applyReplicas } from "./transformers/replicas.ts";
import { mergeVars, type VarSet } from "./transformers/vars.ts";
import { parseYamlStream, rawMetadataText, YamlError } from "./yaml/parse.ts";

const KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1";
const COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1";

/** Options that hold for a whole build. */
export interface TargetContext {
  /** Directories being accumulated, outermost first, to detect cycles. */
  readonly visiting: string[];
  /** Vars declared so far, all levels together. */
  readonly vars: VarSet;
  /** With `buildMetadata: [transformerAnnotations]`: the build root, set by the top-level accumulation. */
  transformationsRoot?: string;
}

/** Accumulates a kustomization (or, with `component`, a Component applied to the parent's resources). */
export function accumulate(
  ldr: Loader,
  ctx: TargetContext,
  ra?: ResMap,
  component = false,
  override?: LoadedKustomization,
): { rm: ResMap; k: Kustomization } {
  // The schema strategic merges use lives for one build (kustomize keeps it process-wide).
  if (ctx.visiting.length === 0 && activeOpenApiState() === undefined)
    return withOpenApiState(new OpenApiState(), () => accumulate(ldr, ctx, ra, component, override));
  const loaded = override ?? readKustomization(ldr);
  if (loaded === undefined) {
    throw new BuildError(
      `unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${ldr.root}'`,
    );
  }
  const k = loaded.kustomization;
  applyOpenApiField(ldr, k.openapi, ctx.visiting.length === 0);
  const kind = k.kind || "Kustomization";
  if (component && kind !== "Component") {
    throw new BuildError(
      `${path.join(ldr.root, loaded.file)}: expected kind 'Component' for path '${ldr.root}' but got '${kind}'`,
    );
  }
  // A Component is refused only as a resource; kustomize builds one given at the top.
  if (!component && kind === "Component" && ctx.visiting.length > 0) {
    throw new BuildError(
      `${path.join(ldr.root, loaded.file)}: expected kind != 'Component' for path '${ldr.root}'`,
    );
  }
  if (kind !== "Kustomization" && kind !== "Component") {
    throw new BuildError(`${path.join(ldr.root, loaded.file)}: unsupported kind '${kind}'`);
  }
  const apiVersion = kind === "Component" ? COMPONENT_VERSION : KUSTOMIZATION_VERSION;
  if (k.apiVersion && k.apiVersion !== apiVersion) {
    throw new BuildError(
      `${path.join(ldr.root, loaded.file)}: apiVersion for ${kind} should be ${apiVersion}`,
    );
  }
  if (ctx.visiting.includes(ldr.realRoot)) {
    throw new BuildError(
      `cycle detected: candidate root '${ldr.realRoot}' contains visited root '${ctx.visiting.at(-1) ?? ""}'`,
    );
  }
  if (ctx.visiting.length === 0 && (k.buildMetadata ?? []).includes("transformerAnnotations"))
    ctx.transformationsRoot = ldr.root;
  ctx.visiting.push(ldr.realRoot);
  try {
    const rm = ra ?? new ResMap();
    accumulateResources(ldr, ctx, rm, [...(k.bases ?? []), ...(k.resources ?? [])]);
    const own =
      (k.configurations?.length ?? 0) > 0
        ? mergeConfig(defaultConfig(), loadConfigurations(ldr, k.configurations ?? []))
        : defaultConfig();
    rm.config = mergeConfig(rm.config, own);
    if ((k.crds?.length ?? 0) > 0) rm.config = mergeConfig(rm.config, loadCrdConfig(ldr, k.crds ?? []));
    const file = path.join(ldr.root, loaded.file);
    inFile(file, () => runGenerators(ldr, ctx, rm, k, loaded.file));
    for (const c of k.components ?? []) {
      const dir = ldr.resolve(c);
      if (!ldr.isDir(dir))
        throw new BuildError(`${path.join(ldr.root, loaded.file)}: component '${c}' must be a directory`);
      accumulate(ldr.child(dir), ctx, rm, true);
    }
    inFile(file, () => {
      runTransformers(ldr, ctx, rm, k, loaded.file);
      mergeVars(rm, k.vars ?? [], ctx.vars);
    });
    return { rm, k };
  } finally {
    ctx.visiting.pop();
  }
}

// An error of a kustomization's own generators or transformers names its file, once: a base's error
// keeps the base's name on its way up through the overlays.
const located = new WeakSet<Error>();
function inFile(file: string, step: () => void): void {
  try {
    step();
  } catch (e) {
    if (!(e instanceof BuildError) || located.has(e)) throw e;
    if (e.message.includes(file)) {
      located.add(e);
      throw e;
    }
    const wrapped = new BuildError(`${file}: ${e.message}`, { cause: e });
    located.add(wrapped);
    throw wrapped;
  }
}

function accumulateResources(ldr: Loader, ctx: TargetContext, rm: ResMap, entries: readonly string[]): void {
  for (const entry of entries) {
    const abs = ldr.resolve(entry);
    const kind = ldr.kindOf(abs);
    if (kind === "dir") {
      const sub = accumulate(ldr.child(abs), ctx);
      rm.appendAll(sub.rm.list);
      rm.config = mergeConfig(rm.config, sub.rm.config);
    } else {
      if (kind === "none") {
        throw new BuildError(
          `accumulating resources: accumulation err='accumulating resources from '${entry}': open ${abs}: no such file or directory'`,
        );
      }
      for (const r of loadResourceFile(ldr, entry)) rm.append(r);
    }
  }
}

// Plugin configs of a generators/transformers/validators list: the entries that parse as objects
// are inline configs (first, as kustomize takes them), the others files or kustomization directories.
function loadPluginConfigs(
  ldr: Loader,
  ctx: TargetContext,
  entries: readonly string[],
  file: string,
): Resource[] {
  const rm = new ResMap();
  const paths: string[] = [];
  const kustFile = path.join(ldr.root, file);
  for (const entry of entries) {
    let inline: Resource[];
    try {
      inline = resourcesFromDocs(parseYamlStream(entry, kustFile), kustFile);
    } catch (e) {
      if (!(e instanceof BuildError || e instanceof YamlError)) throw e;
      paths.push(entry);
      continue;
    }
    for (const r of inline) r.origin = { path: kustFile };
    rm.appendAll(inline);
  }
  accumulateResources(ldr, ctx, rm, paths);
  return rm.list;
}

function runGenerators(ldr: Loader, ctx: TargetContext, rm: ResMap, k: Kustomization, file: string): void {
  const made: Resource[] = [];
  const configuredIn = path.join(ldr.root, file);
  for (const args of k.configMapGenerator ?? []) {
    const r = generate("ConfigMap", ldr, args, k.generatorOptions);
    r.origin = { configuredIn, generator: "ConfigMapGenerator" };
    made.push(r);
  }
  for (const args of k.secretGenerator ?? []) {
    const r = generate("Secret", ldr, args, k.generatorOptions);
    r.origin = { configuredIn, generator: "SecretGenerator" };
    made.push(r);
  }
  if ((k.generators?.length ?? 0) > 0) {
    for (const g of configureGenerators(loadPluginConfigs(ldr, ctx, k.generators ?? [], file), ldr)) {
      for (const r of g.run()) {
        r.origin ??= g.origin;
        made.push(r);
      }
    }
  }
  rm.invalidate();
  for (const r of made) absorb(rm, r);
  rm.invalidate();
}

function matchesAnyId(existing: Resource, r: Resource): boolean {
  const g = r.gvk();
  const eg = existing.gvk();
  if (g.group !== eg.group || g.version !== eg.version) return false;
  const ns = r.namespace === "" ? "default" : r.namespace;
  if (existing.kind === g.kind && existing.name === r.name && (existing.namespace || "default") === ns)
    return true;
  return existing.prevIds.some((p) => p.kind === g.kind && p.name === r.name && p.namespace === ns);
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  const raw = rawMetadataText.get(v);
  for (const [key, x] of Object.entries(v))
    out[key] = raw?.get(key) ?? (typeof x === "string" ? x : String(x ?? ""));
  return out;
}

function absorb(rm: ResMap, r: Resource): void {
  const matches = rm.list.filter((x) => matchesAnyId(x, r));
  if (matches.length === 0) {
    if (r.behavior === "merge" || r.behavior === "replace") {
      throw new BuildError(`id ${JSON.stringify(r.idText())} does not exist; cannot merge or replace`);
    }
    rm.append(r);
    return;
  }
  if (matches.length > 1)
    throw new BuildError(`found multiple objects that could accept merge of ${r.idText()}`);
  const old = matches[0] as Resource;
  if (r.behavior !== "merge" && r.behavior !== "replace") {
    throw new BuildError(
      `id ${JSON.stringify(r.idText())} exists; can not use behavior: '${r.behavior === "unspecified" ? "" : r.behavior}', behavior must be merge or replace`,
    );
  }
  const meta = r.meta(true);
  const oldMeta = old.meta();
  const labels = { ...stringMap(oldMeta.labels), ...stringMap(meta.labels) };
  if (Object.keys(labels).length > 0) meta.labels = labels;
  else delete meta.labels;
  const ann = { ...stringMap(oldMeta.annotations), ...stringMap(meta.annotations) };
  if (Object.keys(ann).length > 0) meta.annotations = ann;
  else delete meta.annotations;
  meta.name = old.name;
  if (old.namespace !== "") meta.namespace = old.namespace;
  else delete meta.namespace;
  if (r.behavior === "merge") {
    for (const field of ["data", "binaryData"] as const) {
      const merged: Obj = {
        ...(isObj(old.obj[field]) ? (deepClone(old.obj[field]) as Obj) : {}),
        ...(isObj(r.obj[field]) ? r.obj[field] : {}),
      };
      if (Object.keys(merged).length > 0) r.obj[field] = merged;
      else delete r.obj[field];
    }
  }
  const merged = new Resource(r.obj);
  merged.prevIds.push(...old.prevIds);
  merged.prefixes.push(...old.prefixes);
  merged.suffixes.push(...old.suffixes);
  merged.annotated = true;
  merged.needsHash = old.needsHash && r.needsHash;
  merged.behavior = old.behavior;
  merged.origin = r.behavior === "merge" ? old.origin : r.origin;
  rm.list[rm.list.indexOf(old)] = merged;
}

function runTransformers(ldr: Loader, ctx: TargetContext, rm: ResMap, k: Kustomization, file: string): void {
  rm.invalidate();
  const plugins =
    (k.transformers?.length ?? 0) > 0
      ? configureTransformers(loadPluginConfigs(ldr, ctx, k.transformers ?? [], file), ldr)
      : [];
  const root = ctx.transformationsRoot;
  const configuredIn = path.join(ldr.root, file);
  // With transformerAnnotations, every transformer kustomize would configure is recorded once.
  const ran = (kind: string, times: number): void => {
    if (root === undefined) return;
    for (let i = 0; i < times; i++) recordTransformation(rm, { configuredIn, generator: kind }, root);
  };
  const cfg = rm.config;
  applyPatchesStrategicMerge(ldr, rm, k.patchesStrategicMerge ?? []);
  ran("PatchStrategicMergeTransformer", (k.patchesStrategicMerge?.length ?? 0) > 0 ? 1 : 0);
  applyPatches(ldr, rm, k.patches ?? []);
  ran("PatchTransformer", k.patches?.length ?? 0);
  applyNamespace(rm, k.namespace ?? "", cfg.namespace);
  ran("NamespaceTransformer", (k.namespace ?? "") !== "" ? 1 : 0);
  applyNamePrefix(rm, k.namePrefix ?? "", cfg.namePrefix);
  ran("PrefixTransformer", (k.namePrefix ?? "") !== "" ? 1 : 0);
  applyNameSuffix(rm, k.nameSuffix ?? "", cfg.nameSuffix);
  ran("SuffixTransformer", (k.nameSuffix ?? "") !== "" ? 1 : 0);
  applyLabels(rm, k, cfg);
  const labelSets = k.labels?.length ?? 0;
  ran("LabelTransformer", labelSets > 0 || Object.keys(k.commonLabels ?? {}).length > 0 ? labelSets + 1 : 0);
  applyAnnotations(rm, k.commonAnnotations, cfg.commonAnnotations);
  ran("AnnotationsTransformer", Object.keys(k.commonAnnotations ?? {}).length > 0 ? 1 : 0);
  applyPatchesJson6902(ldr, rm, k.patchesJson6902 ?? []);
  ran("PatchJson6902Transformer", k.patchesJson6902?.length ?? 0);
  applyReplicas(rm, k.replicas ?? [], cfg.replicas);
  ran("ReplicaCountTransformer", k.replicas?.length ?? 0);
  const images = [...(k.images ?? []), ...(k.imageTags ?? [])];
  applyImages(rm, images, cfg.images);
  ran("ImageTagTransformer", images.length);
  applyReplacements(ldr, rm, k.replacements ?? []);
  ran("ReplacementTransformer", (k.replacements?.length ?? 0) > 0 ? 1 : 0);
  for (const t of plugins) {
    rm.invalidate();
    t.run(rm);
    if (root !== undefined) recordTransformation(rm, t.origin, root);
  }
  if ((k.validators?.length ?? 0) > 0)
    runValidators(rm, configureTransformers(loadPluginConfigs(ldr, ctx, k.validators ?? [], file), ldr));
  rm.invalidate();
}
