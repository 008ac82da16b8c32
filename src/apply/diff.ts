// The diff verb of the ResourceManager: what a server-side apply would change, found by dry-running each
// object against the live cluster (nothing is written). Results are data; the caller formats them.
import { stringify } from "yaml";
import type { KubeObject } from "../kube/object.ts";
import { Action, entryFor } from "./changeset.ts";
import { failureOf, isImmutableError } from "./errors.ts";
import { kubectlManagers } from "./fields.ts";
import { type IgnoreRules, ignoresWholeObject, withoutPaths } from "./ignore.ts";
import { existsPerDryRun, listLive } from "./live.ts";
import { Annotations, hasMeta, mapConcurrent, type ResourceManager, skipsExisting } from "./manager.ts";
import { unifiedDiff } from "./unified-diff.ts";

/** What an apply would do to one object. */
export interface DiffEntry {
  /** `Kind/namespace/name`. */
  readonly subject: string;
  /** created, configured, unchanged, skipped; "failed" when the dry run was refused. */
  readonly action: Action | "failed";
  /** Unified diff of the live object against the dry-run result ("" when unchanged). */
  readonly diff: string;
  /** The change touches an immutable field: applying needs force (the object would be recreated). */
  readonly immutable?: boolean;
  /** Why the dry run failed, or why an immutable change cannot be applied in place. */
  readonly message?: string;
}

/** Fields that change on every write or belong to other controllers, left out of diffs. */
const VOLATILE_METADATA = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"];

/** Options of diffAll. */
export interface DiffOptions {
  /**
   * The Kustomization's spec.ignore rules: as in `flux diff kustomization`, ignored fields of existing
   * objects are left out of the comparison and of the diff shown.
   */
  readonly ignore?: IgnoreRules | undefined;
}

/** Dry-runs every object and diffs it against the live one, in input order. Never throws per object. */
export async function diffAll(
  m: ResourceManager,
  objects: readonly KubeObject[],
  options: DiffOptions = {},
): Promise<DiffEntry[]> {
  const listed = await listLive(m, objects);
  const results = await mapConcurrent(objects, m.concurrency, (obj, i) =>
    diffOne(m, obj, options, listed[i]),
  );
  return results.map((r, i) => {
    if (r.status === "fulfilled") return r.value;
    const subject = entryFor(objects[i] as KubeObject, Action.Unknown).subject;
    return { subject, action: "failed", diff: "", message: failureOf(subject, r.reason).message };
  });
}

// Like the apply's plan (see apply.ts): a listed object is diffed against its dry run; otherwise the dry
// run comes first and only an object that exists is read with a GET.
async function diffOne(
  m: ResourceManager,
  desired: KubeObject,
  options: DiffOptions,
  listed: KubeObject | undefined,
): Promise<DiffEntry> {
  const subject = entryFor(desired, Action.Unknown).subject;
  const labels = { from: `live ${subject}`, to: `merged ${subject}` };
  let live = listed;
  try {
    let dryRun: KubeObject | undefined;
    if (!live) {
      dryRun = await m.dryRunApply(desired);
      if (existsPerDryRun(dryRun)) live = await m.getLive(desired);
    }
    if (live && skipsExisting(live, desired)) return { subject, action: Action.Skipped, diff: "" };
    dryRun ??= await m.dryRunApply(desired);
    const merged =
      live && !keepsOthersFields(live, desired) ? withoutTakenOver(dryRun, live, desired, m) : dryRun;
    // Rules select on the dry-run result and never apply to objects being created, as in Flux.
    const ignored = live ? (options.ignore?.pathsFor(dryRun) ?? []) : [];
    if (ignoresWholeObject(ignored)) return { subject, action: Action.Unchanged, diff: "" };
    const diff = diffPair(live && withoutPaths(live, ignored), withoutPaths(merged, ignored), labels);
    const action = !live ? Action.Created : diff === "" ? Action.Unchanged : Action.Configured;
    return { subject, action, diff };
  } catch (err) {
    live ??= await m.getLive(desired);
    if (live && skipsExisting(live, desired)) return { subject, action: Action.Skipped, diff: "" };
    if (!live || !isImmutableError(err)) throw err;
    // The apiserver refuses the change: show it as Git's fields laid over the live object.
    const ignored = options.ignore?.pathsFor(desired) ?? [];
    const diff = diffPair(withoutPaths(live, ignored), withoutPaths(overlay(live, desired), ignored), labels);
    return {
      subject,
      action: Action.Configured,
      diff,
      immutable: true,
      message: immutableSummary(failureOf(subject, err).message),
    };
  }
}

function diffPair(
  before: KubeObject | undefined,
  after: KubeObject,
  labels: { from: string; to: string },
): string {
  const [b, a] = maskSecrets(before, after);
  return unifiedDiff(b ? render(b) : "", render(a), labels);
}

