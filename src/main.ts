// The controller process: the only place that reads flags and the environment. It wires the kube client,
// the probes, metrics and webhook listeners, leader election, and the GitRepository and Kustomization
// controllers with their artifact hand-over; then runs until SIGTERM/SIGINT, when it stops taking work, lets
// running reconciles finish (up to --shutdown-timeout), and releases the lease.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { parseDuration } from "./api/duration.ts";
import { GitRepositoryType } from "./api/gitrepository.ts";
import { KustomizationType } from "./api/kustomization.ts";
import { createGitRepositoryController } from "./controller/gitrepository/setup.ts";
import { ArtifactRegistry } from "./controller/kustomization/artifacts.ts";
import { createKustomizationController } from "./controller/kustomization/setup.ts";
import type { Controller } from "./controller/runtime/controller.ts";
import { EventRecorder } from "./controller/runtime/events.ts";
import { LeaderElector, leaseName } from "./controller/runtime/leader.ts";
import { KubeClient } from "./kube/client.ts";
import { keyToString } from "./kube/object.ts";
import { createLogger } from "./logging.ts";
import type { HttpListener } from "./server/listen.ts";
import { ControllerMetrics, startMetricsServer } from "./server/metrics.ts";
import { startProbeServer } from "./server/probes.ts";
import { startWebhookServer, WebhookReceiver } from "./server/webhook.ts";

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
  "webhook-addr": { type: "string", default: "127.0.0.1:9292" },
  "enable-leader-election": { type: "boolean", default: false },
  "leader-election-namespace": { type: "string", default: "" },
  "leader-election-lease-duration": { type: "string", default: "15s" },
  "leader-election-renew-deadline": { type: "string", default: "10s" },
  "leader-election-retry-period": { type: "string", default: "2s" },
  "shutdown-timeout": { type: "string", default: "30s" },
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
  --watch-label-selector SEL        only reconcile objects matching this label selector (sharding; each
                                    selector elects its own leader)
  --no-cross-namespace-refs         refuse sourceRefs and dependsOn in other namespaces
  --default-service-account NAME    impersonate this service account when spec.serviceAccountName is empty
  --sops-age-secret [NS/]NAME       Secret of SOPS age keys (*.agekey) for Kustomizations whose
                                    spec.decryption has no secretRef (NS defaults to the controller's)
  --drift revert|detect             revert hand edits at once (default) or only report them
  --requeue-dependency DURATION     recheck interval for unready dependencies (default 30s)
  --storage-path DIR                artifact storage (default $TMPDIR/driftless; /data in deploy/)
  --log-level LEVEL                 debug, info, warn, error (default info)
  --log-format json|console         JSON lines (default) or readable lines
  --health-addr HOST:PORT           /healthz and /readyz (default 127.0.0.1:9440)
  --metrics-addr HOST:PORT          /metrics (default 127.0.0.1:8080)
  --webhook-addr HOST:PORT          POST /hook/<sha256(token+name+namespace)> for GitRepositories annotated
                                    driftless.io/webhook-secret: <Secret with a token key>
                                    (default 127.0.0.1:9292; "" turns it off)
  --enable-leader-election          only the holder of a coordination.k8s.io Lease reconciles (off by
                                    default for a local run; deploy/ turns it on)
  --leader-election-namespace NS    namespace of the Lease (default $POD_NAMESPACE, else the service
                                    account's namespace, else flux-system)
  --leader-election-lease-duration DURATION
                                    how long a standby waits before taking an unrenewed lease (default 15s)
  --leader-election-renew-deadline DURATION
                                    how long the leader retries renewing before it gives up (default 10s)
  --leader-election-retry-period DURATION
                                    time between attempts to acquire or renew (default 2s)
  --shutdown-timeout DURATION       how long SIGTERM waits for running reconciles (default 30s); the lease
                                    is released only when they all finished
`;

const SERVICE_ACCOUNT_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

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
  const instance = process.env.POD_NAME || hostname();
  const labelSelector = f["watch-label-selector"];
  const metrics = new ControllerMetrics();
  metrics.watchClient(client);

  // Stop on the first SIGTERM/SIGINT; everything below checks `stopping`.
  const stopping = new AbortController();
  const onSignal = (sig: string): void => {
    if (!stopping.signal.aborted) log.info({ signal: sig }, "shutting down: no new work");
    stopping.abort();
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));

  // Listeners run in every replica: a standby is healthy and ready (a rollout must not wait for leadership).
  let phase: "standby" | "starting" | "running" | "stopping" = "standby";
  const listeners: HttpListener[] = [];
  const probes = await startProbeServer(f["health-addr"], () => phase === "standby" || phase === "running");
  listeners.push(probes);
  const metricsServer = await startMetricsServer(f["metrics-addr"], metrics);
  listeners.push(metricsServer);
  const webhook = f["webhook-addr"]
    ? await startWebhook(f["webhook-addr"], client, labelSelector, metrics, log)
    : undefined;
  if (webhook) listeners.push(webhook);
  log.info(
    {
      kubeconfig: inCluster ? "in-cluster" : kubeconfig || "~/.kube/config",
      healthPort: probes.port,
      metricsPort: metricsServer.port,
      ...(webhook ? { webhookPort: webhook.port } : {}),
      ...(labelSelector ? { labelSelector } : {}),
    },
    "serving",
  );

  let elector: LeaderElector | undefined;
  if (f["enable-leader-election"]) {
    elector = new LeaderElector({
      client,
      namespace: f["leader-election-namespace"] || podNamespace(),
      name: leaseName("driftless-leader-election", labelSelector),
      identity: `${instance}_${randomBytes(6).toString("hex")}`,
      leaseDurationMs: parseDuration(f["leader-election-lease-duration"]),
      renewDeadlineMs: parseDuration(f["leader-election-renew-deadline"]),
      retryPeriodMs: parseDuration(f["leader-election-retry-period"]),
      onError: (err, context) => log.warn({ err: errorText(err), context }, "leader election"),
      onLost: () => {
        // As controller-runtime does: a process that may no longer be the leader stops at once, mid-work.
        log.error({ lease: `${elector?.namespace}/${elector?.name}` }, "leader election lost: exiting");
        process.exit(1);
      },
    });
    const lease = `${elector.namespace}/${elector.name}`;
    metrics.setLeader(elector.name, false);
    log.info({ lease, holder: elector.identity }, "waiting to acquire the leader lease");
    if (!(await elector.acquire(stopping.signal))) {
      await closeAll(listeners, client);
      log.info("stopped before becoming leader");
      return 0;
    }
    metrics.setLeader(elector.name, true);
    log.info({ lease, holder: elector.identity }, "acquired the leader lease");
  }

  // Only the leader (or a process without election) builds and starts the controllers.
  phase = "starting";
  const events = new EventRecorder({
    client,
    reportingInstance: instance,
    onError: (err) => log.debug({ err: errorText(err) }, "event not recorded"),
  });
  const registry = new ArtifactRegistry();
  const storageDir = f["storage-path"] || join(process.env.TMPDIR ?? "/tmp", "driftless");
  const selector = labelSelector ? { labelSelector } : {};
  const sources = createGitRepositoryController({
    client,
    log: log.child({ reconciler: "gitrepository" }),
    events,
    registry,
    storageDir,
    concurrency: Number(f["concurrent-sources"]),
    ...selector,
    onOutcome: (o) => metrics.observeOutcome(GitRepositoryType.kind, "gitrepository", o),
    observer: metrics.queueObserver("gitrepository"),
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
    requeueDependencyMs: parseDuration(f["requeue-dependency"]),
    ...(f["default-service-account"] ? { defaultServiceAccount: f["default-service-account"] } : {}),
    ...sopsAgeSecret(f["sops-age-secret"]),
    ...selector,
    onOutcome: (o) => metrics.observeOutcome(KustomizationType.kind, "kustomization", o),
    observer: metrics.queueObserver("kustomization"),
  });
  exportObjectMetrics(metrics, GitRepositoryType.kind, "gitrepository", sources);
  exportObjectMetrics(metrics, KustomizationType.kind, "kustomization", kustomizations.controller);
  log.info({ storageDir }, "starting controllers");
  await sources.start();
  await kustomizations.start();
  if (!stopping.signal.aborted) {
    phase = "running";
    log.info("controllers started");
    await new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => resolve()));
  }

  phase = "stopping";
  log.info("shutting down: finishing running reconciles");
  const timeoutMs = parseDuration(f["shutdown-timeout"]);
  await Promise.race([
    Promise.all([kustomizations.stop(), sources.stop({ timeoutMs })]),
    new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
  // Drained means no reconcile of either controller is still running, whichever wait ended first.
  const drained =
    sources.runner.queue.inFlight === 0 && kustomizations.controller.runner.queue.inFlight === 0;
  if (!drained) {
    // A reconcile still running must not overlap with the next leader's: the lease is left to expire.
    log.warn({ timeoutMs }, "running reconciles outlived the shutdown timeout: abandoning them, lease kept");
  } else if (elector) {
    await elector.release();
    metrics.setLeader(elector.name, false);
    log.info({ lease: `${elector.namespace}/${elector.name}` }, "released the leader lease");
  }
  await closeAll(listeners, client);
  log.info("stopped");
  exitSoon(0);
  return 0;
}

/** --sops-age-secret: `namespace/name`, or a name in the controller's namespace (as Flux's flag). */
function sopsAgeSecret(flag: string): { sopsAgeSecret?: { namespace: string; name: string } } {
  if (flag === "") return {};
  const slash = flag.indexOf("/");
  return {
    sopsAgeSecret:
      slash < 0
        ? { namespace: podNamespace(), name: flag }
        : { namespace: flag.slice(0, slash), name: flag.slice(slash + 1) },
  };
}

/** The namespace of the Pod (downward API env or service-account file), else flux-system as in deploy/. */
function podNamespace(): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    const ns = readFileSync(SERVICE_ACCOUNT_NAMESPACE, "utf8").trim();
    if (ns) return ns;
  } catch {
    // not in a Pod
  }
  return "flux-system";
}

async function startWebhook(
  addr: string,
  client: KubeClient,
  labelSelector: string,
  metrics: ControllerMetrics,
  log: Logger,
): Promise<HttpListener> {
  const receiver = new WebhookReceiver({
    client,
    ...(labelSelector ? { labelSelector } : {}),
    onEvent: (e) => {
      metrics.webhookRequest(e.result);
      const fields = {
        status: e.status,
        ...(e.gitRepository ? { gitRepository: keyToString(e.gitRepository) } : {}),
        ...(e.scheme ? { scheme: e.scheme } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
      };
      if (e.result === "accepted") log.info(fields, "webhook: reconcile requested");
      else if (e.result === "unauthorized") log.warn(fields, "webhook: signature refused");
      else if (e.result === "error") log.error(fields, "webhook: request failed");
      else log.debug(fields, "webhook: request refused");
    },
  });
  return startWebhookServer(addr, receiver);
}

// Condition and suspend gauges follow the informer's view of each object; queue gauges are read at scrape.
function exportObjectMetrics(
  metrics: ControllerMetrics,
  kind: string,
  name: string,
  controller: Controller,
): void {
  controller.informer.addHandlers({
    onAdd: (obj) => metrics.recordObject(kind, obj),
    onUpdate: (_old, obj) => metrics.recordObject(kind, obj),
    onDelete: (obj) => metrics.forgetObject(kind, obj),
  });
  metrics.watchQueue(name, () => controller.runner.queue.stats());
}

async function closeAll(listeners: readonly HttpListener[], client: KubeClient): Promise<void> {
  await Promise.all(listeners.map((l) => l.close()));
  client.close();
}

// Abandoned reconciles or a straggling watch may hold the event loop: give logs a moment, then exit anyway.
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 2000).unref();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
