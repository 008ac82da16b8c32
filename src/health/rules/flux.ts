import { kindOf, readConditions, stringField } from "../fields.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/**
 * Flux's own kinds (GitRepository, Kustomization, HelmRelease, …) are judged by their Ready condition.
 * The generic checks have already handled deletion, an unobserved generation (Flux's CRDs default
 * status.observedGeneration to -1) and Reconciling/Stalled. Flux controllers always set Ready, so unlike
 * the generic fallback a missing Ready means "not reconciled yet", not Current.
 */
export const fluxRule: Rule = (obj): Result => {
  // A HelmRepository of type oci is a static object: source-controller never reconciles it.
  if (kindOf(obj) === "HelmRepository" && stringField(obj, ["spec", "type"], "") === "oci") {
    return current("Resource is static");
  }
  for (const c of readConditions(obj)) {
    if (c.type !== "Ready") continue;
    if (c.status === "True") return current("Resource is Ready");
    if (c.status === "False" || c.status === "Unknown") return inProgress(c.reason, c.message);
  }
  return inProgress("NoReadyCondition", `${kindOf(obj)} has no Ready condition yet`);
};
