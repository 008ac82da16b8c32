import { findCondition, intField, readConditions } from "../fields.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/** A ReplicaSet is Current when all its replicas are labelled, available and ready and no extra pods remain. */
export const replicaSetRule: Rule = (obj): Result => {
  // A ReplicaFailure (quota, admission) may clear up on its own: report it as progress, not failure.
  if (findCondition(readConditions(obj), "ReplicaFailure", "True")) {
    return inProgress("ReplicaFailure", "Replica Failure condition. Check Pods");
  }

  const specReplicas = intField(obj, ["spec", "replicas"], 1);
  const statusReplicas = intField(obj, ["status", "replicas"], 0);
  const readyReplicas = intField(obj, ["status", "readyReplicas"], 0);
  const availableReplicas = intField(obj, ["status", "availableReplicas"], 0);
  const labelledReplicas = intField(obj, ["status", "fullyLabeledReplicas"], 0);

  if (specReplicas > labelledReplicas) {
    return inProgress("LessLabelled", `Labelled: ${labelledReplicas}/${specReplicas}`);
  }
  if (specReplicas > availableReplicas) {
    return inProgress("LessAvailable", `Available: ${availableReplicas}/${specReplicas}`);
  }
  if (specReplicas > readyReplicas) {
    return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  }
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  return current(`ReplicaSet is available. Replicas: ${statusReplicas}`);
};
