// The `crds` field: files of OpenAPI definitions (name → {Schema, Dependencies}, as Go's gen-openapi
// writes them) from which kustomize derives transformer field specs for custom kinds. It does not
// change strategic merge (that is the `openapi` field's job), and Kubernetes CRD manifests are not
// such files. A type with kind, apiVersion and metadata properties is a resource whose kind is the
// name's last dot-separated part; walking its properties (and their `$ref`s, by plain name):
//   x-kubernetes-annotation       → commonAnnotations adds to that field
//   x-kubernetes-label-selector   → commonLabels adds to that field
//   x-kubernetes-identity         → namePrefix applies to that field
//   x-kubernetes-object-ref-api-version + -kind (+ -name-key, default "name") → a name reference

import type { NameBackRef } from "./config/name-references.ts";
import { emptyConfig, mergeConfig, type TransformerConfig } from "./config/transformer-config.ts";
import type { FieldSpec } from "./fieldspec.ts";
import type { Loader } from "./loader.ts";
import { extString, type RawSchema, readSchema } from "./openapi/raw.ts";
import { BuildError, isObj } from "./resource.ts";
import { parseYamlStream, YamlError } from "./yaml/parse.ts";

type Definitions = ReadonlyMap<string, RawSchema | undefined>;

function parse(text: string, file: string): unknown {
  // kustomize indexes the first byte: an empty file makes it crash.
  if (text.length === 0)
    throw new BuildError(`unable to parse open API definition from '${file}': empty file`);
  if (text.startsWith("{")) return JSON.parse(text);
  return parseYamlStream(text, file)[0] ?? null;
}

// Go's JSON decoding matches struct fields case-insensitively, an exact match first.
function goField(o: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(o, name)) return o[name];
  const k = Object.keys(o).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : o[k];
}

function readDefinitions(text: string, file: string): Definitions {
  const fail = (why: string): BuildError =>
    new BuildError(`unable to parse open API definition from '${file}': ${why}`);
  let doc: unknown;
  try {
    doc = parse(text, file);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    if (e instanceof YamlError || e instanceof SyntaxError) throw fail(e.message);
    throw e;
  }
  if (doc === null) return new Map();
  if (!isObj(doc)) throw fail("expected a mapping of type names to definitions");
  const out = new Map<string, RawSchema | undefined>();
  for (const [name, def] of Object.entries(doc)) {
    if (def === null) {
      out.set(name, undefined);
      continue;
    }
    if (!isObj(def)) throw fail(`${name}: expected an object with Schema and Dependencies`);
    const deps = goField(def, "Dependencies");
    if (
      deps !== undefined &&
      deps !== null &&
      !(Array.isArray(deps) && deps.every((d) => typeof d === "string"))
    )
      throw fail(`${name}: Dependencies must be a list of strings`);
    const schema = goField(def, "Schema");
    try {
      out.set(
        name,
        schema === undefined || schema === null ? undefined : readSchema(schema, `${name}.Schema`),
      );
    } catch (e) {
      if (e instanceof BuildError) throw fail(e.message);
      throw e;
    }
  }
  return out;
}

interface Collected {
  annotations: FieldSpec[];
  labels: FieldSpec[];
  prefix: FieldSpec[];
  refs: NameBackRef[];
}

function collect(defs: Definitions, kind: string, typeName: string, path: string[], out: Collected): void {
  if (path.length > 100) throw new BuildError(`crds: type ${typeName} refers to itself`);
  const api = defs.get(typeName);
  if (api === undefined) return;
  for (const [prop, s] of api.properties) {
    const at = [...path, prop];
    const spec = (p: string[]): FieldSpec => ({ kind, path: p.join("/") });
    if (extString(s, "x-kubernetes-annotation") !== undefined) out.annotations.push(spec(at));
    if (extString(s, "x-kubernetes-label-selector") !== undefined) out.labels.push(spec(at));
    if (extString(s, "x-kubernetes-identity") !== undefined) out.prefix.push(spec(at));
    const version = extString(s, "x-kubernetes-object-ref-api-version");
    const refKind = extString(s, "x-kubernetes-object-ref-kind");
    if (version !== undefined && refKind !== undefined) {
      const nameKey = extString(s, "x-kubernetes-object-ref-name-key") ?? "name";
      out.refs.push({
        ...(version !== "" ? { version } : {}),
        kind: refKind,
        referrers: [spec([...at, nameKey])],
      });
    }
    if (s.ref !== undefined) collect(defs, kind, s.ref, at, out);
  }
}

function configFromDefinitions(defs: Definitions): TransformerConfig {
  let cfg = emptyConfig();
  for (const [name, api] of defs) {
    const p = api?.properties;
    if (p === undefined || !p.has("kind") || !p.has("apiVersion") || !p.has("metadata")) continue;
    const out: Collected = { annotations: [], labels: [], prefix: [], refs: [] };
    collect(defs, name.split(".").at(-1) ?? "", name, [], out);
    let part = emptyConfig();
    for (const r of out.refs) part = mergeConfig(part, { ...emptyConfig(), nameReference: [r] });
    part = mergeConfig(part, {
      ...emptyConfig(),
      commonAnnotations: out.annotations,
      commonLabels: out.labels,
      namePrefix: out.prefix,
    });
    cfg = mergeConfig(cfg, part);
  }
  return cfg;
}

/** The transformer config kustomize derives from a kustomization's `crds` files. */
export function loadCrdConfig(ldr: Loader, files: readonly string[]): TransformerConfig {
  let cfg = emptyConfig();
  try {
    for (const f of files) cfg = mergeConfig(cfg, configFromDefinitions(readDefinitions(ldr.read(f), f)));
  } catch (e) {
    if (e instanceof BuildError) throw new BuildError(`loading CRDs [${files.join(" ")}]: ${e.message}`);
    throw e;
  }
  return cfg;
}
