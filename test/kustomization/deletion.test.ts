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

  it("WaitForTermination gives up after the timeout, with a Warning event, and releases the finalizer", async () => {
    const stuck = `apiVersion: v1
kind: ConfigMap
metadata:
  name: stuck
  namespace: ${ns}
  finalizers: [example.com/hold]
data: {a: "1"}
`;
    await deploy("stuck", { deletionPolicy: "WaitForTermination", timeout: "3s" }, stuck);
    expect((await kubectl(["delete", "ks/stuck", "-n", ns, "--wait=false"])).code).toBe(0);
    await eventually(
      async () => ((await exists(["ks/stuck", "-n", ns])) ? undefined : true),
      30_000,
      "ks/stuck gone",
    );
    expect(await jsonpath(["configmap/stuck", "-n", ns], "{.metadata.deletionTimestamp}")).not.toBe("");
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "type=Warning,involvedObject.name=stuck",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events.stdout).toContain(`failed to wait for resources termination: ConfigMap/${ns}/stuck`);
    await kubectl([
      "patch",
      "configmap/stuck",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]);
  });

  it("WaitForTermination does not wait for objects kept by prune: disabled", async () => {
    const rev = await bed.publish(ns, "partial", {
      "kept.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: kept
  namespace: ${ns}
  annotations: {kustomize.toolkit.fluxcd.io/prune: disabled}
data: {a: "1"}
`,
      "gone.yaml": configMap("partial-gone", ns, { a: "1" }),
    });
    await applyManifest(
      kustomization(ns, "partial", {
        sourceRef: { kind: "GitRepository", name: "partial" },
        deletionPolicy: "WaitForTermination",
        timeout: "10m",
      }),
    );
    await waitForRevision(ns, "partial", rev);
    await deleteKs("partial");
    expect(await exists(["configmap/kept", "-n", ns])).toBe(true);
    expect(await exists(["configmap/partial-gone", "-n", ns])).toBe(false);
  });

  it("keeps the finalizer while a delete is refused, and finishes once it is allowed", async () => {
    await applyManifest(`apiVersion: v1
kind: ServiceAccount
metadata: {name: no-delete, namespace: ${ns}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: no-delete, namespace: ${ns}}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list, watch, create, update, patch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: no-delete, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-delete}
subjects: [{kind: ServiceAccount, name: no-delete, namespace: ${ns}}]
`);
    await deploy("refused", { deletionPolicy: "Delete", serviceAccountName: "no-delete" });
    expect((await kubectl(["delete", "ks/refused", "-n", ns, "--wait=false"])).code).toBe(0);
    const events = await eventually(async () => {
      const r = await kubectl([
        "get",
        "events",
        "-n",
        ns,
        "--field-selector",
        "type=Warning,reason=PruneFailed,involvedObject.name=refused",
        "-o",
        "jsonpath={.items[*].message}",
      ]);
      return r.stdout.includes("forbidden") ? r.stdout : undefined;
    });
    expect(events).toContain(`ConfigMap/${ns}/refused`);
    expect(await exists(["ks/refused", "-n", ns])).toBe(true);
    expect(await exists(["configmap/refused", "-n", ns])).toBe(true);
    const r = await kubectl([
      "patch",
      "role/no-delete",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"add","path":"/rules/0/verbs/-","value":"delete"}]',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      async () => ((await exists(["ks/refused", "-n", ns])) ? undefined : true),
      60_000,
      "ks/refused gone",
    );
    expect(await exists(["configmap/refused", "-n", ns])).toBe(false);
  });
});
