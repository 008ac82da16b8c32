// patches (strategic merge or JSON 6902, inline or from a file, optionally targeted by a selector),
// and the legacy patchesStrategicMerge and patchesJson6902 fields.
import path from "node:path";
import type { PatchEntry } from "../kustomization.ts";
import type { Loader } from "../loader.ts";
import { schemaFor } from "../openapi/schema.ts";
import { effectiveNamespace, parseApiVersion } from "../resid.ts";
import { BuildError, deepClone, isObj, type Obj, type ResMap, type Resource } from "../resource.ts";
import { parseYamlStream, YamlError } from "../yaml/parse.ts";
import { applyYaml11Booleans } from "../yaml11-booleans.ts";
import { applyJsonPatch, type Op } from "./json-patch.ts";
import { select } from "./selector.ts";
import { strategicMerge } from "./smp.ts";

interface Loaded {
  readonly source: string;
  readonly sm?: Obj[];
  readonly json?: Op[];
}

function parse(text: string, source: string): unknown[] {
  try {
    return parseYamlStream(text, source);
  } catch (e) {
    if (e instanceof YamlError)
      throw new BuildError(`unable to parse SM or JSON patch from ${source}: ${e.message}`);
    throw e;
  }
}

// kustomize reads strategic-merge patches as resources: each needs a kind, and a name unless a List.
function isPatchObject(d: unknown): d is Obj {
  if (!isObj(d) || typeof d.kind !== "string" || d.kind === "") return false;
  if (d.kind.endsWith("List")) return true;
  const meta = d.metadata;
  return isObj(meta) && typeof meta.name === "string" && meta.name !== "";
}

function classify(text: string, source: string): Loaded {
  const trimmed = text.trim();
  // A patch file with no documents patches nothing (an inline patch cannot be empty).
  if (trimmed === "") return { source, sm: [] };
  const docs = parse(trimmed, source);
  const first = docs[0];
  // `[]` reads as no strategic-merge patch at all, which kustomize takes first: nothing is selected.
  if (docs.length === 1 && Array.isArray(first) && first.length === 0) return { source, sm: [] };
  if (docs.length === 1 && Array.isArray(first)) {
    for (const op of first) {
      if (!isObj(op) || typeof op.op !== "string")
        throw new BuildError(`unable to parse SM or JSON patch from ${source}`);
    }
    // Operations written as YAML go through sigs.k8s.io/yaml (YAML 1.1 booleans); JSON text does not.
    if (!trimmed.startsWith("[")) applyYaml11Booleans(trimmed, first);
    return { source, json: first as Op[] };
  }
  const sm: Obj[] = [];
  for (const d of docs) {
    if (!isPatchObject(d))
      throw new BuildError(
        `unable to parse SM or JSON patch from ${source}: a strategic merge patch needs kind and metadata.name`,
      );
    sm.push(d);
  }
  return { source, sm };
}

