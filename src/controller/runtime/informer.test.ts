import { describe, expect, it } from "vitest";
import type { KubeClient, ListResult, WatchEvent } from "../../kube/client.ts";
import { ApiError } from "../../kube/errors.ts";
import type { KubeObject } from "../../kube/object.ts";
import { Informer } from "./informer.ts";

const RESOURCE = { group: "", version: "v1", plural: "configmaps" };

function cm(name: string, rv: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "ns", resourceVersion: rv } };
}

type WatchStep = WatchEvent[] | Error;

/** A client that answers lists and watches from a script, recording the resourceVersions asked for. */
function scriptedClient(
  lists: ListResult[],
  watches: WatchStep[],
): { client: KubeClient; watchedFrom: string[] } {
  const watchedFrom: string[] = [];
  const fake = {
    async listAll(): Promise<ListResult> {
      const next = lists.shift();
      if (!next) throw new Error("no more lists scripted");
      return next;
    },
    async *watch(_r: unknown, options: { resourceVersion?: string; signal?: AbortSignal }) {
      watchedFrom.push(options.resourceVersion ?? "");
      const step = watches.shift();
      if (step instanceof Error) throw step;
      if (!step) {
        // Nothing more scripted: stay open until the informer stops.
        await new Promise<void>((resolve) => options.signal?.addEventListener("abort", () => resolve()));
        return;
      }
      for (const event of step) yield event;
    },
  };
  return { client: fake as unknown as KubeClient, watchedFrom };
}

function record(informer: Informer): string[] {
  const events: string[] = [];
  informer.addHandlers({
    onAdd: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
    onUpdate: (old, o) =>
      events.push(`update ${o.metadata.name}@${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    onDelete: (o) => events.push(`delete ${o.metadata.name}@${o.metadata.resourceVersion}`),
  });
  return events;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("Informer", () => {
  it("relists on 410 Gone and emits the difference as adds, updates and deletes", async () => {
    const gone = new ApiError({ status: 410, reason: "Expired", message: "too old", request: "WATCH" });
    const { client, watchedFrom } = scriptedClient(
      [
        { items: [cm("a", "1"), cm("b", "2"), cm("c", "3")], resourceVersion: "10" },
        { items: [cm("a", "1"), cm("b", "25"), cm("d", "26")], resourceVersion: "30" },
      ],
      [
        [
          { type: "MODIFIED", object: cm("c", "11") },
          { type: "BOOKMARK", resourceVersion: "12" },
        ],
        gone,
      ],
    );
    const informer = new Informer({ client, resource: RESOURCE, retry: { baseMs: 1 } });
    const events = record(informer);
    informer.start();
    await informer.waitForSync({ timeoutMs: 1000 });
    await sleep(30);
    await informer.stop();
    expect(events).toEqual([
      "add a@1",
      "add b@2",
      "add c@3",
      "update c@3->11",
      // After the relist: a unchanged (no event), b changed, d new, c gone.
      "update b@2->25",
      "add d@26",
      "delete c@11",
    ]);
    // Resumed from the bookmark, then watched from the relist's resourceVersion.
    expect(watchedFrom).toEqual(["10", "12", "30"]);
    expect(informer.stats.relistsAfterGone).toBe(1);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(["a", "b", "d"]);
  });

  it("retries a failing watch from the last resourceVersion without relisting", async () => {
    const { client, watchedFrom } = scriptedClient(
      [{ items: [cm("a", "1")], resourceVersion: "5" }],
      [
        [{ type: "ADDED", object: cm("b", "6") }],
        new Error("connect ECONNREFUSED"),
        new Error("connect ECONNREFUSED"),
        [{ type: "DELETED", object: cm("a", "9") }],
      ],
    );
    const errors: string[] = [];
    const informer = new Informer({
      client,
      resource: RESOURCE,
      retry: { baseMs: 5, maxMs: 20 },
      onError: (_e, context) => errors.push(context),
    });
    const events = record(informer);
    informer.start();
    await sleep(100);
    await informer.stop();
    expect(events).toEqual(["add a@1", "add b@6", "delete a@9"]);
    expect(watchedFrom.slice(0, 5)).toEqual(["5", "6", "6", "6", "9"]);
    expect(errors).toEqual(["watch", "watch"]);
    expect(informer.stats.lists).toBe(1);
  });

  it("backs off when watches keep closing at once with nothing received", async () => {
    const { client, watchedFrom } = scriptedClient(
      [{ items: [], resourceVersion: "5" }],
      [[], [], [], [], []],
    );
    const errors: string[] = [];
    const informer = new Informer({
      client,
      resource: RESOURCE,
      retry: { baseMs: 40, maxMs: 1000 },
      onError: (_e, context) => errors.push(context),
    });
    informer.start();
    await sleep(150);
    await informer.stop();
    // 40 + 80 ms of backoff fit in 150 ms: three watches, not a busy loop.
    expect(watchedFrom.length).toBeLessThanOrEqual(3);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it("keeps running when a handler throws", async () => {
    const { client } = scriptedClient([{ items: [cm("a", "1"), cm("b", "2")], resourceVersion: "5" }], []);
    const errors: string[] = [];
    const informer = new Informer({ client, resource: RESOURCE, onError: (_e, c) => errors.push(c) });
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: (o) => {
        seen.push(o.metadata.name ?? "");
        if (o.metadata.name === "a") throw new Error("handler bug");
      },
    });
    informer.start();
    await informer.waitForSync({ timeoutMs: 1000 });
    await informer.stop();
    expect(seen).toEqual(["a", "b"]);
    expect(errors).toEqual(["add handler"]);
  });

  it("rejects waitForSync after its timeout when the list keeps failing", async () => {
    const { client } = scriptedClient([], []);
    const informer = new Informer({ client, resource: RESOURCE, retry: { baseMs: 5 } });
    informer.start();
    await expect(informer.waitForSync({ timeoutMs: 50 })).rejects.toThrow(/did not sync/);
    expect(informer.hasSynced()).toBe(false);
    await informer.stop();
  });
});
