// Deleting a Kustomization: garbage-collect its objects as spec.deletionPolicy says, then release the
// finalizer. MirrorPrune (default) deletes when spec.prune is set; Delete always; WaitForTermination
// deletes and waits until they are gone; Orphan leaves them. As Flux: a failed delete keeps the finalizer
// (the deletion is retried); a wait that times out is reported and the finalizer released anyway.
import type { Logger } from "pino";
import { parseDuration } from "../../api/duration.ts";
import { type Kustomization, KustomizationType } from "../../api/kustomization.ts";
import { FLUX_FINALIZER } from "../../api/meta.ts";
import { type ChangeSetEntry, formatChangeSet } from "../../apply/changeset.ts";
import { deleteAll } from "../../apply/delete.ts";
import type { ResourceManager } from "../../apply/manager.ts";
import { references } from "../../inventory/inventory.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/object.ts";
import { OwnerLabels } from "./render.ts";

/** The garbage collection on deletion failed; the finalizer stays and the deletion is retried. */
export class FinalizeFailedError extends Error {
  override name = "FinalizeFailedError";
}

/** What finalize needs from the reconciler. */
export interface FinalizeDeps {
  readonly client: KubeClient;
  readonly manager: ResourceManager;
  readonly log: Logger;
  /** Records an event on the Kustomization. */
  readonly event: (type: "Normal" | "Warning", reason: string, note: string) => Promise<void>;
}

/** Runs the deletion policy and removes the finalizer. */
export async function finalize(ks: Kustomization, deps: FinalizeDeps): Promise<void> {
  const policy = ks.spec.deletionPolicy ?? "MirrorPrune";
  const collect =
    !ks.spec.suspend &&
    (policy === "Delete" || policy === "WaitForTermination" || (policy === "MirrorPrune" && ks.spec.prune));
  const refs = references(ks.status.inventory).reverse();
  if (collect && refs.length > 0) {
    const result = await deleteAll(deps.manager, refs, {
      ownerLabels: {
        [OwnerLabels.name]: ks.metadata.name ?? "",
        [OwnerLabels.namespace]: ks.metadata.namespace ?? "",
      },
    });
    if (result.failures.length > 0) {
      const message = `pruning for deleted resource failed: ${result.failures.map((f) => `${f.subject}: ${f.message}`).join("; ")}`;
      await deps.event("Warning", "PruneFailed", message);
      throw new FinalizeFailedError(message);
    }
    const deleted = result.entries.filter((e) => e.action === "deleted");
    deps.log.info({ deleted: deleted.length, policy }, "garbage collected");
    if (deleted.length > 0) await deps.event("Normal", "Progressing", formatChangeSet(deleted));
    if (policy === "WaitForTermination" && deleted.length > 0) await waitForTermination(ks, deleted, deps);
  }
  const finalizers = (ks.metadata.finalizers ?? []).filter((f) => f !== FLUX_FINALIZER);
  await deps.client.patch(
    { group: KustomizationType.group, version: KustomizationType.version, plural: KustomizationType.plural },
    { namespace: ks.metadata.namespace ?? "", name: ks.metadata.name ?? "" },
    {
      metadata: {
        finalizers: finalizers.length > 0 ? finalizers : null,
        resourceVersion: ks.metadata.resourceVersion,
      },
    },
    { type: "merge" },
  );
}

// Waits (spec.timeout, else spec.interval) until the deleted objects are gone; a timeout is reported.
async function waitForTermination(
  ks: Kustomization,
  deleted: readonly ChangeSetEntry[],
  deps: FinalizeDeps,
): Promise<void> {
  const timeoutMs = ks.spec.timeout ? parseDuration(ks.spec.timeout) : parseDuration(ks.spec.interval);
  const deadline = Date.now() + timeoutMs;
  const remaining = deleted.map(
    (e): KubeObject => ({
      apiVersion: e.apiVersion,
      kind: e.kind,
      metadata: { name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) },
    }),
  );
  while (remaining.length > 0 && Date.now() < deadline) {
    const live = await deps.manager.getLive(remaining[0] as KubeObject).catch(() => undefined);
    if (live === undefined) remaining.shift();
    else await new Promise((r) => setTimeout(r, 500));
  }
  if (remaining.length > 0) {
    const names = remaining.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    deps.log.error({ remaining: names }, "failed to wait for resources termination");
    await deps.event(
      "Warning",
      "PruneFailed",
      `failed to wait for resources termination: ${names.join(", ")}`,
    );
  }
}
