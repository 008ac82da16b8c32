// spec.serviceAccountName: the Kustomization applies as that service account, so RBAC decides what it
// may change. Denied: Ready=False with the apiserver's forbidden message; allowed once a RoleBinding exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  configMap,
  exists,
  kustomization,
  startBed,
  waitForReason,
  waitForRevision,
} from "./support.ts";

describe("kustomization impersonating its service account", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-impersonate");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("fails with the apiserver's forbidden message when the service account may not apply", async () => {
    await applyManifest(
      `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: deployer, namespace: ${ns}}\n`,
    );
    await bed.publish(ns, "repo", { "cm.yaml": configMap("guarded", ns, { a: "1" }) });
    await applyManifest(kustomization(ns, "sa", { serviceAccountName: "deployer", retryInterval: "2s" }));
    const ready = await waitForReason(ns, "sa", "ReconciliationFailed");
    expect(ready.status).toBe("False");
    expect(ready.message).toContain("forbidden");
    expect(ready.message).toContain(`system:serviceaccount:${ns}:deployer`);
    expect(ready.message).toContain(`ConfigMap/${ns}/guarded`);
    expect(await exists(["configmap/guarded", "-n", ns])).toBe(false);
  });

  it("applies once a RoleBinding grants the service account access", async () => {
    await applyManifest(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: ${ns}}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch, create, update, patch, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: ${ns}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
  - {kind: ServiceAccount, name: deployer, namespace: ${ns}}
`);
    const rev = await jsonpath(["gitrepository/repo", "-n", ns], "{.status.artifact.revision}");
    await waitForRevision(ns, "sa", rev ?? "");
    expect(await jsonpath(["configmap/guarded", "-n", ns], "{.data.a}")).toBe("1");
  });
});
