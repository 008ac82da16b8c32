import { describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";

describe("the test control plane", () => {
  it("serves the API with the pinned Kubernetes version to an admin in system:masters", async () => {
    const r = await kubectl(["version", "-o", "json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout) as { serverVersion?: { gitVersion?: string } };
    expect(v.serverVersion?.gitVersion).toMatch(/^v1\.36\.\d+$/);
    const can = await kubectl(["auth", "can-i", "*", "*", "--all-namespaces"]);
    expect(can.stdout.trim()).toBe("yes");
  });

  it("listens on loopback only", () => {
    expect(new URL(testEnv().server).hostname).toBe("127.0.0.1");
  });

  it("schedules a Deployment's Pods onto the fake node and they become Ready (full mode)", async (ctx) => {
    if (!testEnv().full) ctx.skip();
    const ns = await createNamespace("testbed");
    const deploy = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;
    expect((await kubectl(["apply", "-f", "-"], deploy)).code).toBe(0);
    const r = await kubectl(["rollout", "status", `deployment/web`, "-n", ns, "--timeout=90s"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const pods = await kubectl(["get", "pods", "-n", ns, "-o", "jsonpath={.items[*].spec.nodeName}"]);
    expect(pods.stdout.split(" ")).toEqual(["kwok-node-0", "kwok-node-0"]);
  });
});
