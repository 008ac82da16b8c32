// Health checks: wait: true waits for every applied object (Jobs until Complete), healthChecks for the
// listed ones; a timeout or a Failed object makes Ready=False/HealthCheckFailed naming the object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  condition,
  kustomization,
  startBed,
  waitForReason,
  waitForRevision,
} from "./support.ts";

function deployment(name: string, ns: string, nodeSelector?: Record<string, string>): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(nodeSelector ? { nodeSelector } : {}),
          containers: [{ name: "c", image: "registry.example/app:1" }],
        },
      },
    },
  });
}

function job(
  name: string,
  ns: string,
  spec: Record<string, unknown> = {},
  pod: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: ns },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        spec: {
          restartPolicy: "Never",
          ...pod,
          containers: [{ name: "c", image: "registry.example/job:1" }],
        },
      },
    },
  });
}

describe("kustomization health checks", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-wait");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("becomes Ready with Healthy=True once a Deployment's Pods are ready", async () => {
    const rev = await bed.publish(ns, "ok", { "web.yaml": deployment("web", ns) });
    await applyManifest(
      kustomization(ns, "ok", {
        sourceRef: { kind: "GitRepository", name: "ok" },
        wait: true,
        timeout: "60s",
      }),
    );
    await waitForRevision(ns, "ok", rev);
    expect(await jsonpath(["deployment/web", "-n", ns], "{.status.readyReplicas}")).toBe("1");
    expect((await condition(ns, "ok", "Healthy"))?.status).toBe("True");
  });

  it("fails with HealthCheckFailed naming the object when the timeout passes", async () => {
    await bed.publish(ns, "slow", { "stuck.yaml": deployment("stuck", ns, { nowhere: "true" }) });
    await applyManifest(
      kustomization(ns, "slow", {
        sourceRef: { kind: "GitRepository", name: "slow" },
        wait: true,
        timeout: "3s",
      }),
    );
    const ready = await waitForReason(ns, "slow", "HealthCheckFailed");
    expect(ready.status).toBe("False");
    expect(ready.message).toContain(`Deployment/${ns}/stuck`);
    expect(ready.message).toContain("timeout");
    const healthy = await condition(ns, "slow", "Healthy");
    expect(healthy?.status).toBe("False");
    expect(healthy?.reason).toBe("HealthCheckFailed");
    expect(await jsonpath(["ks/slow", "-n", ns], "{.status.lastAppliedRevision}")).toBe("");
  });

  it("fails fast on a Failed Job, long before the timeout", async () => {
    // The Job cannot schedule and its deadline passes: the job controller marks it Failed.
    await bed.publish(ns, "failing", {
      "job.yaml": job("doomed", ns, { activeDeadlineSeconds: 1 }, { nodeSelector: { nowhere: "true" } }),
    });
    await applyManifest(
      kustomization(ns, "failing", {
        sourceRef: { kind: "GitRepository", name: "failing" },
        wait: true,
        timeout: "30m",
      }),
    );
    const ready = await waitForReason(ns, "failing", "HealthCheckFailed", 60_000);
    expect(ready.message).toContain(`Job/${ns}/doomed`);
    expect(ready.message).toContain("Failed");
  });

  it("waits for a Job to Complete before Ready", async () => {
    const rev = await bed.publish(ns, "jobs", { "job.yaml": job("migrate", ns) });
    await applyManifest(
      kustomization(ns, "jobs", {
        sourceRef: { kind: "GitRepository", name: "jobs" },
        wait: true,
        timeout: "60s",
      }),
    );
    await waitForRevision(ns, "jobs", rev);
    expect(
      await jsonpath(["job/migrate", "-n", ns], '{.status.conditions[?(@.type=="Complete")].status}'),
    ).toBe("True");
  });

  it("counts a finished Job deleted by its TTL as healthy", async () => {
    const rev = await bed.publish(ns, "ttl", { "job.yaml": job("once", ns, { ttlSecondsAfterFinished: 0 }) });
    await applyManifest(
      kustomization(ns, "ttl", {
        sourceRef: { kind: "GitRepository", name: "ttl" },
        wait: true,
        timeout: "60s",
      }),
    );
    await waitForRevision(ns, "ttl", rev);
    expect(await jsonpath(["ks/ttl", "-n", ns], '{.status.conditions[?(@.type=="Healthy")].status}')).toBe(
      "True",
    );
    // The TTL controller removes it; a later reconcile must not wait for it either.
    await eventually(async () =>
      (await jsonpath(["job/once", "-n", ns], "{.metadata.uid}")) === undefined ? true : undefined,
    );
    // Its deletion is not drift: re-creating it at once would run the Job in a loop.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await jsonpath(["job/once", "-n", ns], "{.metadata.uid}")).toBeUndefined();
    const again = new Date().toISOString();
    await kubectl([
      "annotate",
      "--overwrite",
      "ks/ttl",
      "-n",
      ns,
      `reconcile.fluxcd.io/requestedAt=${again}`,
    ]);
    await eventually(async () =>
      (await jsonpath(["ks/ttl", "-n", ns], "{.status.lastHandledReconcileAt}")) === again ? true : undefined,
    );
    expect(await jsonpath(["ks/ttl", "-n", ns], '{.status.conditions[?(@.type=="Ready")].status}')).toBe(
      "True",
    );
  });

  it("judges objects by spec.healthCheckExprs (CEL) and stalls on an expression that does not parse", async () => {
    const cm = (ready: string) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "flag", namespace: ns },
        data: { ready },
      });
    const exprs = [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        current: "data.ready == 'yes'",
        failed: "data.ready == 'broken'",
      },
    ];
    await bed.publish(ns, "cel", { "cm.yaml": cm("broken") });
    await applyManifest(
      kustomization(ns, "cel", {
        sourceRef: { kind: "GitRepository", name: "cel" },
        wait: true,
        timeout: "30s",
        healthCheckExprs: exprs,
      }),
    );
    await eventually(async () =>
      (await jsonpath(["ks/cel", "-n", ns], '{.status.conditions[?(@.type=="Ready")].reason}')) ===
      "HealthCheckFailed"
        ? true
        : undefined,
    );
    expect(
      await jsonpath(["ks/cel", "-n", ns], '{.status.conditions[?(@.type=="Ready")].message}'),
    ).toContain(`ConfigMap/${ns}/flag`);
    const good = await bed.publish(ns, "cel", { "cm.yaml": cm("yes") });
    await waitForRevision(ns, "cel", good);
    expect(await jsonpath(["ks/cel", "-n", ns], '{.status.conditions[?(@.type=="Healthy")].status}')).toBe(
      "True",
    );
    await applyManifest(
      kustomization(ns, "cel", {
        sourceRef: { kind: "GitRepository", name: "cel" },
        wait: true,
        timeout: "30s",
        healthCheckExprs: [{ apiVersion: "v1", kind: "ConfigMap", current: "data.(" }],
      }),
    );
    await eventually(async () =>
      (await jsonpath(["ks/cel", "-n", ns], '{.status.conditions[?(@.type=="Stalled")].reason}')) ===
      "InvalidCELExpression"
        ? true
        : undefined,
    );
  });

  it("says Reconciliation in progress while waiting, and a new revision cuts the wait short", async () => {
    const stuckRev = await bed.publish(ns, "progress", {
      "web.yaml": deployment("slowweb", ns, { nowhere: "true" }),
    });
    await applyManifest(
      kustomization(ns, "progress", {
        sourceRef: { kind: "GitRepository", name: "progress" },
        wait: true,
        timeout: "10m",
      }),
    );
    const reconciling = await eventually(async () => {
      const c = await condition(ns, "progress", "Reconciling");
      return c?.status === "True" ? c : undefined;
    });
    expect(reconciling.message).toContain(stuckRev);
    expect((await condition(ns, "progress", "Ready"))?.status).toBe("Unknown");
    // The fixed revision is applied long before the 10 minute timeout of the stuck one.
    const fixed = await bed.publish(ns, "progress", { "web.yaml": deployment("slowweb", ns) });
    await waitForRevision(ns, "progress", fixed, 30_000);
    expect(await jsonpath(["deployment/slowweb", "-n", ns], "{.status.readyReplicas}")).toBe("1");
  });

  it("checks only the objects listed in healthChecks when wait is false", async () => {
    await bed.publish(ns, "listed", {
      "api.yaml": deployment("api", ns),
      "stuck2.yaml": deployment("stuck2", ns, { nowhere: "true" }),
    });
    await applyManifest(
      kustomization(ns, "listed", {
        sourceRef: { kind: "GitRepository", name: "listed" },
        timeout: "20s",
        healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: ns }],
      }),
    );
    // The unlisted stuck Deployment does not hold it back.
    await waitForReason(ns, "listed", "ReconciliationSucceeded");
    expect(await jsonpath(["deployment/api", "-n", ns], "{.status.readyReplicas}")).toBe("1");
    // Listing the stuck one makes it fail.
    await applyManifest(
      kustomization(ns, "listed", {
        sourceRef: { kind: "GitRepository", name: "listed" },
        timeout: "3s",
        healthChecks: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "api", namespace: ns },
          { apiVersion: "apps/v1", kind: "Deployment", name: "stuck2", namespace: ns },
        ],
      }),
    );
    const ready = await waitForReason(ns, "listed", "HealthCheckFailed");
    expect(ready.message).toContain(`Deployment/${ns}/stuck2`);
    expect(ready.message).not.toContain(`Deployment/${ns}/api `);
  });
});
