import { describe, expect, it } from "vitest";
import { WorkQueue } from "./workqueue.ts";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler whose runs stay open until released, recording what ran and how many ran at once. */
function gatedHandler(): {
  handler: (key: string) => Promise<void>;
  runs: string[];
  maxParallel: () => number;
  maxParallelOf: (key: string) => number;
  releaseAll: () => void;
} {
  const runs: string[] = [];
  const active = new Map<string, number>();
  const perKeyMax = new Map<string, number>();
  let parallel = 0;
  let maxParallel = 0;
  const gates: Array<() => void> = [];
  return {
    runs,
    maxParallel: () => maxParallel,
    maxParallelOf: (key) => perKeyMax.get(key) ?? 0,
    releaseAll: () => {
      for (const g of gates.splice(0)) g();
    },
    handler: async (key) => {
      runs.push(key);
      parallel++;
      maxParallel = Math.max(maxParallel, parallel);
      const n = (active.get(key) ?? 0) + 1;
      active.set(key, n);
      perKeyMax.set(key, Math.max(perKeyMax.get(key) ?? 0, n));
      await new Promise<void>((resolve) => gates.push(resolve));
      active.set(key, (active.get(key) ?? 1) - 1);
      parallel--;
    },
  };
}

describe("WorkQueue", () => {
  it("runs a key added several times before it starts only once", async () => {
    const runs: string[] = [];
    const q = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        runs.push(key);
        await sleep(5);
      },
    });
    q.add("busy");
    q.add("a");
    q.add("a");
    q.add("a");
    await q.idle();
    expect(runs).toEqual(["busy", "a"]);
  });

  it("never runs one key twice at once and reruns a key added while it ran", async () => {
    const h = gatedHandler();
    const q = new WorkQueue({ concurrency: 4, handler: h.handler });
    q.add("a");
    await sleep(1);
    q.add("a");
    q.add("a");
    await sleep(5);
    expect(h.runs).toEqual(["a"]);
    h.releaseAll();
    await sleep(5);
    expect(h.runs).toEqual(["a", "a"]);
    h.releaseAll();
    await q.idle();
    expect(h.maxParallelOf("a")).toBe(1);
    expect(h.runs).toHaveLength(2);
  });

  it("runs at most `concurrency` keys together", async () => {
    const h = gatedHandler();
    const q = new WorkQueue({ concurrency: 2, handler: h.handler });
    for (const k of ["a", "b", "c", "d", "e"]) q.add(k);
    await sleep(5);
    expect(q.inFlight).toBe(2);
    expect(q.depth).toBe(3);
    while (h.runs.length < 5 || q.inFlight > 0) {
      h.releaseAll();
      await sleep(2);
    }
    await q.idle();
    expect(h.maxParallel()).toBe(2);
    expect([...h.runs].sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("runs a delayed key after its delay, the earliest pending delay winning", async () => {
    const started = Date.now();
    const ranAt: number[] = [];
    const q = new WorkQueue({
      handler: async () => {
        ranAt.push(Date.now() - started);
      },
    });
    q.addAfter("a", 400);
    q.addAfter("a", 40);
    q.addAfter("a", 200);
    expect(q.stats().delayed).toBe(1);
    await sleep(20);
    expect(ranAt).toEqual([]);
    await sleep(80);
    expect(ranAt).toHaveLength(1);
    expect(ranAt[0]).toBeGreaterThanOrEqual(35);
    await sleep(400);
    // The later delays were absorbed by the earliest one.
    expect(ranAt).toHaveLength(1);
  });

  it("reports errors of the handler and keeps working", async () => {
    const errors: string[] = [];
    const runs: string[] = [];
    const q = new WorkQueue({
      handler: async (key) => {
        runs.push(key);
        if (key === "bad") throw new Error("boom");
      },
      onError: (key) => errors.push(key),
    });
    q.add("bad");
    q.add("good");
    await q.idle();
    expect(errors).toEqual(["bad"]);
    expect(runs).toEqual(["bad", "good"]);
  });

  it("exposes queue latency and work duration", async () => {
    const latencies: number[] = [];
    const durations: number[] = [];
    const q = new WorkQueue({
      handler: () => sleep(20),
      observer: { queueLatency: (ms) => latencies.push(ms), workDuration: (ms) => durations.push(ms) },
    });
    q.add("a");
    q.add("b");
    await q.idle();
    expect(latencies).toHaveLength(2);
    expect(latencies[1]).toBeGreaterThanOrEqual(15);
    expect(durations.every((d) => d >= 15)).toBe(true);
    expect(q.stats()).toMatchObject({ depth: 0, inFlight: 0, adds: 2, completed: 2 });
  });

  it("on shutdown drops queued and delayed keys and waits for running ones", async () => {
    const runs: string[] = [];
    let finished = 0;
    const q = new WorkQueue({
      concurrency: 1,
      handler: async (key) => {
        runs.push(key);
        await sleep(50);
        finished++;
      },
    });
    q.add("a");
    q.add("b");
    q.addAfter("c", 10);
    await sleep(5);
    const drained = await q.shutdown({ timeoutMs: 1000 });
    expect(drained).toBe(true);
    expect(finished).toBe(1);
    q.add("d");
    await sleep(80);
    expect(runs).toEqual(["a"]);
  });

  it("gives up waiting on shutdown after the timeout", async () => {
    const q = new WorkQueue({ handler: () => sleep(500) });
    q.add("slow");
    await sleep(5);
    const started = Date.now();
    expect(await q.shutdown({ timeoutMs: 30 })).toBe(false);
    expect(Date.now() - started).toBeLessThan(300);
  });
});
