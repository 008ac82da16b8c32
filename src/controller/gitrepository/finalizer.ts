// Flux's finalizer on GitRepositories: added before anything is stored, removed once the artifacts are gone.
import { FLUX_FINALIZER } from "../../api/meta.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { type KubeObject, objectKey, type ResourceRef } from "../../kube/object.ts";

/** Sets the finalizer list with optimistic locking; a stale cache gets a conflict and a retry. */
async function setFinalizers(
  client: KubeClient,
  resource: ResourceRef,
  obj: KubeObject,
  finalizers: string[],
): Promise<void> {
  await client.patch(
    resource,
    objectKey(obj),
    { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
    { type: "merge" },
  );
}

/** Adds finalizers.fluxcd.io unless present. */
export async function ensureFinalizer(
  client: KubeClient,
  resource: ResourceRef,
  obj: KubeObject,
): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (finalizers.includes(FLUX_FINALIZER)) return;
  await setFinalizers(client, resource, obj, [...finalizers, FLUX_FINALIZER]);
}

/** Removes finalizers.fluxcd.io if present; an object already gone is fine. */
export async function removeFinalizer(
  client: KubeClient,
  resource: ResourceRef,
  obj: KubeObject,
): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(FLUX_FINALIZER)) return;
  try {
    await setFinalizers(
      client,
      resource,
      obj,
      finalizers.filter((f) => f !== FLUX_FINALIZER),
    );
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
