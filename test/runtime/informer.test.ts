import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Informer, type InformerOptions } from "../../src/controller/runtime/informer.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import type { KubeObject } from "../../src/kube/object.ts";
import { createNamespace } from "../harness/context.ts";
import { adminClient, CONFIGMAPS, eventually } from "./support.ts";

interface Recorded {
  type: "add" | "update" | "delete";
  name: string;
}

describe("informer", () => {
  let client: KubeClient;
  let ns: string;
  const started: Informer[] = [];

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-informer");
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((i) => i.stop()));
  });
  afterAll(() => client.close());

  function startInformer(options: Partial<InformerOptions> = {}): { informer: Informer; events: Recorded[] } {
    const events: Recorded[] = [];
    const informer = new Informer({ client, resource: CONFIGMAPS, namespace: ns, ...options });
    const name = (o: KubeObject): string => o.metadata.name ?? "";
    informer.addHandlers({
      onAdd: (o) => events.push({ type: "add", name: name(o) }),
      onUpdate: (_old, o) => events.push({ type: "update", name: name(o) }),
      onDelete: (o) => events.push({ type: "delete", name: name(o) }),
    });
    informer.start();
    started.push(informer);
    return { informer, events };
  }

  const configMap = (
    name: string,
    labels: Record<string, string> = {},
    data: Record<string, string> = {},
  ) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, labels },
    data,
  });

  it("resumes from the last resourceVersion when the server ends a watch, without relisting", async () => {
    const { informer, events } = startInformer({ labelSelector: "suite=resume", watchTimeoutSeconds: 1 });
    await informer.waitForSync({ timeoutMs: 10_000 });
    for (let i = 0; i < 4; i++) {
      await client.apply(configMap(`resume-${i}`, { suite: "resume" }));
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    expect(await eventually(() => events.filter((e) => e.type === "add").length === 4)).toBe(true);
    expect(informer.stats.watches).toBeGreaterThanOrEqual(2);
    expect(informer.stats.lists).toBe(1);
    expect(informer.stats.errors).toBe(0);
  });

  it("filters by label selector and keeps a cache readable by key", async () => {
    await client.apply(configMap("sel-a", { suite: "sel", pick: "yes" }, { v: "1" }));
    await client.apply(configMap("sel-b", { suite: "sel", pick: "no" }));
    const { informer, events } = startInformer({ labelSelector: "suite=sel,pick=yes" });
    await informer.waitForSync({ timeoutMs: 10_000 });
    expect(informer.hasSynced()).toBe(true);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(["sel-a"]);
    expect(events).toEqual([{ type: "add", name: "sel-a" }]);
    await client.apply(configMap("sel-a", { suite: "sel", pick: "yes" }, { v: "2" }));
    expect(await eventually(() => events.some((e) => e.type === "update"))).toBe(true);
    expect((informer.get({ namespace: ns, name: "sel-a" }) as { data?: { v?: string } }).data?.v).toBe("2");
    // Relabelling out of the selector looks like a delete to the informer.
    await client.apply(configMap("sel-a", { suite: "sel", pick: "no" }, { v: "2" }));
    expect(await eventually(() => events.some((e) => e.type === "delete" && e.name === "sel-a"))).toBe(true);
    expect(informer.get(`${ns}/sel-a`)).toBeUndefined();
  });

  it("restarts a watch that goes silent and still sees later changes", async () => {
    const { informer, events } = startInformer({
      labelSelector: "suite=silent",
      silenceTimeoutMs: 700,
      watchTimeoutSeconds: 600,
    });
    await informer.waitForSync({ timeoutMs: 10_000 });
    expect(await eventually(() => informer.stats.silentRestarts >= 2, 10_000)).toBe(true);
    await client.apply(configMap("silent-1", { suite: "silent" }));
    expect(await eventually(() => events.some((e) => e.name === "silent-1"))).toBe(true);
    expect(informer.stats.errors).toBe(0);
    expect(informer.stats.lists).toBe(1);
  });

  it("replays every cached object as an update on resync", async () => {
    await client.apply(configMap("resync-1", { suite: "resync" }));
    const { informer, events } = startInformer({ labelSelector: "suite=resync", resyncPeriodMs: 300 });
    await informer.waitForSync({ timeoutMs: 10_000 });
    expect(await eventually(() => events.filter((e) => e.type === "update").length >= 2, 5000)).toBe(true);
    expect(events[0]).toEqual({ type: "add", name: "resync-1" });
  });

  it("delivers what changed while it was stopped when started again", async () => {
    await client.apply(configMap("later-keep", { suite: "later" }, { v: "1" }));
    await client.apply(configMap("later-drop", { suite: "later" }));
    const { informer, events } = startInformer({ labelSelector: "suite=later" });
    await informer.waitForSync({ timeoutMs: 10_000 });
    await informer.stop();
    // While stopped: one object changes, one disappears, one appears.
    await client.apply(configMap("later-keep", { suite: "later" }, { v: "2" }));
    await client.delete(CONFIGMAPS, { namespace: ns, name: "later-drop" });
    await client.apply(configMap("later-new", { suite: "later" }));
    events.length = 0;
    informer.start();
    expect(await eventually(() => events.length >= 3, 10_000)).toBe(true);
    expect([...events].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { type: "delete", name: "later-drop" },
      { type: "update", name: "later-keep" },
      { type: "add", name: "later-new" },
    ]);
    expect(
      informer
        .list()
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["later-keep", "later-new"]);
  });
});
