// Drift, better than Flux: a hand edit, deletion or relabel of a managed object is reverted within
// seconds (watched, not polled); with `driftless.io/drift: detect` it is reported (Drifted condition and
// a Warning event) and left alone; and an interval reconcile with no new revision and no drift sends no
// dry-run or apply request (read from the apiserver's own request counters).
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  condition,
  configMap,
  kustomization,
  startBed,
  waitForRevision,
} from "./support.ts";

/** Sum of apiserver_request_total for configmaps with the verb, split by dry run. */
async function configMapRequests(verb: string): Promise<{ dryRun: number; real: number }> {
  const r = await kubectl(["get", "--raw", "/metrics"]);
  if (r.code !== 0) throw new Error(r.stderr);
  const out = { dryRun: 0, real: 0 };
  for (const line of r.stdout.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    if (!line.includes(`verb="${verb}"`) || !line.includes('resource="configmaps"')) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (/dry_run="[^"]+"/.test(line) && !line.includes('dry_run=""')) out.dryRun += value;
    else out.real += value;
  }
  return out;
}

async function requestReconcile(ns: string, name: string): Promise<void> {
  const token = `${Date.now()}`;
  const r = await kubectl([
    "annotate",
    "--overwrite",
    `ks/${name}`,
    "-n",
    ns,
    `reconcile.fluxcd.io/requestedAt=${token}`,
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  await eventually(
    async () =>
      (await jsonpath([`ks/${name}`, "-n", ns], "{.status.lastHandledReconcileAt}")) === token
        ? true
        : undefined,
    20_000,
    "reconcile handled",
  );
}

describe("kustomization drift", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-drift");
    const rev = await bed.publish(ns, "repo", {
      "cm.yaml": configMap("watched", ns, { a: "1" }),
      "other.yaml": configMap("other", ns, { b: "1" }),
    });
    await applyManifest(kustomization(ns, "app", {}));
    await waitForRevision(ns, "app", rev);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("reverts a hand edit", async () => {
    const started = Date.now();
    const r = await kubectl([
      "patch",
      "configmap/watched",
      "-n",
      ns,
      "--type=merge",
      "-p",
      '{"data":{"a":"edited"}}',
    ]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      async () => ((await jsonpath(["configmap/watched", "-n", ns], "{.data.a}")) === "1" ? true : undefined),
      10_000,
      "edit reverted",
    );
    console.log(`[drift] hand edit reverted ${Date.now() - started} ms after kubectl patch`);
  });

  it("recreates a deleted object and restores a removed owner label", async () => {
    let started = Date.now();
    expect((await kubectl(["delete", "configmap/other", "-n", ns])).code).toBe(0);
    await eventually(
      async () => ((await jsonpath(["configmap/other", "-n", ns], "{.data.b}")) === "1" ? true : undefined),
      10_000,
      "deleted object recreated",
    );
    console.log(`[drift] deleted object recreated ${Date.now() - started} ms after kubectl delete`);
    started = Date.now();
    expect(
      (await kubectl(["label", "configmap/other", "-n", ns, "kustomize.toolkit.fluxcd.io/name-"])).code,
    ).toBe(0);
    await eventually(
      async () =>
        (await jsonpath(
          ["configmap/other", "-n", ns],
          "{.metadata.labels.kustomize\\.toolkit\\.fluxcd\\.io/name}",
        )) === "app"
          ? true
          : undefined,
      10_000,
      "owner label restored",
    );
    console.log(`[drift] owner label restored ${Date.now() - started} ms after kubectl label`);
  });

  it("sends no dry-run or apply request on a reconcile with no new revision and no drift", async () => {
    // Let the reverts above settle into a full, clean state first.
    await requestReconcile(ns, "app");
    const applyBefore = await configMapRequests("APPLY");
    const patchBefore = await configMapRequests("PATCH");
    await requestReconcile(ns, "app");
    const applyAfter = await configMapRequests("APPLY");
    const patchAfter = await configMapRequests("PATCH");
    console.log(
      `[drift] no-op reconcile: APPLY ${JSON.stringify(applyBefore)} -> ${JSON.stringify(applyAfter)}`,
    );
    expect(applyAfter).toEqual(applyBefore);
    expect(patchAfter).toEqual(patchBefore);
    expect((await condition(ns, "app", "Ready"))?.status).toBe("True");
  });

  it("reports drift without reverting it in detect mode", async () => {
    const r = await kubectl(["annotate", "ks/app", "-n", ns, "driftless.io/drift=detect"]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(async () => {
      const cached = bed.controller.controller.informer.get(`${ns}/app`);
      return cached?.metadata.annotations?.["driftless.io/drift"] === "detect" ? true : undefined;
    });
    await requestReconcile(ns, "app");
    expect(
      (
        await kubectl([
          "patch",
          "configmap/watched",
          "-n",
          ns,
          "--type=merge",
          "-p",
          '{"data":{"a":"by-hand"}}',
        ])
      ).code,
    ).toBe(0);
    const drifted = await eventually(async () => {
      const c = await condition(ns, "app", "Drifted");
      return c?.status === "True" ? c : undefined;
    });
    expect(drifted.reason).toBe("DriftDetected");
    expect(drifted.message).toContain(`ConfigMap/${ns}/watched`);
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "reason=DriftDetected,type=Warning",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events.stdout).toContain(`ConfigMap/${ns}/watched`);
    await sleep(2000);
    expect(await jsonpath(["configmap/watched", "-n", ns], "{.data.a}")).toBe("by-hand");
  });

  it("applies a new revision in detect mode, which clears the Drifted condition", async () => {
    const rev = await bed.publish(ns, "repo", {
      "cm.yaml": configMap("watched", ns, { a: "2" }),
      "other.yaml": configMap("other", ns, { b: "1" }),
    });
    await waitForRevision(ns, "app", rev);
    expect(await jsonpath(["configmap/watched", "-n", ns], "{.data.a}")).toBe("2");
    expect(await condition(ns, "app", "Drifted")).toBeUndefined();
  });
});
