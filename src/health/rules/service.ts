import { stringField } from "../fields.ts";
import { current, inProgress, type Result, type Rule } from "../status.ts";

/** A Service is Current at once, except a LoadBalancer without a cluster IP yet. */
export const serviceRule: Rule = (obj): Result => {
  const type = stringField(obj, ["spec", "type"], "ClusterIP");
  if (type === "LoadBalancer" && stringField(obj, ["spec", "clusterIP"], "") === "") {
    return inProgress("NoIPAssigned", "ClusterIP not set. Service type: LoadBalancer");
  }
  return current("Service is ready");
};
