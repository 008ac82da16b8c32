import { boolField, intField, readConditions, stringField } from "../fields.ts";
import { current, failed, inProgress, type Result, type Rule } from "../status.ts";

/**
 * A Job is Current only once Complete (or suspended) and Failed once its Failed condition is set. This is
 * Flux's rule, stricter than kstatus' (which calls a running Job Current): waiting on a Kustomization
 * waits for its Jobs to finish.
 */
export const jobRule: Rule = (obj): Result => {
  if (boolField(obj, ["spec", "suspend"], false)) return current("Job is suspended");

  const parallelism = intField(obj, ["spec", "parallelism"], 1);
  const completions = intField(obj, ["spec", "completions"], parallelism);
  const active = intField(obj, ["status", "active"], 0);
  const succeeded = intField(obj, ["status", "succeeded"], 0);
  const failedPods = intField(obj, ["status", "failed"], 0);

  for (const c of readConditions(obj)) {
    if (c.status !== "True") continue;
    if (c.type === "Complete") return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    if (c.type === "Failed") return failed("JobFailed", `Job Failed. failed: ${failedPods}/${completions}`);
  }

  if (stringField(obj, ["status", "startTime"], "") === "") {
    return inProgress("JobNotStarted", `Job not started. active: 0/${parallelism}`);
  }
  return inProgress(
    "JobInProgress",
    `Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`,
  );
};
