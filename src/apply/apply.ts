// Apply verbs of the ResourceManager: dry-run every object first (so a bad object applies nothing),
// then apply only what differs from the live state; staged so CRDs and Namespaces exist before the
// objects that need them. Live objects come from one LIST per resource and namespace where many share
// them, else from the dry run itself (a new object needs no GET): see live.ts.
import type { KubeObject } from "../kube/object.ts";
import { Action, type ChangeSetEntry, entryFor } from "./changeset.ts";
import { ApplyError, failureOf, isImmutableError, type ObjectFailure } from "./errors.ts";
import { type FieldManagerRef, hasDrifted, kubectlManagers, takeOverPatch } from "./fields.ts";
import { type IgnoreRules, ignoresWholeObject, resolveIgnoredFields, withoutPaths } from "./ignore.ts";
import { existsPerDryRun, listLive } from "./live.ts";
import {
  Annotations,
  hasMeta,
  isConnectionError,
  mapConcurrent,
  type ResourceManager,
  skipsExisting,
} from "./manager.ts";
import { stages } from "./order.ts";
import { waitForSet } from "./wait.ts";

/** Options of applyAll and applyAllStaged. */
export interface ApplyOptions {
  /** Recreate objects whose immutable fields changed (Flux's spec.force); per object also by annotation. */
  readonly force?: boolean;
  /** Managers whose fields are taken over before applying (default: kubectl's). */
  readonly takeOver?: readonly FieldManagerRef[];
  /** Timeout for a stage's objects (CRDs, Namespaces) to become ready before the next stage. */
  readonly stageTimeoutMs?: number;
  /** Fields left to other controllers (spec.ignore): not compared, not reverted, not taken back. */
  readonly ignore?: IgnoreRules | undefined;
  readonly signal?: AbortSignal;
}

/** The default apply options, as Flux's kustomize-controller uses them. */
export function defaultApplyOptions(): ApplyOptions {
  return { force: false, takeOver: kubectlManagers, stageTimeoutMs: 60_000 };
}

/** What the dry run decided for one object. */
interface Plan {
  readonly desired: KubeObject;
  /** What to send: the desired object, with ignored fields resolved against the live one. */
  readonly payload: KubeObject;
  readonly action: Action;
  /** The live object must be deleted first (immutable field change with force). */
  readonly recreate: boolean;
}

/**
 * Applies a set of objects: dry-runs all (throws ApplyError naming every invalid object, having applied
 * nothing), then applies the ones that are new or differ. Returns one entry per object in input order.
 */
export async function applyAll(
  m: ResourceManager,
  objects: readonly KubeObject[],
  options: ApplyOptions = defaultApplyOptions(),
): Promise<ChangeSetEntry[]> {
  const listed = await listLive(m, objects, signal(options));
  const planned = await mapConcurrent(objects, m.concurrency, (obj, i) => plan(m, obj, options, listed[i]), {
    stopOn: isConnectionError,
  });
  const failures: ObjectFailure[] = [];
  const plans: Plan[] = [];
  planned.forEach((r, i) => {
    const obj = objects[i] as KubeObject;
    if (r.status === "fulfilled") plans.push(r.value);
    else failures.push(failureOf(entryFor(obj, Action.Unknown).subject, r.reason));
  });
  if (failures.length > 0) throw new ApplyError("dry-run", failures);

  const applied = await mapConcurrent(
    plans,
    m.concurrency,
    async (p) => {
      if (p.action === Action.Unchanged || p.action === Action.Skipped) return entryFor(p.desired, p.action);
      if (p.recreate) await recreate(m, p.desired);
      await m.client.apply(p.recreate ? p.desired : p.payload, {
        force: true,
        fieldManager: m.owner.fieldManager,
        ...signal(options),
      });
      return entryFor(p.desired, p.recreate ? Action.Created : p.action);
    },
    { stopOn: isConnectionError },
  );
  const entries: ChangeSetEntry[] = [];
  applied.forEach((r, i) => {
    const p = plans[i] as Plan;
    if (r.status === "fulfilled") entries.push(r.value);
    else failures.push(failureOf(entryFor(p.desired, Action.Unknown).subject, r.reason));
  });
  if (failures.length > 0) throw new ApplyError("apply", failures);
  return entries;
}

/**
 * Applies in Flux's stages: cluster definitions (CRDs, Namespaces, ClusterRoles) and waits for them,
 * then class definitions (*Class kinds) and waits, then the rest. A failing stage stops the run.
 */
