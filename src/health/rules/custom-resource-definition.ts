import { readConditions } from "../fields.ts";
import { current, failed, inProgress, type Result, type Rule } from "../status.ts";

/** A CustomResourceDefinition is Current once Established; Failed when its names clash or it cannot be established. */
export const customResourceDefinitionRule: Rule = (obj): Result => {
  for (const c of readConditions(obj)) {
    if (c.type === "NamesAccepted" && c.status === "False") return failed(c.reason, c.message);
    if (c.type === "Established") {
      if (c.status === "False" && c.reason !== "Installing") return failed(c.reason, c.message);
      if (c.status === "True") return current("CRD is established");
    }
  }
  return inProgress("Installing", "Install in progress");
};
