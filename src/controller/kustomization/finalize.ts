// Deleting a Kustomization: garbage-collect its objects as spec.deletionPolicy says, then release the
// finalizer. MirrorPrune (default) deletes when spec.prune is set; Delete always; WaitForTermination
// deletes and waits until they are gone; Orphan leaves them.
import type { Logger } from "pino";
import { parseDuration } from "../../api/duration.ts";
import { referenceApiVersion } from "../../api/inventory.ts";
import { type Kustomization, KustomizationType } from "../../api/kustomization.ts";
import { FLUX_FINALIZER } from "../../api/meta.ts";
import { deleteAll } from "../../apply/delete.ts";
import type { ResourceManager } from "../../apply/manager.ts";
import { references } from "../../inventory/inventory.ts";
import type { KubeClient } from "../../kube/client.ts";
import { OwnerLabels } from "./render.ts";

/** Runs the deletion policy and removes the finalizer. */
export async function finalize(
  ks: Kustomization,
  deps: { client: KubeClient; manager: ResourceManager; log: Logger },
): Promise<void> {
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
    deps.log.info(
      { deleted: result.entries.length, failed: result.failures.length, policy },
      "garbage collected",
    );
    if (policy === "WaitForTermination") {
      const timeoutMs = ks.spec.timeout ? parseDuration(ks.spec.timeout) : parseDuration(ks.spec.interval);
      const deadline = Date.now() + timeoutMs;
      for (const ref of refs) {
        const stub = {
          apiVersion: referenceApiVersion(ref),
          kind: ref.kind,
          metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
        };
        while (
          (await deps.manager.getLive(stub).catch(() => undefined)) !== undefined &&
          Date.now() < deadline
        ) {
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
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
