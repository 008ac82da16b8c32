// A resource being built: the object itself plus what kustomize tracks beside it (its names before
// renames, the prefixes and suffixes applied, generator options).
import { emptyConfig, type TransformerConfig } from "./config/transformer-config.ts";
import { effectiveNamespace, type Gvk, idString, parseApiVersion } from "./resid.ts";
import { rawMetadataText } from "./yaml/parse.ts";

/** A JSON-like object. */
export type Obj = Record<string, unknown>;

/** One earlier identity of a renamed resource. */
export interface PrevId {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** A resource's origin: the file it was read from, or the kustomization whose generator made it. */
export interface Origin {
  readonly path?: string;
  readonly configuredIn?: string;
  readonly generator?: string;
  /** The apiVersion of the configuring object (default `builtin`). */
  readonly apiVersion?: string;
  /** Name and namespace of the plugin config object that configured the generator, when one did. */
  readonly name?: string;
  readonly namespace?: string;
}

/** How a generated object combines with one of the same name from a base. */
export type Behavior = "create" | "merge" | "replace" | "unspecified";

/** A resource in a build. */
export class Resource {
  obj: Obj;
  readonly prevIds: PrevId[] = [];
  readonly prefixes: string[] = [];
  readonly suffixes: string[] = [];
  /** Set when kustomize would have written build annotations (which rewrites annotations as strings). */
  annotated = false;
  needsHash = false;
  behavior: Behavior = "unspecified";
  /** Where the resource came from (absolute paths), for `buildMetadata: [originAnnotations]`. */
  origin: Origin | undefined = undefined;
  /** The id at load time, for selecting referrers. */
  readonly orgGvk: Gvk;

  constructor(obj: Obj) {
    this.obj = obj;
    this.orgGvk = this.gvk();
  }

  gvk(): Gvk {
    const av = typeof this.obj.apiVersion === "string" ? this.obj.apiVersion : "";
    const { group, version } = parseApiVersion(av);
    return { group, version, kind: typeof this.obj.kind === "string" ? this.obj.kind : "" };
  }
  /** apiVersion and kind, for scope lookups. */
  get type(): { apiVersion: string; kind: string } {
    return {
      apiVersion: typeof this.obj.apiVersion === "string" ? this.obj.apiVersion : "",
      kind: this.kind,
    };
  }
  get kind(): string {
    const k = this.obj.kind;
    if (typeof k === "string") return k;
    return typeof k === "number" || typeof k === "boolean" || typeof k === "bigint" ? String(k) : "";
  }
  get name(): string {
    const n = this.meta().name;
    return typeof n === "string" ? n : n === undefined || n === null ? "" : String(n);
  }
  set name(v: string) {
    this.meta(true).name = v;
  }
  get namespace(): string {
    const n = this.meta().namespace;
    return typeof n === "string" ? n : "";
  }
  meta(create = false): Obj {
    const m = this.obj.metadata;
    if (m !== null && typeof m === "object" && !Array.isArray(m)) return m as Obj;
    const fresh: Obj = {};
    if (create) this.obj.metadata = fresh;
    return fresh;
  }
  /** Key identifying the resource in a ResMap (namespace "" and "default" are the same). */
  key(): string {
    const g = this.gvk();
    return `${g.group}|${g.version}|${g.kind}|${effectiveNamespace(this.type, this.namespace)}|${this.name}`;
  }
  idText(): string {
    return idString(this.gvk(), this.name, this.namespace);
  }
  /** Remembers the current id before a rename, as kustomize does for name references. */
  storePreviousId(): void {
    this.prevIds.push({
      kind: this.kind,
      name: this.name,
      namespace: effectiveNamespace(this.type, this.namespace),
    });
    this.annotated = true;
  }
  clone(): Resource {
    const r = new Resource(deepClone(this.obj) as Obj);
    r.prevIds.push(...this.prevIds);
    r.prefixes.push(...this.prefixes);
    r.suffixes.push(...this.suffixes);
    r.annotated = this.annotated;
    r.needsHash = this.needsHash;
    r.behavior = this.behavior;
    r.origin = this.origin;
    return r;
  }
}

/** Deep copy of JSON-like data, keeping the raw text of label/annotation scalars. */
export function deepClone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepClone);
  if (v !== null && typeof v === "object") {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepClone(x);
    const raw = rawMetadataText.get(v);
    if (raw !== undefined) rawMetadataText.set(out, raw);
    return out;
  }
  return v;
}

/** Is v a plain mapping. */
export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** An ordered set of resources with unique ids. */
export class ResMap {
  readonly list: Resource[] = [];
  /** Field specs of this accumulation (defaults, children's and own `configurations`). */
  config: TransformerConfig = emptyConfig();
  // Ids of the listed resources, kept while appends run back to back; transformers call invalidate().
  private keys: Set<string> | undefined;

  /** Forgets cached ids (call after anything that may rename resources). */
  invalidate(): void {
    this.keys = undefined;
  }
  private keySet(): Set<string> {
    if (this.keys === undefined) this.keys = new Set(this.list.map((x) => x.key()));
    return this.keys;
  }
  append(r: Resource): void {
    this.appendAll([r]);
  }
  appendAll(rs: Iterable<Resource>): void {
    const seen = this.keySet();
    for (const r of rs) {
      const k = r.key();
      if (seen.has(k))
        throw new BuildError(`may not add resource with an already registered id: ${r.idText()}`);
      seen.add(k);
      this.list.push(r);
    }
  }
}

/** A build failed because of its input (kustomization, resources, patches). */
export class BuildError extends Error {
  override name = "BuildError";
}
