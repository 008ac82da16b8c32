import { describe, expect, it } from "vitest";
import {
  formatObjMetadata,
  InvalidInventoryIdError,
  inventoryEntry,
  type ObjMetadata,
  parseInventoryEntry,
  parseObjMetadata,
  ResourceInventorySchema,
  referenceApiVersion,
} from "./inventory.ts";

describe("inventory ids", () => {
  const cases: [string, ObjMetadata][] = [
    [
      "default_podinfo_apps_Deployment",
      { namespace: "default", name: "podinfo", group: "apps", kind: "Deployment" },
    ],
    ["default_podinfo__Service", { namespace: "default", name: "podinfo", group: "", kind: "Service" }],
    ["_flux-system__Namespace", { namespace: "", name: "flux-system", group: "", kind: "Namespace" }],
    [
      "_gitrepositories.source.toolkit.fluxcd.io_apiextensions.k8s.io_CustomResourceDefinition",
      {
        namespace: "",
        name: "gitrepositories.source.toolkit.fluxcd.io",
        group: "apiextensions.k8s.io",
        kind: "CustomResourceDefinition",
      },
    ],
    [
      "_system__controller__manager_rbac.authorization.k8s.io_ClusterRole",
      {
        namespace: "",
        name: "system:controller:manager",
        group: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
      },
    ],
    [
      "apps_my-app_kustomize.toolkit.fluxcd.io_Kustomization",
      { namespace: "apps", name: "my-app", group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization" },
    ],
  ];

  it.each(cases)("round-trips %s", (id, meta) => {
    expect(parseObjMetadata(id)).toEqual(meta);
    expect(formatObjMetadata(meta)).toBe(id);
  });

  it("transcodes colons only in RBAC names, as cli-utils does", () => {
    const meta = { namespace: "ns", name: "a:b", group: "", kind: "ConfigMap" };
    expect(formatObjMetadata(meta)).toBe("ns_a:b__ConfigMap");
  });

  it.each(["", "no-separators", "ns_name", "ns_Kind"])("rejects %j", (id) => {
    expect(() => parseObjMetadata(id)).toThrow(InvalidInventoryIdError);
  });
});

describe("inventory entries", () => {
  it.each([
    [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "prod" } },
      { id: "prod_web_apps_Deployment", v: "v1" },
    ],
    [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
      { id: "_prod__Namespace", v: "v1" },
    ],
    [
      { apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "web", namespace: "prod" } },
      { id: "prod_web_networking.k8s.io_Ingress", v: "v1" },
    ],
  ])("encodes %j", (obj, entry) => {
    expect(inventoryEntry(obj)).toEqual(entry);
    const ref = parseInventoryEntry(entry);
    expect(referenceApiVersion(ref)).toBe(obj.apiVersion);
    expect(ref.name).toBe(obj.metadata.name);
  });

  it("validates the status.inventory shape", () => {
    expect(ResourceInventorySchema.safeParse({ entries: [{ id: "a_b_c_D", v: "v1" }] }).success).toBe(true);
    expect(ResourceInventorySchema.safeParse({ entries: [{ id: "a_b_c_D" }] }).success).toBe(false);
    expect(ResourceInventorySchema.safeParse({}).success).toBe(false);
  });
});
