import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller } from "../../src/controller/runtime/controller.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { isNotFound } from "../../src/kube/errors.ts";
import type { ObjectKey } from "../../src/kube/object.ts";
import { createNamespace } from "../harness/context.ts";
import { adminClient, CONFIGMAPS, eventually, GITREPOS, gitRepository } from "./support.ts";

/** What one reconcile saw when it read its object. */
interface Seen {
  name: string;
  generation: number | "gone";
}

describe("a reconciler driven by a controller", () => {
  let client: KubeClient;
  let ns: string;
  let controller: Controller;
  const seen: Seen[] = [];

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-reconcile");
    await client.apply(gitRepository(ns, "existing"));
    controller = new Controller({
      name: "test",
      client,
      primary: { resource: GITREPOS, namespace: ns },
      // ConfigMaps labelled with a repository name trigger that repository.
      watches: [
        {
          resource: CONFIGMAPS,
          namespace: ns,
          labelSelector: "repo",
          map: (obj) => [{ namespace: ns, name: obj.metadata.labels?.repo ?? "" }],
        },
      ],
      reconciler: {
        reconcile: async (key: ObjectKey) => {
          try {
            const obj = await client.get(GITREPOS, key);
            seen.push({ name: key.name, generation: obj.metadata.generation ?? 0 });
          } catch (err) {
            if (!isNotFound(err)) throw err;
            seen.push({ name: key.name, generation: "gone" });
          }
        },
      },
    });
    await controller.start();
  });

  afterAll(async () => {
    await controller.stop();
    client.close();
  });

  const saw = (name: string, generation: number | "gone"): boolean =>
    seen.some((s) => s.name === name && s.generation === generation);

  it("reconciles objects that existed before it started", async () => {
    expect(controller.informer.hasSynced()).toBe(true);
    expect(await eventually(() => saw("existing", 1))).toBe(true);
  });

  it("sees a custom resource created, updated and deleted", async () => {
    await client.apply(gitRepository(ns, "life"));
    expect(await eventually(() => saw("life", 1))).toBe(true);

    await client.apply(gitRepository(ns, "life", "https://example.com/other.git"));
    expect(await eventually(() => saw("life", 2))).toBe(true);
    expect(controller.informer.get({ namespace: ns, name: "life" })?.metadata.generation).toBe(2);

    await client.delete(GITREPOS, { namespace: ns, name: "life" });
    expect(await eventually(() => saw("life", "gone"))).toBe(true);
    expect(controller.informer.get({ namespace: ns, name: "life" })).toBeUndefined();
  });

  it("maps changes of watched objects of another kind to the primary key", async () => {
    const before = seen.filter((s) => s.name === "existing").length;
    await client.create(CONFIGMAPS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "trigger", namespace: ns, labels: { repo: "existing" } },
    });
    expect(await eventually(() => seen.filter((s) => s.name === "existing").length > before)).toBe(true);
  });

  it("reconciles a key queued by hand", async () => {
    const before = seen.filter((s) => s.name === "existing").length;
    controller.enqueue({ namespace: ns, name: "existing" });
    expect(await eventually(() => seen.filter((s) => s.name === "existing").length > before)).toBe(true);
  });
});
