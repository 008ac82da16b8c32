// Create, update and prune through the Kustomization reconciler against the real apiserver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import { type Bed, configMap, kustomization, startBed } from "./support.ts";

describe("kustomization apply and prune", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-apply");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("creates the objects of the revision and reports Ready with the revision", async () => {
    const rev = await bed.publish(ns, "repo", {
      "app/cm.yaml": configMap("one", ns, { a: "1" }),
      "app/two.yaml": configMap("two", ns, { b: "2" }),
    });
    expect((await kubectl(["apply", "-f", "-"], kustomization(ns, "app", { path: "./app" }))).code).toBe(0);
    const r = await kubectl(["wait", "--for=condition=Ready", `ks/app`, "-n", ns, "--timeout=60s"]);
    expect(r.code, r.stderr).toBe(0);
    expect(await jsonpath([`ks/app`, "-n", ns], "{.status.lastAppliedRevision}")).toBe(rev);
    expect(await jsonpath([`ks/app`, "-n", ns], '{.status.conditions[?(@.type=="Ready")].message}')).toBe(
      `Applied revision: ${rev}`,
    );
    expect(await jsonpath(["configmap/one", "-n", ns], "{.data.a}")).toBe("1");
    expect(
      await jsonpath(
        ["configmap/two", "-n", ns],
        "{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}",
      ),
    ).toBe("app");
    const ids = await jsonpath([`ks/app`, "-n", ns], "{.status.inventory.entries[*].id}");
    expect(ids?.split(" ").sort()).toEqual([`${ns}_one__ConfigMap`, `${ns}_two__ConfigMap`]);
  });

  it("updates changed objects and prunes objects removed from git", async () => {
    const rev = await bed.publish(ns, "repo", { "app/cm.yaml": configMap("one", ns, { a: "changed" }) });
    await eventually(async () =>
      (await jsonpath(["configmap/one", "-n", ns], "{.data.a}")) === "changed" ? true : undefined,
    );
    await eventually(async () => {
      const r = await kubectl(["get", "configmap/two", "-n", ns]);
      return r.code !== 0 ? true : undefined;
    });
    await eventually(async () =>
      (await jsonpath([`ks/app`, "-n", ns], "{.status.lastAppliedRevision}")) === rev ? true : undefined,
    );
    expect(await jsonpath([`ks/app`, "-n", ns], "{.status.inventory.entries[*].id}")).toBe(
      `${ns}_one__ConfigMap`,
    );
  });

  it("applies nothing and prunes nothing when one object of a commit is invalid", async () => {
    await bed.publish(ns, "repo", {
      "app/cm.yaml": configMap("one", ns, { a: "bad-commit" }),
      "app/bad.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: ${ns}\ndata:\n  key: [1, 2]\n`,
    });
    await eventually(async () => {
      const reason = await jsonpath([`ks/app`, "-n", ns], '{.status.conditions[?(@.type=="Ready")].reason}');
      return reason === "ReconciliationFailed" ? reason : undefined;
    });
    const message = await jsonpath([`ks/app`, "-n", ns], '{.status.conditions[?(@.type=="Ready")].message}');
    expect(message).toContain(`ConfigMap/${ns}/bad`);
    expect(await jsonpath(["configmap/one", "-n", ns], "{.data.a}")).toBe("changed");
  });

  it("reports a build error as BuildFailed and keeps the cluster as it was", async () => {
    await bed.publish(ns, "repo", { "app/kustomization.yaml": "resources:\n  - missing.yaml\n" });
    await eventually(async () => {
      const reason = await jsonpath([`ks/app`, "-n", ns], '{.status.conditions[?(@.type=="Ready")].reason}');
      return reason === "BuildFailed" ? reason : undefined;
    });
    expect(await jsonpath(["configmap/one", "-n", ns], "{.data.a}")).toBe("changed");
  });
});
