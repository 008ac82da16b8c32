import { kindOf, nestedInt, nestedString, readConditions } from "./fields.ts";
import { ConditionType, current, inProgress, type Result, Status } from "./status.ts";

/**
 * The checks that apply to every object, run before any kind rule: deletion, an unobserved generation,
 * and the standard Reconciling/Stalled conditions. `undefined` means they could not decide.
 */
export function checkGenericProperties(obj: Record<string, unknown>): Result | undefined {
  const deletionTimestamp = nestedString(obj, ["metadata", "deletionTimestamp"]);
  if (deletionTimestamp !== undefined && deletionTimestamp !== "") {
    return { status: Status.Terminating, message: "Resource scheduled for deletion", conditions: [] };
  }

  const stale = checkGeneration(obj);
  if (stale) return stale;

  // Objects that publish the standard conditions are judged by them alone.
  for (const condition of readConditions(obj)) {
    if (condition.type === ConditionType.Reconciling && condition.status === "True") {
      return inProgress(condition.reason, condition.message);
    }
    if (condition.type === ConditionType.Stalled && condition.status === "True") {
      return {
        status: Status.Failed,
        message: condition.message,
        conditions: [
          {
            type: ConditionType.Stalled,
            status: "True",
            reason: condition.reason,
            message: condition.message,
          },
        ],
      };
    }
  }
  return undefined;
}

/** InProgress when the controller has not yet observed the object's latest generation. */
export function checkGeneration(obj: Record<string, unknown>): Result | undefined {
  const generation = nestedInt(obj, ["metadata", "generation"]);
  if (generation === undefined) return undefined;
  // Objects without status.observedGeneration cannot be judged this way.
  const observed = nestedInt(obj, ["status", "observedGeneration"]);
  if (observed === undefined || observed === generation) return undefined;
  return inProgress(
    "LatestGenerationNotObserved",
    `${kindOf(obj)} generation is ${generation}, but latest observed generation is ${observed}`,
  );
}

/** InProgress unless both metadata.generation and status.observedGeneration are set (for kinds whose controller always sets them). */
export function checkGenerationSet(obj: Record<string, unknown>): Result | undefined {
  if (nestedInt(obj, ["metadata", "generation"]) === undefined) {
    return inProgress("NoGeneration", `${kindOf(obj)} metadata.generation not found`);
  }
  if (nestedInt(obj, ["status", "observedGeneration"]) === undefined) {
    return inProgress("NoObservedGeneration", `${kindOf(obj)} status.observedGeneration not found`);
  }
  return undefined;
}

/**
 * The fallback for kinds without a rule: a Ready condition, widely used though not a Kubernetes
 * convention. True is Current, False or Unknown is InProgress (a False Ready cannot tell a doomed object
 * from a progressing one); no Ready condition means no decision.
 */
export function checkReadyCondition(obj: Record<string, unknown>): Result | undefined {
  for (const condition of readConditions(obj)) {
    if (condition.type !== "Ready") continue;
    switch (condition.status) {
      case "True":
        return current("Resource is Ready");
      case "False":
      case "Unknown":
        return inProgress(condition.reason, condition.message);
      default:
      // Any other value says nothing; keep looking.
    }
  }
  return undefined;
}
