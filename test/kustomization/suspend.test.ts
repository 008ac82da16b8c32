// suspend stops reconciling (a new revision is not applied) until resumed; the requestedAt annotation
// (what `flux reconcile` sets) triggers a reconcile that reports it in status.lastHandledReconcileAt.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import { applyManifest, type Bed, configMap, kustomization, startBed, waitForRevision } from "./support.ts";

describe("kustomization suspend, resume and requestedAt", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-suspend");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("applies nothing while suspended and catches up on resume", async () => {
    const rev1 = await bed.publish(ns, "repo", { "cm.yaml": configMap("app", ns, { v: "1" }) });
    await applyManifest(kustomization(ns, "app", {}));
    await waitForRevision(ns, "app", rev1);

    expect(
      (await kubectl(["patch", "ks/app", "-n", ns, "--type=merge", "-p", '{"spec":{"suspend":true}}'])).code,
    ).toBe(0);
    // Publish only once the controller has seen the suspension.
    await eventually(async () => {
      const cached = bed.controller.controller.informer.get(`${ns}/app`) as { spec?: { suspend?: boolean } };
      return cached?.spec?.suspend === true ? true : undefined;
    });
    await bed.publish(ns, "repo", { "cm.yaml": configMap("app", ns, { v: "2" }) });
    // Give a reconcile every chance to run; a suspended Kustomization must not.
    await sleep(3000);
    expect(await jsonpath(["configmap/app", "-n", ns], "{.data.v}")).toBe("1");
    expect(await jsonpath(["ks/app", "-n", ns], "{.status.lastAppliedRevision}")).toBe(rev1);

    expect(
      (await kubectl(["patch", "ks/app", "-n", ns, "--type=merge", "-p", '{"spec":{"suspend":false}}'])).code,
    ).toBe(0);
    const rev2 = await jsonpath(["gitrepository/repo", "-n", ns], "{.status.artifact.revision}");
    await waitForRevision(ns, "app", rev2 ?? "");
    expect(await jsonpath(["configmap/app", "-n", ns], "{.data.v}")).toBe("2");
  });

  it("sets status.lastHandledReconcileAt to the requestedAt annotation", async () => {
    const token = new Date().toISOString();
    const r = await kubectl([
      "annotate",
      "--overwrite",
      "ks/app",
      "-n",
      ns,
      `reconcile.fluxcd.io/requestedAt=${token}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(
      async () =>
        (await jsonpath(["ks/app", "-n", ns], "{.status.lastHandledReconcileAt}")) === token
          ? true
          : undefined,
      20_000,
      "lastHandledReconcileAt",
    );
    expect(await jsonpath(["ks/app", "-n", ns], '{.status.conditions[?(@.type=="Ready")].status}')).toBe(
      "True",
    );
  });
});
