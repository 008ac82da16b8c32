import { current, type Result, type Rule } from "../status.ts";

/**
 * A PodDisruptionBudget is Current once the generic check has seen its generation observed: the
 * disruption controller sets no conditions when computing the allowed disruptions fails.
 */
export const podDisruptionBudgetRule: Rule = (): Result => current("AllowedDisruptions has been computed.");
