// Flux's additions to kustomize, as kustomize-controller applies them: a directory without a
// kustomization gets one generated from its manifests, then the Kustomization spec's
// targetNamespace, namePrefix/nameSuffix, patches, images and components are written into the
// root kustomization, and commonMetadata is set on every rendered object.
import { lstatSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { KUSTOMIZATION_FILE_NAMES, type Kustomization } from "./kustomization.ts";
import { type LoadedKustomization, readKustomization } from "./kustomization-file.ts";
import type { LoaderOptions } from "./loader.ts";
import { Loader } from "./loader.ts";
import { type BuildResult, renderTree } from "./render.ts";
import { BuildError, isObj } from "./resource.ts";
import { resourcesFromDocs } from "./resource-file.ts";
import { emitYamlStream } from "./yaml/emit.ts";
import { parseYamlStream, YamlError } from "./yaml/parse.ts";

const selector = z.object({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  labelSelector: z.string().optional(),
  annotationSelector: z.string().optional(),
});

/** The parts of a Flux Kustomization's spec that change what is rendered. */
export const fluxSpecSchema = z.object({
  path: z.string().optional(),
  targetNamespace: z.string().optional(),
  namePrefix: z.string().optional(),
  nameSuffix: z.string().optional(),
  patches: z.array(z.object({ patch: z.string(), target: selector.optional() })).optional(),
  images: z
    .array(
      z.object({
        name: z.string(),
        newName: z.string().optional(),
        newTag: z.string().optional(),
        digest: z.string().optional(),
      }),
    )
    .optional(),
  components: z.array(z.string()).optional(),
  ignoreMissingComponents: z.boolean().optional(),
  buildMetadata: z.array(z.string()).optional(),
  commonMetadata: z
    .object({
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

/** A Flux Kustomization spec (only the rendering fields). */
export type FluxSpec = z.infer<typeof fluxSpecSchema>;

/** Options of a Flux-style build. */
export interface FluxBuildOptions extends LoaderOptions {
  /** The source root: every file read must be below it (defaults to dir). */
  readonly root?: string;
}

function hasKustomization(dir: string): boolean {
  return KUSTOMIZATION_FILE_NAMES.some((n) => {
    try {
      return statSync(path.join(dir, n)).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Lists what Flux's generator puts in `resources` for a directory without a kustomization: YAML
 * manifests below it in lexical order (symlinked directories are not followed, as Go's filepath.Walk
 * does not), a sub-directory with its own kustomization taken whole. Reads stay inside `options`.
 */
export function scanManifests(dir: string, options: LoaderOptions = {}): string[] {
  const out: string[] = [];
  const ldr = new Loader(dir, { ...options, loadRestrictions: "none" });
  const walk = (d: string): void => {
    const names = readdirSync(d).sort();
    for (const name of names) {
      const p = path.join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        if (hasKustomization(p)) out.push(p);
        else walk(p);
        continue;
      }
      const ext = path.extname(name);
      if (ext !== ".yaml" && ext !== ".yml") continue;
      try {
        // Flux refuses the whole directory when one manifest is not Kubernetes YAML.
        resourcesFromDocs(parseYamlStream(ldr.read(path.relative(dir, p)), p), p);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new BuildError(`failed to decode Kubernetes YAML from ${p}: ${msg}`);
      }
      out.push(p);
    }
  };
  walk(dir);
  return out.map((p) => `.${p.slice(dir.length)}`);
}

function isLocalRelative(p: string): boolean {
  return !path.isAbsolute(p) && !/^[a-z]+:\/\//i.test(p);
}

/** The root kustomization Flux builds: the directory's own (or a generated one) with the spec applied. */
export function fluxKustomization(dir: string, spec: FluxSpec, ldr: Loader): LoadedKustomization {
  const own = readKustomization(ldr);
  const k: Kustomization =
    own === undefined ? { resources: scanManifests(ldr.root) } : { ...own.kustomization };
  if (spec.targetNamespace !== undefined) k.namespace = spec.targetNamespace;
  if (spec.namePrefix !== undefined) k.namePrefix = spec.namePrefix;
  if (spec.nameSuffix !== undefined) k.nameSuffix = spec.nameSuffix;
  for (const p of spec.patches ?? []) {
    k.patches = [
      ...(k.patches ?? []),
      { patch: p.patch, ...(p.target !== undefined ? { target: p.target } : {}) },
    ];
  }
  for (const c of spec.components ?? []) {
    if (!isLocalRelative(c)) throw new BuildError(`component path '${c}' must be local and relative`);
    if (spec.ignoreMissingComponents === true && !ldr.exists(path.join(dir, c))) continue;
    k.components = [...(k.components ?? []), c];
  }
  for (const img of spec.images ?? []) {
    const images = [...(k.images ?? [])];
    const entry = { name: img.name, newName: img.newName, newTag: img.newTag, digest: img.digest };
    const i = images.findIndex((x) => x.name === img.name);
    if (i >= 0) images[i] = entry;
    else images.push(entry);
    k.images = images;
  }
  // As fluxcd/pkg's generator: a non-empty spec list replaces the kustomization's own.
  if (spec.buildMetadata !== undefined && spec.buildMetadata.length > 0) k.buildMetadata = spec.buildMetadata;
  return { kustomization: k, file: own?.file ?? "kustomization.yaml" };
}

/** Renders dir as kustomize-controller does for a Kustomization with this spec. */
export function buildFlux(dir: string, specInput: unknown = {}, options: FluxBuildOptions = {}): BuildResult {
  const parsedSpec = fluxSpecSchema.safeParse(specInput ?? {});
  if (!parsedSpec.success) {
    const issue = parsedSpec.error.issues[0];
    throw new BuildError(
      `invalid Kustomization spec: field "${issue?.path.join(".") ?? ""}": ${issue?.message ?? ""}`,
    );
  }
  const spec = parsedSpec.data;
  const { root: rootOption, ...rest } = options;
  const root = rootOption ?? dir;
  const buildOptions: LoaderOptions = { ...rest, confineTo: root, loadRestrictions: "none" };
  const ldr = new Loader(dir, buildOptions);
  const override = fluxKustomization(dir, spec, ldr);
  const result = renderTree(dir, buildOptions, override);
  const cm = spec.commonMetadata;
  if (cm === undefined) return result;
  for (const obj of result.objects) {
    if (!isObj(obj.metadata)) obj.metadata = {};
    const meta = obj.metadata as Record<string, unknown>;
    if (cm.labels !== undefined && Object.keys(cm.labels).length > 0) {
      meta.labels = { ...(isObj(meta.labels) ? meta.labels : {}), ...cm.labels };
    }
    if (cm.annotations !== undefined && Object.keys(cm.annotations).length > 0) {
      meta.annotations = { ...(isObj(meta.annotations) ? meta.annotations : {}), ...cm.annotations };
    }
  }
  return { objects: result.objects, yaml: emitYamlStream(result.objects) };
}

const manifestSchema = z.object({
  apiVersion: z.string().startsWith("kustomize.toolkit.fluxcd.io/"),
  kind: z.literal("Kustomization"),
  spec: fluxSpecSchema.passthrough(),
});

/** `flux build kustomization`: renders the directory a Kustomization manifest points at, with its spec. */
export function buildKustomization(
  manifest: string,
  opts: { dir?: string; cwd: string; file: string },
): BuildResult {
  let docs: unknown[];
  try {
    docs = parseYamlStream(manifest, opts.file);
  } catch (e) {
    if (e instanceof YamlError) throw new BuildError(e.message);
    throw e;
  }
  const parsed = manifestSchema.safeParse(docs[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BuildError(
      `${opts.file}: not a Flux Kustomization: field "${issue?.path.join(".") ?? ""}": ${issue?.message ?? ""}`,
    );
  }
  const spec = parsed.data.spec;
  const rel = opts.dir ?? spec.path ?? ".";
  const dir = path.resolve(opts.cwd, rel);
  // Files may be read anywhere below the current directory (the checkout), as Flux reads the source.
  const inside = dir === opts.cwd || dir.startsWith(opts.cwd + path.sep);
  return buildFlux(dir, spec, { root: inside ? opts.cwd : dir });
}
