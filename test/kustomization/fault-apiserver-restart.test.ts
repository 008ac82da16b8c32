// The apiserver goes away in the middle of applying a few hundred objects and comes back (etcd keeps the
// data): the reconcile fails with a readable condition, is retried with backoff, and converges: every
// object applied, the inventory complete, nothing pruned by mistake (objects of the previous revision
// still in Git keep their identity), the controller still running and watching.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileOutcome } from "../../src/controller/runtime/reconciler.ts";
import { ControlPlane } from "../harness/controlplane.ts";
import { HookedClient, type HookedWrite } from "../harness/hooked-client.ts";
import { type KsBed, startKsBed } from "../harness/kustomization-bed.ts";
import { eventually } from "../harness/wait.ts";
import { configMap, kustomization } from "./support.ts";

const OWNER_LABEL = "kustomize.toolkit.fluxcd.io/name";
const ns = "restart";
const KEEP = 300;
const NEW = 100;
const OLD = 20;

/** Names prefix-000 … prefix-(n-1). */
function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, "0")}`);
}

/** A tree with the ConfigMaps, twenty to a file. */
function tree(objects: Record<string, string>): Record<string, string> {
  const docs = Object.entries(objects).map(([name, v]) => configMap(name, ns, { v }));
  const files: Record<string, string> = {};
  for (let i = 0; i < docs.length; i += 20) {
    files[`cm-${String(i / 20).padStart(2, "0")}.yaml`] = docs.slice(i, i + 20).join("---\n");
  }
  return files;
}

// A private control plane: this test stops and restarts its apiserver.
describe("kustomization across an apiserver restart in the middle of an apply", () => {
  let cp: ControlPlane;
  let client: HookedClient;
  let bed: KsBed;

  beforeAll(async () => {
    cp = await ControlPlane.start({ crds: true });
    client = HookedClient.fromKubeconfig(cp.kubeconfig);
    bed = await startKsBed({ kubeconfig: cp.kubeconfig, client });
    const r = await bed.kubectl(["create", "namespace", ns]);
    if (r.code !== 0) throw new Error(r.stderr);
  }, 300_000);

  afterAll(async () => {
    await bed?.stop();
    client?.close();
    await cp?.stop();
  });

  /** name → uid of the ConfigMaps in the namespace. */
  async function uids(): Promise<Map<string, string>> {
    const r = await bed.kubectl([
      "get",
      "configmaps",
      "-n",
      ns,
      "-l",
      OWNER_LABEL,
      "-o",
      'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}',
    ]);
    if (r.code !== 0) throw new Error(r.stderr);
    return new Map(
      r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("=") as [string, string]),
    );
  }

  it("fails readably, retries with backoff and converges without pruning what Git still has", async () => {
    const rev1 = await bed.publish(
      ns,
      "repo",
      tree(Object.fromEntries([...names("keep", KEEP), ...names("old", OLD)].map((n) => [n, "1"]))),
    );
    await bed.apply(kustomization(ns, "bulk", { retryInterval: "5s" }));
    await bed.waitForRevision(ns, "bulk", rev1, 180_000);
    const before = await uids();
    expect(before.size).toBe(KEEP + OLD);

    // Stop the apiserver once sixty objects of the next revision are applied (after every dry run).
    let applied = 0;
    let stopping: Promise<void> | undefined;
    const attemptedStatus: unknown[] = [];
    const fault = (w: HookedWrite): void => {
      if (w.verb === "apply" && !w.dryRun && w.object.metadata.labels?.[OWNER_LABEL] === "bulk") {
        applied++;
        if (applied === 60) stopping = cp.stopApiServer();
      }
      if (stopping && w.verb === "patch" && w.subresource === "status" && w.key.name === "bulk") {
        attemptedStatus.push(w.patch);
      }
    };
    client.hooks.push(fault);
    const outcomesBefore = bed.outcomes.length;
    const rev2 = await bed.publish(
      ns,
      "repo",
      tree({
        ...Object.fromEntries(names("keep", KEEP).map((n) => [n, "2"])),
        ...Object.fromEntries(names("new", NEW).map((n) => [n, "1"])),
      }),
    );
    await eventually(
      async () => (stopping ? true : undefined),
      120_000,
      "the apply to reach the sixtieth object",
    );
    await stopping;
    const failures = (): Extract<ReconcileOutcome, { result: "error" }>[] =>
      bed.outcomes
        .slice(outcomesBefore)
        .filter((o): o is Extract<ReconcileOutcome, { result: "error" }> => o.result === "error");
    // Let the controller fail a few times while the apiserver is away.
    await eventually(async () => (failures().length >= 4 ? true : undefined), 60_000, "failed reconciles");
    // Taken before the restart: a run that straddles it may end either way and reset the backoff.
    const delays = failures().map((f) => f.retryAfter);
    await cp.startApiServer();
    await bed.waitForRevision(ns, "bulk", rev2, 240_000);
    client.hooks.splice(client.hooks.indexOf(fault), 1);

    // The failed run said why, in the condition it tried to write while the apiserver was away.
    const ready = attemptedStatus
      .flatMap((p) => (p as { status?: { conditions?: Record<string, string>[] } }).status?.conditions ?? [])
      .find((c) => c.type === "Ready" && c.status === "False");
    expect(ready?.reason).toBe("ReconciliationFailed");
    expect(ready?.message).toMatch(
      new RegExp(`^(apply|dry-run) failed: ConfigMap/${ns}/(keep|new)-\\d{3}: `),
    );
    // It was retried with growing delays, not in a tight loop.
    expect(delays.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);

    // Everything of the new revision is there; what Git still has was never deleted and recreated.
    const after = await uids();
    expect([...after.keys()].sort()).toEqual([...names("keep", KEEP), ...names("new", NEW)].sort());
    for (const name of names("keep", KEEP)) expect(after.get(name), name).toBe(before.get(name));
    const values = await bed.kubectl([
      "get",
      "configmaps",
      "-n",
      ns,
      "-l",
      OWNER_LABEL,
      "-o",
      'jsonpath={range .items[*]}{.metadata.name}={.data.v}{"\\n"}{end}',
    ]);
    const lines = values.stdout.split("\n").filter((l) => l !== "");
    expect(lines.sort()).toEqual(
      [...names("keep", KEEP).map((n) => `${n}=2`), ...names("new", NEW).map((n) => `${n}=1`)].sort(),
    );
    const ids = (await bed.jsonpath(["ks/bulk", "-n", ns], "{.status.inventory.entries[*].id}"))?.split(" ");
    expect(ids?.sort()).toEqual(
      [...names("keep", KEEP), ...names("new", NEW)].map((n) => `${ns}_${n}__ConfigMap`).sort(),
    );

    // The controller is still running and watching: a hand edit is reverted.
    const edit = await bed.kubectl([
      "patch",
      "configmap/keep-000",
      "-n",
      ns,
      "--type=merge",
      "-p",
      JSON.stringify({ data: { v: "by-hand" } }),
    ]);
    expect(edit.code, edit.stderr).toBe(0);
    await eventually(
      async () =>
        (await bed.jsonpath(["configmap/keep-000", "-n", ns], "{.data.v}")) === "2" ? true : undefined,
      60_000,
      "the hand edit to be reverted",
    );
  });

  it("keeps waiting for health across a restart and succeeds in the same run", async () => {
    // No controllers run on this control plane: the Deployment is ready when the test says so.
    const deployment = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "slow", namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "slow" } },
        template: {
          metadata: { labels: { app: "slow" } },
          spec: { containers: [{ name: "app", image: "example.invalid/slow:1" }] },
        },
      },
    });
    const rev = await bed.publish(ns, "waiter", { "deployment.yaml": deployment });
    await bed.apply(
      kustomization(ns, "waiter", {
        sourceRef: { kind: "GitRepository", name: "waiter" },
        wait: true,
        timeout: "5m",
        retryInterval: "5s",
      }),
    );
    await eventually(
      async () => (await bed.jsonpath(["deployment/slow", "-n", ns], "{.metadata.name}")) || undefined,
      60_000,
      "the Deployment to be applied",
    );
    // Counted from here: the run that applied the Deployment is still waiting, and runs before it (one may
    // have found the stand-in source's artifact not yet visible and requeued after the retryInterval) ended.
    const outcomesBefore = bed.outcomes.length;
    // A few polls of the health check, then a few more with the apiserver away.
    await new Promise((r) => setTimeout(r, 2000));
    await cp.stopApiServer();
    await new Promise((r) => setTimeout(r, 3000));
    await cp.startApiServer();
    const status = {
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "ok" },
          { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: "ok" },
        ],
      },
    };
    const patched = await bed.kubectl([
      "patch",
      "deployment/slow",
      "-n",
      ns,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify(status),
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    await bed.waitForRevision(ns, "waiter", rev, 120_000);
    expect((await bed.condition(ns, "waiter", "Healthy"))?.status).toBe("True");
    // The run that was waiting when the apiserver went away is the one that succeeded: no failed run,
    // no retry (a failure would requeue after the retryInterval of 5 s).
    const runs = bed.outcomes.slice(outcomesBefore).filter((o) => o.key.name === "waiter");
    expect(runs.length).toBeGreaterThan(0);
    for (const o of runs) {
      expect(o.result).toBe("requeue");
      if (o.result === "requeue") expect(o.requeueAfter).toBeGreaterThanOrEqual(600_000);
    }
  });
});
