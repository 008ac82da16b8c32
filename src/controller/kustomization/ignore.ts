// spec.ignore of a Kustomization: the drift ignore rules, compiled for the apply (see src/apply/ignore.ts),
// and the drift tracker's test that an edit touched only ignored fields (an HPA scaling a Deployment),
// which is not drift and starts no reconcile, as Flux's docs say of ignored fields.
import { isDeepStrictEqual } from "node:util";
import type { Kustomization } from "../../api/kustomization.ts";
import { IgnoreRules, withoutPaths } from "../../apply/ignore.ts";
import type { KubeObject } from "../../kube/object.ts";

/** The Kustomization's compiled ignore rules; undefined when it has none. Throws InvalidIgnoreRuleError. */
export function ignoreRulesOf(ks: Pick<Kustomization, "spec">): IgnoreRules | undefined {
  const rules = ks.spec.ignore ?? [];
  if (rules.length === 0) return undefined;
  const compiled = IgnoreRules.compile(rules);
  return compiled.empty ? undefined : compiled;
}

/**
 * Whether an update of a managed object changed ignored fields and nothing else that an apply would
 * compare (metadata the apiserver maintains and status left aside).
 */
export function onlyIgnoredChanged(
  oldObj: KubeObject,
  newObj: KubeObject,
  rules: IgnoreRules | undefined,
): boolean {
  const paths = rules?.pathsFor(newObj) ?? [];
  if (paths.length === 0) return false;
  if (paths.includes("")) return true;
  const before = comparable(oldObj);
  const after = comparable(newObj);
  if (isDeepStrictEqual(before, after)) return false;
  return isDeepStrictEqual(withoutPaths(before, paths), withoutPaths(after, paths));
}

// The object without status and the metadata every write changes (managedFields records who wrote).
function comparable(obj: KubeObject): Record<string, unknown> {
  const { status, ...rest } = obj as Record<string, unknown>;
  void status;
  const { managedFields, resourceVersion, generation, ...metadata } = obj.metadata as Record<string, unknown>;
  void managedFields;
  void resourceVersion;
  void generation;
  return { ...rest, metadata };
}
