// Reads an OpenAPI v2 document (a kustomization's `openapi.path`, JSON or YAML) into a catalog layer,
// indexing its definitions by name and by the resource types their x-kubernetes-group-version-kind
// extension declares, as kyaml does when it parses a schema.
import { BuildError, isObj } from "../resource.ts";
import { parseYamlStream, YamlError } from "../yaml/parse.ts";
import { type Layer, rawLayer } from "./catalog.ts";
import { type RawSchema, readSchema } from "./raw.ts";

function parseText(text: string, file: string): unknown {
  // kyaml decodes a document starting with "{" as JSON and anything else as YAML.
  if (text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new BuildError(`invalid schema file: ${file}: ${(e as Error).message}`);
    }
  }
  if (text.length === 0) throw new BuildError(`invalid schema file: ${file}: unexpected end of JSON input`);
  try {
    return parseYamlStream(text, file)[0] ?? null;
  } catch (e) {
    if (e instanceof YamlError) throw new BuildError(`invalid schema file: ${e.message}`);
    throw e;
  }
}

/** The `apiVersion kind` keys of a definition's x-kubernetes-group-version-kind entries. */
function typeKeys(s: RawSchema, where: string): string[] {
  const gvks = s.ext.get("x-kubernetes-group-version-kind");
  if (!Array.isArray(gvks)) return [];
  const out: string[] = [];
  for (const g of gvks) {
    if (!isObj(g)) continue;
    if (typeof g.version !== "string" || typeof g.kind !== "string")
      throw new BuildError(
        `invalid schema file: ${where}: x-kubernetes-group-version-kind needs a version and a kind`,
      );
    const av = typeof g.group === "string" && g.group !== "" ? `${g.group}/${g.version}` : g.version;
    out.push(`${av} ${g.kind}`);
  }
  return out;
}

// kyaml's namespaceability index: a type whose GET path has a namespace parameter is namespaced;
// one with only other GET paths is cluster-scoped.
function scopesOf(paths: unknown, file: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  if (paths === undefined || paths === null) return out;
  if (!isObj(paths)) throw new BuildError(`invalid schema file: ${file}: paths must be a mapping`);
  for (const [p, item] of Object.entries(paths)) {
    const gvk = isObj(item) && isObj(item.get) ? item.get["x-kubernetes-group-version-kind"] : undefined;
    if (!isObj(gvk)) continue;
    if (typeof gvk.version !== "string" || typeof gvk.kind !== "string")
      throw new BuildError(
        `invalid schema file: ${file}: paths.${p}: x-kubernetes-group-version-kind needs a version and a kind`,
      );
    const av =
      typeof gvk.group === "string" && gvk.group !== "" ? `${gvk.group}/${gvk.version}` : gvk.version;
    const key = `${av} ${gvk.kind}`;
    if (p.includes("namespaces/{namespace}")) out.set(key, true);
    else if (!out.has(key)) out.set(key, false);
  }
  return out;
}

/** Builds a layer from a parsed document (`{definitions: {...}, paths: {...}}`). */
export function layerFromDocument(doc: unknown, file: string, id: string): Layer {
  if (doc !== null && !isObj(doc))
    throw new BuildError(`invalid schema file: ${file}: not an OpenAPI document`);
  const defsIn = doc === null ? undefined : doc.definitions;
  if (defsIn !== undefined && defsIn !== null && !isObj(defsIn))
    throw new BuildError(`invalid schema file: ${file}: definitions must be a mapping`);
  const definitions = new Map<string, RawSchema>();
  const resources = new Map<string, RawSchema>();
  for (const [name, d] of Object.entries(defsIn ?? {})) {
    const where = `${file}: definitions.${name}`;
    let s: RawSchema;
    try {
      s = readSchema(d, where);
    } catch (e) {
      if (e instanceof BuildError) throw new BuildError(`invalid schema file: ${e.message}`);
      throw e;
    }
    definitions.set(name, s);
    for (const key of typeKeys(s, where)) resources.set(key, s);
  }
  return rawLayer(id, definitions, resources, scopesOf(doc === null ? undefined : doc.paths, file));
}

/** Reads the text of an `openapi.path` file into a layer. */
export function layerFromFile(text: string, file: string): Layer {
  return layerFromDocument(parseText(text, file), file, `custom:${file}`);
}

// kustomize's own config kinds, which kyaml adds after every schema it parses: of them only the
// Kustomization's generator lists merge by name.
const kustomizationDoc = {
  definitions: {
    "io.k8s.api.apps.v1.Kustomization": {
      type: "object",
      properties: {
        configMapGenerator: {
          type: "array",
          items: { $ref: "#/definitions/io.k8s.api.apps.v1.ConfigMapArgs" },
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
        secretGenerator: {
          type: "array",
          items: { $ref: "#/definitions/io.k8s.api.apps.v1.SecretArgs" },
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-patch-strategy": "merge",
        },
      },
      "x-kubernetes-group-version-kind": [
        { group: "kustomize.config.k8s.io", kind: "Kustomization", version: "v1beta1" },
      ],
    },
    ...Object.fromEntries(
      ["ConfigMapArgs", "SecretArgs", "GeneratorArgs", "KvPairSources"].map((k) => [
        `io.k8s.api.apps.v1.${k}`,
        {
          type: "object",
          "x-kubernetes-group-version-kind": [
            { group: "kustomize.config.k8s.io", kind: k, version: "v1beta1" },
          ],
        },
      ]),
    ),
  },
};

/** The layer of kustomize's own config kinds. */
export const kustomizationLayer: Layer = layerFromDocument(
  kustomizationDoc,
  "kustomizationapi",
  "kustomization",
);
