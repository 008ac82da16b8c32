import { intField, readConditions } from "../fields.ts";
import { ConditionType, current, inProgress, type Result, type Rule, Status } from "../status.ts";

// The deployment controller treats progressDeadlineSeconds = MaxInt32 as "no deadline": it then never
// sets the Progressing condition, so the rollout counts as progressing.
const NO_PROGRESS_DEADLINE = 2_147_483_647;

/** A Deployment is Current when every replica is updated, available and ready and the rollout is done; Failed past its progress deadline. */
export const deploymentRule: Rule = (obj): Result => {
  let progressing =
    intField(obj, ["spec", "progressDeadlineSeconds"], NO_PROGRESS_DEADLINE) === NO_PROGRESS_DEADLINE;
  let available = false;

  for (const c of readConditions(obj)) {
    if (c.type === "Progressing") {
      if (c.reason === "ProgressDeadlineExceeded") {
        return {
          status: Status.Failed,
          message: "Progress deadline exceeded",
          conditions: [{ type: ConditionType.Stalled, status: "True", reason: c.reason, message: c.message }],
        };
      }
      if (c.status === "True" && c.reason === "NewReplicaSetAvailable") progressing = true;
    } else if (c.type === "Available" && c.status === "True") {
      available = true;
    }
  }

  // The controller defaults spec.replicas to 1.
  const specReplicas = intField(obj, ["spec", "replicas"], 1);
  const statusReplicas = intField(obj, ["status", "replicas"], 0);
  const updatedReplicas = intField(obj, ["status", "updatedReplicas"], 0);
  const readyReplicas = intField(obj, ["status", "readyReplicas"], 0);
  const availableReplicas = intField(obj, ["status", "availableReplicas"], 0);

  if (specReplicas > statusReplicas) {
    return inProgress("LessReplicas", `Replicas: ${statusReplicas}/${specReplicas}`);
  }
  if (specReplicas > updatedReplicas) {
    return inProgress("LessUpdated", `Updated: ${updatedReplicas}/${specReplicas}`);
  }
  if (statusReplicas > specReplicas) {
    return inProgress("ExtraPods", `Pending termination: ${statusReplicas - specReplicas}`);
  }
  if (updatedReplicas > availableReplicas) {
    return inProgress("LessAvailable", `Available: ${availableReplicas}/${updatedReplicas}`);
  }
  if (specReplicas > readyReplicas) {
    return inProgress("LessReady", `Ready: ${readyReplicas}/${specReplicas}`);
  }
  if (!progressing) return inProgress("ReplicaSetNotAvailable", "ReplicaSet not Available");
  if (!available) return inProgress("DeploymentNotAvailable", "Deployment not Available");
  return current(`Deployment is available. Replicas: ${statusReplicas}`);
};
