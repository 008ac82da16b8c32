// Strategic-merge metadata of resource types: the built-in Kubernetes table (schema.json, generated
// by generate.ts), or whatever the build's `openapi` field put in its place (state.ts).
import type { SchemaNode } from "./catalog.ts";
import { resourceSchema } from "./state.ts";

export type { SchemaNode } from "./catalog.ts";

/** The schema of an object of this apiVersion and kind, if the schema in use describes it. */
export function schemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  return resourceSchema(apiVersion, kind);
}

/** The schema of a field of an object described by `node` (undefined when unknown). */
export function fieldSchema(node: SchemaNode | undefined, field: string): SchemaNode | undefined {
  return node?.field(field);
}

/** The schema of the elements of a list field. */
export function elementSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  return node?.elements();
}
