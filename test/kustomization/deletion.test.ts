// Deleting a Kustomization: the finalizer finalizers.fluxcd.io holds it while spec.deletionPolicy
// garbage-collects its objects: MirrorPrune follows spec.prune, Delete always deletes, Orphan never does,
// WaitForTermination deletes and waits until the objects are gone.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  configMap,
  exists,
  kustomization,
  startBed,
  waitForRevision,
} from "./support.ts";

describe("kustomization deletionPolicy", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-deletion");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** Deploys one ConfigMap named after the Kustomization through its own source; waits for Ready. */
  async function deploy(
    name: string,
    spec: Record<string, unknown>,
    cm = configMap(name, ns, { a: "1" }),
  ): Promise<void> {
    const rev = await bed.publish(ns, name, { "cm.yaml": cm });
    await applyManifest(kustomization(ns, name, { sourceRef: { kind: "GitRepository", name }, ...spec }));
    await waitForRevision(ns, name, rev);
    expect(await jsonpath([`ks/${name}`, "-n", ns], "{.metadata.finalizers}")).toBe(
      '["finalizers.fluxcd.io"]',
    );
  }

  async function deleteKs(name: string): Promise<void> {
    const r = await kubectl(["delete", `ks/${name}`, "-n", ns, "--timeout=60s"]);
    expect(r.code, r.stderr).toBe(0);
  }

  it.each([
    ["mirror-prune", { deletionPolicy: "MirrorPrune", prune: true }, false],
    ["mirror-keep", { deletionPolicy: "MirrorPrune", prune: false }, true],
    ["delete", { deletionPolicy: "Delete", prune: false }, false],
    ["orphan", { deletionPolicy: "Orphan", prune: true }, true],
    ["default", { prune: true }, false],
  ] as const)("%s: %j keeps the objects: %s", async (name, spec, kept) => {
    await deploy(name, spec);
    await deleteKs(name);
    expect(await exists([`ks/${name}`, "-n", ns])).toBe(false);
    expect(await exists([`configmap/${name}`, "-n", ns])).toBe(kept);
  });

  it("WaitForTermination holds the Kustomization until its objects are gone", async () => {
    const held = `apiVersion: v1
kind: ConfigMap
metadata:
  name: held
  namespace: ${ns}
  finalizers: [example.com/hold]
data: {a: "1"}
`;
    await deploy("held", { deletionPolicy: "WaitForTermination", timeout: "60s" }, held);
    expect((await kubectl(["delete", "ks/held", "-n", ns, "--wait=false"])).code).toBe(0);
    await eventually(async () =>
      (await jsonpath(["configmap/held", "-n", ns], "{.metadata.deletionTimestamp}")) ? true : undefined,
    );
    // The object cannot go away yet: the Kustomization waits for it.
    await sleep(2000);
    expect(await exists(["ks/held", "-n", ns])).toBe(true);
    const r = await kubectl([
      "patch",
      "configmap/held",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      async () => ((await exists(["ks/held", "-n", ns])) ? undefined : true),
      30_000,
      "ks/held gone",
    );
    expect(await exists(["configmap/held", "-n", ns])).toBe(false);
  });
});
