// Full mode of the test control plane: kube-controller-manager (Deployments → ReplicaSets → Pods,
// service accounts, garbage collection), kube-scheduler, and kwok faking one node whose Pods become Ready.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ControlPlane } from "./controlplane.ts";
import { freePort } from "./ports.ts";
import type { ManagedProcess } from "./proc.ts";
import { toolPath } from "./tools.ts";

const KWOK_STAGES = "kwok-stages-v0.7.0.yaml";

/** The fake node kwok manages: no taints, so ordinary Pods schedule onto it. */
const fakeNode = `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-0
    kubernetes.io/os: linux
    type: kwok
spec: {}
`;

/** Starts the controllers and the fake node; returns their processes (caller stops them). */
export async function startFullMode(cp: ControlPlane): Promise<ManagedProcess[]> {
  const c = cp.certs;
  const procs: ManagedProcess[] = [];
  procs.push(
    cp.spawn("kube-controller-manager", "kube-controller-manager", [
      `--kubeconfig=${cp.kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${await freePort()}`,
      `--service-account-private-key-file=${c.saKey}`,
      `--root-ca-file=${c.caCert}`,
      `--cluster-signing-cert-file=${c.caCert}`,
      `--cluster-signing-key-file=${c.caKey}`,
      "--use-service-account-credentials=false",
      "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-route",
      "--concurrent-deployment-syncs=5",
    ]),
  );
  procs.push(
    cp.spawn("kube-scheduler", "kube-scheduler", [
      `--kubeconfig=${cp.kubeconfig}`,
      "--leader-elect=false",
      "--bind-address=127.0.0.1",
      `--secure-port=${await freePort()}`,
    ]),
  );
  procs.push(
    cp.spawn("kwok", "kwok", [
      `--kubeconfig=${cp.kubeconfig}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--manage-nodes-with-label-selector=",
      "--disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom",
      "--disregard-status-with-label-selector=",
      "--cidr=10.0.0.1/24",
      "--node-ip=10.0.0.1",
      "--node-lease-duration-seconds=40",
      `--server-address=127.0.0.1:${await freePort()}`,
      `-c=${toolPath(KWOK_STAGES)}`,
    ]),
  );
  const nodeFile = join(cp.dir, "kwok-node.yaml");
  writeFileSync(nodeFile, fakeNode);
  const r = await cp.kubectl(["apply", "-f", nodeFile]);
  if (r.code !== 0) throw new Error(`create fake node: ${r.stderr}`);
  await waitFor(cp, procs, ["wait", "--for=condition=Ready", "node/kwok-node-0", "--timeout=5s"], 90_000);
  // The service-account controller has run once "default" exists in "default".
  await waitFor(cp, procs, ["get", "serviceaccount", "default", "-n", "default"], 90_000);
  return procs;
}

async function waitFor(
  cp: ControlPlane,
  procs: readonly ManagedProcess[],
  args: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = procs.find((p) => p.hasExited);
    if (dead) throw new Error(`${dead.name} exited:\n${dead.tail()}`);
    const r = await cp.kubectl(args);
    if (r.code === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `full mode not ready: kubectl ${args.join(" ")}: ${r.stderr}\n${procs.map((p) => `${p.name}:\n${p.tail(10)}`).join("\n")}`,
      );
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}
