import { describe, expect, it } from "vitest";
import type { KubeClient, ListOptions } from "../kube/client.ts";
import type { ResourceInfo } from "../kube/discovery.ts";
import type { KubeObject, ResourceRef } from "../kube/object.ts";
import { existsPerDryRun, listLive } from "./live.ts";
import { ResourceManager } from "./manager.ts";

const OWNER = { "kustomize.toolkit.fluxcd.io/name": "app", "kustomize.toolkit.fluxcd.io/namespace": "flux" };

const cm = (name: string, namespace = "apps", labels: Record<string, string> = OWNER): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels },
});

// A client that serves discovery for ConfigMaps and Namespaces and lists from a fixed set of live objects.
function fakeClient(live: KubeObject[], failList = false) {
  const lists: { resource: ResourceRef; options: ListOptions }[] = [];
  const client = {
    resourceFor: async (o: { kind: string }): Promise<ResourceInfo> => {
      if (o.kind === "ConfigMap")
        return {
          group: "",
          version: "v1",
          plural: "configmaps",
          kind: "ConfigMap",
          namespaced: true,
          verbs: [],
        };
      if (o.kind === "Namespace")
        return {
          group: "",
          version: "v1",
          plural: "namespaces",
          kind: "Namespace",
          namespaced: false,
          verbs: [],
        };
      throw new Error(`no resource for ${o.kind}`);
    },
    listAll: async (resource: ResourceRef, options: ListOptions) => {
      lists.push({ resource, options });
      if (failList) throw new Error("forbidden");
      const items = live.filter(
        (o) =>
          o.metadata.namespace === options.namespace &&
          o.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"] === "app",
      );
      return { items, resourceVersion: "1" };
    },
  };
  return { client: client as unknown as KubeClient, lists };
}

describe("listLive", () => {
  it("lists a resource and namespace once, by the owner labels, when enough objects share them", async () => {
    const live = [cm("a"), cm("b")];
    const { client, lists } = fakeClient(live);
    const m = new ResourceManager(client, { listThreshold: 3 });
    const found = await listLive(m, [cm("a"), cm("b"), cm("new"), cm("x", "other")]);
    expect(found).toEqual([live[0], live[1], undefined, undefined]);
    expect(lists).toHaveLength(1);
    expect(lists[0]?.options).toMatchObject({
      namespace: "apps",
      labelSelector: "kustomize.toolkit.fluxcd.io/name=app,kustomize.toolkit.fluxcd.io/namespace=flux",
    });
  });

  it("does not list below the threshold, without owner labels, or for kinds not served", async () => {
    const { client, lists } = fakeClient([cm("a")]);
    const m = new ResourceManager(client, { listThreshold: 2 });
    const objects = [
      cm("a"),
      cm("b", "apps", {}),
      cm("c", "apps", {}),
      {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w", namespace: "apps", labels: OWNER },
      },
      {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "v", namespace: "apps", labels: OWNER },
      },
    ];
    expect(await listLive(m, objects)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(lists).toHaveLength(0);
  });

  it("leaves a group to the per-object path when its LIST fails", async () => {
    const { client, lists } = fakeClient([cm("a")], true);
    const m = new ResourceManager(client, { listThreshold: 1 });
    expect(await listLive(m, [cm("a")])).toEqual([undefined]);
    expect(lists).toHaveLength(1);
  });

  it("tells a dry-run create (no resourceVersion) from a dry-run update", () => {
    expect(existsPerDryRun(cm("a"))).toBe(false);
    expect(existsPerDryRun({ ...cm("a"), metadata: { name: "a", resourceVersion: "42" } })).toBe(true);
  });
});
