// The zod schemas and the CRDs in crds/ must describe the same API: every property, type, required field,
// enum, pattern, length bound and default of the CRDs' spec and status is compared with the JSON Schema
// zod derives from the schemas. (CEL rules are not in the JSON Schema; the fixture tests cover them.)
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { GitRepositorySchema, GitRepositoryV1Beta2Schema } from "./gitrepository.ts";
import { KustomizationSchema } from "./kustomization.ts";

type JsonSchema = { [key: string]: unknown };

function asSchema(value: unknown, where: string): JsonSchema {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${where}: not a schema`);
  return value as JsonSchema;
}

const crdDir = new URL("../../crds/", import.meta.url);

function crdVersionSchema(file: string, version: string): JsonSchema {
  const docs = parseAllDocuments(readFileSync(new URL(file, crdDir), "utf8"))
    .map((d) => d.toJS() as unknown)
    .filter((d) => d !== null);
  const crd = asSchema(docs[0], file);
  const spec = asSchema(crd.spec, "spec");
  const versions = spec.versions as JsonSchema[];
  const v = versions.find((x) => x.name === version);
  if (v === undefined) throw new Error(`${file}: no version ${version}`);
  return asSchema(asSchema(v.schema, "schema").openAPIV3Schema, "openAPIV3Schema");
}

function regexSource(pattern: unknown): string {
  return new RegExp(String(pattern)).source;
}

/** Differences between a CRD structural schema and zod's JSON Schema, as "path: what" lines. */
function compare(crd: JsonSchema, zod: JsonSchema, path: string, out: string[]): void {
  if (crd.type !== zod.type) out.push(`${path}: type ${String(crd.type)} vs ${String(zod.type)}`);
  if (crd.format === "date-time") {
    if (zod.pattern === undefined && zod.format !== "date-time")
      out.push(`${path}: zod does not check date-time`);
  } else if (crd.pattern !== undefined || zod.pattern !== undefined) {
    if (regexSource(crd.pattern) !== regexSource(zod.pattern)) {
      out.push(`${path}: pattern ${String(crd.pattern)} vs ${String(zod.pattern)}`);
    }
  }
  for (const key of ["enum", "default", "minLength", "maxLength"]) {
    if (JSON.stringify(crd[key]) !== JSON.stringify(zod[key])) {
      out.push(`${path}: ${key} ${JSON.stringify(crd[key])} vs ${JSON.stringify(zod[key])}`);
    }
  }
  // zod bounds every integer to the safe range; only bounds the CRD sets must match.
  if (crd.type === "integer" && crd.minimum !== zod.minimum && crd.minimum !== undefined) {
    out.push(`${path}: minimum ${String(crd.minimum)} vs ${String(zod.minimum)}`);
  }
  if (crd.type === "object") {
    const cp = asSchema(crd.properties ?? {}, path);
    const zp = asSchema(zod.properties ?? {}, path);
    const names = new Set([...Object.keys(cp), ...Object.keys(zp)]);
    for (const name of names) {
      if (!(name in cp)) out.push(`${path}.${name}: only in zod`);
      else if (!(name in zp)) out.push(`${path}.${name}: only in the CRD`);
      else compare(asSchema(cp[name], name), asSchema(zp[name], name), `${path}.${name}`, out);
    }
    const cr = [...((crd.required as string[] | undefined) ?? [])].sort();
    const zr = [...((zod.required as string[] | undefined) ?? [])].sort();
    if (JSON.stringify(cr) !== JSON.stringify(zr)) out.push(`${path}: required ${cr} vs ${zr}`);
    if (crd.additionalProperties !== undefined) {
      compare(
        asSchema(crd.additionalProperties, path),
        asSchema(zod.additionalProperties, path),
        `${path}{}`,
        out,
      );
    }
  }
  if (crd.type === "array") compare(asSchema(crd.items, path), asSchema(zod.items, path), `${path}[]`, out);
}

describe("zod schemas match the CRDs", () => {
  it.each([
    ["source.toolkit.fluxcd.io_gitrepositories.yaml", "v1", GitRepositorySchema],
    ["source.toolkit.fluxcd.io_gitrepositories.yaml", "v1beta2", GitRepositoryV1Beta2Schema],
    ["kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1", KustomizationSchema],
  ] as const)("%s %s: spec and status agree", (file, version, schema) => {
    const crd = crdVersionSchema(file, version);
    const zod = asSchema(z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }), "zod");
    const crdProps = asSchema(crd.properties, "crd");
    const zodProps = asSchema(zod.properties, "zod");
    const diffs: string[] = [];
    for (const part of ["spec", "status"]) {
      compare(asSchema(crdProps[part], part), asSchema(zodProps[part], part), part, diffs);
    }
    expect(diffs).toEqual([]);
  });

  it("the comparison notices a difference", () => {
    const diffs: string[] = [];
    compare(
      { type: "object", properties: { a: { type: "string", enum: ["x"] } }, required: ["a"] },
      { type: "object", properties: { a: { type: "string", enum: ["y"] }, b: { type: "string" } } },
      "spec",
      diffs,
    );
    expect(diffs).toEqual(['spec.a: enum ["x"] vs ["y"]', "spec.b: only in zod", "spec: required a vs "]);
  });
});
