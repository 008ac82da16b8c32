// Drift ignore rules (Flux's Kustomization spec.ignore, fluxcd/pkg ssa DriftIgnoreRules): fields at JSON
// pointers, in objects a target selects, belong to other controllers (an HPA's /spec/replicas). They are
// left out of the drift comparison; when an object is applied for another reason, each ignored field whose
// live value differs from Git's is either dropped from the payload (another Apply manager owns it, so
// ownership passes to it) or set to the live value (no other Apply manager owns it, so driftless keeps
// ownership without reverting the value). Objects being created get every field: rules never apply there.
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../kube/object.ts";
import { LabelSelector } from "./label-selector.ts";

/** Which objects a rule applies to; group, version, kind, name and namespace are anchored regexes. */
export interface IgnoreTarget {
  readonly group?: string | undefined;
  readonly version?: string | undefined;
  readonly kind?: string | undefined;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly annotationSelector?: string | undefined;
}

/** One ignore rule: JSON pointers (RFC 6901) and an optional target (none: every object). */
export interface IgnoreRule {
  readonly paths: readonly string[];
  readonly target?: IgnoreTarget | undefined;
}

/** An ignore rule whose target does not compile (a bad regex or selector). */
export class InvalidIgnoreRuleError extends Error {
  override name = "InvalidIgnoreRuleError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A compiled target: regexes and selectors built once. */
interface CompiledTarget {
  readonly group?: RegExp;
  readonly version?: RegExp;
  readonly kind?: RegExp;
  readonly name?: RegExp;
  readonly namespace?: RegExp;
  readonly labels?: LabelSelector;
  readonly annotations?: LabelSelector;
}

/** A set of compiled ignore rules; `pathsFor` gives the pointers that apply to one object. */
export class IgnoreRules {
  readonly #rules: readonly { target: CompiledTarget | undefined; paths: readonly string[] }[];

  private constructor(rules: readonly { target: CompiledTarget | undefined; paths: readonly string[] }[]) {
    this.#rules = rules;
  }

  /** Compiles rules; throws InvalidIgnoreRuleError naming the bad field. */
  static compile(rules: readonly IgnoreRule[]): IgnoreRules {
    rules.forEach((r, i) => {
      r.paths.forEach((p, j) => {
        if (parsePointer(p) === undefined || /~[^01]|~$/.test(p))
          throw new InvalidIgnoreRuleError(
            `ignore[${i}].paths[${j}]: ${JSON.stringify(p)} is not a JSON pointer`,
          );
      });
    });
    return new IgnoreRules(
      rules.map((r, i) => ({ target: r.target ? compileTarget(r.target, i) : undefined, paths: r.paths })),
    );
  }

  /** Whether there are no rules at all. */
  get empty(): boolean {
    return this.#rules.every((r) => r.paths.length === 0);
  }

