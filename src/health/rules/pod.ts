import { findCondition, isRecord, readConditions, stringField } from "../fields.ts";
import { current, failed, inProgress, MalformedObjectError, type Result, type Rule } from "../status.ts";

/** How long a Pod may stay unschedulable before it counts as Failed rather than InProgress. */
export const SCHEDULE_WINDOW_MS = 15_000;

/** Names of the containers waiting in CrashLoopBackOff. */
function crashLoopingContainers(obj: Record<string, unknown>): string[] {
  const status = obj.status;
  const statuses = isRecord(status) ? status.containerStatuses : undefined;
  if (!Array.isArray(statuses)) return [];
  const names: string[] = [];
  for (const item of statuses) {
    if (!isRecord(item) || typeof item.name !== "string") continue;
    if (stringField(item, ["state", "waiting", "reason"], "") === "CrashLoopBackOff") names.push(item.name);
  }
  return names;
}

/**
 * A Pod is Current once Ready or finished (successfully or not: a finished Pod has nothing left to do);
 * Failed when a container crash-loops or it stays unschedulable beyond the schedule window.
 */
export const podRule: Rule = (obj, { now }): Result => {
  const conditions = readConditions(obj);
  const phase = stringField(obj, ["status", "phase"], "");
  switch (phase) {
    case "Succeeded":
      return current("Pod has completed successfully");
    case "Failed":
      return current("Pod has completed, but not successfully");
    case "Running": {
      if (findCondition(conditions, "Ready", "True")) return current("Pod is Ready");
      const crashing = crashLoopingContainers(obj);
      if (crashing.length > 0) {
        return failed("ContainerCrashLooping", `Containers in CrashLoop state: ${crashing.join(",")}`);
      }
      return inProgress("PodRunningNotReady", "Pod is running but is not Ready");
    }
    case "Pending": {
      const scheduled = findCondition(conditions, "PodScheduled", "False");
      if (scheduled?.reason === "Unschedulable") {
        const created = Date.parse(stringField(obj, ["metadata", "creationTimestamp"], ""));
        if (!Number.isNaN(created) && now.getTime() - SCHEDULE_WINDOW_MS < created) {
          return inProgress("PodNotScheduled", "Pod has not been scheduled");
        }
        return failed("PodUnschedulable", "Pod could not be scheduled");
      }
      return inProgress("PodPending", "Pod is in the Pending phase");
    }
    case "":
      // The kubelet has not reported on the Pod yet.
      return inProgress("PodNotObserved", "Pod phase not available");
    default:
      throw new MalformedObjectError(`unknown phase ${phase}`);
  }
};
