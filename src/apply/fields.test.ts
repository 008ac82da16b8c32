import { describe, expect, it } from "vitest";
import type { KubeObject } from "../kube/object.ts";
import { hasDrifted, mergeFieldSets, takeOverPatch } from "./fields.ts";
import { stages } from "./order.ts";

const live = (managedFields: unknown[], annotations?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "ns", managedFields, ...(annotations ? { annotations } : {}) },
});

describe("field take-over", () => {
  it("merges kubectl's fields into driftless's apply entry and drops the other managers", () => {
    const ops = takeOverPatch(
      live([
        {
          manager: "driftless",
          operation: "Apply",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:data": { "f:a": {} } },
        },
        {
          manager: "kubectl-edit",
          operation: "Update",
          fieldsType: "FieldsV1",
          fieldsV1: { "f:data": { "f:b": {} } },
        },
        { manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:status": {} } },
      ]),
      "driftless",
    );
    expect(ops).toEqual([
      {
        op: "replace",
        path: "/metadata/managedFields",
        value: [
          {
            manager: "driftless",
            operation: "Apply",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:data": { "f:a": {}, "f:b": {} } },
          },
          { manager: "kube-controller-manager", operation: "Update", fieldsV1: { "f:status": {} } },
        ],
      },
    ]);
  });

  it("removes kubectl's last-applied annotation", () => {
    const ops = takeOverPatch(
      live([], { "kubectl.kubernetes.io/last-applied-configuration": "{}" }),
      "driftless",
    );
    expect(ops).toEqual([
      { op: "remove", path: "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration" },
    ]);
  });

  it("does nothing when no other manager owns fields", () => {
    expect(
      takeOverPatch(live([{ manager: "driftless", operation: "Apply", fieldsV1: {} }]), "driftless"),
    ).toBeUndefined();
  });

  it("unions nested field sets", () => {
    expect(mergeFieldSets({ "f:a": { "f:x": {} } }, { "f:a": { "f:y": {} }, "f:b": {} })).toEqual({
      "f:a": { "f:x": {}, "f:y": {} },
      "f:b": {},
    });
  });
});

describe("drift", () => {
  const base: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "ns", resourceVersion: "1", managedFields: [] },
    data: { a: "1" },
  };
  it("ignores server-managed metadata and status", () => {
    expect(
      hasDrifted(base, { ...base, metadata: { ...base.metadata, resourceVersion: "2" }, status: {} }),
    ).toBe(false);
  });
  it("sees a changed value", () => {
    expect(hasDrifted(base, { ...base, data: { a: "2" } })).toBe(true);
  });
  it("sees a changed label", () => {
    expect(hasDrifted(base, { ...base, metadata: { ...base.metadata, labels: { x: "y" } } })).toBe(true);
  });
});

describe("staging", () => {
  it("puts CRDs, Namespaces and ClusterRoles first, *Class kinds next, the rest in kind order", () => {
    const o = (kind: string, name = "x"): KubeObject => ({ apiVersion: "v1", kind, metadata: { name } });
    const [defs, classes, rest] = stages([
      o("Deployment"),
      o("IngressClass"),
      o("ConfigMap"),
      o("Namespace"),
      o("CustomResourceDefinition"),
      o("Service"),
      o("ClusterRole"),
    ]);
    expect(defs?.map((x) => x.kind)).toEqual(["Namespace", "CustomResourceDefinition", "ClusterRole"]);
    expect(classes?.map((x) => x.kind)).toEqual(["IngressClass"]);
    expect(rest?.map((x) => x.kind)).toEqual(["ConfigMap", "Service", "Deployment"]);
  });
});
