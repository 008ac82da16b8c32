// Flux's spec.healthCheckExprs: CEL expressions that judge custom resources kstatus cannot. Each entry
// names an apiVersion (and kind) and gives `current`, and optionally `inProgress` and `failed`; the
// expressions see the object's own fields (metadata, spec, status, …) as variables. The generic kstatus
// checks (deletion, observed generation) still come first. An expression that reads a missing field
// leaves the object in progress, so the wait runs to its timeout as Flux's does.
import { parse } from "@marcbachmann/cel-js";
import type { CustomHealthCheck } from "../api/kustomization.ts";
import { isRecord } from "./fields.ts";
import { checkGenericProperties } from "./generic.ts";
import { failed, inProgress, type Result, Status } from "./status.ts";

/** An expression of spec.healthCheckExprs that does not parse. */
export class InvalidCelExpressionError extends Error {
  override name = "InvalidCelExpressionError";
}

type Evaluate = (context: Record<string, unknown>) => unknown;

interface Compiled {
  readonly apiVersion: string;
  readonly kind: string | undefined;
  readonly current: Evaluate;
  readonly inProgress: Evaluate | undefined;
  readonly failed: Evaluate | undefined;
}

/** A rule computing an object's status from the expressions; undefined for objects no entry names. */
export type CelRule = (obj: unknown) => Result | undefined;

/** Compiles the expressions once; throws InvalidCelExpressionError naming the entry and field. */
export function compileHealthCheckExprs(exprs: readonly CustomHealthCheck[]): CelRule {
  const compiled: Compiled[] = exprs.map((e, i) => {
    const compile = (
      field: "current" | "inProgress" | "failed",
      text: string | undefined,
    ): Evaluate | undefined => {
      if (text === undefined) return undefined;
      try {
        return parse(text) as Evaluate;
      } catch (err) {
        const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
        throw new InvalidCelExpressionError(
          `healthCheckExprs[${i}].${field} (${e.kind ?? e.apiVersion}): ${why}`,
        );
      }
    };
    return {
      apiVersion: e.apiVersion,
      kind: e.kind,
      current: compile("current", e.current) as Evaluate,
      inProgress: compile("inProgress", e.inProgress),
      failed: compile("failed", e.failed),
    };
  });
  return (obj) => {
    if (!isRecord(obj)) return undefined;
    const rule = compiled.find(
      (c) => c.apiVersion === obj.apiVersion && (c.kind === undefined || c.kind === obj.kind),
    );
    if (!rule) return undefined;
    const generic = checkGenericProperties(obj);
    if (generic) return generic;
    const test = (fn: Evaluate | undefined): boolean | "error" => {
      if (!fn) return false;
      try {
        return fn(obj) === true;
      } catch {
        return "error";
      }
    };
    if (test(rule.failed) === true)
      return failed("HealthCheckFailed", "custom health check: failed expression is true");
    if (test(rule.inProgress) === true) {
      return inProgress("HealthCheckInProgress", "custom health check: inProgress expression is true");
    }
    const current = test(rule.current);
    if (current === true)
      return {
        status: Status.Current,
        message: "custom health check: current expression is true",
        conditions: [],
      };
    return inProgress(
      "HealthCheckInProgress",
      current === "error"
        ? "custom health check: current expression refers to a field the object does not have (yet)"
        : "custom health check: current expression is false",
    );
  };
}
