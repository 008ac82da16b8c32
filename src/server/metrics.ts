// Prometheus metrics of the controller process: Flux's gotk_* reconcile metrics (same names, labels and
// buckets, so Flux's dashboards and alerts work), controller-runtime's and client-go's work-queue and
// reconcile counters, API request counts and latencies, webhook results, leadership and Node's process metrics.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ReconcileOutcome } from "../controller/runtime/reconciler.ts";
import type { WorkQueueObserver, WorkQueueStats } from "../controller/runtime/workqueue.ts";
import type { KubeClient, RequestVerb } from "../kube/client.ts";
import type { KubeObject } from "../kube/object.ts";
import type { Transport } from "../kube/transport.ts";
import { type HttpListener, listen } from "./listen.ts";

/**
 * Prometheus' ExponentialBucketsRange(min, max, count): `count` buckets from min to max growing by a constant
 * factor. Flux's gotk_reconcile_duration_seconds uses (10e-3, 1800, 10).
 */
export function exponentialBucketsRange(min: number, max: number, count: number): number[] {
  const factor = (max / min) ** (1 / (count - 1));
  return Array.from({ length: count }, (_, i) => min * factor ** i);
}

// client-go's workqueue buckets: 1 ns to 10 s, ×10 each.
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
// client-go's rest_client_request_duration_seconds buckets.
const REQUEST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

const VERBS: readonly RequestVerb[] = [
  "get",
  "list",
  "watch",
  "create",
  "apply",
  "patch",
  "delete",
  "discovery",
];

/** What a webhook request ended as, for driftless_webhook_requests_total. */
export type WebhookResult = "accepted" | "unauthorized" | "not_found" | "bad_request" | "error";

