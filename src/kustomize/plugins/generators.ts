// The builtin generator plugins: ConfigMapGenerator and SecretGenerator configured by an object
// instead of a kustomization field (no global generatorOptions; metadata names the result by default).
import { z } from "zod";
import { generate } from "../generators/configmap-secret.ts";
import type { Loader } from "../loader.ts";
import type { Resource } from "../resource.ts";
import { generatorArgsSchema, parseConfig } from "./config.ts";

/** A configured generator. */
export type Generate = () => Resource[];

/** Configures a generator plugin from its config object; throws when kustomize would. */
export type GeneratorFactory = (config: Resource, ldr: Loader) => Generate;

const argsConfig = generatorArgsSchema
  .partial()
  .strip()
  .extend({
    metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  });

function generator(kind: "ConfigMap" | "Secret"): GeneratorFactory {
  return (config, ldr) => {
    const { metadata, ...args } = parseConfig(config, argsConfig);
    const name = args.name !== undefined && args.name !== "" ? args.name : metadata?.name;
    const namespace =
      args.namespace !== undefined && args.namespace !== "" ? args.namespace : metadata?.namespace;
    const full = {
      ...args,
      ...(name !== undefined ? { name } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
    };
    if (kind === "ConfigMap") delete full.type;
    return () => [generate(kind, ldr, full, undefined)];
  };
}

/** The builtin generator plugins by kind. */
export const GENERATOR_PLUGINS: ReadonlyMap<string, GeneratorFactory> = new Map([
  ["ConfigMapGenerator", generator("ConfigMap")],
  ["SecretGenerator", generator("Secret")],
]);
