// Shared pieces of the process tests: the real `driftless controller` started as a child process against
// the test bed, its JSON log parsed as it arrives, and a small repository with a GitRepository and a
// Kustomization labelled for the test file's own shard (so the processes ignore every other test's objects).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, createRepo, repoUrl } from "../harness/git/index.ts";

const BIN = resolve(import.meta.dirname, "..", "..", "bin", "driftless.mjs");

/** One JSON log record of the controller. */
export type LogRecord = Record<string, unknown> & { msg?: string; level?: number; time?: number };

/** A running `driftless controller` child process. */
export class ControllerProcess {
  readonly name: string;
  readonly records: LogRecord[] = [];
  /** Every byte the process wrote, stdout and stderr. */
  output = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;
  readonly #dir: string;
  #done = false;
  #partial = "";

  constructor(name: string, args: readonly string[], env: Record<string, string> = {}) {
    this.name = name;
    this.#dir = mkdtempSync(join(tmpdir(), `driftless-proc-${name}-`));
    const full = [
      BIN,
      "controller",
      "--kubeconfig",
      testEnv().kubeconfig,
      "--health-addr",
      "127.0.0.1:0",
      "--metrics-addr",
      "127.0.0.1:0",
      "--webhook-addr",
      "127.0.0.1:0",
      "--storage-path",
      join(this.#dir, "storage"),
      ...args,
    ];
    // Its own process group, so that a kill reaches every process it started.
    this.#child = spawn(process.execPath, full, {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    const onData = (chunk: Buffer): void => this.#take(chunk.toString("utf8"));
    this.#child.stdout?.on("data", onData);
    this.#child.stderr?.on("data", onData);
    this.exited = new Promise((resolveExit) => {
      this.#child.on("exit", (code, signal) => {
        this.#done = true;
        resolveExit({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  get hasExited(): boolean {
    return this.#done;
  }

  /** Sends a signal to the process group. */
  signal(sig: NodeJS.Signals): void {
    if (this.#done) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // already gone
    }
  }

  /** Waits for the first log record matching `match` (message text or predicate). */
  async waitForLog(match: string | ((r: LogRecord) => boolean), timeoutMs = 60_000): Promise<LogRecord> {
    const test = typeof match === "string" ? (r: LogRecord) => r.msg === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.find(test);
      if (found) return found;
      if (this.#done) throw new Error(`${this.name} exited before logging the record:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no such log record:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Whether any log record has this message. */
  logged(msg: string): boolean {
    return this.records.some((r) => r.msg === msg);
  }

  /** The ports the process bound (from its "serving" record). */
  async ports(): Promise<{ health: number; metrics: number; webhook: number }> {
    const r = await this.waitForLog("serving");
    return { health: Number(r.healthPort), metrics: Number(r.metricsPort), webhook: Number(r.webhookPort) };
  }

  /** The /metrics exposition text. */
  async metrics(): Promise<string> {
    const { metrics } = await this.ports();
    const res = await fetch(`http://127.0.0.1:${metrics}/metrics`);
    return res.text();
  }

  /** The last lines of output, for failure messages. */
  tail(lines = 40): string {
    return this.output.split("\n").slice(-lines).join("\n");
  }

  /** SIGTERM, then SIGKILL after `graceMs`; removes its storage. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.#done) {
      this.signal("SIGTERM");
      const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
    // DRIFTLESS_TEST_LOG_DIR keeps each process's output for a look after the run.
    const keep = process.env.DRIFTLESS_TEST_LOG_DIR;
    if (keep) writeFileSync(join(keep, `${this.name}-${this.pid}.log`), this.output);
  }

  #take(text: string): void {
    this.output += text;
    const lines = (this.#partial + text).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        this.records.push(JSON.parse(line) as LogRecord);
      } catch {
        // not a log record
      }
    }
  }
}

/** A label unique to one test file; its processes watch only objects carrying it. */
export function shardLabel(prefix: string): { key: string; value: string; selector: string } {
  const value = `${prefix}-${randomBytes(3).toString("hex")}`;
  return { key: "driftless.test/shard", value, selector: `driftless.test/shard=${value}` };
}

/** A repository on the test git server holding one ConfigMap under deploy/. */
export async function pushConfigMapRepo(data: Record<string, string>): Promise<string> {
  const name = `proc-${randomBytes(3).toString("hex")}`;
  await createRepo(testEnv().git, name);
  await commitFiles(testEnv().git, name, configMapFiles(data), { message: "config", branch: "main" });
  return name;
}

/** The files of the repository: deploy/kustomization.yaml and deploy/configmap.yaml. */
export function configMapFiles(data: Record<string, string>): Record<string, string> {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`);
  return {
    "deploy/kustomization.yaml": "resources:\n  - configmap.yaml\n",
    "deploy/configmap.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\ndata:\n${lines.join("\n")}\n`,
  };
}

/** Applies a basic-auth Secret, a GitRepository over HTTP basic auth and a Kustomization, all labelled. */
export async function applySourceAndKustomization(options: {
  namespace: string;
  repo: string;
  label: { key: string; value: string };
  /** Extra GitRepository annotations (e.g. the webhook secret). */
  annotations?: Record<string, string>;
  password?: string;
}): Promise<void> {
  const env = testEnv();
  const { namespace, label } = options;
  const annotations = Object.entries(options.annotations ?? {})
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join("");
  const yaml = `apiVersion: v1
kind: Secret
metadata:
  name: git-basic
  namespace: ${namespace}
stringData:
  username: ${env.git.credentials.username}
  password: ${options.password ?? env.git.credentials.password}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: app
  namespace: ${namespace}
  labels:
    ${label.key}: ${label.value}
${annotations ? `  annotations:\n${annotations}` : ""}spec:
  interval: 10m
  url: ${repoUrl(env.git, "http-basic", options.repo)}
  ref:
    branch: main
  secretRef:
    name: git-basic
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: app
  namespace: ${namespace}
  labels:
    ${label.key}: ${label.value}
spec:
  interval: 10m
  path: ./deploy
  prune: true
  targetNamespace: ${namespace}
  sourceRef:
    kind: GitRepository
    name: app
`;
  const r = await kubectl(["apply", "-f", "-"], yaml);
  if (r.code !== 0) throw new Error(`apply: ${r.stderr}`);
}

/**
 * Deletes the test namespace once the controllers are stopped: their finalizers are dropped first, as no
 * controller is left to run them (the applied objects go with the namespace).
 */
export async function deleteNamespace(namespace: string): Promise<void> {
  for (const kind of [
    "kustomizations.kustomize.toolkit.fluxcd.io",
    "gitrepositories.source.toolkit.fluxcd.io",
  ]) {
    const names = await kubectl(["get", kind, "-n", namespace, "-o", "name"]);
    for (const name of names.stdout.split("\n").filter(Boolean)) {
      await kubectl([
        "patch",
        name,
        "-n",
        namespace,
        "--type=merge",
        "-p",
        '{"metadata":{"finalizers":null}}',
      ]);
    }
  }
  await kubectl(["delete", "namespace", namespace, "--wait=false"]);
}

export { eventually, jsonpath } from "../harness/wait.ts";