/** The metrics of one controller process in their own registry. */
export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #duration: Histogram<"kind" | "name" | "namespace">;
  readonly #condition: Gauge<"kind" | "name" | "namespace" | "type" | "status">;
  readonly #suspend: Gauge<"kind" | "name" | "namespace">;
  readonly #reconciles: Counter<"controller" | "result">;
  readonly #reconcileErrors: Counter<"controller">;
  readonly #terminalErrors: Counter<"controller">;
  readonly #queueLatency: Histogram<"name">;
  readonly #workDuration: Histogram<"name">;
  readonly #requestLatency: Histogram<"verb" | "code">;
  readonly #webhook: Counter<"result">;
  readonly #leader: Gauge<"name">;
  readonly #gitDuration: Histogram<"name" | "namespace" | "result">;
  readonly #queues = new Map<string, () => WorkQueueStats>();
  readonly #clients: KubeClient[] = [];

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#duration = new Histogram({
      name: "gotk_reconcile_duration_seconds",
      help: "The duration in seconds of a GitOps Toolkit resource reconciliation.",
      labelNames: ["kind", "name", "namespace"],
      buckets: exponentialBucketsRange(10e-3, 1800, 10),
      registers,
    });
    this.#condition = new Gauge({
      name: "gotk_reconcile_condition",
      help: "The current condition status of a GitOps Toolkit resource reconciliation.",
      labelNames: ["kind", "name", "namespace", "type", "status"],
      registers,
    });
    this.#suspend = new Gauge({
      name: "gotk_suspend_status",
      help: "The current suspend status of a GitOps Toolkit resource.",
      labelNames: ["kind", "name", "namespace"],
      registers,
    });
    this.#reconciles = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller.",
      labelNames: ["controller", "result"],
      registers,
    });
    this.#reconcileErrors = new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller.",
      labelNames: ["controller"],
      registers,
    });
    this.#terminalErrors = new Counter({
      name: "controller_runtime_terminal_reconcile_errors_total",
      help: "Total number of terminal reconciliation errors per controller.",
      labelNames: ["controller"],
      registers,
    });
    this.#queueLatency = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested.",
      labelNames: ["name"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.#workDuration = new Histogram({
      name: "workqueue_work_duration_seconds",
      help: "How long in seconds processing an item from workqueue takes.",
      labelNames: ["name"],
      buckets: QUEUE_BUCKETS,
      registers,
    });
    const queues = this.#queues;
    new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue.",
      labelNames: ["name"],
      registers,
      collect() {
        for (const [name, stats] of queues) this.set({ name }, stats().depth);
      },
    });
    new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue.",
      labelNames: ["name"],
      registers,
      collect() {
        this.reset();
        for (const [name, stats] of queues) this.inc({ name }, stats().adds);
      },
    });
    new Gauge({
      name: "workqueue_longest_running_processor_seconds",
      help: "How many seconds has the longest running processor for workqueue been running.",
      labelNames: ["name"],
      registers,
      collect() {
        for (const [name, stats] of queues) this.set({ name }, stats().longestRunningMs / 1000);
      },
    });
    new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller.",
      labelNames: ["controller"],
      registers,
      collect() {
        for (const [controller, stats] of queues) this.set({ controller }, stats().inFlight);
      },
    });
    const clients = this.#clients;
    new Counter({
      name: "driftless_api_requests_total",
      help: "Requests sent to the Kubernetes API server, by kind of request.",
      labelNames: ["verb"],
      registers,
      collect() {
        this.reset();
        for (const verb of VERBS) {
          this.inc(
            { verb },
            clients.reduce((sum, c) => sum + c.counters[verb], 0),
          );
        }
      },
    });
    new Counter({
      name: "driftless_api_request_errors_total",
      help: "Requests to the Kubernetes API server that failed.",
      registers,
      collect() {
        this.reset();
        this.inc(clients.reduce((sum, c) => sum + c.counters.errors, 0));
      },
    });
    this.#requestLatency = new Histogram({
      name: "rest_client_request_duration_seconds",
      help: "Request latency in seconds of non-streaming Kubernetes API requests, by HTTP method and code.",
      labelNames: ["verb", "code"],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.#gitDuration = new Histogram({
      name: "driftless_gitrepository_reconcile_duration_seconds",
      help: "Time of a GitRepository reconcile (remote ref check, fetch and artifact), by outcome.",
      labelNames: ["name", "namespace", "result"],
      buckets: exponentialBucketsRange(10e-3, 1800, 10),
      registers,
    });
    this.#webhook = new Counter({
      name: "driftless_webhook_requests_total",
      help: "Webhook receiver requests by result (unauthorized: bad or missing signature).",
      labelNames: ["result"],
      registers,
    });
    this.#leader = new Gauge({
      name: "leader_election_master_status",
      help: "Whether this process holds the leader-election lease (1) or not (0).",
      labelNames: ["name"],
      registers,
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Records one reconcile's duration and result for `kind` (the API kind) run by `controller`. */
  observeOutcome(kind: string, controller: string, outcome: ReconcileOutcome): void {
    const labels = { kind, name: outcome.key.name, namespace: outcome.key.namespace ?? "" };
    this.#duration.observe(labels, outcome.durationMs / 1000);
    const result =
      outcome.result === "requeue"
        ? "requeue_after"
        : outcome.result === "terminal"
          ? "error"
          : outcome.result;
    this.#reconciles.inc({ controller, result });
    if (outcome.result === "error" || outcome.result === "terminal")
      this.#reconcileErrors.inc({ controller });
    if (outcome.result === "terminal") this.#terminalErrors.inc({ controller });
    if (kind === "GitRepository") {
      this.#gitDuration.observe(
        { name: labels.name, namespace: labels.namespace, result: outcome.result },
        outcome.durationMs / 1000,
      );
    }
  }

  /** Sets the Ready condition and suspend gauges from an object's current state, as Flux records them. */
  recordObject(kind: string, obj: KubeObject): void {
    const name = obj.metadata.name ?? "";
    const namespace = obj.metadata.namespace ?? "";
    const ready = readyStatus(obj);
    for (const status of ["True", "False", "Unknown"]) {
      this.#condition.set({ kind, name, namespace, type: "Ready", status }, status === ready ? 1 : 0);
    }
    const suspended = (obj as { spec?: { suspend?: unknown } }).spec?.suspend === true;
    this.#suspend.set({ kind, name, namespace }, suspended ? 1 : 0);
  }

  /** Drops an object's series once it is deleted. */
  forgetObject(kind: string, obj: KubeObject): void {
    const name = obj.metadata.name ?? "";
    const namespace = obj.metadata.namespace ?? "";
    for (const status of ["True", "False", "Unknown"]) {
      this.#condition.remove({ kind, name, namespace, type: "Ready", status });
    }
    this.#suspend.remove({ kind, name, namespace });
    this.#duration.remove({ kind, name, namespace });
  }

  /** A work-queue observer feeding the queue latency and work duration histograms of queue `name`. */
  queueObserver(name: string): WorkQueueObserver {
    return {
      queueLatency: (ms) => this.#queueLatency.observe({ name }, ms / 1000),
      workDuration: (ms) => this.#workDuration.observe({ name }, ms / 1000),
    };
  }

  /** Exports depth, adds, longest-running and active workers of queue `name` at every scrape. */
  watchQueue(name: string, stats: () => WorkQueueStats): void {
    this.#queues.set(name, stats);
  }

  /** Exports a client's request counters, and times the requests of its transport. */
  watchClient(client: KubeClient): void {
    this.#clients.push(client);
    this.#timeTransport(client.transport);
  }

  /** Counts one webhook request. */
  webhookRequest(result: WebhookResult): void {
    this.#webhook.inc({ result });
  }

  /** Sets whether this process leads the election of lease `name`. */
  setLeader(name: string, leading: boolean): void {
    this.#leader.set({ name }, leading ? 1 : 0);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  // Wraps the transport's request method (not the streams: a watch lasts minutes by design).
  #timeTransport(transport: Transport): void {
    const request = transport.request.bind(transport);
    const histogram = this.#requestLatency;
    transport.request = async (spec) => {
      const started = performance.now();
      let code = "0";
      try {
        const response = await request(spec);
        code = String(response.status);
        return response;
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        code = typeof status === "number" ? String(status) : "0";
        throw err;
      } finally {
        histogram.observe({ verb: spec.method, code }, (performance.now() - started) / 1000);
      }
    };
  }
}

function readyStatus(obj: KubeObject): string {
  const conditions = (obj as { status?: { conditions?: unknown } }).status?.conditions;
  if (!Array.isArray(conditions)) return "Unknown";
  for (const c of conditions as unknown[]) {
    if (typeof c !== "object" || c === null) continue;
    const { type, status } = c as { type?: unknown; status?: unknown };
    if (type === "Ready" && (status === "True" || status === "False")) return status;
  }
  return "Unknown";
}

/** Serves /metrics on "host:port". */
export async function startMetricsServer(addr: string, metrics: ControllerMetrics): Promise<HttpListener> {
  return listen(addr, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== "/metrics") return void res.writeHead(404).end();
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405).end();
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { "Content-Type": contentType }).end(body),
      (err: unknown) => res.writeHead(500).end(`metrics: ${String(err)}`),
    );
  });
}
