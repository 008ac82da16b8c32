// postBuild substitution on the cluster: substitute, substituteFrom ConfigMaps and Secrets (optional ones
// may be missing), defaults and escapes, and the per-object opt-out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import {
  applyManifest,
  type Bed,
  kustomization,
  startBed,
  waitForReason,
  waitForRevision,
} from "./support.ts";

/** A dollar sign, so that expected values can spell `${…}` literally. */
const D = "$";

describe("kustomization postBuild substitution", () => {
  let bed: Bed;
  let ns = "";
  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-postbuild");
  });
  afterAll(async () => {
    await bed?.stop();
  });

  const files = (namespace: string): Record<string, string> => ({
    "cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: vars
  namespace: ${namespace}
data:
  cluster: "\${cluster_name}"
  region: "\${region}"
  token: "\${token}"
  tier: "\${tier:=free}"
  literal: "$\${not_a_var}"
`,
    "raw.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: raw
  namespace: ${namespace}
  annotations:
    kustomize.toolkit.fluxcd.io/substitute: disabled
data:
  script: "echo \${HOME}"
`,
  });

  it("substitutes from spec, ConfigMaps and Secrets, with defaults, escapes and the opt-out", async () => {
    await applyManifest(`apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-vars, namespace: ${ns}}
data: {cluster_name: prod-eu, region: from-configmap}
---
apiVersion: v1
kind: Secret
metadata: {name: cluster-secrets, namespace: ${ns}}
stringData: {token: s3cr3t}
`);
    const rev = await bed.publish(ns, "repo", files(ns));
    await applyManifest(
      kustomization(ns, "vars", {
        postBuild: {
          substitute: { region: "eu-west-1" },
          substituteFrom: [
            { kind: "ConfigMap", name: "cluster-vars" },
            { kind: "Secret", name: "cluster-secrets" },
            { kind: "ConfigMap", name: "not-there", optional: true },
          ],
        },
      }),
    );
    await waitForRevision(ns, "vars", rev);
    const data = JSON.parse((await jsonpath(["configmap/vars", "-n", ns], "{.data}")) ?? "{}") as Record<
      string,
      string
    >;
    expect(data).toEqual({
      cluster: "prod-eu",
      // spec.postBuild.substitute wins over substituteFrom.
      region: "eu-west-1",
      token: "s3cr3t",
      tier: "free",
      literal: `${D}{not_a_var}`,
    });
    expect(await jsonpath(["configmap/raw", "-n", ns], "{.data.script}")).toBe(`echo ${D}{HOME}`);
  });

  it("fails the build naming a missing substituteFrom source that is not optional", async () => {
    await applyManifest(
      kustomization(ns, "missing", {
        postBuild: { substituteFrom: [{ kind: "Secret", name: "absent" }] },
      }),
    );
    const ready = await waitForReason(ns, "missing", "BuildFailed");
    expect(ready.message).toContain(`Secret/${ns}/absent`);
    expect(
      (await kubectl(["get", "ks/missing", "-n", ns, "-o", "jsonpath={.status.inventory}"])).stdout,
    ).toBe("");
  });
});
