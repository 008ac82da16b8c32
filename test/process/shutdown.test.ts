// Graceful shutdown of the controller process with a reconcile in flight: SIGTERM lets it finish and then
// releases the lease; one that outlives --shutdown-timeout is abandoned and the lease is left to expire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { clearHttpFaults, injectHttpFault, repoUrl } from "../harness/git/index.ts";
import {
  ControllerProcess,
  deleteNamespace,
  eventually,
  jsonpath,
  pushConfigMapRepo,
  shardLabel,
} from "./support.ts";

describe("graceful shutdown of the controller process", () => {
  const label = shardLabel("shutdown");
  let namespace = "";
  const procs: ControllerProcess[] = [];
  const start = (name: string, shutdownTimeout: string): ControllerProcess => {
    const p = new ControllerProcess(name, [
      "--enable-leader-election",
      "--leader-election-namespace",
      namespace,
      "--watch-label-selector",
      label.selector,
      "--shutdown-timeout",
      shutdownTimeout,
    ]);
    procs.push(p);
    return p;
  };
  const holder = async (): Promise<string> => {
    const r = await kubectl([
      "get",
      "lease",
      "-n",
      namespace,
      "-o",
      "jsonpath={.items[0].spec.holderIdentity}",
    ]);
    return r.stdout.trim();
  };
  // A GitRepository whose first ref advertisement the git server answers only after `delayMs`.
  const applySlowSource = async (name: string, delayMs: number): Promise<void> => {
    const repo = await pushConfigMapRepo({ color: "blue" });
    await injectHttpFault(testEnv().git, { repo: `${repo}.git`, path: "info/refs", delayMs, times: 1 });
    const env = testEnv();
    const yaml = `apiVersion: v1
kind: Secret
metadata:
  name: ${name}-auth
  namespace: ${namespace}
stringData:
  username: ${env.git.credentials.username}
  password: ${env.git.credentials.password}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    ${label.key}: ${label.value}
spec:
  interval: 10m
  url: ${repoUrl(env.git, "http-basic", repo)}
  ref:
    branch: main
  secretRef:
    name: ${name}-auth
`;
    const r = await kubectl(["apply", "-f", "-"], yaml);
    expect(r.code, r.stderr).toBe(0);
  };
  // Waits until a GitRepository reconcile has been running for over a second: the delayed one, not a quick poll.
  const reconcileInFlight = (p: ControllerProcess): Promise<true> =>
    eventually(
      async () => {
        const m = /workqueue_longest_running_processor_seconds\{name="gitrepository"\} ([\d.e+-]+)/.exec(
          await p.metrics(),
        );
        return Number(m?.[1] ?? 0) > 1 || undefined;
      },
      30_000,
      "a slow GitRepository reconcile in flight",
    );

  beforeAll(async () => {
    namespace = await createNamespace("proc-shutdown");
  });

  afterAll(async () => {
    await clearHttpFaults(testEnv().git);
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(namespace);
  });

  it("lets a running reconcile finish, then releases the lease and exits 0", async () => {
    const p = start("drain", "30s");
    await p.waitForLog("controllers started", 60_000);
    await applySlowSource("slow", 4_000);
    await reconcileInFlight(p);
    const signalled = Date.now();
    p.signal("SIGTERM");
    const exit = await p.exited;
    expect(exit, p.tail()).toEqual({ code: 0, signal: null });
    // It waited for the slow fetch rather than cutting it off.
    expect(Date.now() - signalled).toBeGreaterThan(1_500);
    expect(p.logged("released the leader lease")).toBe(true);
    expect(await holder()).toBe("");
    // The reconcile it waited for completed and recorded its artifact.
    expect(
      await jsonpath(
        ["gitrepository/slow", "-n", namespace],
        '{.status.conditions[?(@.type=="Ready")].status}',
      ),
    ).toBe("True");
  });

  it("abandons a reconcile that outlives the shutdown timeout and keeps the lease, so none overlaps", async () => {
    const p = start("abandon", "1s");
    await p.waitForLog("controllers started", 60_000);
    await applySlowSource("slower", 15_000);
    await reconcileInFlight(p);
    const signalled = Date.now();
    p.signal("SIGTERM");
    const exit = await p.exited;
    expect(exit, p.tail()).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(p.logged("running reconciles outlived the shutdown timeout: abandoning them, lease kept")).toBe(
      true,
    );
    expect(p.logged("released the leader lease")).toBe(false);
    expect(await holder()).toMatch(/_[0-9a-f]{12}$/);
  });
});
