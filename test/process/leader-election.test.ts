// Leader election between real `driftless controller` processes: only the Lease holder reconciles, a standby
// takes over within the lease duration when the leader is killed, and SIGTERM drains and releases the lease.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { commitFiles } from "../harness/git/index.ts";
import {
  applySourceAndKustomization,
  ControllerProcess,
  configMapFiles,
  deleteNamespace,
  eventually,
  jsonpath,
  pushConfigMapRepo,
  shardLabel,
} from "./support.ts";

// Short timings keep the test quick; the rules are the same as with client-go's 15 s / 10 s / 2 s.
const LEASE_SECONDS = 6;
const timingFlags = [
  "--leader-election-lease-duration",
  `${LEASE_SECONDS}s`,
  "--leader-election-renew-deadline",
  "4s",
  "--leader-election-retry-period",
  "1s",
];

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface EventItem {
  reportingInstance?: string;
  regarding?: { kind?: string; name?: string };
  reason?: string;
}

describe("leader election between controller processes", () => {
  const label = shardLabel("leader");
  const leaseName = `driftless-leader-election-${createHash("sha256").update(label.selector).digest("hex").slice(0, 8)}`;
  let namespace = "";
  let repo = "";
  const procs: ControllerProcess[] = [];
  const start = (name: string): ControllerProcess => {
    const p = new ControllerProcess(
      name,
      [
        "--enable-leader-election",
        "--leader-election-namespace",
        namespace,
        "--watch-label-selector",
        label.selector,
        ...timingFlags,
      ],
      { POD_NAME: name },
    );
    procs.push(p);
    return p;
  };
  const lease = async (): Promise<LeaseSpec> => {
    const r = await kubectl(["get", "lease", leaseName, "-n", namespace, "-o", "jsonpath={.spec}"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as LeaseSpec;
  };
  const events = async (): Promise<EventItem[]> => {
    const r = await kubectl(["get", "events.events.k8s.io", "-n", namespace, "-o", "json"]);
    return (JSON.parse(r.stdout) as { items: EventItem[] }).items.filter(
      (e) => e.regarding?.kind === "Kustomization" || e.regarding?.kind === "GitRepository",
    );
  };

  beforeAll(async () => {
    namespace = await createNamespace("proc-leader");
    repo = await pushConfigMapRepo({ color: "blue" });
  });

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await deleteNamespace(namespace);
  });

  let a: ControllerProcess;
  let b: ControllerProcess;

  it("lets only the Lease holder start its controllers and reconcile", async () => {
    a = start("proc-a");
    await a.waitForLog("acquired the leader lease", 30_000);
    b = start("proc-b");
    await b.waitForLog("waiting to acquire the leader lease", 30_000);
    await applySourceAndKustomization({ namespace, repo, label });
    const ready = await kubectl([
      "wait",
      "--for=condition=Ready",
      "kustomization/app",
      "-n",
      namespace,
      "--timeout=90s",
    ]);
    expect(ready.code, `${ready.stderr}\n${a.tail()}`).toBe(0);
    expect(await jsonpath(["configmap/app-config", "-n", namespace], "{.data.color}")).toBe("blue");

    const spec = await lease();
    expect(spec.holderIdentity).toMatch(/^proc-a_[0-9a-f]{12}$/);
    expect(spec.leaseDurationSeconds).toBe(LEASE_SECONDS);
    // MicroTime: exactly six fractional digits.
    expect(spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(spec.acquireTime).toMatch(/\.\d{6}Z$/);
    // The standby built no controller and reported nothing.
    expect(b.logged("starting controllers")).toBe(false);
    const reporters = new Set((await events()).map((e) => e.reportingInstance));
    expect(reporters.has("proc-a")).toBe(true);
    expect(reporters.has("proc-b")).toBe(false);
  });

  it("hands the lease to the standby within the lease duration when the leader is killed", async () => {
    const before = await lease();
    const killedAt = Date.now();
    a.signal("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    await b.waitForLog("acquired the leader lease", 30_000);
    const tookOverMs = Date.now() - killedAt;
    // The standby waits out the lease from the last renewal it saw, plus at most one jittered retry period.
    expect(tookOverMs).toBeLessThan((LEASE_SECONDS + 1.2 + 1.5) * 1000);
    const after = await lease();
    expect(after.holderIdentity).toMatch(/^proc-b_/);
    expect(after.leaseTransitions).toBe((before.leaseTransitions ?? 0) + 1);
    expect(after.acquireTime).not.toBe(before.acquireTime);
    await b.waitForLog("controllers started", 60_000);

    // The new leader reconciles: a new commit lands once the source is asked to poll.
    await commitFiles(testEnv().git, repo, configMapFiles({ color: "green" }), { message: "green" });
    await kubectl([
      "annotate",
      "--overwrite",
      "gitrepository/app",
      "-n",
      namespace,
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    await eventually(
      async () =>
        (await jsonpath(["configmap/app-config", "-n", namespace], "{.data.color}")) === "green" || undefined,
      60_000,
      "the new leader to apply the new commit",
    );
    // Each holder reported only while it held the lease: proc-a before the kill, proc-b after.
    const reporters = new Set((await events()).map((e) => e.reportingInstance));
    expect([...reporters].sort()).toEqual(["proc-a", "proc-b"]);
  });

  it("on SIGTERM finishes, exits 0 and releases the lease, so the next process takes it at once", async () => {
    b.signal("SIGTERM");
    const exit = await b.exited;
    expect(exit, b.tail()).toEqual({ code: 0, signal: null });
    expect(b.logged("released the leader lease")).toBe(true);
    const released = await lease();
    expect(released.holderIdentity ?? "").toBe("");
    expect(released.leaseDurationSeconds).toBe(1);

    const c = start("proc-c");
    const waiting = await c.waitForLog("waiting to acquire the leader lease", 30_000);
    const acquired = await c.waitForLog("acquired the leader lease", 30_000);
    // No waiting out the lease duration (a held lease needs ≥ 6 s from first sight): a released lease is free.
    expect(Number(acquired.time) - Number(waiting.time)).toBeLessThan(2_000);
    expect((await lease()).holderIdentity).toMatch(/^proc-c_/);
  });

  it("exits at once, without draining, when it can no longer renew the lease", async () => {
    const c = procs.at(-1);
    if (!c) throw new Error("no running leader");
    await c.waitForLog("controllers started", 60_000);
    // Another holder takes the lease by hand: the leader's renewals are refused until its deadline passes.
    const stolen = await kubectl([
      "patch",
      "lease",
      leaseName,
      "-n",
      namespace,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { holderIdentity: "intruder", leaseDurationSeconds: 3600 } }),
    ]);
    expect(stolen.code, stolen.stderr).toBe(0);
    const exit = await c.exited;
    expect(exit, c.tail()).toEqual({ code: 1, signal: null });
    expect(c.logged("leader election lost: exiting")).toBe(true);
    expect(c.logged("shutting down: finishing running reconciles")).toBe(false);
    expect((await lease()).holderIdentity).toBe("intruder");
  });

  it("stops a standby on SIGTERM at once with exit 0, leaving the lease alone", async () => {
    const d = start("proc-d");
    await d.waitForLog("waiting to acquire the leader lease", 30_000);
    d.signal("SIGTERM");
    expect(await d.exited, d.tail()).toEqual({ code: 0, signal: null });
    expect(d.logged("stopped before becoming leader")).toBe(true);
    expect(d.logged("starting controllers")).toBe(false);
    expect((await lease()).holderIdentity).toBe("intruder");
  });
});
