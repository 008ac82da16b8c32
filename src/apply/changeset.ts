// The result of applying or deleting a set of objects: one entry per object with what happened to it.
import type { KubeObject } from "../kube/object.ts";

/** What happened to one object. */
export const Action = {
  Created: "created",
  Configured: "configured",
  Unchanged: "unchanged",
  Deleted: "deleted",
  Skipped: "skipped",
  Unknown: "unknown",
} as const;
/** What happened to one object. */
export type Action = (typeof Action)[keyof typeof Action];

/** One object of a change set. */
export interface ChangeSetEntry {
  /** `Kind/namespace/name` (or `Kind/name` for cluster-scoped objects). */
  readonly subject: string;
  readonly action: Action;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The entry for an object and an action. */
export function entryFor(obj: KubeObject, action: Action): ChangeSetEntry {
  const namespace = obj.metadata.namespace ?? "";
  const name = obj.metadata.name ?? "";
  return {
    subject: namespace ? `${obj.kind}/${namespace}/${name}` : `${obj.kind}/${name}`,
    action,
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace,
    name,
  };
}

/** Entries that changed something (created, configured, deleted). */
export function changed(entries: readonly ChangeSetEntry[]): ChangeSetEntry[] {
  return entries.filter(
    (e) => e.action === Action.Created || e.action === Action.Configured || e.action === Action.Deleted,
  );
}

/** One line per changed entry, as Flux's events print change sets: "Deployment/apps/web configured". */
export function formatChangeSet(entries: readonly ChangeSetEntry[]): string {
  return changed(entries)
    .map((e) => `${e.subject} ${e.action}`)
    .join("\n");
}
