import { stringField } from "../fields.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/** A PersistentVolumeClaim is Current once Bound. */
export const persistentVolumeClaimRule: Rule = (obj): Result => {
  const phase = stringField(obj, ["status", "phase"], "unknown");
  if (phase !== "Bound") return inProgress("NotBound", `PVC is not Bound. phase: ${phase}`);
  return current("PVC is Bound");
};