function loadEntry(ldr: Loader, entry: PatchEntry): Loaded {
  const inline = entry.patch?.trim() ?? "";
  const file = entry.path ?? "";
  if (inline === "" && file === "")
    throw new BuildError("must specify one of patch and path in a patches entry");
  if (inline !== "" && file !== "")
    throw new BuildError("patch and path can't be set at the same time in a patches entry");
  if (inline !== "") return classify(inline, `[patch: ${JSON.stringify(inline)}]`);
  let text: string;
  try {
    text = ldr.read(file);
  } catch (e) {
    throw new BuildError(
      `failed to get the patch file from path(${file}): ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return classify(text, `[path: ${JSON.stringify(file)}]`);
}

function idOfPatch(p: Obj): {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
} {
  const av = typeof p.apiVersion === "string" ? p.apiVersion : "";
  const { group, version } = parseApiVersion(av);
  const meta = isObj(p.metadata) ? p.metadata : {};
  return {
    group,
    version,
    kind: typeof p.kind === "string" ? p.kind : "",
    name: typeof meta.name === "string" ? meta.name : "",
    namespace: typeof meta.namespace === "string" ? meta.namespace : "",
  };
}

function findById(rm: ResMap, p: Obj, source: string): Resource {
  const id = idOfPatch(p);
  const ns = effectiveNamespace(
    { apiVersion: typeof p.apiVersion === "string" ? p.apiVersion : "", kind: id.kind },
    id.namespace,
  );
  const matches = rm.list.filter((r) => {
    const g = r.gvk();
    if (g.group !== id.group || g.version !== id.version) return false;
    if (r.kind === id.kind && r.name === id.name && effectiveNamespace(r.type, r.namespace) === ns)
      return true;
    return r.prevIds.some((prev) => prev.kind === id.kind && prev.name === id.name && prev.namespace === ns);
  });
  const text = `${id.kind}.${id.version || "[noVer]"}.${id.group || "[noGrp]"}/${id.name}.${id.namespace || "[noNs]"}`;
  if (matches.length === 1) return matches[0] as Resource;
  if (matches.length > 1)
    throw new BuildError(`multiple matches for Id ${text}; failed to find unique target for patch ${source}`);
  throw new BuildError(
    `no resource matches strategic merge patch "${text}": no matches for Id ${text}; failed to find unique target for patch ${text}`,
  );
}

interface SmOptions {
  readonly allowNameChange: boolean;
  readonly allowKindChange: boolean;
}

/** Applies one strategic-merge patch to a resource; returns false when the patch deletes it. */
function applySm(r: Resource, patchIn: Obj, opts: SmOptions): boolean {
  const name = r.name;
  const namespace = r.namespace;
  const kind = r.kind;
  if (opts.allowNameChange || opts.allowKindChange) r.storePreviousId();
  const patch = deepClone(patchIn) as Obj;
  if (typeof r.obj.apiVersion === "string") patch.apiVersion = r.obj.apiVersion;
  const schema = schemaFor(typeof r.obj.apiVersion === "string" ? r.obj.apiVersion : "", kind);
  const merged = strategicMerge(r.obj, patch, schema);
  if (merged === undefined || Object.keys(merged).length === 0) return false;
  r.obj = merged;
  if (!opts.allowKindChange) r.obj.kind = kind;
  if (!opts.allowNameChange) r.name = name;
  const meta = r.meta(true);
  if (namespace === "") delete meta.namespace;
  else meta.namespace = namespace;
  return true;
}

function drop(rm: ResMap, gone: Set<Resource>): void {
  if (gone.size === 0) return;
  const kept = rm.list.filter((r) => !gone.has(r));
  rm.list.splice(0, rm.list.length, ...kept);
}

function applyJson(rm: ResMap, targets: Resource[], ops: Op[]): void {
  for (const r of targets) {
    r.storePreviousId();
    // kustomize's own bookkeeping annotations are present while it patches, so the map always exists.
    const meta = r.meta(true);
    const hadAnnotations = meta.annotations !== undefined;
    if (!hadAnnotations) meta.annotations = {};
    const out = applyJsonPatch(r.obj, ops);
    if (!hadAnnotations) delete meta.annotations;
    if (!isObj(out)) throw new BuildError(`JSON patch turned ${r.idText()} into a non-object`);
    const outMeta = out.metadata;
    if (
      !hadAnnotations &&
      isObj(outMeta) &&
      isObj(outMeta.annotations) &&
      Object.keys(outMeta.annotations).length === 0
    ) {
      delete outMeta.annotations;
    }
    r.obj = out;
  }
  void rm;
}

/** Applies `patches`. */
export function applyPatches(ldr: Loader, rm: ResMap, entries: readonly PatchEntry[]): void {
  for (const entry of entries) {
    const loaded = loadEntry(ldr, entry);
    const opts: SmOptions = {
      allowNameChange: entry.options?.allowNameChange === true,
      allowKindChange: entry.options?.allowKindChange === true,
    };
    if (loaded.json !== undefined) {
      if (entry.target === undefined)
        throw new BuildError(`must specify a target for JSON patch ${loaded.source}`);
      applyJson(rm, select(rm, entry.target), loaded.json);
      continue;
    }
    const sm = loaded.sm ?? [];
    if (entry.target !== undefined) {
      if (sm.length > 1) {
        throw new BuildError(
          `Multiple Strategic-Merge Patches in one \`patches\` entry is not allowed to set \`patches.target\` field: ${loaded.source}`,
        );
      }
      const patch = sm[0];
      if (patch === undefined) continue;
      const gone = new Set<Resource>();
      for (const r of select(rm, entry.target)) if (!applySm(r, patch, opts)) gone.add(r);
      drop(rm, gone);
      continue;
    }
    for (const patch of sm) {
      const r = findById(rm, patch, loaded.source);
      if (!applySm(r, patch, opts)) drop(rm, new Set([r]));
    }
  }
}

/** Applies `patchesStrategicMerge` (each entry a file or inline YAML). */
export function applyPatchesStrategicMerge(ldr: Loader, rm: ResMap, entries: readonly string[]): void {
  for (const entry of entries) {
    const inline = entry.includes("\n") || /^\s*(apiVersion|kind|metadata)\s*:/.test(entry);
    const text = inline ? entry : ldr.read(entry);
    const source = inline ? "inline patch" : path.join(ldr.root, entry);
    for (const patch of parse(text, source)) {
      if (!isObj(patch)) throw new BuildError(`${source}: a strategic merge patch must be a YAML mapping`);
      const r = findById(rm, patch, source);
      if (!applySm(r, patch, { allowNameChange: false, allowKindChange: false })) drop(rm, new Set([r]));
    }
  }
}

/** Applies `patchesJson6902`. */
export function applyPatchesJson6902(ldr: Loader, rm: ResMap, entries: readonly PatchEntry[]): void {
  for (const entry of entries) {
    if (entry.target === undefined) throw new BuildError("must specify a target for patchesJson6902");
    if (!entry.target.name)
      throw new BuildError(`patchesJson6902: must specify the target name (${JSON.stringify(entry.target)})`);
    const loaded = loadEntry(ldr, entry);
    if (loaded.json === undefined)
      throw new BuildError(`patchesJson6902 ${loaded.source} is not a list of operations`);
    applyJson(rm, select(rm, entry.target), loaded.json);
  }
}
