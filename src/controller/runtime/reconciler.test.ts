import { describe, expect, it } from "vitest";
import type { ObjectKey } from "../../kube/object.ts";
import {
  ItemBackoff,
  isTerminalError,
  type ReconcileOutcome,
  type ReconcileResult,
  ReconcileRunner,
  TerminalError,
} from "./reconciler.ts";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function runner(
  reconcile: (key: ObjectKey) => Promise<ReconcileResult>,
  options: { baseMs?: number; maxMs?: number; concurrency?: number } = {},
): { runner: ReconcileRunner; outcomes: ReconcileOutcome[] } {
  const outcomes: ReconcileOutcome[] = [];
  const r = new ReconcileRunner({
    reconciler: { reconcile },
    concurrency: options.concurrency ?? 1,
    backoff: { baseMs: options.baseMs ?? 5, maxMs: options.maxMs ?? 1_000_000 },
    onOutcome: (o) => outcomes.push(o),
  });
  return { runner: r, outcomes };
}

describe("ItemBackoff", () => {
  it("doubles per failure from 5 ms to a 1000 s cap by default, per key", () => {
    const b = new ItemBackoff();
    expect([b.next("a"), b.next("a"), b.next("a"), b.next("a")]).toEqual([5, 10, 20, 40]);
    expect(b.next("b")).toBe(5);
    for (let i = 0; i < 100; i++) b.next("a");
    expect(b.next("a")).toBe(1_000_000);
    expect(b.failures("a")).toBe(105);
  });

  it("starts over after forget", () => {
    const b = new ItemBackoff({ baseMs: 100, maxMs: 1000 });
    expect([b.next("a"), b.next("a"), b.next("a"), b.next("a"), b.next("a")]).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    b.forget("a");
    expect(b.next("a")).toBe(100);
  });
});

describe("ReconcileRunner", () => {
  it("retries a throwing key with growing delays until it succeeds, then resets the backoff", async () => {
    const calls: number[] = [];
    const started = Date.now();
    const { runner: r, outcomes } = runner(
      async () => {
        calls.push(Date.now() - started);
        if (calls.length <= 4) throw new Error("transient");
      },
      { baseMs: 10 },
    );
    r.enqueue({ namespace: "ns", name: "a" });
    while (calls.length < 5) await sleep(10);
    await r.queue.idle();
    expect(outcomes.map((o) => o.result)).toEqual(["error", "error", "error", "error", "success"]);
    expect(outcomes.flatMap((o) => (o.result === "error" ? [o.retryAfter] : []))).toEqual([10, 20, 40, 80]);
    // Each retry waited at least its backoff delay.
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    expect(gaps.map((g, i) => g >= (10 << i) - 2)).toEqual([true, true, true, true]);
    expect(r.backoff.failures("ns/a")).toBe(0);
    expect(outcomes[0]?.key).toEqual({ namespace: "ns", name: "a" });
  });

  it("does not retry a TerminalError, even wrapped as a cause", async () => {
    let calls = 0;
    const { runner: r, outcomes } = runner(async () => {
      calls++;
      throw new Error("reconcile failed", {
        cause: new TerminalError("bad spec", { reason: "InvalidSpec" }),
      });
    });
    r.enqueue({ name: "a" });
    await r.queue.idle();
    await sleep(100);
    expect(calls).toBe(1);
    expect(outcomes.map((o) => o.result)).toEqual(["terminal"]);
    expect(r.queue.stats().delayed).toBe(0);
    expect(isTerminalError(new TerminalError("x"))).toBe(true);
    expect(isTerminalError(new Error("x"))).toBe(false);
  });

  it("runs a key again after requeueAfter", async () => {
    let calls = 0;
    const { runner: r, outcomes } = runner(async () => {
      calls++;
      return calls === 1 ? { requeueAfter: 50 } : undefined;
    });
    r.enqueue({ name: "a" });
    await sleep(20);
    expect(calls).toBe(1);
    await sleep(80);
    expect(calls).toBe(2);
    expect(outcomes.map((o) => o.result)).toEqual(["requeue", "success"]);
  });

  it("keeps reconciling other keys while one key backs off", async () => {
    const counts = new Map<string, number>();
    const { runner: r } = runner(
      async (key) => {
        counts.set(key.name, (counts.get(key.name) ?? 0) + 1);
        if (key.name === "bad") throw new Error("always fails");
      },
      { baseMs: 200 },
    );
    r.enqueue({ name: "bad" });
    for (let i = 0; i < 5; i++) {
      r.enqueue({ name: `good-${i}` });
    }
    await sleep(100);
    for (let i = 0; i < 5; i++) expect(counts.get(`good-${i}`)).toBe(1);
    expect(counts.get("bad")).toBe(1);
    await sleep(200);
    expect(counts.get("bad")).toBe(2);
    await r.shutdown({ timeoutMs: 100 });
  });

  it("stops retrying after shutdown", async () => {
    let calls = 0;
    const { runner: r } = runner(
      async () => {
        calls++;
        throw new Error("fails");
      },
      { baseMs: 20 },
    );
    r.enqueue({ name: "a" });
    await sleep(5);
    expect(await r.shutdown({ timeoutMs: 100 })).toBe(true);
    await sleep(100);
    expect(calls).toBe(1);
  });
});
