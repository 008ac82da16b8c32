// Generates schema.json, the strategic-merge table for built-in kinds, from a Kubernetes OpenAPI v2
// document:
//   node src/kustomize/openapi/generate.ts <swagger.json>
// The committed table comes from the Kubernetes 1.21.2 document kustomize v5.8 itself embeds (dumped
// to JSON by test/kustomize/kyaml-schema), so merges match kustomize's exactly; any other document
// works too, e.g. the harness apiserver's /openapi/v2 or k8s.io/kubernetes' api/openapi-spec/swagger.json.
// Kept per definition: fields leading to objects or lists, with their patch strategy and merge keys.
import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

const source =
  process.argv[2] ??
  path.join(homedir(), "go/pkg/mod/k8s.io/kubernetes@v1.36.3/api/openapi-spec/swagger.json");
/** A note recorded in schema.json saying which document the table came from. */
const label = process.argv[3] ?? path.basename(source);

interface Prop {
  $ref?: string;
  type?: string;
  items?: Prop;
  additionalProperties?: Prop;
  "x-kubernetes-patch-strategy"?: string;
  "x-kubernetes-patch-merge-key"?: string;
  "x-kubernetes-list-map-keys"?: string[];
}
interface Def {
  properties?: Record<string, Prop>;
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
}

const swagger = JSON.parse(readFileSync(source, "utf8")) as { definitions: Record<string, Def> };
const short = (ref: string): string => ref.replace("#/definitions/", "");

/** A field entry: [definition of the value or its items ("" for none), is-list, strategy, merge keys]. */
type Field = [string, 0 | 1, string, string[]];

const defs: Record<string, Record<string, Field>> = {};
const kinds: Record<string, string> = {};
for (const [name, def] of Object.entries(swagger.definitions)) {
  for (const gvk of def["x-kubernetes-group-version-kind"] ?? []) {
    const av = gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`;
    kinds[`${av} ${gvk.kind}`] = name;
  }
  const fields: Record<string, Field> = {};
  for (const [f, p] of Object.entries(def.properties ?? {})) {
    const strategy = p["x-kubernetes-patch-strategy"] ?? "";
    const keys =
      p["x-kubernetes-list-map-keys"] ??
      (p["x-kubernetes-patch-merge-key"] ? [p["x-kubernetes-patch-merge-key"]] : []);
    if (p.$ref !== undefined) fields[f] = [short(p.$ref), 0, strategy, keys];
    else if (p.type === "array") fields[f] = [p.items?.$ref ? short(p.items.$ref) : "", 1, strategy, keys];
  }
  if (Object.keys(fields).length > 0) defs[name] = fields;
}
const out = path.join(import.meta.dirname, "schema.json");
writeFileSync(out, `${JSON.stringify({ source: label, kinds, defs })}\n`);
process.stdout.write(
  `wrote ${Object.keys(kinds).length} kinds and ${Object.keys(defs).length} definitions to ${out}\n`,
);
