// Phase 2 of a Kustomization: every dependsOn entry must be Ready, observed at its current generation,
// and (when it shares the source) at the same revision, as Flux checks.
import { ConditionType, isConditionTrue } from "../../api/condition.ts";
import type { Kustomization } from "../../api/kustomization.ts";
import type { KubeObject } from "../../kube/object.ts";
import { sourceRefOf } from "./source.ts";

/** A dependency is not ready; the reconciler requeues and is re-triggered when it becomes ready. */
export class DependencyNotReadyError extends Error {
  override name = "DependencyNotReadyError";
}

/** The keys ("namespace/name") of the Kustomizations ks depends on. */
export function dependencyKeys(ks: Kustomization): string[] {
  return (ks.spec.dependsOn ?? []).map((d) => `${d.namespace ?? ks.metadata.namespace ?? ""}/${d.name}`);
}

/** Throws DependencyNotReadyError naming the first dependency that is not ready. */
export function checkDependencies(
  ks: Kustomization,
  revision: string,
  get: (key: string) => KubeObject | undefined,
): void {
  for (const key of dependencyKeys(ks)) {
    const dep = get(key);
    if (!dep) throw new DependencyNotReadyError(`dependency '${key}' not found`);
    const d = dep as {
      metadata: { generation?: number };
      spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } };
      status?: { observedGeneration?: number; conditions?: unknown; lastAppliedRevision?: string };
    };
    const conditions = Array.isArray(d.status?.conditions) ? d.status.conditions : [];
    if (
      d.status?.observedGeneration !== d.metadata.generation ||
      !isConditionTrue(conditions, ConditionType.Ready)
    ) {
      throw new DependencyNotReadyError(`dependency '${key}' is not ready`);
    }
    const depSource = d.spec?.sourceRef;
    const ours = sourceRefOf(ks);
    const [depNamespace] = key.split("/");
    const sameSource =
      depSource?.kind === ours.kind &&
      depSource?.name === ours.name &&
      (depSource?.namespace ?? depNamespace) === ours.namespace;
    if (sameSource && d.status?.lastAppliedRevision !== revision) {
      throw new DependencyNotReadyError(`dependency '${key}' revision is not up to date`);
    }
  }
}
