// Phase 6 of a Kustomization: wait for every applied object (wait: true) or the listed ones
// (healthChecks) to become ready, failing fast on a Failed one, within spec.timeout.
import { ConditionStatus, ConditionType, Reason } from "../../api/condition.ts";
import { parseDuration } from "../../api/duration.ts";
import type { Kustomization } from "../../api/kustomization.ts";
import type { ResourceManager } from "../../apply/manager.ts";
import { type ObjectStatus, waitForSet } from "../../apply/wait.ts";
import { compileHealthCheckExprs } from "../../health/cel.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { StatusBuilder } from "./status.ts";

/** The health check failed or timed out. */
export class HealthCheckFailedError extends Error {
  override name = "HealthCheckFailedError";
}

/** The health check gave way to a newer reconcile (drift or a new revision); it runs again at once. */
export class HealthCheckCanceledError extends Error {
  override name = "HealthCheckCanceledError";
}

/** Runs the health check and sets the Healthy condition; throws when not healthy. */
export async function checkHealth(
  ks: Kustomization,
  manager: ResourceManager,
  objects: readonly KubeObject[],
  status: StatusBuilder,
  options: { signal?: AbortSignal; onPoll?: (notReady: readonly ObjectStatus[]) => void },
): Promise<void> {
  const targets: Pick<KubeObject, "apiVersion" | "kind" | "metadata">[] = ks.spec.wait
    ? [...objects]
    : (ks.spec.healthChecks ?? []).map((h) => ({
        apiVersion: h.apiVersion ?? "v1",
        kind: h.kind,
        metadata: { name: h.name, ...(h.namespace ? { namespace: h.namespace } : {}) },
      }));
  if (targets.length === 0) {
    status.clear(ConditionType.Healthy);
    return;
  }
  const timeoutMs = timeoutOf(ks);
  const rule =
    (ks.spec.healthCheckExprs?.length ?? 0) > 0
      ? compileHealthCheckExprs(ks.spec.healthCheckExprs ?? [])
      : undefined;
  const result = await waitForSet(manager, targets, {
    ...(rule ? { rule } : {}),
    timeoutMs,
    intervalMs: 1000,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onPoll ? { onPoll: options.onPoll } : {}),
  });
  if (result.canceled) throw new HealthCheckCanceledError("health check canceled by a newer reconcile");
  if (!result.ready) {
    const list = `[${result.failures.map((f) => `${f.subject} ${f.message}`).join(", ")}]`;
    const message = result.timedOut
      ? `health check failed after ${timeoutMs / 1000}s: timeout waiting for: ${list}`
      : `health check failed: ${list}`;
    status.set(
      ConditionType.Healthy,
      ConditionStatus.False,
      Reason.HealthCheckFailed,
      message,
      ks.metadata.generation,
    );
    throw new HealthCheckFailedError(message);
  }
  status.set(
    ConditionType.Healthy,
    ConditionStatus.True,
    Reason.Succeeded,
    "Health check passed",
    ks.metadata.generation,
  );
}

/** spec.timeout, else spec.interval, in milliseconds (as Flux). */
export function timeoutOf(ks: Kustomization): number {
  return ks.spec.timeout ? parseDuration(ks.spec.timeout) : parseDuration(ks.spec.interval);
}
