import { current, type Result, type Rule } from "../status.ts";

/** Kinds with nothing to wait for once they exist (ConfigMap, Secret, CronJob). */
export const alwaysReadyRule: Rule = (): Result => current("Resource is always ready");