export async function applyAllStaged(
  m: ResourceManager,
  objects: readonly KubeObject[],
  options: ApplyOptions = defaultApplyOptions(),
): Promise<ChangeSetEntry[]> {
  const [definitions = [], classes = [], rest = []] = stages(objects);
  const entries: ChangeSetEntry[] = [];
  for (const [stage, waitAfter] of [
    [definitions, true],
    [classes, true],
    [rest, false],
  ] as const) {
    if (stage.length === 0) continue;
    const result = await applyAll(m, stage, options);
    entries.push(...result);
    if (waitAfter && result.some((e) => e.action === Action.Created || e.action === Action.Configured)) {
      await waitForSet(m, stage, {
        timeoutMs: options.stageTimeoutMs ?? 60_000,
        intervalMs: 250,
        ...signal(options),
      }).then((r) => {
        if (!r.ready) throw new ApplyError("wait for stage", r.failures);
      });
    }
  }
  return entries;
}

// Decides what to do with one object from its dry run and, when it exists, its live state (`listed` when
// a LIST found it). Without a listed object the dry run comes first: for a new object it is all that is
// needed; only an object that exists is then read with a GET.
async function plan(
  m: ResourceManager,
  desired: KubeObject,
  options: ApplyOptions,
  listed: KubeObject | undefined,
): Promise<Plan> {
  const unchanged: Plan = { desired, payload: desired, action: Action.Unchanged, recreate: false };
  const skipped: Plan = { ...unchanged, action: Action.Skipped };
  const recreated: Plan = { ...unchanged, action: Action.Configured, recreate: true };
  let live = listed;
  let dryRun: KubeObject | undefined;
  if (!live) {
    try {
      dryRun = await m.dryRunApply(desired, signal(options));
    } catch (err) {
      // The object may exist and be left alone, or be recreated: only its live state tells.
      const existing = await m.getLive(desired);
      if (existing && skipsExisting(existing, desired)) return skipped;
      if (existing && forced(desired, options) && isImmutableError(err)) return recreated;
      throw err;
    }
    if (!existsPerDryRun(dryRun)) return { ...unchanged, action: Action.Created };
    live = await m.getLive(desired);
    // Deleted since the dry run: the apply creates it again.
    if (!live) return { ...unchanged, action: Action.Created };
  }
  if (skipsExisting(live, desired)) return skipped;
  let current = live;
  // ssa: Merge (in the cluster or in Git) keeps the fields other managers set: no take-over.
  if (!hasMeta(live, Annotations.ssa, "merge") && !hasMeta(desired, Annotations.ssa, "merge")) {
    const patch = takeOverPatch(live, m.owner.fieldManager, options.takeOver ?? kubectlManagers);
    if (patch) {
      const resource = await m.resourceFor(live);
      current = await m.client.patch(resource, keyOf(live), patch, { type: "json", ...signal(options) });
      dryRun = undefined; // the take-over changes what the apply would remove
    }
  }
  if (!dryRun) {
    try {
      dryRun = await m.dryRunApply(desired, signal(options));
    } catch (err) {
      if (forced(desired, options) && isImmutableError(err)) return recreated;
      throw err;
    }
  }
  // As Flux: ignored fields are left out of the comparison (the rules select on the dry-run result).
  const ignored = options.ignore?.pathsFor(dryRun) ?? [];
  if (ignoresWholeObject(ignored)) return unchanged;
  if (!hasDrifted(withoutPaths(current, ignored), withoutPaths(dryRun, ignored))) return unchanged;
  const payload =
    ignored.length > 0
      ? resolveIgnoredFields(desired, current, dryRun, ignored, m.owner.fieldManager)
      : desired;
  return { desired, payload, action: Action.Configured, recreate: false };
}

function forced(desired: KubeObject, options: ApplyOptions): boolean {
  return options.force === true || hasMeta(desired, Annotations.force, "enabled");
}

async function recreate(m: ResourceManager, obj: KubeObject): Promise<void> {
  const resource = await m.resourceFor(obj);
  await m.client.delete(resource, keyOf(obj), { propagationPolicy: "Background" });
  const deadline = Date.now() + 60_000;
  while ((await m.getLive(obj)) !== undefined) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${entryFor(obj, Action.Unknown).subject} to be deleted`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function keyOf(obj: KubeObject): { name: string; namespace?: string } {
  const name = obj.metadata.name ?? "";
  return obj.metadata.namespace ? { name, namespace: obj.metadata.namespace } : { name };
}

function signal(options: { signal?: AbortSignal | undefined }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
