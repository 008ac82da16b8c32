import type { KubeClient } from "../../kube/client.ts";
import { type KubeObject, objectKey, type ResourceRef } from "../../kube/object.ts";

/** Options of a status write. */
export interface StatusWriteOptions {
  /** The generation the status describes; default the object's metadata.generation. */
  observedGeneration?: number;
  signal?: AbortSignal;
}

/**
 * Writes `status` through the `/status` subresource as a merge patch that carries `observedGeneration`.
 * The subresource ignores everything but status, so spec, metadata and generation stay as they are.
 * Fields absent from `status` are kept; set one to null to remove it. Arrays (conditions) are replaced whole.
 */
export async function writeStatus(
  client: KubeClient,
  resource: ResourceRef,
  obj: KubeObject,
  status: Record<string, unknown>,
  options: StatusWriteOptions = {},
): Promise<KubeObject> {
  const observedGeneration = options.observedGeneration ?? obj.metadata.generation;
  const patch = {
    status: { ...status, ...(observedGeneration !== undefined ? { observedGeneration } : {}) },
  };
  return client.patchStatus(resource, objectKey(obj), patch, {
    type: "merge",
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
