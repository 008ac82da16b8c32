// The renderer's entry point: build(dir) renders a kustomization the way `kustomize build` does;
// with `fluxSpec`, the way kustomize-controller does for a Flux Kustomization.
import { buildFlux } from "./flux.ts";
import type { LoaderOptions } from "./loader.ts";
import { type BuildResult, renderTree } from "./render.ts";
import { BuildError } from "./resource.ts";

/** Options of a build. */
export interface BuildOptions extends LoaderOptions {
  /** A Flux Kustomization's spec: generate a missing kustomization and apply the spec's overrides. */
  readonly fluxSpec?: unknown;
  /** With fluxSpec: the source root no file may escape (defaults to dir). */
  readonly root?: string;
}

/** Renders the kustomization in dir. Throws BuildError for problems in the input. */
export function build(dir: string, options: BuildOptions = {}): BuildResult {
  const { fluxSpec, root, ...loader } = options;
  if (fluxSpec !== undefined)
    return buildFlux(dir, fluxSpec, { ...loader, ...(root !== undefined ? { root } : {}) });
  return renderTree(dir, loader);
}

export { BuildError, type BuildResult };
