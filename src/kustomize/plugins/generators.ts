// The builtin generator plugins: ConfigMapGenerator and SecretGenerator configured by an object
// instead of a kustomization field (no global generatorOptions; metadata names the result by default).
import { z } from "zod";
import { generate } from "../generators/configmap-secret.ts";
import type { Loader } from "../loader.ts";
import { BuildError, isObj, Resource } from "../resource.ts";
import { parseYamlStream, YamlError } from "../yaml/parse.ts";
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

const iamConfig = z.object({
  cloud: z.string().optional(),
  kubernetesService: z.object({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  serviceAccount: z.object({ name: z.string().optional(), projectId: z.string().optional() }).optional(),
});

// IAMPolicyGenerator: a GKE workload-identity ServiceAccount, made (like kustomize) by filling in a
// YAML text, so the values are typed as YAML reads them.
const iamPolicy: GeneratorFactory = (config) => {
  const c = parseConfig(config, iamConfig);
  return () => {
    if (c.cloud !== "gke") throw new BuildError(`cloud provider ${c.cloud ?? ""} not supported yet`);
    let text = `
apiVersion: v1
kind: ServiceAccount
metadata:
  annotations:
    iam.gke.io/gcp-service-account: ${c.serviceAccount?.name ?? ""}@${c.serviceAccount?.projectId ?? ""}.iam.gserviceaccount.com
  name: ${c.kubernetesService?.name ?? ""}
`;
    const ns = c.kubernetesService?.namespace ?? "";
    if (ns !== "") text += `\n  namespace: ${ns}`;
    let docs: unknown[];
    try {
      docs = parseYamlStream(text, config.idText());
    } catch (e) {
      if (e instanceof YamlError) throw new BuildError(e.message);
      throw e;
    }
    return docs.filter(isObj).map((d) => new Resource(d));
  };
};

/** The builtin generator plugins by kind. */
export const GENERATOR_PLUGINS: ReadonlyMap<string, GeneratorFactory> = new Map([
  ["ConfigMapGenerator", generator("ConfigMap")],
  ["IAMPolicyGenerator", iamPolicy],
  ["SecretGenerator", generator("Secret")],
]);
