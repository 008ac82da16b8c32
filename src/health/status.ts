/** The statuses kstatus assigns to an object; Flux waits for every object to reach Current. */
export const Status = {
  InProgress: "InProgress",
  Failed: "Failed",
  Current: "Current",
  Terminating: "Terminating",
  NotFound: "NotFound",
  Unknown: "Unknown",
} as const;

/** One of the kstatus statuses. */
export type Status = (typeof Status)[keyof typeof Status];

/** The standard conditions kstatus reads and reports ("abnormal-true": absent means all is well). */
export const ConditionType = {
  Reconciling: "Reconciling",
  Stalled: "Stalled",
} as const;

/** A status condition as found on most Kubernetes objects. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** The outcome of computing an object's status: the status, why, and the standard condition it implies. */
export interface Result {
  status: Status;
  message: string;
  /** A Reconciling or Stalled condition that explains an InProgress or Failed status, empty otherwise. */
  conditions: Condition[];
}

/** Options for computing a status. */
export interface ComputeOptions {
  /** The time to judge age-dependent rules against (a Pod's scheduling window); defaults to now. */
  now?: Date;
}

/** A rule computing the status of one kind of object; `undefined` defers to the generic Ready rule. */
export type Rule = (obj: Record<string, unknown>, options: Required<ComputeOptions>) => Result | undefined;

/** A Current result with no conditions. */
export function current(message: string): Result {
  return { status: Status.Current, message, conditions: [] };
}

/** An InProgress result explained by a Reconciling condition with `reason`. */
export function inProgress(reason: string, message: string): Result {
  return {
    status: Status.InProgress,
    message,
    conditions: [{ type: ConditionType.Reconciling, status: "True", reason, message }],
  };
}

/** A Failed result explained by a Stalled condition with `reason`. */
export function failed(reason: string, message: string): Result {
  return {
    status: Status.Failed,
    message,
    conditions: [{ type: ConditionType.Stalled, status: "True", reason, message }],
  };
}

/** Thrown by the field readers when an object's shape is invalid; compute turns it into Unknown. */
export class MalformedObjectError extends Error {
  override name = "MalformedObjectError";
}
