// Plugin configs listed in `generators`, `transformers` and `validators`: kustomize with plugins
// disabled (its default, and Flux's) runs only its builtin plugins (apiVersion `builtin`); any
// other config names an exec, Go or KRM-function plugin and fails the build.
import type { Loader } from "../loader.ts";
import { parseApiVersion } from "../resid.ts";
import { BuildError, isObj, type Origin, type ResMap, type Resource } from "../resource.ts";
import { GENERATOR_PLUGINS, type Generate } from "./generators.ts";
import { TRANSFORMER_PLUGINS, type Transform } from "./transformers.ts";

/** A configured plugin and the origin kustomize records for what it does. */
export interface Configured<T> {
  readonly run: T;
  readonly origin: Origin;
  readonly kind: string;
}

// Builtin kinds kustomize knows but driftless does not run.
const UNSUPPORTED = new Map([
  [
    "HelmChartInflationGenerator",
    "helmCharts are not supported by driftless (render the chart and commit the output)",
  ],
]);

function where(config: Resource): string {
  const file = config.origin?.path;
  return file === undefined ? "" : `${file}: `;
}

function kindOf(config: Resource, role: "generator" | "transformer"): string {
  const { group, version } = parseApiVersion(config.type.apiVersion);
  const kind = config.kind;
  if (group !== "" || version !== "builtin") {
    throw new BuildError(
      `${where(config)}external plugins disabled; unable to load external plugin '${kind}' (driftless runs only kustomize's builtin plugins)`,
    );
  }
  const unsupported = UNSUPPORTED.get(kind);
  if (unsupported !== undefined) throw new BuildError(`${where(config)}${unsupported}`);
  if (!GENERATOR_PLUGINS.has(kind) && !TRANSFORMER_PLUGINS.has(kind)) {
    throw new BuildError(`${where(config)}unable to load builtin ${kind}.builtin.[noGrp]`);
  }
  const table: ReadonlyMap<string, unknown> = role === "generator" ? GENERATOR_PLUGINS : TRANSFORMER_PLUGINS;
  if (!table.has(kind)) throw new BuildError(`${where(config)}plugin ${config.idText()} not a ${role}`);
  return kind;
}

function originOf(config: Resource, kind: string): Origin {
  return {
    ...(config.origin?.path !== undefined ? { configuredIn: config.origin.path } : {}),
    generator: kind,
    apiVersion: config.type.apiVersion,
    name: config.name,
    namespace: config.namespace,
  };
}

/** Configures the generator plugins of a kustomization (paths in configs resolve against ldr). */
export function configureGenerators(configs: readonly Resource[], ldr: Loader): Configured<Generate>[] {
  return configs.map((c) => {
    const kind = kindOf(c, "generator");
    const factory = GENERATOR_PLUGINS.get(kind);
    if (factory === undefined) throw new BuildError(`plugin ${c.idText()} not a generator`);
    return { run: factory(c, ldr), origin: originOf(c, kind), kind };
  });
}

/** Configures the transformer (or validator) plugins of a kustomization. */
export function configureTransformers(configs: readonly Resource[], ldr: Loader): Configured<Transform>[] {
  return configs.map((c) => {
    const kind = kindOf(c, "transformer");
    const factory = TRANSFORMER_PLUGINS.get(kind);
    if (factory === undefined) throw new BuildError(`plugin ${c.idText()} not a transformer`);
    return { run: factory(c, ldr), origin: originOf(c, kind), kind };
  });
}

const VALIDATED_BY = "validated-by";

function snapshot(rm: ResMap, dropValidatedBy: boolean): string[] {
  return rm.list
    .map((r) => {
      const obj = structuredClone(r.obj);
      const meta = obj.metadata;
      // kustomize deletes the label and writes the labels back, which drops a map left empty.
      if (dropValidatedBy && isObj(meta) && isObj(meta.labels) && VALIDATED_BY in meta.labels) {
        delete meta.labels[VALIDATED_BY];
        if (Object.keys(meta.labels).length === 0) delete meta.labels;
      }
      return JSON.stringify(obj);
    })
    .sort();
}

/**
 * Runs validators over rm: one may add the `validated-by` label and nothing else, as in kustomize
 * (which compares the objects before with the objects after, that label removed).
 */
export function runValidators(rm: ResMap, validators: readonly Configured<Transform>[]): void {
  for (const v of validators) {
    const before = snapshot(rm, false);
    v.run(rm);
    const after = snapshot(rm, true);
    if (before.length !== after.length || before.some((b, i) => b !== after[i])) {
      throw new BuildError(
        `validator shouldn't modify the resource map: ${v.kind} configured in ${v.origin.configuredIn ?? "?"}`,
      );
    }
  }
}
