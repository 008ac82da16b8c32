import { describe, expect, it } from "vitest";
import { aggregate, formatRef, healthCheckMessage, isJobWithTTL, type ObjectHealth } from "./aggregate.ts";
import { type Result, Status } from "./status.ts";

function entry(
  kind: string,
  name: string,
  status: Status | undefined,
  extra: Partial<ObjectHealth> = {},
): ObjectHealth {
  const result: Result | undefined = status && { status, message: `${name} is ${status}`, conditions: [] };
  return { ref: { kind, namespace: "apps", name }, ...(result ? { result } : {}), ...extra };
}

describe("aggregate", () => {
  it.each([
    ["no objects", [], { status: Status.Current, ready: true, done: true }],
    ["all Current", [Status.Current, Status.Current], { status: Status.Current, ready: true, done: true }],
    [
      "one InProgress",
      [Status.Current, Status.InProgress],
      { status: Status.InProgress, ready: false, done: false },
    ],
    ["one Failed", [Status.InProgress, Status.Failed], { status: Status.Failed, ready: false, done: true }],
    ["Unknown", [Status.Current, Status.Unknown], { status: Status.Unknown, ready: false, done: false }],
    ["Terminating", [Status.Terminating], { status: Status.InProgress, ready: false, done: false }],
    ["NotFound", [Status.NotFound], { status: Status.InProgress, ready: false, done: false }],
    [
      "only Current and Failed",
      [Status.Current, Status.Failed],
      { status: Status.Failed, ready: false, done: true },
    ],
  ] as const)("judges %s", (_, statuses, want) => {
    const summary = aggregate(statuses.map((s, i) => entry("Deployment", `d${i}`, s)));
    expect({ status: summary.status, ready: summary.ready, done: summary.done }).toEqual(want);
  });

  it("fails fast on a Failed object while others are still in progress", () => {
    const entries = [entry("Deployment", "a", Status.InProgress), entry("Job", "b", Status.Failed)];
    expect(aggregate(entries).done).toBe(true);
    expect(aggregate(entries, { failFast: false }).done).toBe(false);
  });

  it("sorts objects into failed and in progress, counting unread objects as in progress", () => {
    const summary = aggregate(
      [
        entry("Deployment", "a", Status.Failed),
        entry("Deployment", "b", Status.Current),
        entry("Service", "c", Status.InProgress),
        entry("Pod", "d", undefined),
      ],
      { failFast: false },
    );
    expect(summary.failed.map((e) => e.ref.name)).toEqual(["a"]);
    expect(summary.inProgress.map((e) => e.ref.name)).toEqual(["c", "d"]);
    expect(summary.done).toBe(false);
  });

  it("counts a deleted Job with a TTL as Current", () => {
    const summary = aggregate([entry("Job", "migrate", Status.NotFound, { deletedWhenFinished: true })]);
    expect(summary.ready).toBe(true);
    expect(aggregate([entry("Job", "migrate", Status.NotFound)]).ready).toBe(false);
  });
});

describe("healthCheckMessage", () => {
  it("names the failed objects when stopping early", () => {
    const entries = [entry("Deployment", "web", Status.InProgress), entry("Job", "migrate", Status.Failed)];
    expect(healthCheckMessage(entries, { timedOut: false })).toBe(
      "failed early due to stalled resources: [Job/apps/migrate status: 'Failed']",
    );
  });

  it("names every object that is not Current after a timeout", () => {
    const entries = [
      entry("Deployment", "web", Status.InProgress),
      entry("Service", "web", Status.Current),
      entry("Job", "migrate", Status.Failed),
    ];
    expect(healthCheckMessage(entries, { timedOut: true })).toBe(
      "timeout waiting for: [Deployment/apps/web status: 'InProgress', Job/apps/migrate status: 'Failed']",
    );
  });

  it("adds the reason of an Unknown status and names objects never read", () => {
    const entries = [entry("Widget", "w", Status.Unknown), entry("Pod", "p", undefined)];
    expect(healthCheckMessage(entries, { timedOut: true })).toBe(
      "timeout waiting for: [Widget/apps/w status: 'Unknown': w is Unknown, can't determine status for Pod/apps/p]",
    );
  });

  it("says nothing when every object is Current", () => {
    const entries = [entry("Deployment", "web", Status.Current)];
    expect(healthCheckMessage(entries, { timedOut: true })).toBeUndefined();
  });

  it("does not blame a finished Job the TTL controller deleted", () => {
    const entries = [entry("Job", "migrate", Status.NotFound, { deletedWhenFinished: true })];
    expect(healthCheckMessage(entries, { timedOut: true })).toBeUndefined();
  });
});

describe("formatRef", () => {
  it("formats namespaced and cluster-scoped objects as Flux does", () => {
    expect(formatRef({ kind: "Deployment", namespace: "apps", name: "web" })).toBe("Deployment/apps/web");
    expect(formatRef({ kind: "Namespace", name: "apps" })).toBe("Namespace/apps");
  });
});

describe("isJobWithTTL", () => {
  it.each([
    [{ apiVersion: "batch/v1", kind: "Job", spec: { ttlSecondsAfterFinished: 0 } }, true],
    [{ apiVersion: "batch/v1", kind: "Job", spec: {} }, false],
    [{ apiVersion: "example.com/v1", kind: "Job", spec: { ttlSecondsAfterFinished: 10 } }, false],
    ["Job", false],
  ])("tells Jobs the TTL controller deletes (%#)", (obj, want) => {
    expect(isJobWithTTL(obj)).toBe(want);
  });
});
