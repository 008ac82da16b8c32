import { describe, expect, it } from "vitest";
import { ControllerMetrics, exponentialBucketsRange } from "./metrics.ts";

describe("exponentialBucketsRange", () => {
  it("gives Flux's gotk_reconcile_duration_seconds buckets: 10 from 10 ms to 30 min", () => {
    const b = exponentialBucketsRange(10e-3, 1800, 10);
    expect(b).toHaveLength(10);
    expect(b[0]).toBeCloseTo(0.01, 12);
    expect(b[9]).toBeCloseTo(1800, 6);
    // Prometheus' ExponentialBucketsRange(0.01, 1800, 10): factor (1800/0.01)^(1/9) ≈ 3.832.
    expect(b[1]).toBeCloseTo(0.03832, 4);
  });
});

describe("ControllerMetrics", () => {
  it("exports reconcile duration, Ready condition and suspend with Flux's labels", async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.observeOutcome("Kustomization", "kustomization", {
      key: { namespace: "ns", name: "apps" },
      result: "success",
      durationMs: 1500,
    });
    m.recordObject("Kustomization", {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "apps", namespace: "ns" },
      spec: { suspend: true },
      status: { conditions: [{ type: "Ready", status: "False" }] },
    } as never);
    const { body } = await m.render();
    expect(body).toContain(
      'gotk_reconcile_duration_seconds_count{kind="Kustomization",name="apps",namespace="ns"} 1',
    );
    expect(body).toContain(
      'gotk_reconcile_duration_seconds_bucket{le="0.01",kind="Kustomization",name="apps",namespace="ns"} 0',
    );
    expect(body).toContain(
      'gotk_reconcile_condition{kind="Kustomization",name="apps",namespace="ns",type="Ready",status="False"} 1',
    );
    expect(body).toContain(
      'gotk_reconcile_condition{kind="Kustomization",name="apps",namespace="ns",type="Ready",status="True"} 0',
    );
    expect(body).toContain('gotk_suspend_status{kind="Kustomization",name="apps",namespace="ns"} 1');
    expect(body).toContain(
      'controller_runtime_reconcile_total{controller="kustomization",result="success"} 1',
    );
  });

  it("exports queue depth and adds at scrape time and forgets deleted objects", async () => {
    const m = new ControllerMetrics({ processMetrics: false });
    m.watchQueue("gitrepository", () => ({
      depth: 3,
      inFlight: 1,
      delayed: 0,
      adds: 7,
      completed: 4,
      longestRunningMs: 2500,
    }));
    const obj = {
      apiVersion: "v1",
      kind: "GitRepository",
      metadata: { name: "r", namespace: "ns" },
    } as never;
    m.recordObject("GitRepository", obj);
    m.forgetObject("GitRepository", obj);
    const { body } = await m.render();
    expect(body).toContain('workqueue_depth{name="gitrepository"} 3');
    expect(body).toContain('workqueue_adds_total{name="gitrepository"} 7');
    expect(body).toContain('workqueue_longest_running_processor_seconds{name="gitrepository"} 2.5');
    expect(body).toContain('controller_runtime_active_workers{controller="gitrepository"} 1');
    expect(body).not.toContain('gotk_reconcile_condition{kind="GitRepository"');
  });
});
