import { intField, stringField } from "../fields.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/**
 * A StatefulSet is Current when all replicas exist, are ready and run the update revision (or, with a
 * partition, when the replicas above it are updated). Its controller sets no conditions, so it never fails.
 */
export const statefulSetRule: Rule = (obj): Result => {
  // With OnDelete the user rolls pods by hand: nothing to wait for.
  if (stringField(obj, ["spec", "updateStrategy", "type"], "") === "OnDelete") {
    return current("StatefulSet is using the ondelete update strategy");
  }

  const specReplicas = intField(obj, ["spec", "replicas"], 1);
  const readyReplicas = intField(obj, ["status", "readyReplicas"], 0);
  const currentReplicas = intField(obj, ["status", "currentReplicas"], 0);
  const updatedReplicas = intField(obj, ["status", "updatedReplicas"], 0);
  const statusReplicas = intField(obj, ["status", "replicas"], 0);
  const partition = intField(obj, ["spec", "updateStrategy", "rollingUpdate", "partition"], -1);

  if (specReplicas > statusReplicas) {
    return inProgress("LessReplicas", `Replicas: ${statusReplicas}/${specReplicas}`);
  }
  if (specReplicas > readyReplicas) {
    return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  }
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  if (partition !== -1) {
    if (updatedReplicas < specReplicas - partition) {
      return inProgress("PartitionRollout", `updated: ${updatedReplicas}/${specReplicas - partition}`);
    }
    return current(`Partition rollout complete. updated: ${updatedReplicas}`);
  }
  if (specReplicas > currentReplicas) {
    return inProgress("LessCurrent", `current: ${currentReplicas}/${specReplicas}`);
  }
  if (
    stringField(obj, ["status", "currentRevision"], "") !== stringField(obj, ["status", "updateRevision"], "")
  ) {
    return inProgress("RevisionMismatch", "Waiting for updated revision to match current");
  }
  return current(`All replicas scheduled as expected. Replicas: ${statusReplicas}`);
};
