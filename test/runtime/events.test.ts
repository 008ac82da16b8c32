import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventRecorder, microTime } from "../../src/controller/runtime/events.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import type { KubeObject, ResourceRef } from "../../src/kube/object.ts";
import { createNamespace, kubectl } from "../harness/context.ts";
import { adminClient, gitRepository } from "./support.ts";

const EVENTS: ResourceRef = { group: "events.k8s.io", version: "v1", plural: "events" };
const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe("events", () => {
  let client: KubeClient;
  let ns: string;
  let repo: KubeObject;
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-events");
    repo = await client.apply(gitRepository(ns, "repo"));
  });
  afterAll(() => client.close());

  it("formats MicroTime with six fractional digits", () => {
    expect(microTime(new Date("2026-11-27T02:49:34.123Z"))).toBe("2026-11-27T02:49:34.123000Z");
  });

  it("are created as events.k8s.io/v1 with MicroTime eventTime, regarding the object", async () => {
    const recorder = new EventRecorder({
      client,
      reportingInstance: "driftless-test",
      onError: (e) => errors.push(e),
    });
    await recorder.emit(repo, {
      type: "Normal",
      reason: "NewArtifact",
      action: "Reconcile",
      note: "stored artifact for commit 'abc'",
      annotations: { "source.toolkit.fluxcd.io/revision": "main@sha1:abc" },
    });
    expect(errors).toEqual([]);
    const list = await client.list(EVENTS, { namespace: ns });
    expect(list.items).toHaveLength(1);
    const event = list.items[0] as KubeObject & Record<string, unknown>;
    expect(event).toMatchObject({
      reportingController: "driftless",
      reportingInstance: "driftless-test",
      reason: "NewArtifact",
      action: "Reconcile",
      type: "Normal",
      note: "stored artifact for commit 'abc'",
      regarding: {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        name: "repo",
        namespace: ns,
        uid: repo.metadata.uid,
      },
    });
    expect(String(event.eventTime)).toMatch(MICROTIME);
    expect(event.metadata.annotations?.["source.toolkit.fluxcd.io/revision"]).toBe("main@sha1:abc");
    // The core/v1 view shows it too, as kubectl describe would.
    const core = await kubectl(["get", "events", "-n", ns, "-o", "jsonpath={.items[*].reason}"]);
    expect(core.stdout).toContain("NewArtifact");
  });

  it("aggregate repeats into one event with a series instead of flooding", async () => {
    const recorder = new EventRecorder({
      client,
      reportingInstance: "driftless-test",
      seriesUpdateIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    const warn = {
      type: "Warning",
      reason: "GitOperationFailed",
      action: "Reconcile",
      note: "auth failed",
    } as const;
    const creates = client.counters.create;
    const patches = client.counters.patch;
    for (let i = 0; i < 10; i++) await recorder.emit(repo, warn);
    await recorder.flush();
    expect(errors).toEqual([]);
    const list = await client.list(EVENTS, { namespace: ns });
    const warnings = list.items.filter((e) => (e as { reason?: string }).reason === "GitOperationFailed");
    expect(warnings).toHaveLength(1);
    const series = (warnings[0] as { series?: { count?: number; lastObservedTime?: string } }).series;
    expect(series?.count).toBe(10);
    expect(series?.lastObservedTime).toMatch(MICROTIME);
    // Ten emits cost one create and at most two patches (the first repeat and the flush).
    expect(client.counters.create - creates).toBe(1);
    expect(client.counters.patch - patches).toBeLessThanOrEqual(2);
  });

  it("start a separate event for a different note", async () => {
    const recorder = new EventRecorder({ client, reportingInstance: "driftless-test" });
    await recorder.emit(repo, { type: "Warning", reason: "BuildFailed", action: "Reconcile", note: "one" });
    await recorder.emit(repo, { type: "Warning", reason: "BuildFailed", action: "Reconcile", note: "two" });
    const list = await client.list(EVENTS, { namespace: ns });
    const failed = list.items.filter((e) => (e as { reason?: string }).reason === "BuildFailed");
    expect(failed).toHaveLength(2);
  });
});
