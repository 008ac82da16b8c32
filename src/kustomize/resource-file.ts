// Resource files: one file's documents (multi-document, `…List` kinds expanded) as resources, with
// kustomize's checks that each is a mapping with a kind and a name.
import path from "node:path";
import { checkJsonCompatible } from "./json-compat.ts";
import type { Loader } from "./loader.ts";
import { noteResourceType } from "./openapi/field.ts";
import { BuildError, isObj, Resource } from "./resource.ts";
import { parseYamlStream, YamlError } from "./yaml/parse.ts";

function isEmptyObject(o: unknown): boolean {
  return isObj(o) && Object.keys(o).length === 0;
}

const DIRECTIVE = /^%(YAML|TAG)[ \t]/m;

/** Reads the objects of one resource file (multi-document, `…List` kinds expanded). */
export function loadResourceFile(ldr: Loader, rel: string): Resource[] {
  const file = path.join(ldr.root, rel);
  const text = ldr.read(rel);
  // kyaml splits a stream on `---` lines, which leaves a directive a document of its own that it
  // cannot read: kustomize refuses any file with a %YAML or %TAG line.
  if (DIRECTIVE.test(text)) throw new BuildError(`${file}: YAML directives (%YAML, %TAG) are not supported`);
  let docs: unknown[];
  try {
    docs = parseYamlStream(text, file);
  } catch (e) {
    if (e instanceof YamlError) throw new BuildError(e.message);
    throw e;
  }
  checkJsonCompatible(text, docs, file);
  const out = resourcesFromDocs(docs, file);
  for (const r of out) {
    r.origin = { path: file };
    noteResourceType(r.obj.apiVersion, r.obj.kind);
  }
  return out;
}

/** Turns parsed documents into resources, checking each is an object with a kind and a name. */
export function resourcesFromDocs(docs: unknown[], file: string): Resource[] {
  const out: Resource[] = [];
  // A queue read by index (List items are appended): shift() would make a long stream quadratic.
  const queue = [...docs];
  for (let next = 0; next < queue.length; next++) {
    const d = queue[next];
    if (d === null || d === undefined || isEmptyObject(d)) continue;
    if (!isObj(d))
      throw new BuildError(
        `${file}: expected a YAML mapping, got ${Array.isArray(d) ? "a sequence" : "a scalar"}`,
      );
    const kind =
      typeof d.kind === "string"
        ? d.kind
        : isObj(d.kind) || Array.isArray(d.kind) || d.kind == null
          ? ""
          : String(d.kind);
    if (kind.endsWith("List") && "items" in d) {
      // kustomize refuses a List whose items are a map and reads other non-lists as holding nothing.
      if (isObj(d.items)) throw new BuildError(`${file}: expected array in ${kind}/items, got a map`);
      if (!Array.isArray(d.items)) continue;
      queue.push(...d.items);
      continue;
    }
    if (kind === "") throw new BuildError(`${file}: missing Resource metadata: kind is required`);
    const meta = d.metadata;
    const name = isObj(meta) ? meta.name : undefined;
    if (name === undefined || name === null || name === "" || isObj(name) || Array.isArray(name)) {
      throw new BuildError(`${file}: missing metadata.name in object of kind ${kind}`);
    }
    out.push(new Resource(d));
  }
  return out;
}
