// Objects first applied by hand with kubectl (client-side with its last-applied annotation, or
// server-side) are taken over: a field that Git no longer has is removed from the live object.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import { applyManifest, type Bed, configMap, kustomization, startBed, waitForRevision } from "./support.ts";

describe("taking over fields owned by kubectl", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-takeover");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("removes a field that a client-side kubectl apply set and Git lacks", async () => {
    const r = await kubectl(["apply", "-f", "-"], configMap("csa", ns, { a: "1", stale: "yes" }));
    expect(r.code, r.stderr).toBe(0);
    expect(
      await jsonpath(
        ["configmap/csa", "-n", ns],
        "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
      ),
    ).not.toBe("");
    const rev = await bed.publish(ns, "csa", { "cm.yaml": configMap("csa", ns, { a: "2" }) });
    await applyManifest(kustomization(ns, "csa", { sourceRef: { kind: "GitRepository", name: "csa" } }));
    await waitForRevision(ns, "csa", rev);
    expect(await jsonpath(["configmap/csa", "-n", ns], "{.data}")).toBe('{"a":"2"}');
    expect(
      await jsonpath(
        ["configmap/csa", "-n", ns],
        "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
      ),
    ).toBe("");
    const managers = await jsonpath(["configmap/csa", "-n", ns], "{.metadata.managedFields[*].manager}");
    expect(managers?.split(" ")).not.toContain("kubectl-client-side-apply");
  });

  it("removes a field that a server-side kubectl apply set and Git lacks", async () => {
    const r = await kubectl(
      ["apply", "--server-side", "-f", "-"],
      configMap("ssa", ns, { a: "1", stale: "yes" }),
    );
    expect(r.code, r.stderr).toBe(0);
    const rev = await bed.publish(ns, "ssa", { "cm.yaml": configMap("ssa", ns, { a: "1" }) });
    await applyManifest(kustomization(ns, "ssa", { sourceRef: { kind: "GitRepository", name: "ssa" } }));
    await waitForRevision(ns, "ssa", rev);
    expect(await jsonpath(["configmap/ssa", "-n", ns], "{.data}")).toBe('{"a":"1"}');
    const managers = await jsonpath(["configmap/ssa", "-n", ns], "{.metadata.managedFields[*].manager}");
    expect(managers?.split(" ")).toEqual(["driftless"]);
  });

  it("removes a field added later by kubectl apply --server-side on a managed object", async () => {
    const rev = await bed.publish(ns, "later", { "cm.yaml": configMap("later", ns, { a: "1" }) });
    await applyManifest(kustomization(ns, "later", { sourceRef: { kind: "GitRepository", name: "later" } }));
    await waitForRevision(ns, "later", rev);
    const r = await kubectl(
      ["apply", "--server-side", "--force-conflicts", "-f", "-"],
      configMap("later", ns, { a: "1", added: "by-hand" }),
    );
    expect(r.code, r.stderr).toBe(0);
    const rev2 = await bed.publish(ns, "later", { "cm.yaml": configMap("later", ns, { a: "2" }) });
    await waitForRevision(ns, "later", rev2);
    expect(await jsonpath(["configmap/later", "-n", ns], "{.data}")).toBe('{"a":"2"}');
  });
});
