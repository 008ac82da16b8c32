import { describe, expect, it } from "vitest";
import { inventoryOf, mergeInventories, staleReferences } from "./inventory.ts";

const obj = (apiVersion: string, kind: string, name: string, namespace?: string) => ({
  apiVersion,
  kind,
  metadata: namespace === undefined ? { name } : { name, namespace },
});

describe("inventory", () => {
  it("lists objects in apply order with Flux's ids, once each", () => {
    const inv = inventoryOf([
      obj("v1", "Namespace", "apps"),
      obj("apps/v1", "Deployment", "web", "apps"),
      obj("apps/v1", "Deployment", "web", "apps"),
    ]);
    expect(inv.entries).toEqual([
      { id: "_apps__Namespace", v: "v1" },
      { id: "apps_web_apps_Deployment", v: "v1" },
    ]);
  });

  it("finds objects removed from git, newest first", () => {
    const before = inventoryOf([
      obj("v1", "Namespace", "apps"),
      obj("v1", "ConfigMap", "a", "apps"),
      obj("apps/v1", "Deployment", "web", "apps"),
    ]);
    const after = inventoryOf([obj("v1", "Namespace", "apps")]);
    expect(staleReferences(before, after).map((r) => `${r.kind}/${r.name}`)).toEqual([
      "Deployment/web",
      "ConfigMap/a",
    ]);
  });

  it("does not prune an object whose API version changed", () => {
    const before = inventoryOf([obj("autoscaling/v1", "HorizontalPodAutoscaler", "h", "ns")]);
    const after = inventoryOf([obj("autoscaling/v2", "HorizontalPodAutoscaler", "h", "ns")]);
    expect(staleReferences(before, after)).toEqual([]);
  });

  it("prunes nothing on the first run", () => {
    expect(staleReferences(undefined, inventoryOf([]))).toEqual([]);
  });

  it("keeps entries whose delete failed when merging", () => {
    const base = inventoryOf([obj("v1", "ConfigMap", "a", "ns")]);
    const merged = mergeInventories(base, [
      { id: "ns_a__ConfigMap", v: "v1" },
      { id: "ns_b__ConfigMap", v: "v1" },
    ]);
    expect(merged.entries.map((e) => e.id)).toEqual(["ns_a__ConfigMap", "ns_b__ConfigMap"]);
  });
});
