// Renders one kustomization tree: accumulate, then the steps kustomize runs once at the top.

import type { LoadedKustomization } from "./kustomization-file.ts";
import { Loader, type LoaderOptions } from "./loader.ts";
import type { Obj } from "./resource.ts";
import { accumulate } from "./target.ts";
import { applyBuildMetadata } from "./transformers/build-metadata.ts";
import { addHashSuffixes, cleanAnnotations, sortResources } from "./transformers/finalize.ts";
import { fixNameReferences } from "./transformers/name-reference.ts";
import { resolveVars } from "./transformers/vars.ts";
import { emitYamlStream } from "./yaml/emit.ts";

/** What a build produces: the objects in output order and their YAML stream. */
export interface BuildResult {
  readonly objects: Obj[];
  readonly yaml: string;
}

/** Renders the kustomization in dir (or `root`, given instead of dir's own kustomization file). */
export function renderTree(dir: string, options: LoaderOptions, root?: LoadedKustomization): BuildResult {
  const ldr = new Loader(dir, options);
  const ctx = { visiting: [], vars: { vars: [], sources: new Map() } };
  const { rm, k } = accumulate(ldr, ctx, undefined, false, root);
  addHashSuffixes(rm);
  fixNameReferences(rm);
  resolveVars(rm, ctx.vars);
  sortResources(rm, k);
  applyBuildMetadata(rm, k, ldr.root);
  cleanAnnotations(rm);
  const objects = rm.list.map((r) => r.obj);
  return { objects, yaml: emitYamlStream(objects) };
}
