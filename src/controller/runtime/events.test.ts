import { describe, expect, it } from "vitest";
import type { KubeClient } from "../../kube/client.ts";
import { EventRecorder, microTime } from "./events.ts";

/** Records creates and patches instead of sending them. */
function recordingClient(): { client: KubeClient; creates: unknown[]; patches: unknown[] } {
  const creates: unknown[] = [];
  const patches: unknown[] = [];
  const fake = {
    async create(_r: unknown, obj: unknown) {
      creates.push(obj);
      return obj;
    },
    async patch(_r: unknown, _k: unknown, patch: unknown) {
      patches.push(patch);
      return {};
    },
  };
  return { client: fake as unknown as KubeClient, creates, patches };
}

const repo = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "podinfo", namespace: "flux-system", uid: "u-1", resourceVersion: "7" },
};
const failed = {
  type: "Warning",
  reason: "GitOperationFailed",
  action: "Reconcile",
  note: "auth failed",
} as const;

describe("EventRecorder", () => {
  it("writes MicroTime eventTime, the reporting controller and a reference to the object", async () => {
    const { client, creates } = recordingClient();
    const at = new Date("2026-11-27T03:04:05.678Z");
    const recorder = new EventRecorder({ client, reportingInstance: "pod-1", now: () => at });
    await recorder.emit(repo, { ...failed, note: "x".repeat(2000) });
    expect(creates).toHaveLength(1);
    const event = creates[0] as Record<string, unknown> & { note: string; metadata: { name: string } };
    expect(event).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      eventTime: "2026-11-27T03:04:05.678000Z",
      reportingController: "driftless",
      reportingInstance: "pod-1",
      regarding: { kind: "GitRepository", name: "podinfo", namespace: "flux-system", uid: "u-1" },
      metadata: { namespace: "flux-system" },
    });
    expect(event.metadata.name).toMatch(/^podinfo\.[0-9a-f]+$/);
    expect(Buffer.byteLength(event.note)).toBeLessThanOrEqual(1024);
  });

  it("turns repeats within the window into a series and starts a new event after it", async () => {
    const { client, creates, patches } = recordingClient();
    let now = new Date("2026-11-27T03:00:00.000Z");
    const recorder = new EventRecorder({
      client,
      reportingInstance: "pod-1",
      seriesWindowMs: 60_000,
      seriesUpdateIntervalMs: 3_600_000,
      now: () => now,
    });
    await recorder.emit(repo, failed);
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + 10_000);
      await recorder.emit(repo, failed);
    }
    // One create, the first repeat written at once, the rest held back.
    expect(creates).toHaveLength(1);
    expect(patches).toEqual([{ series: { count: 2, lastObservedTime: "2026-11-27T03:00:10.000000Z" } }]);
    await recorder.flush();
    expect(patches.at(-1)).toEqual({ series: { count: 6, lastObservedTime: "2026-11-27T03:00:50.000000Z" } });

    now = new Date(now.getTime() + 120_000);
    await recorder.emit(repo, failed);
    expect(creates).toHaveLength(2);
    const [first, second] = creates as Array<{ metadata: { name: string } }>;
    expect(second?.metadata.name).not.toBe(first?.metadata.name);
  });

  it("reports failed writes instead of throwing", async () => {
    const errors: unknown[] = [];
    const client = {
      async create() {
        throw new Error("forbidden");
      },
    } as unknown as KubeClient;
    const recorder = new EventRecorder({
      client,
      reportingInstance: "pod-1",
      onError: (e) => errors.push(e),
    });
    await expect(recorder.emit(repo, failed)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it("formats MicroTime with exactly six fractional digits", () => {
    expect(microTime(new Date("2026-01-02T03:04:05.000Z"))).toBe("2026-01-02T03:04:05.000000Z");
  });
});