  /** The pointers of every rule whose target selects the object (duplicates removed). */
  pathsFor(obj: KubeObject): string[] {
    const out = new Set<string>();
    for (const r of this.#rules) {
      if (r.paths.length > 0 && selects(r.target, obj)) for (const p of r.paths) out.add(p);
    }
    return [...out];
  }
}

function compileTarget(t: IgnoreTarget, index: number): CompiledTarget {
  const re = (field: string, pattern: string | undefined): RegExp | undefined => {
    if (!pattern) return undefined;
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch (err) {
      throw new InvalidIgnoreRuleError(`ignore[${index}].target.${field}: invalid regex ${pattern}`, {
        cause: err,
      });
    }
  };
  const sel = (field: string, text: string | undefined): LabelSelector | undefined => {
    if (!text) return undefined;
    try {
      return LabelSelector.parse(text);
    } catch (err) {
      throw new InvalidIgnoreRuleError(
        `ignore[${index}].target.${field}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  };
  const out: Record<string, RegExp | LabelSelector | undefined> = {
    group: re("group", t.group),
    version: re("version", t.version),
    kind: re("kind", t.kind),
    name: re("name", t.name),
    namespace: re("namespace", t.namespace),
    labels: sel("labelSelector", t.labelSelector),
    annotations: sel("annotationSelector", t.annotationSelector),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as CompiledTarget;
}

/** Whether a target selects an object (no target selects everything). */
function selects(t: CompiledTarget | undefined, obj: KubeObject): boolean {
  if (!t) return true;
  const slash = obj.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : obj.apiVersion.slice(0, slash);
  const version = obj.apiVersion.slice(slash + 1);
  return (
    (!t.namespace || t.namespace.test(obj.metadata.namespace ?? "")) &&
    (!t.name || t.name.test(obj.metadata.name ?? "")) &&
    (!t.group || t.group.test(group)) &&
    (!t.version || t.version.test(version)) &&
    (!t.kind || t.kind.test(obj.kind)) &&
    (!t.labels || t.labels.matches(obj.metadata.labels)) &&
    (!t.annotations || t.annotations.matches(obj.metadata.annotations))
  );
}

/**
 * The segments of a JSON pointer ("/a/b~1c" → ["a", "b/c"]); [] for "" (the whole document); undefined for
 * text that is not a pointer.
 */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** The value at a pointer; found false when any segment does not resolve (as Flux treats it: absent). */
export function lookupPointer(doc: unknown, pointer: string): { found: boolean; value?: unknown } {
  const segments = parsePointer(pointer);
  if (segments === undefined) return { found: false };
  let cur: unknown = doc;
  for (const seg of segments) {
    const next = child(cur, seg);
    if (!next.found) return { found: false };
    cur = next.value;
  }
  return { found: true, value: cur };
}

function child(container: unknown, seg: string): { found: boolean; value?: unknown } {
  if (Array.isArray(container)) {
    const i = arrayIndex(seg);
    return i !== undefined && i < container.length ? { found: true, value: container[i] } : { found: false };
  }
  if (isRecord(container) && Object.hasOwn(container, seg)) return { found: true, value: container[seg] };
  return { found: false };
}

function arrayIndex(seg: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
}

// The container holding the pointer's last segment, and that segment; undefined when it does not resolve.
function parentOf(doc: unknown, pointer: string): { parent: unknown; last: string } | undefined {
  const segments = parsePointer(pointer);
  if (segments === undefined || segments.length === 0) return undefined;
  const last = segments.pop() as string;
  let cur: unknown = doc;
  for (const seg of segments) {
    const next = child(cur, seg);
    if (!next.found) return undefined;
    cur = next.value;
  }
  return { parent: cur, last };
}

/** Removes the value at a pointer in place; a pointer that does not resolve is a no-op. */
export function removePointer(doc: unknown, pointer: string): void {
  const at = parentOf(doc, pointer);
  if (!at) return;
  if (Array.isArray(at.parent)) {
    const i = arrayIndex(at.last);
    if (i !== undefined && i < at.parent.length) at.parent.splice(i, 1);
  } else if (isRecord(at.parent)) {
    delete at.parent[at.last];
  }
}

/** Sets the value at a pointer in place when its parent exists; otherwise a no-op. */
export function setPointer(doc: unknown, pointer: string, value: unknown): void {
  const at = parentOf(doc, pointer);
  if (!at) return;
  if (Array.isArray(at.parent)) {
    const i = arrayIndex(at.last);
    if (i !== undefined && i < at.parent.length) at.parent[i] = structuredClone(value);
  } else if (isRecord(at.parent)) {
    at.parent[at.last] = structuredClone(value);
  }
}

/** A copy of the object without the values at the pointers (the root pointer "" is not removed). */
export function withoutPaths<T>(obj: T, paths: readonly string[]): T {
  if (paths.length === 0) return obj;
  const out = structuredClone(obj);
  for (const p of paths) removePointer(out, p);
  return out;
}

/** Whether an ignore list covers the whole object (the root pointer ""): it is never found drifted. */
export function ignoresWholeObject(paths: readonly string[]): boolean {
  return paths.includes("");
}

/**
 * The payload to apply for an object that exists and drifted in other fields: every ignored field whose
 * live value differs from the dry run's is dropped (another Apply manager owns it) or set to the live
 * value (driftless is its only Apply manager, or the value was written by an Update: kubectl edit, scale,
 * a controller's update). A field absent from the live object is dropped.
 */
export function resolveIgnoredFields(
  desired: KubeObject,
  live: KubeObject,
  dryRun: KubeObject,
  paths: readonly string[],
  fieldManager: string,
): KubeObject {
  const payload = structuredClone(desired);
  const applyEntries = applyManagedFields(live);
  for (const p of paths) {
    if (p === "") continue;
    const before = lookupPointer(live, p);
    const after = lookupPointer(dryRun, p);
    if (before.found === after.found && isDeepStrictEqual(before.value, after.value)) continue;
    if (!before.found || ownedByOtherApplyManager(live, p, fieldManager, applyEntries)) {
      removePointer(payload, p);
    } else {
      setPointer(payload, p, before.value);
    }
  }
  return payload;
}

/** An Apply entry of managedFields: its manager and its FieldsV1 set. */
export interface ApplyEntry {
  readonly manager: string;
  readonly fields: Record<string, unknown>;
}

// The Apply entries of managedFields on the main resource (subresources and Update entries left out).
function applyManagedFields(obj: KubeObject): ApplyEntry[] {
  const entries = (obj.metadata as { managedFields?: unknown }).managedFields;
  if (!Array.isArray(entries)) return [];
  const out: ApplyEntry[] = [];
  for (const e of entries) {
    if (!isRecord(e) || e.operation !== "Apply" || (e.subresource !== undefined && e.subresource !== ""))
      continue;
    if (typeof e.manager !== "string" || !isRecord(e.fieldsV1)) continue;
    out.push({ manager: e.manager, fields: e.fieldsV1 });
  }
  return out;
}

/**
 * Whether an Apply manager other than `fieldManager` owns the field at a pointer. Array indexes resolve
 * to the `k:{…}` key whose fields match the live item; a path that cannot be resolved counts as not owned.
 */
export function ownedByOtherApplyManager(
  live: KubeObject,
  pointer: string,
  fieldManager: string,
  entries: readonly ApplyEntry[] = applyManagedFields(live),
): boolean {
  const segments = fieldPath(live, pointer, entries);
  if (!segments || segments.length === 0) return false;
  return entries.some((e) => e.manager !== fieldManager && contains(e.fields, segments));
}

// "/spec/containers/0/image" → ["f:spec", "f:containers", 'k:{"name":"app"}', "f:image"].
function fieldPath(live: KubeObject, pointer: string, entries: readonly ApplyEntry[]): string[] | undefined {
  const segments = parsePointer(pointer);
  if (!segments || segments.length === 0) return undefined;
  const out: string[] = [];
  let cur: unknown = live;
  for (const seg of segments) {
    const i = arrayIndex(seg);
    if (i !== undefined && Array.isArray(cur)) {
      const item = cur[i];
      if (!isRecord(item)) return undefined;
      const key = mergeKeyOf(item, out, entries);
      if (!key) return undefined;
      out.push(key);
      cur = item;
    } else {
      out.push(`f:${seg}`);
      cur = isRecord(cur) ? cur[seg] : undefined;
    }
  }
  return out;
}

// The k:{…} key, among those the entries hold under `parent`, whose key fields all equal the item's.
function mergeKeyOf(
  item: Record<string, unknown>,
  parent: readonly string[],
  entries: readonly ApplyEntry[],
): string | undefined {
  for (const e of entries) {
    const node = walk(e.fields, parent);
    if (!node) continue;
    for (const key of Object.keys(node)) {
      if (!key.startsWith("k:")) continue;
      let kv: unknown;
      try {
        kv = JSON.parse(key.slice(2));
      } catch {
        continue;
      }
      if (isRecord(kv) && Object.entries(kv).every(([k, v]) => isDeepStrictEqual(item[k], v))) return key;
    }
  }
  return undefined;
}

function walk(
  fields: Record<string, unknown>,
  segments: readonly string[],
): Record<string, unknown> | undefined {
  let cur: Record<string, unknown> = fields;
  for (const seg of segments) {
    const next = cur[seg];
    if (!isRecord(next)) return undefined;
    cur = next;
  }
  return cur;
}

function contains(fields: Record<string, unknown>, segments: readonly string[]): boolean {
  const parent = walk(fields, segments.slice(0, -1));
  return parent !== undefined && Object.hasOwn(parent, segments[segments.length - 1] as string);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
