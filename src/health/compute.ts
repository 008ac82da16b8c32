import { groupOf, isRecord, kindOf } from "./fields.ts";
import { checkGenericProperties, checkReadyCondition } from "./generic.ts";
import { ruleFor } from "./rules/index.ts";
import { type ComputeOptions, current, type Result, Status } from "./status.ts";

/**
 * Computes an object's status from its full state as read from the cluster: the generic checks, then
 * the rule for its kind, then its Ready condition, else Current. `null`/`undefined` (the object does not
 * exist) is NotFound; input that is not an object, or whose fields have the wrong types, is Unknown.
 * Never throws.
 */
export function compute(obj: unknown, options: ComputeOptions = {}): Result {
  if (obj === undefined || obj === null) {
    return { status: Status.NotFound, message: "Resource not found", conditions: [] };
  }
  if (!isRecord(obj)) {
    return { status: Status.Unknown, message: "Resource is not an object", conditions: [] };
  }
  const resolved = { now: options.now ?? new Date() };
  try {
    const generic = checkGenericProperties(obj);
    if (generic) return generic;
    const rule = ruleFor(groupOf(obj), kindOf(obj));
    if (rule) {
      const result = rule(obj, resolved);
      if (result) return result;
    }
    // Not a known kind: a Ready condition is the next best signal, and no signal at all means Current.
    return checkReadyCondition(obj) ?? current("Resource is current");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { status: Status.Unknown, message: `Failed to compute status: ${reason}`, conditions: [] };
  }
}
