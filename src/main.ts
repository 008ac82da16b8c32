// The controller process: the only place that reads flags and the environment. It wires the kube client,
// the GitRepository and Kustomization controllers, the artifact hand-over and the probes, then runs until
// SIGTERM/SIGINT, when it stops taking work and lets running reconciles finish.
import { hostname } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createGitRepositoryController } from "./controller/gitrepository/setup.ts";
import { ArtifactRegistry } from "./controller/kustomization/artifacts.ts";
import { createKustomizationController } from "./controller/kustomization/setup.ts";
import { EventRecorder } from "./controller/runtime/events.ts";
import { KubeClient } from "./kube/client.ts";
import { createLogger } from "./logging.ts";
import { startProbeServer } from "./server/probes.ts";

/** Flags of `driftless controller`, with their defaults. */
const flagSpec = {
  kubeconfig: { type: "string", default: "" },
  "concurrent-kustomizations": { type: "string", default: "4" },
  "concurrent-sources": { type: "string", default: "2" },
  "apply-concurrency": { type: "string", default: "8" },
  "watch-label-selector": { type: "string", default: "" },
  "no-cross-namespace-refs": { type: "boolean", default: false },
  "default-service-account": { type: "string", default: "" },
  "sops-age-secret": { type: "string", default: "" },
  drift: { type: "string", default: "revert" },
  "requeue-dependency": { type: "string", default: "30s" },
  "storage-path": { type: "string", default: "" },
  "log-level": { type: "string", default: "info" },
  "log-format": { type: "string", default: "json" },
  "health-addr": { type: "string", default: "127.0.0.1:9440" },
  "metrics-addr": { type: "string", default: "127.0.0.1:8080" },
  "enable-leader-election": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const help = `usage: driftless controller [flags]

Runs the GitRepository and Kustomization controllers against the cluster of the kubeconfig
(--kubeconfig, else $KUBECONFIG, else ~/.kube/config) or, inside a Pod, of its service account.

flags:
  --kubeconfig PATH                 kubeconfig file
  --concurrent-kustomizations N     Kustomizations reconciled at once (default 4)
  --concurrent-sources N            GitRepositories reconciled at once (default 2)
  --apply-concurrency N             objects applied at once by one Kustomization (default 8)
  --watch-label-selector SEL        only reconcile objects matching this label selector (sharding)
  --no-cross-namespace-refs         refuse sourceRefs and dependsOn in other namespaces
  --default-service-account NAME    impersonate this service account when spec.serviceAccountName is empty
  --sops-age-secret NAME            controller-wide SOPS age keys (namespace/name)
  --drift revert|detect             revert hand edits at once (default) or only report them
  --requeue-dependency DURATION     recheck interval for unready dependencies (default 30s)
  --storage-path DIR                artifact storage (default $TMPDIR/driftless or /data in a Pod)
  --log-level LEVEL                 debug, info, warn, error (default info)
  --log-format json|console         JSON lines (default) or readable lines
  --health-addr HOST:PORT           /healthz and /readyz (default 127.0.0.1:9440)
  --metrics-addr HOST:PORT          /metrics (default 127.0.0.1:8080)
  --enable-leader-election          only the holder of the lease reconciles
`;

/** Runs the controller process; resolves with the exit code after a signal. */
export async function main(argv: readonly string[]): Promise<number> {
  const { values: f } = parseArgs({
    args: [...argv],
    options: flagSpec,
    strict: true,
    allowPositionals: false,
  });
  if (f.help) {
    process.stdout.write(help);
    return 0;
  }
  const log = createLogger(f["log-level"], f["log-format"] === "console" ? "console" : "json");
  const kubeconfig = f.kubeconfig || process.env.KUBECONFIG || "";
  const inCluster = kubeconfig === "" && process.env.KUBERNETES_SERVICE_HOST !== undefined;
  const client = inCluster
    ? KubeClient.inCluster()
    : KubeClient.fromFile(kubeconfig || join(process.env.HOME ?? "/", ".kube", "config"));
  const events = new EventRecorder({
    client,
    reportingInstance: process.env.POD_NAME ?? hostname(),
    onError: (err) => log.debug({ err: String(err) }, "event not recorded"),
  });
  const registry = new ArtifactRegistry();
  const storageDir = f["storage-path"] || join(process.env.TMPDIR ?? "/tmp", "driftless");
  const labelSelector = f["watch-label-selector"] || undefined;
  const sources = createGitRepositoryController({
    client,
    log: log.child({ reconciler: "gitrepository" }),
    events,
    registry,
    storageDir,
    concurrency: Number(f["concurrent-sources"]),
    ...(labelSelector ? { labelSelector } : {}),
  });
  const kustomizations = createKustomizationController({
    client,
    log: log.child({ reconciler: "kustomization" }),
    events,
    registry,
    concurrency: Number(f["concurrent-kustomizations"]),
    applyConcurrency: Number(f["apply-concurrency"]),
    noCrossNamespaceRefs: f["no-cross-namespace-refs"],
    driftMode: f.drift === "detect" ? "detect" : "revert",
    ...(f["default-service-account"] ? { defaultServiceAccount: f["default-service-account"] } : {}),
    ...(labelSelector ? { labelSelector } : {}),
  });
  let ready = false;
  const probes = await startProbeServer(f["health-addr"], () => ready);
  log.info({ kubeconfig: inCluster ? "in-cluster" : kubeconfig || "~/.kube/config", storageDir }, "starting");
  await sources.start();
  await kustomizations.start();
  ready = true;
  log.info("controllers started");
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  log.info("shutting down: finishing running reconciles");
  ready = false;
  await Promise.all([kustomizations.stop(), sources.stop()]);
  await probes.close();
  log.info("stopped");
  return 0;
}
