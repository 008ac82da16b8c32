// The controller process's /metrics after real reconciles, its webhook receiver with good and bad signatures,
// and that no secret value (git password, webhook token) reaches its logs, events or metrics.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { repoUrl } from "../harness/git/index.ts";
import {
  applySourceAndKustomization,
  ControllerProcess,
  deleteNamespace,
  eventually,
  jsonpath,
  pushConfigMapRepo,
  shardLabel,
} from "./support.ts";

describe("the controller process's metrics, webhook and secrets", () => {
  const label = shardLabel("metrics");
  const token = `tok-${randomBytes(12).toString("hex")}`;
  const wrongPassword = `wrong-${randomBytes(8).toString("hex")}`;
  let namespace = "";
  let proc: ControllerProcess;
  let hookUrl = "";

  beforeAll(async () => {
    namespace = await createNamespace("proc-metrics");
    const repo = await pushConfigMapRepo({ color: "blue" });
    proc = new ControllerProcess("metrics", [
      "--watch-label-selector",
      label.selector,
      "--log-level",
      "debug",
    ]);
    await proc.waitForLog("controllers started", 60_000);
    const secret = await kubectl([
      "create",
      "secret",
      "generic",
      "webhook-token",
      "-n",
      namespace,
      `--from-literal=token=${token}`,
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    await applySourceAndKustomization({
      namespace,
      repo,
      label,
      annotations: { "driftless.io/webhook-secret": "webhook-token" },
    });
    const ready = await kubectl([
      "wait",
      "--for=condition=Ready",
      "kustomization/app",
      "-n",
      namespace,
      "--timeout=90s",
    ]);
    expect(ready.code, `${ready.stderr}\n${proc.tail()}`).toBe(0);
    const { webhook } = await proc.ports();
    const digest = createHash("sha256").update(`${token}app${namespace}`).digest("hex");
    hookUrl = `http://127.0.0.1:${webhook}/hook/${digest}`;
  });

  afterAll(async () => {
    await proc?.stop();
    await deleteNamespace(namespace);
  });

  it("exports Flux's reconcile metrics with kind, name and namespace after a reconcile", async () => {
    const text = await proc.metrics();
    const ks = `kind="Kustomization",name="app",namespace="${namespace}"`;
    const src = `kind="GitRepository",name="app",namespace="${namespace}"`;
    // Flux's buckets: ExponentialBucketsRange(0.01, 1800, 10), computed as Prometheus' Go client does (the
    // last finite one comes out as 1799.9999999999982 there too).
    const les = [
      ...text.matchAll(new RegExp(`gotk_reconcile_duration_seconds_bucket\\{le="([^"]+)",${ks}\\}`, "g")),
    ].map((m) => m[1]);
    expect(les).toHaveLength(11);
    expect(les[0]).toBe("0.01");
    expect(Number(les[9])).toBeCloseTo(1800, 6);
    expect(les[10]).toBe("+Inf");
    expect(text).toMatch(new RegExp(`gotk_reconcile_duration_seconds_count\\{${src}\\} [1-9]`));
    expect(text).toContain(`gotk_reconcile_condition{${ks},type="Ready",status="True"} 1`);
    expect(text).toContain(`gotk_reconcile_condition{${ks},type="Ready",status="False"} 0`);
    expect(text).toContain(`gotk_reconcile_condition{${src},type="Ready",status="True"} 1`);
    expect(text).toContain(`gotk_suspend_status{${ks}} 0`);
    expect(text).toMatch(/workqueue_adds_total\{name="kustomization"\} [1-9]/);
    expect(text).toMatch(/workqueue_depth\{name="gitrepository"\} \d/);
    expect(text).toMatch(/workqueue_queue_duration_seconds_count\{name="kustomization"\} [1-9]/);
    expect(text).toMatch(/workqueue_work_duration_seconds_count\{name="gitrepository"\} [1-9]/);
    expect(text).toMatch(
      /controller_runtime_reconcile_total\{controller="kustomization",result="requeue_after"\} [1-9]/,
    );
    expect(text).toMatch(/driftless_api_requests_total\{verb="apply"\} [1-9]/);
    expect(text).toMatch(/rest_client_request_duration_seconds_count\{verb="GET",code="200"\} [1-9]/);
    expect(text).toMatch(
      new RegExp(
        `driftless_gitrepository_reconcile_duration_seconds_count\\{name="app",namespace="${namespace}",result="(success|requeue)"\\} [1-9]`,
      ),
    );
    expect(text).toMatch(/process_cpu_user_seconds_total \d/);
    expect(text).toMatch(/nodejs_heap_size_used_bytes \d/);
  });

  it("turns a request signed with the token into an immediate poll of the GitRepository", async () => {
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const signature = createHmac("sha256", token).update(body).digest("hex");
    const res = await fetch(hookUrl, {
      method: "POST",
      headers: { "X-Hub-Signature-256": `sha256=${signature}`, "Content-Type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const requestedAt = await jsonpath(
      ["gitrepository/app", "-n", namespace],
      "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
    );
    expect(requestedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await eventually(
      async () =>
        (await jsonpath(["gitrepository/app", "-n", namespace], "{.status.lastHandledReconcileAt}")) ===
          requestedAt || undefined,
      30_000,
      "lastHandledReconcileAt to match the webhook's requestedAt",
    );
    // GitLab's token header and the generic HMAC header are accepted too.
    const gitlab = await fetch(hookUrl, { method: "POST", headers: { "X-Gitlab-Token": token }, body });
    expect(gitlab.status).toBe(200);
    const generic = await fetch(hookUrl, {
      method: "POST",
      headers: { "X-Signature": `sha512=${createHmac("sha512", token).update(body).digest("hex")}` },
      body,
    });
    expect(generic.status).toBe(200);
  });

  it("answers 401 to bad signatures, counts them, and changes nothing", async () => {
    const before = await jsonpath(
      ["gitrepository/app", "-n", namespace],
      "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
    );
    const body = JSON.stringify({ ref: "refs/heads/main" });
    const forged = createHmac("sha256", "not-the-token").update(body).digest("hex");
    const bad: Record<string, string>[] = [
      { "X-Hub-Signature-256": `sha256=${forged}` },
      { "X-Gitlab-Token": `${token}x` },
      { "X-Signature": `sha256=${forged}` },
      {},
    ];
    for (const headers of bad) {
      const res = await fetch(hookUrl, { method: "POST", headers, body });
      expect(res.status).toBe(401);
    }
    const unknown = await fetch(`${hookUrl.slice(0, -8)}00000000`, { method: "POST", body });
    expect(unknown.status).toBe(404);
    const text = await proc.metrics();
    expect(text).toContain(`driftless_webhook_requests_total{result="unauthorized"} ${bad.length}`);
    expect(text).toContain('driftless_webhook_requests_total{result="accepted"} 3');
    expect(text).toContain('driftless_webhook_requests_total{result="not_found"} 1');
    const after = await jsonpath(
      ["gitrepository/app", "-n", namespace],
      "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
    );
    expect(after).toBe(before);
  });

  it("never writes a secret value to its logs, events or metrics, even when authentication fails", async () => {
    // A second source whose password the server refuses: its failure is reported, the password never.
    const env = testEnv();
    const yaml = `apiVersion: v1
kind: Secret
metadata:
  name: git-wrong
  namespace: ${namespace}
stringData:
  username: ${env.git.credentials.username}
  password: ${wrongPassword}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: refused
  namespace: ${namespace}
  labels:
    ${label.key}: ${label.value}
spec:
  interval: 10m
  url: ${repoUrl(env.git, "http-basic", "does-not-matter")}
  secretRef:
    name: git-wrong
`;
    const applied = await kubectl(["apply", "-f", "-"], yaml);
    expect(applied.code, applied.stderr).toBe(0);
    await eventually(
      async () =>
        (await jsonpath(
          ["gitrepository/refused", "-n", namespace],
          '{.status.conditions[?(@.type=="Ready")].status}',
        )) === "False" || undefined,
      60_000,
      "the refused source to fail",
    );
    const events = await kubectl(["get", "events.events.k8s.io", "-n", namespace, "-o", "json"]);
    const coreEvents = await kubectl(["get", "events", "-n", namespace, "-o", "json"]);
    const sources = await kubectl(["get", "gitrepositories", "-n", namespace, "-o", "json"]);
    const outputs = {
      logs: proc.output,
      events: events.stdout + coreEvents.stdout,
      status: sources.stdout,
      metrics: await proc.metrics(),
    };
    expect(proc.output).toContain("webhook: signature refused");
    expect(events.stdout).toContain("refused");
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [env.git.credentials.password, wrongPassword, token]) {
        expect(text.includes(secret), `${where} contains a secret value`).toBe(false);
      }
    }
  });
});
