// A CRD and its custom resources in the same revision: the CRD stage is applied and waited for
// (Established) before the CRs, so one commit converges in one reconcile.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import { applyManifest, type Bed, kustomization, startBed, waitForRevision } from "./support.ts";

describe("staged apply of a CRD and its custom resources", () => {
  let bed: Bed;
  let ns = "";
  const group = `stage${randomBytes(3).toString("hex")}.example.com`;
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-staged");
  });
  afterAll(async () => {
    await bed?.stop();
    await kubectl(["delete", "crd", `widgets.${group}`, "--wait=false"]);
  });

  it("applies the custom resource after its CRD is Established, in one revision", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
`;
    const cr = `apiVersion: ${group}/v1
kind: Widget
metadata:
  name: w1
  namespace: ${ns}
spec:
  size: 3
`;
    // The CR file sorts before the CRD file: ordering comes from staging, not from the files.
    const rev = await bed.publish(ns, "repo", { "a-widget.yaml": cr, "z-crd.yaml": crd });
    await applyManifest(kustomization(ns, "staged", {}));
    await waitForRevision(ns, "staged", rev);
    expect(await jsonpath([`widgets.${group}/w1`, "-n", ns], "{.spec.size}")).toBe("3");
    const ids = (await jsonpath(["ks/staged", "-n", ns], "{.status.inventory.entries[*].id}"))?.split(" ");
    expect(ids?.sort()).toEqual(
      [`_widgets.${group}_apiextensions.k8s.io_CustomResourceDefinition`, `${ns}_w1_${group}_Widget`].sort(),
    );
  });
});
