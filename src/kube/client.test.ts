import { describe, expect, it } from "vitest";
import { collectionPath, objectPath } from "./client.ts";

describe("REST paths", () => {
  it.each([
    [{ group: "", version: "v1", plural: "configmaps" }, "ns", "/api/v1/namespaces/ns/configmaps"],
    [{ group: "", version: "v1", plural: "namespaces" }, undefined, "/api/v1/namespaces"],
    [
      { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" },
      undefined,
      "/apis/source.toolkit.fluxcd.io/v1/gitrepositories",
    ],
  ])("collection of %o in %s is %s", (resource, namespace, path) => {
    expect(collectionPath(resource, namespace)).toBe(path);
  });

  it("addresses objects and subresources", () => {
    const r = { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" };
    expect(objectPath(r, { namespace: "flux-system", name: "podinfo" }, "status")).toBe(
      "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/podinfo/status",
    );
    expect(objectPath({ group: "", version: "v1", plural: "namespaces" }, { name: "a b" })).toBe(
      "/api/v1/namespaces/a%20b",
    );
  });
});
