// Field ownership: taking over the fields that kubectl (client-side or server-side apply, edit, patch)
// owns on an object, so that driftless's next apply removes what is no longer in Git instead of leaving
// stale fields behind; and the comparison that tells whether a dry-run result differs from the live object.
import { isDeepStrictEqual } from "node:util";
import type { Operation } from "fast-json-patch";
import { z } from "zod";
import type { KubeObject } from "../kube/object.ts";
import { Annotations } from "./manager.ts";

/** A field manager and the operation its entries were written with. */
export interface FieldManagerRef {
  readonly name: string;
  readonly operation: "Apply" | "Update";
}

/** The managers whose fields driftless takes over, as Flux's kustomize-controller does. */
export const kubectlManagers: readonly FieldManagerRef[] = [
  { name: "kubectl", operation: "Apply" },
  { name: "kubectl", operation: "Update" },
  { name: "kubectl-client-side-apply", operation: "Update" },
  { name: "kubectl-edit", operation: "Update" },
  { name: "kubectl-patch", operation: "Update" },
  { name: "kubectl-label", operation: "Update" },
  { name: "kubectl-annotate", operation: "Update" },
  { name: "kubectl-scale", operation: "Update" },
  { name: "kubectl-set", operation: "Update" },
  { name: "before-first-apply", operation: "Update" },
];

const ManagedFieldsEntrySchema = z.looseObject({
  manager: z.string().optional(),
  operation: z.string().optional(),
  apiVersion: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  subresource: z.string().optional(),
  time: z.string().optional(),
});
type ManagedFieldsEntry = z.infer<typeof ManagedFieldsEntrySchema>;

/**
 * A JSON patch that hands the fields of `managers` on `live` to `fieldManager` (merged into its Apply
 * entry) and drops kubectl's last-applied annotation; undefined when there is nothing to take over.
 */
export function takeOverPatch(
  live: KubeObject,
  fieldManager: string,
  managers: readonly FieldManagerRef[] = kubectlManagers,
): Operation[] | undefined {
  const parsed = z.array(ManagedFieldsEntrySchema).safeParse(live.metadata.managedFields ?? []);
  if (!parsed.success) return undefined;
  const entries = parsed.data;
  const isTaken = (e: ManagedFieldsEntry): boolean =>
    e.subresource === undefined && managers.some((m) => m.name === e.manager && m.operation === e.operation);
  const taken = entries.filter(isTaken);
  const hasLastApplied = live.metadata.annotations?.[Annotations.lastApplied] !== undefined;
  if (taken.length === 0 && !hasLastApplied) return undefined;
  const ops: Operation[] = [];
  if (taken.length > 0) {
    const kept = entries.filter((e) => !isTaken(e));
    const ownIndex = kept.findIndex(
      (e) => e.manager === fieldManager && e.operation === "Apply" && e.subresource === undefined,
    );
    let fields: Record<string, unknown> = {};
    for (const e of taken) fields = mergeFieldSets(fields, e.fieldsV1 ?? {});
    if (ownIndex >= 0) {
      const own = kept[ownIndex] as ManagedFieldsEntry;
      kept[ownIndex] = { ...own, fieldsV1: mergeFieldSets(own.fieldsV1 ?? {}, fields) };
    } else {
      kept.push({
        manager: fieldManager,
        operation: "Apply",
        apiVersion: live.apiVersion,
        fieldsType: "FieldsV1",
        fieldsV1: fields,
        time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      });
    }
    ops.push({ op: "replace", path: "/metadata/managedFields", value: kept });
  }
  if (hasLastApplied) {
    ops.push({ op: "remove", path: `/metadata/annotations/${escapePointer(Annotations.lastApplied)}` });
  }
  return ops;
}

/** The union of two FieldsV1 sets (tries of "f:…", "k:…", "v:…" keys). */
export function mergeFieldSets(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isRecord(prev) && isRecord(v) ? mergeFieldSets(prev, v) : isRecord(v) ? { ...v } : v;
  }
  return out;
}

/** Whether a server-side dry-run result differs from the live object in anything Git sets. */
export function hasDrifted(live: KubeObject, dryRun: KubeObject): boolean {
  return !isDeepStrictEqual(comparable(live), comparable(dryRun));
}

// Fields the apiserver changes on every write, or that belong to other controllers (status).
function comparable(obj: KubeObject): unknown {
  const { managedFields, resourceVersion, generation, creationTimestamp, uid, selfLink, ...metadata } =
    obj.metadata as Record<string, unknown>;
  void managedFields;
  void resourceVersion;
  void generation;
  void creationTimestamp;
  void uid;
  void selfLink;
  const { status, ...rest } = obj as Record<string, unknown>;
  void status;
  return { ...rest, metadata };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function escapePointer(s: string): string {
  return s.replaceAll("~", "~0").replaceAll("/", "~1");
}
