// Strategic-merge metadata of the built-in kinds (generated into schema.json by generate.ts).
import table from "./schema.json" with { type: "json" };

/** A node of the schema walk: the definition describing an object, or a list of such. */
export interface SchemaNode {
  readonly def: string;
  readonly list: boolean;
  readonly strategy: string;
  readonly keys: readonly string[];
}

type Field = [string, number, string, string[]];
const defs = table.defs as unknown as Record<string, Record<string, Field>>;
const kinds = table.kinds as Record<string, string>;

/** The schema of an object of this apiVersion and kind, if it is a built-in one. */
export function schemaFor(apiVersion: string, kind: string): SchemaNode | undefined {
  const def = kinds[`${apiVersion} ${kind}`];
  return def === undefined ? undefined : { def, list: false, strategy: "", keys: [] };
}

/** The schema of a field of an object described by `node` (undefined when unknown). */
export function fieldSchema(node: SchemaNode | undefined, field: string): SchemaNode | undefined {
  if (node === undefined || node.list) return undefined;
  const f = defs[node.def]?.[field];
  if (f === undefined) return undefined;
  return { def: f[0], list: f[1] === 1, strategy: f[2], keys: f[3] };
}

/** The schema of the elements of a list field. */
export function elementSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  if (node === undefined || !node.list || node.def === "") return undefined;
  return { def: node.def, list: false, strategy: "", keys: [] };
}
