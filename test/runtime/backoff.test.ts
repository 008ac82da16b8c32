import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../../src/controller/runtime/controller.ts";
import type { ReconcileOutcome } from "../../src/controller/runtime/reconciler.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import type { ObjectKey } from "../../src/kube/object.ts";
import { createNamespace } from "../harness/context.ts";
import { adminClient, eventually, GITREPOS, gitRepository } from "./support.ts";

describe("a failing key", () => {
  let client: KubeClient;
  let ns: string;
  let controller: Controller;
  const attempts = new Map<string, number[]>();
  const outcomes: ReconcileOutcome[] = [];
  let healed = false;

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-backoff");
    controller = new Controller({
      name: "test",
      client,
      primary: { resource: GITREPOS, namespace: ns },
      concurrency: 2,
      backoff: { baseMs: 100, maxMs: 10_000 },
      onOutcome: (o) => outcomes.push(o),
      reconciler: {
        reconcile: async (key: ObjectKey) => {
          attempts.set(key.name, [...(attempts.get(key.name) ?? []), Date.now()]);
          if (key.name === "broken" && !healed) throw new Error("remote unreachable");
        },
      },
    });
    await controller.start();
  });

  afterAll(async () => {
    await controller.stop();
    client.close();
  });

  it("backs off exponentially while other keys proceed, and resets after a success", async () => {
    await client.apply(gitRepository(ns, "broken"));
    for (let i = 0; i < 5; i++) await client.apply(gitRepository(ns, `fine-${i}`));

    // Every healthy key is reconciled once, promptly, while the broken one keeps failing.
    expect(
      await eventually(() => [0, 1, 2, 3, 4].every((i) => attempts.get(`fine-${i}`)?.length === 1)),
    ).toBe(true);
    expect(await eventually(() => (attempts.get("broken")?.length ?? 0) >= 5, 10_000)).toBe(true);

    const times = attempts.get("broken") ?? [];
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // Each wait is at least its doubled backoff: 100, 200, 400, 800 ms.
    for (const [i, gap] of gaps.slice(0, 4).entries()) expect(gap).toBeGreaterThanOrEqual(100 * 2 ** i - 5);
    expect(controller.runner.backoff.failures(`${ns}/broken`)).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < 5; i++) expect(attempts.get(`fine-${i}`)).toHaveLength(1);

    healed = true;
    expect(
      await eventually(() => outcomes.some((o) => o.key.name === "broken" && o.result === "success"), 15_000),
    ).toBe(true);
    expect(controller.runner.backoff.failures(`${ns}/broken`)).toBe(0);
    const errors = outcomes.filter((o) => o.key.name === "broken" && o.result === "error");
    expect(errors.length).toBeGreaterThanOrEqual(5);
  });
});
