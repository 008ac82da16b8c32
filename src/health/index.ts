// The health library: kstatus' status rules ported to TypeScript, plus Flux's verdict over a set of objects.
export {
  type AggregateOptions,
  aggregate,
  describeHealth,
  formatRef,
  type HealthSummary,
  healthCheckMessage,
  isJobWithTTL,
  type ObjectHealth,
  type ObjectRef,
} from "./aggregate.ts";
export { compute } from "./compute.ts";
export { type ComputeOptions, type Condition, type Result, Status } from "./status.ts";
