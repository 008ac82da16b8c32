import { describe, expect, it } from "vitest";
import { compileHealthCheckExprs, InvalidCelExpressionError } from "./cel.ts";

const rule = compileHealthCheckExprs([
  {
    apiVersion: "example.io/v1",
    kind: "Widget",
    current: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')",
    failed: "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')",
  },
]);
const widget = (ready: string | undefined, extra: Record<string, unknown> = {}) => ({
  apiVersion: "example.io/v1",
  kind: "Widget",
  metadata: { name: "w", generation: 1, ...extra },
  status:
    ready === undefined ? {} : { observedGeneration: 1, conditions: [{ type: "Ready", status: ready }] },
});

describe("healthCheckExprs", () => {
  it("is Current when the current expression holds", () => {
    expect(rule(widget("True"))?.status).toBe("Current");
  });
  it("is Failed when the failed expression holds", () => {
    expect(rule(widget("False"))?.status).toBe("Failed");
  });
  it("stays InProgress while a field the expression reads is missing", () => {
    expect(rule(widget(undefined))?.status).toBe("InProgress");
  });
  it("leaves other kinds to kstatus", () => {
    expect(rule({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } })).toBeUndefined();
  });
  it("applies the generic checks first", () => {
    expect(rule(widget("True", { deletionTimestamp: "2026-01-01T00:00:00Z" }))?.status).toBe("Terminating");
  });
  it("refuses an expression that does not parse, naming the entry", () => {
    expect(() => compileHealthCheckExprs([{ apiVersion: "x/v1", kind: "X", current: "status.(" }])).toThrow(
      InvalidCelExpressionError,
    );
    expect(() => compileHealthCheckExprs([{ apiVersion: "x/v1", kind: "X", current: "status.(" }])).toThrow(
      /healthCheckExprs\[0\]\.current/,
    );
  });
});
