import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../../src/controller/runtime/controller.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { isNotFound } from "../../src/kube/errors.ts";
import type { ObjectKey } from "../../src/kube/object.ts";
import { ControlPlane } from "../harness/controlplane.ts";
import { eventually, GITREPOS, gitRepository } from "./support.ts";

// A private control plane: this test stops and restarts its apiserver.
describe("a watch killed by an apiserver restart", () => {
  let cp: ControlPlane;
  let client: KubeClient;
  let controller: Controller;
  const ns = "recovery";
  const seen: Array<{ name: string; state: number | "gone" }> = [];
  const errors: unknown[] = [];

  beforeAll(async () => {
    cp = await ControlPlane.start({ crds: true });
    client = KubeClient.fromFile(cp.kubeconfig);
    await client.create(
      { group: "", version: "v1", plural: "namespaces" },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    );
    controller = new Controller({
      name: "recovery",
      client,
      primary: { resource: GITREPOS, namespace: ns },
      // A fixed, slow retry leaves a window after the restart in which changes happen unwatched.
      informer: { retry: { baseMs: 2000, maxMs: 2000 } },
      onError: (err) => errors.push(err),
      reconciler: {
        reconcile: async (key: ObjectKey) => {
          try {
            const obj = await client.get(GITREPOS, key);
            seen.push({ name: key.name, state: obj.metadata.generation ?? 0 });
          } catch (err) {
            if (!isNotFound(err)) throw err;
            seen.push({ name: key.name, state: "gone" });
          }
        },
      },
    });
    await controller.start();
  }, 180_000);

  afterAll(async () => {
    await controller?.stop({ timeoutMs: 5000 });
    client?.close();
    await cp?.stop();
  });

  const saw = (name: string, state: number | "gone"): boolean =>
    seen.some((s) => s.name === name && s.state === state);

  it("recovers and misses nothing that changed while it was down", async () => {
    await client.apply(gitRepository(ns, "stays"));
    await client.apply(gitRepository(ns, "changes"));
    await client.apply(gitRepository(ns, "goes"));
    expect(await eventually(() => ["stays", "changes", "goes"].every((n) => saw(n, 1)))).toBe(true);
    const informer = controller.informer;
    const watchesBefore = informer.stats.watches;

    await cp.stopApiServer();
    // The informer notices: its watch ends and reconnecting fails.
    expect(await eventually(() => informer.stats.errors > 0, 30_000)).toBe(true);
    await cp.startApiServer();

    // Changes made before the informer is watching again.
    await client.apply(gitRepository(ns, "born"));
    await client.apply(gitRepository(ns, "changes", "https://example.com/changed.git"));
    await client.delete(GITREPOS, { namespace: ns, name: "goes" });

    expect(await eventually(() => saw("born", 1), 60_000)).toBe(true);
    expect(await eventually(() => saw("changes", 2), 30_000)).toBe(true);
    expect(await eventually(() => saw("goes", "gone"), 30_000)).toBe(true);
    expect(informer.stats.watches).toBeGreaterThan(watchesBefore);

    // The cache matches the apiserver again.
    const names = informer
      .list()
      .map((o) => o.metadata.name)
      .sort();
    expect(names).toEqual(["born", "changes", "stays"]);
    expect(informer.get({ namespace: ns, name: "changes" })?.metadata.generation).toBe(2);

    // And the new watch delivers later changes.
    await client.apply(gitRepository(ns, "after"));
    expect(await eventually(() => saw("after", 1), 30_000)).toBe(true);
    process.stderr.write(`[watch-recovery] informer stats ${JSON.stringify(informer.stats)}\n`);
  }, 180_000);
});
