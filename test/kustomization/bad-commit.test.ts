// A bad commit (invalid YAML, a failed build, an object the apiserver rejects) applies nothing and prunes
// nothing, keeps the last applied revision and inventory, and names the file or object that failed. An
// empty render with prune: true prunes everything, as Flux does, but says so loudly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
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

describe("kustomization given a bad commit", () => {
  let bed: Bed;
  let ns = "";
  let good = "";
  let inventory = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-bad");
    good = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "1" }),
      "two.yaml": configMap("two", ns, { v: "1" }),
    });
    await applyManifest(kustomization(ns, "app", {}));
    await waitForRevision(ns, "app", good);
    inventory = (await jsonpath(["ks/app", "-n", ns], "{.status.inventory}")) ?? "";
  });
  afterAll(async () => {
    await bed?.stop();
  });

  /** The cluster and status still show the last good revision: nothing applied, nothing pruned. */
  async function expectUntouched(): Promise<void> {
    expect(await jsonpath(["configmap/one", "-n", ns], "{.data.v}")).toBe("1");
    expect(await exists(["configmap/two", "-n", ns])).toBe(true);
    expect(await jsonpath(["ks/app", "-n", ns], "{.status.lastAppliedRevision}")).toBe(good);
    expect(await jsonpath(["ks/app", "-n", ns], "{.status.inventory}")).toBe(inventory);
  }

  it("reports invalid YAML as BuildFailed naming the file", async () => {
    const rev = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "2" }),
      "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    });
    const ready = await waitForReason(ns, "app", "BuildFailed");
    expect(ready.message).toContain("broken.yaml");
    expect(await jsonpath(["ks/app", "-n", ns], "{.status.lastAttemptedRevision}")).toBe(rev);
    await expectUntouched();
  });

  it("reports a failed kustomize build as BuildFailed naming the missing resource", async () => {
    await bed.publish(ns, "repo", {
      "kustomization.yaml": "resources:\n  - one.yaml\n  - missing.yaml\n",
      "one.yaml": configMap("one", ns, { v: "3" }),
    });
    const ready = await waitForReason(ns, "app", "BuildFailed");
    expect(ready.message).toContain("missing.yaml");
    await expectUntouched();
  });

  it("applies nothing when the apiserver rejects one object, naming it", async () => {
    await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "4" }),
      "bad.yaml": `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  namespace: ${ns}\nspec:\n  ports:\n    - port: 999999\n`,
    });
    const ready = await waitForReason(ns, "app", "ReconciliationFailed");
    expect(ready.message).toContain(`Service/${ns}/bad`);
    expect(await exists(["service/bad", "-n", ns])).toBe(false);
    await expectUntouched();
  });

  it("prunes everything on an empty render with prune: true, with a Warning event and a loud message", async () => {
    const rev = await bed.publish(ns, "repo", { "README.md": "nothing here any more\n" });
    await waitForRevision(ns, "app", rev);
    expect(await exists(["configmap/one", "-n", ns])).toBe(false);
    expect(await exists(["configmap/two", "-n", ns])).toBe(false);
    const ready = await condition(ns, "app", "Ready");
    expect(ready?.message).toContain(`Applied revision: ${rev}`);
    expect(ready?.message).toContain("no objects");
    expect(ready?.message).toContain("pruned all 2");
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "--field-selector",
      "type=Warning,reason=PruneAll",
      "-o",
      "jsonpath={.items[*].message}",
    ]);
    expect(events.stdout).toContain("produced no objects");
  });
});