// ssa: Merge (in the cluster or in Git) keeps the fields of other managers: no take-over.
function keepsOthersFields(live: KubeObject, desired: KubeObject): boolean {
  return hasMeta(live, Annotations.ssa, "merge") || hasMeta(desired, Annotations.ssa, "merge");
}

/**
 * The dry run leaves fields that kubectl owns; the real apply first takes them over (see fields.ts), so
 * those Git lacks and no other manager owns are removed. Drop them from the dry-run result to match.
 */
function withoutTakenOver(
  dryRun: KubeObject,
  live: KubeObject,
  desired: KubeObject,
  m: ResourceManager,
): KubeObject {
  const taken: Record<string, unknown>[] = [];
  const others: Record<string, unknown>[] = [];
  for (const e of managedFieldsOf(live)) {
    if (e.subresource || !isRecord(e.fieldsV1)) continue;
    if (kubectlManagers.some((k) => k.name === e.manager && k.operation === e.operation))
      taken.push(e.fieldsV1);
    else if (e.manager !== m.owner.fieldManager) others.push(e.fieldsV1);
  }
  if (taken.length === 0) return dryRun;
  const out = structuredClone(dryRun) as Record<string, unknown>;
  for (const fields of taken) prune(out, desired as unknown as Record<string, unknown>, fields, others);
  return out as KubeObject;
}

// Walks a FieldsV1 set over maps ("f:" keys only; list items are left alone).
function prune(
  obj: Record<string, unknown>,
  desired: Record<string, unknown> | undefined,
  fields: Record<string, unknown>,
  others: readonly Record<string, unknown>[],
): void {
  for (const [key, sub] of Object.entries(fields)) {
    if (!key.startsWith("f:")) continue;
    const name = key.slice(2);
    const otherSubs = others.map((o) => o[key]).filter(isRecord);
    const want = desired?.[name];
    if (want === undefined && otherSubs.length === 0) {
      delete obj[name];
    } else if (isRecord(obj[name]) && isRecord(sub)) {
      prune(obj[name] as Record<string, unknown>, isRecord(want) ? want : undefined, sub, otherSubs);
    }
  }
}

function managedFieldsOf(
  obj: KubeObject,
): { manager?: unknown; operation?: unknown; subresource?: unknown; fieldsV1?: unknown }[] {
  const entries = (obj.metadata as { managedFields?: unknown }).managedFields;
  return Array.isArray(entries) ? entries.filter(isRecord) : [];
}

/** "Job.batch "x" is invalid: spec.template: Invalid value: {…huge…}: field is immutable" made short. */
function immutableSummary(message: string): string {
  return message.replace(/: Invalid value: .*?: (field is immutable)/gs, ": $1");
}

/** The object as YAML with keys sorted, without volatile fields and status, Secret values masked. */
function render(obj: KubeObject): string {
  return stringify(comparable(obj), { sortMapEntries: true, lineWidth: 0 });
}

function comparable(obj: KubeObject): Record<string, unknown> {
  const { status, ...rest } = obj as Record<string, unknown>;
  void status;
  const metadata = { ...(obj.metadata as Record<string, unknown>) };
  for (const k of VOLATILE_METADATA) delete metadata[k];
  const annotations = metadata.annotations as Record<string, unknown> | undefined;
  if (annotations && Annotations.lastApplied in annotations) {
    const { [Annotations.lastApplied]: dropped, ...others } = annotations;
    void dropped;
    metadata.annotations = others;
  }
  return { ...rest, metadata };
}

/** Git's fields laid over the live object (maps merged, everything else replaced). */
function overlay(live: KubeObject, desired: KubeObject): KubeObject {
  return merge(live, desired) as KubeObject;
}

// Lists of the same length merge item by item, so that defaulted fields of containers stay put.
function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return b.map((v, i) => merge(a[i], v));
  if (!isRecord(a) || !isRecord(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Masks the values of Secrets' data and stringData in a live/merged pair: equal values become "***",
 * differing ones "*** (before)" and "*** (after)", so a diff shows which keys change but no secret.
 */
export function maskSecrets(
  before: KubeObject | undefined,
  after: KubeObject,
): [KubeObject | undefined, KubeObject] {
  if (after.kind !== "Secret" || after.apiVersion !== "v1") return [before, after];
  const b = before ? (structuredClone(before) as KubeObject & Record<string, unknown>) : undefined;
  const a = structuredClone(after) as KubeObject & Record<string, unknown>;
  for (const field of ["data", "stringData"]) {
    const bm = b && isRecord(b[field]) ? (b[field] as Record<string, unknown>) : undefined;
    const am = isRecord(a[field]) ? (a[field] as Record<string, unknown>) : undefined;
    for (const key of new Set([...Object.keys(bm ?? {}), ...Object.keys(am ?? {})])) {
      const differ =
        bm?.[key] !== am?.[key] && bm !== undefined && key in bm && am !== undefined && key in am;
      if (bm && key in bm) bm[key] = differ ? "*** (before)" : "***";
      if (am && key in am) am[key] = differ ? "*** (after)" : "***";
    }
  }
  return [b, a];
}
