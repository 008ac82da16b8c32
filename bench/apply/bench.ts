// Benchmark of applying a large render on a real control plane (etcd + kube-apiserver, basic mode):
//   node bench/apply/bench.ts [--apps 500] [--drifts 20] [--noops 3] [--list-threshold 8]
// (a) cold apply of the renderer's monorepo (5 objects an app) with `kubectl apply --server-side` and with
//     driftless's ResourceManager (applyAllStaged), each into a fresh control plane;
// (b) no-op reconciles of the same set by the Kustomization controller (in this process, stand-in source),
//     triggered with reconcile.fluxcd.io/requestedAt: time and API requests against the cold apply;
// (c) drift-revert latency: a managed object edited by another field manager, time until it is reverted.
// Prints markdown tables.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { stringify } from "yaml";
import { RECONCILE_REQUEST_ANNOTATION } from "../../src/api/meta.ts";
import { applyAllStaged } from "../../src/apply/apply.ts";
import { ResourceManager } from "../../src/apply/manager.ts";
import { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import { OwnerLabels } from "../../src/controller/kustomization/render.ts";
import { createKustomizationController } from "../../src/controller/kustomization/setup.ts";
import { EventRecorder } from "../../src/controller/runtime/events.ts";
import type { ReconcileOutcome } from "../../src/controller/runtime/reconciler.ts";
import { KubeClient, type RequestCounters } from "../../src/kube/client.ts";
import { type KubeObject, parseKubeObject } from "../../src/kube/object.ts";
import { build } from "../../src/kustomize/build.ts";
import { ControlPlane } from "../../test/harness/controlplane.ts";
import { writeMonorepo } from "../kustomize/monorepo.ts";

const { values: args } = parseArgs({
  options: {
    apps: { type: "string", default: "500" },
    drifts: { type: "string", default: "20" },
    noops: { type: "string", default: "3" },
    // The cold apply's ResourceManager listThreshold (a huge value: no LIST, a GET per existing object).
    "list-threshold": { type: "string", default: "8" },
  },
});
const apps = Number(args.apps);
const drifts = Number(args.drifts);
const noops = Number(args.noops);
const listThreshold = Number(args["list-threshold"]);
const ZERO: RequestCounters = {
  get: 0,
  list: 0,
  watch: 0,
  create: 0,
  apply: 0,
  patch: 0,
  delete: 0,
  discovery: 0,
  errors: 0,
};
const KS = { namespace: "flux-system", name: "apps" };

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const total = (c: RequestCounters): number =>
  Object.entries(c).reduce((n, [k, v]) => (k === "errors" ? n : n + v), 0);
const diff = (a: RequestCounters, b: RequestCounters): string =>
  Object.entries(b)
    .filter(([k, v]) => k !== "errors" && v !== a[k as keyof RequestCounters])
    .map(([k, v]) => `${k} ${v - a[k as keyof RequestCounters]}`)
    .join(", ");

// Every request the apiserver completed so far (apiserver_request_total summed over its labels).
async function apiserverRequests(cp: ControlPlane): Promise<number> {
  const r = await cp.kubectl(["get", "--raw", "/metrics"]);
  if (r.code !== 0) throw new Error(`metrics: ${r.stderr}`);
  let sum = 0;
  for (const line of r.stdout.split("\n")) {
    if (line.startsWith("apiserver_request_total{")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function kubectlOrThrow(cp: ControlPlane, argv: readonly string[], input?: string): Promise<string> {
  const r = await cp.kubectl(argv, input);
  if (r.code !== 0) throw new Error(`kubectl ${argv.join(" ")}: ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}

// The render, with the owner labels the Kustomization controller sets, so that both appliers send the
// objects the controller would send.
const work = mkdtempSync(path.join(tmpdir(), "apply-benchmark-"));
const { production } = writeMonorepo(work, apps);
const renderStart = performance.now();
const built = build(production);
const renderMs = performance.now() - renderStart;
// A second render in the same process, as every later reconcile (no-op or drift) renders again.
const warmStart = performance.now();
build(production);
const warmRenderMs = performance.now() - warmStart;
// The test control plane's Service range (10.0.0.0/24) holds 253 cluster IPs, fewer than the render's
// Services: they are made headless (clusterIP: None) for both appliers.
const objects: KubeObject[] = built.objects.map((o) => {
  const obj = parseKubeObject(o);
  const headless =
    obj.kind === "Service" ? { spec: { ...(obj.spec as Record<string, unknown>), clusterIP: "None" } } : {};
  return {
    ...obj,
    ...headless,
    metadata: {
      ...obj.metadata,
      labels: {
        ...(obj.metadata.labels ?? {}),
        [OwnerLabels.name]: KS.name,
        [OwnerLabels.namespace]: KS.namespace,
      },
    },
  };
});
const renderedFile = path.join(work, "rendered.yaml");
writeFileSync(renderedFile, objects.map((o) => stringify(o)).join("---\n"));
const namespaces = [...new Set(objects.map((o) => o.metadata.namespace).filter((n) => n !== undefined))];
const renderLine = `Render of ${apps} apps: ${objects.length} objects in ${s(renderMs)}, again in ${s(warmRenderMs)} (in-process build(); not part of the cold apply times below, part of every reconcile).`;
process.stderr.write(`${renderLine}\n`);

async function freshControlPlane(): Promise<ControlPlane> {
  const cp = await ControlPlane.start({ full: false });
  for (const ns of [...namespaces, KS.namespace]) await kubectlOrThrow(cp, ["create", "namespace", ns]);
  return cp;
}

const rows: string[] = [];
const out = (line: string): void => {
  rows.push(line);
  process.stderr.write(`${line}\n`);
};

// (a) kubectl into its own control plane.
let kubectlMs = 0;
let kubectlRequests = 0;
{
  const cp = await freshControlPlane();
  try {
    const before = await apiserverRequests(cp);
    const t0 = performance.now();
    await kubectlOrThrow(cp, ["apply", "--server-side", "-f", renderedFile]);
    kubectlMs = performance.now() - t0;
    // Minus the one /metrics read counted in `before`'s own reply.
    kubectlRequests = (await apiserverRequests(cp)) - before - 1;
  } finally {
    await cp.stop();
  }
}

const cp = await freshControlPlane();
try {
  // (a) driftless into a fresh control plane.
  const client = KubeClient.fromFile(cp.kubeconfig);
  const manager = new ResourceManager(client, { listThreshold });
  const before = await apiserverRequests(cp);
  const t0 = performance.now();
  const entries = await applyAllStaged(manager, objects);
  const coldMs = performance.now() - t0;
  const coldApi = (await apiserverRequests(cp)) - before - 1;
  const coldClient = total(client.counters);
  const created = entries.filter((e) => e.action === "created").length;
  if (created !== objects.length) throw new Error(`cold apply created ${created} of ${objects.length}`);
  out("| applier | objects | time | API requests (client) | API requests (apiserver) | time vs kubectl |");
  out("|---|---:|---:|---:|---:|---:|");
  out(
    `| kubectl apply --server-side | ${objects.length} | ${s(kubectlMs)} | — | ${kubectlRequests} | 1.00x |`,
  );
  out(
    `| driftless applyAllStaged | ${objects.length} | ${s(coldMs)} | ${coldClient} (${diff(ZERO, client.counters)}) | ${coldApi} | ${(coldMs / kubectlMs).toFixed(2)}x |`,
  );

  // (b) the Kustomization controller over the same set, with a stand-in source.
  const revision = `main@sha1:${randomBytes(20).toString("hex")}`;
  await kubectlOrThrow(
    cp,
    ["apply", "-f", "-"],
    JSON.stringify({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "repo", namespace: KS.namespace },
      spec: { interval: "10m", url: "https://example.invalid/repo.git", suspend: true },
    }),
  );
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await kubectlOrThrow(cp, [
    "patch",
    "gitrepository",
    "repo",
    "-n",
    KS.namespace,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify({
      status: {
        observedGeneration: 1,
        artifact: {
          revision,
          digest: `sha256:${revision.slice(-40)}`,
          path: "x",
          url: "http://x/x",
          lastUpdateTime: now,
        },
        conditions: [
          { type: "Ready", status: "True", reason: "Succeeded", message: "stored", lastTransitionTime: now },
        ],
      },
    }),
  ]);
  const ctlClient = KubeClient.fromFile(cp.kubeconfig);
  const registry = new ArtifactRegistry();
  registry.publish(
    { kind: "GitRepository", ...KS, name: "repo" },
    { revision, digest: `sha256:${revision.slice(-40)}`, dir: work },
  );
  const waiters: ((o: ReconcileOutcome) => void)[] = [];
  const outcomes: ReconcileOutcome[] = [];
  const controller = createKustomizationController({
    client: ctlClient,
    log: pino({ level: "silent" }),
    events: new EventRecorder({ client: ctlClient, reportingInstance: "bench" }),
    registry,
    onOutcome: (o) => {
      if (o.key.name !== KS.name) return;
      outcomes.push(o);
      for (const w of waiters.splice(0)) w(o);
    },
  });
  const nextOutcome = (): Promise<ReconcileOutcome> => new Promise((r) => waiters.push(r));
  await controller.start();
  try {
    const first = nextOutcome();
    const c0 = { ...ctlClient.counters };
    const a0 = await apiserverRequests(cp);
    await kubectlOrThrow(
      cp,
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: KS,
        spec: {
          interval: "60m",
          prune: true,
          path: "./clusters/production",
          sourceRef: { kind: "GitRepository", name: "repo" },
        },
      }),
    );
    const firstOutcome = await first;
    if (firstOutcome.result === "error" || firstOutcome.result === "terminal") {
      throw new Error(`first reconcile failed: ${String(firstOutcome.error)}`);
    }
    const a1 = await apiserverRequests(cp);
    out("");
    out(
      "| Kustomization reconcile | reconcile time | API requests (controller client) | API requests (apiserver) | time vs cold apply | requests vs cold apply |",
    );
    out("|---|---:|---:|---:|---:|---:|");
    const firstClient = total(ctlClient.counters) - total(c0);
    out(
      `| first in a new process (every object dry-run, all unchanged) | ${s(firstOutcome.durationMs)} | ${firstClient} (${diff(c0, ctlClient.counters)}) | ${a1 - a0 - 1} | ${((100 * firstOutcome.durationMs) / coldMs).toFixed(1)}% | ${((100 * firstClient) / coldClient).toFixed(1)}% |`,
    );
    await sleep(2000);
    for (let i = 1; i <= noops; i++) {
      const done = nextOutcome();
      const n0 = { ...ctlClient.counters };
      const b0 = await apiserverRequests(cp);
      const t = performance.now();
      await ctlClient.patch(
        { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" },
        KS,
        { metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: new Date().toISOString() } } },
        { type: "merge" },
      );
      const o = await done;
      const wall = performance.now() - t;
      const b1 = await apiserverRequests(cp);
      // The controller client also sent the annotate patch: not the reconcile's.
      const reqs = total(ctlClient.counters) - total(n0) - 1;
      out(
        `| no-op ${i} (requestedAt) | ${o.durationMs.toFixed(0)} ms (${wall.toFixed(0)} ms from the annotation) | ${reqs} | ${b1 - b0 - 2} | ${((100 * o.durationMs) / coldMs).toFixed(2)}% | ${((100 * reqs) / coldClient).toFixed(2)}% |`,
      );
      await sleep(500);
    }

    // (c) drift: edit Deployments (replicas) and ConfigMaps (data) as another manager would.
    const poll = KubeClient.fromFile(cp.kubeconfig);
    const deployments = objects.filter((o) => o.kind === "Deployment");
    const configMaps = objects.filter((o) => o.kind === "ConfigMap" && o.data !== undefined);
    const latencies: number[] = [];
    const before = outcomes.length;
    let timeouts = 0;
    for (let i = 0; i < drifts; i++) {
      const isDeploy = i % 2 === 0;
      const target = (isDeploy ? deployments : configMaps)[Math.floor(i / 2) * 7] as KubeObject;
      const resource = await poll.resourceFor(target);
      const key = { namespace: target.metadata.namespace ?? "", name: target.metadata.name ?? "" };
      const dataKey = isDeploy ? "" : (Object.keys(target.data as Record<string, string>)[0] ?? "");
      const read = (o: KubeObject): unknown =>
        isDeploy ? (o.spec as { replicas?: number }).replicas : (o.data as Record<string, string>)[dataKey];
      const want = read(target);
      const patch = isDeploy ? { spec: { replicas: 7 } } : { data: { [dataKey]: "edited-by-hand" } };
      // Timed from before the edit is sent: the controller shares this process, and its synchronous render
      // (started by the edit's watch event) can hold back the patch's reply on the event loop.
      const t = performance.now();
      const edited = await poll.patch(resource, key, patch, { type: "merge", fieldManager: "kubectl-patch" });
      if (read(edited) === want) throw new Error(`the edit of ${target.kind}/${key.name} did not take`);
      let reverted = false;
      while (performance.now() - t < 30_000) {
        if (read(await poll.get(resource, key)) === want) {
          reverted = true;
          break;
        }
        await sleep(10);
      }
      const ms = performance.now() - t;
      if (reverted) latencies.push(ms);
      else timeouts += 1;
      process.stderr.write(
        `drift ${i + 1}: ${target.kind}/${key.name} ${reverted ? `reverted in ${ms.toFixed(0)} ms` : "not reverted"}\n`,
      );
      await sleep(300);
    }
    out("");
    const driftReconciles = outcomes.slice(before).map((o) => o.durationMs);
    out("| drift edits | reverted | p50 | p90 | max | reconciles run (p50 duration) |");
    out("|---:|---:|---:|---:|---:|---:|");
    out(
      `| ${drifts} (Deployment replicas, ConfigMap data) | ${latencies.length}${timeouts ? ` (${timeouts} not within 30 s)` : ""} | ${quantile(latencies, 0.5).toFixed(0)} ms | ${quantile(latencies, 0.9).toFixed(0)} ms | ${Math.max(...latencies).toFixed(0)} ms | ${driftReconciles.length} (${quantile(driftReconciles, 0.5).toFixed(0)} ms) |`,
    );
  } finally {
    await controller.stop();
  }
} finally {
  await cp.stop();
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(
  `${renderLine}\n\n${rows.join("\n")}\n\nAPI requests (apiserver) is the change of apiserver_request_total, without the benchmark's own /metrics reads and annotate patch; the first reconcile's figure includes the benchmark's \`kubectl apply\` of the Kustomization (discovery, get, create).\n`,
);
