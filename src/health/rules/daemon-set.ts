import { intField } from "../fields.ts";
import { checkGenerationSet } from "../generic.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/** A DaemonSet is Current when every node that should run it has an updated, available and ready pod. */
export const daemonSetRule: Rule = (obj): Result => {
  // The generic check tolerates a missing observedGeneration; the DaemonSet controller always sets it,
  // so its absence means the controller has not acted yet.
  const unobserved = checkGenerationSet(obj);
  if (unobserved) return unobserved;

  const desired = intField(obj, ["status", "desiredNumberScheduled"], -1);
  const currentScheduled = intField(obj, ["status", "currentNumberScheduled"], 0);
  const updated = intField(obj, ["status", "updatedNumberScheduled"], 0);
  const available = intField(obj, ["status", "numberAvailable"], 0);
  const ready = intField(obj, ["status", "numberReady"], 0);

  if (desired === -1) return inProgress("NoDesiredNumber", "Missing .status.desiredNumberScheduled");
  if (desired > currentScheduled) return inProgress("LessCurrent", `Current: ${currentScheduled}/${desired}`);
  if (desired > updated) return inProgress("LessUpdated", `Updated: ${updated}/${desired}`);
  if (desired > available) return inProgress("LessAvailable", `Available: ${available}/${desired}`);
  if (desired > ready) return inProgress("LessReady", `Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
};
