// Per-object annotations, as Flux reads them: kustomize.toolkit.fluxcd.io/ssa (Override, Merge,
// IfNotPresent, Ignore), /reconcile: disabled, /prune: disabled and /force: enabled; and spec.force,
// which recreates an object whose immutable field changed (without it, the apply fails naming it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  exists,
  kustomization,
  startBed,
  waitForReason,
  waitForRevision,
} from "./support.ts";

function cm(
  name: string,
  ns: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {},
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns, annotations },
    data,
  });
}

function job(name: string, ns: string, image: string, annotations: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: ns, annotations },
    spec: {
      template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image }] } },
    },
  });
}

async function uid(args: readonly string[]): Promise<string | undefined> {
  return jsonpath(args, "{.metadata.uid}");
}

describe("kustomization per-object annotations", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-annotations");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** Publishes files as the source `name` and makes Kustomization `name` apply them; waits for Ready. */
  async function deploy(
    name: string,
    files: Record<string, string>,
    spec: Record<string, unknown> = {},
  ): Promise<string> {
    const rev = await bed.publish(ns, name, files);
    await applyManifest(kustomization(ns, name, { sourceRef: { kind: "GitRepository", name }, ...spec }));
    await waitForRevision(ns, name, rev);
    return rev;
  }

  it("ssa: Override (the default) removes fields another manager added; Merge keeps them", async () => {
    const files = (v: string): Record<string, string> => ({
      "override.yaml": cm("override", ns, { a: v }),
      "merge.yaml": cm("merge", ns, { a: v }, { "kustomize.toolkit.fluxcd.io/ssa": "Merge" }),
    });
    await deploy("ssa", files("1"));
    for (const name of ["override", "merge"]) {
      const r = await kubectl([
        "patch",
        `configmap/${name}`,
        "-n",
        ns,
        "--type=merge",
        "-p",
        '{"data":{"extra":"x"}}',
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    await deploy("ssa", files("2"));
    expect(await jsonpath(["configmap/override", "-n", ns], "{.data}")).toBe('{"a":"2"}');
    expect(await jsonpath(["configmap/merge", "-n", ns], "{.data}")).toBe('{"a":"2","extra":"x"}');
  });

  it("ssa: IfNotPresent creates the object once and never updates it", async () => {
    const once = (v: string): Record<string, string> => ({
      "once.yaml": cm("once", ns, { a: v }, { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" }),
    });
    await deploy("once", once("1"));
    expect(await jsonpath(["configmap/once", "-n", ns], "{.data.a}")).toBe("1");
    await deploy("once", once("2"));
    expect(await jsonpath(["configmap/once", "-n", ns], "{.data.a}")).toBe("1");
  });

  it("ssa: Ignore and reconcile: disabled on the in-cluster object stop updates", async () => {
    const files = (v: string): Record<string, string> => ({
      "ignored.yaml": cm("ignored", ns, { a: v }),
      "disabled.yaml": cm("disabled", ns, { a: v }),
      "normal.yaml": cm("normal", ns, { a: v }),
    });
    await deploy("excl", files("1"));
    expect(
      (await kubectl(["annotate", "configmap/ignored", "-n", ns, "kustomize.toolkit.fluxcd.io/ssa=Ignore"]))
        .code,
    ).toBe(0);
    expect(
      (
        await kubectl([
          "annotate",
          "configmap/disabled",
          "-n",
          ns,
          "kustomize.toolkit.fluxcd.io/reconcile=disabled",
        ])
      ).code,
    ).toBe(0);
    await deploy("excl", files("2"));
    expect(await jsonpath(["configmap/normal", "-n", ns], "{.data.a}")).toBe("2");
    expect(await jsonpath(["configmap/ignored", "-n", ns], "{.data.a}")).toBe("1");
    expect(await jsonpath(["configmap/disabled", "-n", ns], "{.data.a}")).toBe("1");
    // reconcile: disabled also keeps the object when Git drops it; ssa: Ignore does not.
    await deploy("excl", { "normal.yaml": cm("normal", ns, { a: "3" }) });
    expect(await exists(["configmap/disabled", "-n", ns])).toBe(true);
    expect(await exists(["configmap/ignored", "-n", ns])).toBe(false);
  });

  it("reconcile: disabled in Git creates the object but never updates it", async () => {
    const files = (v: string): Record<string, string> => ({
      "frozen.yaml": cm("frozen", ns, { a: v }, { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" }),
    });
    await deploy("frozen", files("1"));
    await deploy("frozen", files("2"));
    expect(await jsonpath(["configmap/frozen", "-n", ns], "{.data.a}")).toBe("1");
  });

  it("prune: disabled keeps an object removed from Git", async () => {
    await deploy("keep", {
      "keep.yaml": cm("keep", ns, { a: "1" }, { "kustomize.toolkit.fluxcd.io/prune": "disabled" }),
      "gone.yaml": cm("gone", ns, { a: "1" }),
    });
    await deploy("keep", { "other.yaml": cm("other", ns, { a: "1" }) });
    expect(await exists(["configmap/gone", "-n", ns])).toBe(false);
    expect(await exists(["configmap/keep", "-n", ns])).toBe(true);
    expect(await jsonpath(["ks/keep", "-n", ns], "{.status.inventory.entries[*].id}")).toBe(
      `${ns}_other__ConfigMap`,
    );
  });

  it("fails clearly on an immutable field change without force, naming the object", async () => {
    await deploy("immutable", { "job.yaml": job("stiff", ns, "registry.example/a:1") });
    const before = await uid(["job/stiff", "-n", ns]);
    await bed.publish(ns, "immutable", { "job.yaml": job("stiff", ns, "registry.example/a:2") });
    const ready = await waitForReason(ns, "immutable", "ReconciliationFailed");
    expect(ready.message).toContain(`Job/${ns}/stiff`);
    expect(ready.message).toContain("immutable");
    expect(await uid(["job/stiff", "-n", ns])).toBe(before);
  });

  it("spec.force recreates an object whose immutable field changed", async () => {
    await deploy("forced", { "job.yaml": job("redo", ns, "registry.example/a:1") }, { force: true });
    const before = await uid(["job/redo", "-n", ns]);
    await deploy("forced", { "job.yaml": job("redo", ns, "registry.example/a:2") }, { force: true });
    expect(await uid(["job/redo", "-n", ns])).not.toBe(before);
    expect(await jsonpath(["job/redo", "-n", ns], "{.spec.template.spec.containers[0].image}")).toBe(
      "registry.example/a:2",
    );
  });

  it("force: enabled on one object recreates it without spec.force", async () => {
    const force = { "kustomize.toolkit.fluxcd.io/force": "enabled" };
    await deploy("forceone", { "job.yaml": job("one", ns, "registry.example/a:1", force) });
    const before = await uid(["job/one", "-n", ns]);
    await deploy("forceone", { "job.yaml": job("one", ns, "registry.example/a:2", force) });
    expect(await uid(["job/one", "-n", ns])).not.toBe(before);
  });
});
