// dependsOn: a dependant applies nothing until its dependencies are Ready (on the same revision when they
// share the source), and is re-triggered the moment they become Ready, not after its requeue delay.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  condition,
  configMap,
  exists,
  kustomization,
  startBed,
  waitForReason,
  waitForRevision,
} from "./support.ts";

describe("kustomization dependsOn", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    // The bed requeues a dependant after 60 s: becoming Ready sooner proves the re-trigger.
    bed = await startBed();
    ns = await createNamespace("ks-deps");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("holds a dependant back until its dependency exists and is Ready", async () => {
    await bed.publish(ns, "repo", {
      "infra/cm.yaml": configMap("infra", ns, { v: "1" }),
      "apps/cm.yaml": configMap("app", ns, { v: "1" }),
    });
    await applyManifest(kustomization(ns, "apps", { path: "./apps", dependsOn: [{ name: "infra" }] }));
    const ready = await waitForReason(ns, "apps", "DependencyNotReady");
    expect(ready.status).toBe("False");
    expect(ready.message).toContain(`${ns}/infra`);
    expect(await exists(["configmap/app", "-n", ns])).toBe(false);
  });

  it("re-triggers the dependant the moment its dependency becomes Ready", async () => {
    const rev = await jsonpath(["gitrepository/repo", "-n", ns], "{.status.artifact.revision}");
    const started = Date.now();
    await applyManifest(kustomization(ns, "infra", { path: "./infra" }));
    await waitForRevision(ns, "infra", rev ?? "");
    const infraReady = Date.now();
    // Far less than the 60 s requeue: only the re-trigger can make it.
    await eventually(
      async () => ((await condition(ns, "apps", "Ready"))?.status === "True" ? true : undefined),
      20_000,
      "apps Ready after infra",
    );
    console.log(
      `[dependson] infra Ready after ${infraReady - started} ms; apps Ready ${Date.now() - infraReady} ms later`,
    );
    expect(await jsonpath(["configmap/app", "-n", ns], "{.data.v}")).toBe("1");
  });

  it("waits for the dependency to apply a new revision of a shared source first", async () => {
    const rev = await bed.publish(ns, "repo", {
      "infra/cm.yaml": configMap("infra", ns, { v: "2" }),
      "apps/cm.yaml": configMap("app", ns, { v: "2" }),
    });
    // Within 20 s, a third of the requeue delay: the dependency's new revision re-triggers the dependant.
    await waitForRevision(ns, "apps", rev, 20_000);
    const infraApplied = await jsonpath(["ks/infra", "-n", ns], "{.status.lastAppliedRevision}");
    expect(infraApplied).toBe(rev);
    expect(await jsonpath(["configmap/app", "-n", ns], "{.data.v}")).toBe("2");
  });
});
