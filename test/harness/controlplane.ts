// A real Kubernetes control plane for tests, as controller-runtime's envtest starts one: etcd and
// kube-apiserver on loopback with generated certificates, and in full mode kube-controller-manager,
// kube-scheduler and kwok with one fake node, so that Deployments get Pods that become Ready.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { type ControlPlaneCerts, generateControlPlaneCerts } from "./certs.ts";
import { freePort } from "./ports.ts";
import { ManagedProcess } from "./proc.ts";
import { toolPath } from "./tools.ts";

const execFileP = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "..", "..");

/** How to start a control plane. */
export interface ControlPlaneOptions {
  /** Also run kube-controller-manager, kube-scheduler and kwok with one fake node. */
  readonly full?: boolean;
  /** Install the CRDs found in crds/ (default true). */
  readonly crds?: boolean;
  /** Extra CRD or manifest files to apply after start. */
  readonly manifests?: readonly string[];
}

/** What a test needs to reach a running control plane (JSON-serialisable). */
export interface ControlPlaneInfo {
  readonly kubeconfig: string;
  readonly server: string;
  readonly dir: string;
  readonly full: boolean;
  readonly caCert: string;
  readonly adminCert: string;
  readonly adminKey: string;
}

/** A running etcd + kube-apiserver (+ controllers in full mode). */
export class ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly full: boolean;
  readonly certs: ControlPlaneCerts;
  private etcd: ManagedProcess | undefined;
  private apiserver: ManagedProcess | undefined;
  private others: ManagedProcess[] = [];
  private apiPort = 0;
  private etcdPort = 0;
  private etcdPeerPort = 0;

  private constructor(dir: string, full: boolean) {
    this.dir = dir;
    this.full = full;
    this.kubeconfig = join(dir, "kubeconfig");
    mkdirSync(join(dir, "logs"), { recursive: true });
    mkdirSync(join(dir, "pki"));
    this.certs = generateControlPlaneCerts(join(dir, "pki"));
  }

  /** Starts a control plane and waits until it is ready (and CRDs are Established). */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const dir = mkdtempSync(join(tmpdir(), "driftless-cp-"));
    const cp = new ControlPlane(dir, options.full ?? false);
    try {
      cp.apiPort = await freePort();
      cp.etcdPort = await freePort();
      cp.etcdPeerPort = await freePort();
      cp.writeKubeconfig();
      await cp.startEtcd();
      await cp.startApiServer();
      if (options.crds ?? true) await cp.installCrds();
      for (const m of options.manifests ?? []) await cp.kubectlOrThrow(["apply", "--server-side", "-f", m]);
      if (cp.full) await cp.startControllers();
      return cp;
    } catch (err) {
      await cp.stop();
      throw err;
    }
  }

  /** The apiserver URL. */
  get server(): string {
    return `https://127.0.0.1:${this.apiPort}`;
  }

  /** The PIDs of every process, for a supervisor that must clean up after a crash. */
  get pids(): number[] {
    return [this.etcd, this.apiserver, ...this.others].flatMap((p) => (p && !p.hasExited ? [p.pid] : []));
  }

  /** What a test worker needs to use this control plane. */
  info(): ControlPlaneInfo {
    return {
      kubeconfig: this.kubeconfig,
      server: this.server,
      dir: this.dir,
      full: this.full,
      caCert: this.certs.caCert,
      adminCert: this.certs.adminCert,
      adminKey: this.certs.adminKey,
    };
  }

  /** Stops only kube-apiserver (etcd keeps the data), e.g. to test that watches recover. */
  async stopApiServer(): Promise<void> {
    await this.apiserver?.stop();
    this.apiserver = undefined;
  }

  /** Starts kube-apiserver on the same port with the same certs and waits for /readyz. */
  async startApiServer(): Promise<void> {
    const c = this.certs;
    const args = [
      `--etcd-servers=http://127.0.0.1:${this.etcdPort}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${this.apiPort}`,
      `--tls-cert-file=${c.servingCert}`,
      `--tls-private-key-file=${c.servingKey}`,
      `--client-ca-file=${c.caCert}`,
      `--service-account-key-file=${c.saPub}`,
      `--service-account-signing-key-file=${c.saKey}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=RBAC",
      "--allow-privileged=true",
      "--enable-priority-and-fairness=false",
      "--storage-media-type=application/json",
      "--profiling=false",
      `--cert-dir=${join(this.dir, "apiserver-certs")}`,
      // Without the controllers there is no token controller: let Pods in basic mode skip the SA check.
      ...(this.full ? [] : ["--disable-admission-plugins=ServiceAccount"]),
    ];
    this.apiserver = new ManagedProcess(
      "kube-apiserver",
      toolPath("kube-apiserver"),
      args,
      join(this.dir, "logs", "kube-apiserver.log"),
    );
    await this.waitHealthy(this.apiserver, "/readyz", 90_000);
  }

  /** Runs kubectl against this control plane. */
  async kubectl(
    args: readonly string[],
    input?: string,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return runKubectl(this.kubeconfig, args, input);
  }

  /** Stops everything and removes the temp dir. */
  async stop(): Promise<void> {
    for (const p of [...this.others].reverse()) await p.stop();
    this.others = [];
    await this.apiserver?.stop();
    await this.etcd?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeKubeconfig(): void {
    const c = this.certs;
    writeFileSync(
      this.kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: driftless-test",
        "  cluster:",
        `    server: https://127.0.0.1:${this.apiPort}`,
        `    certificate-authority: ${c.caCert}`,
        "users:",
        "- name: admin",
        "  user:",
        `    client-certificate: ${c.adminCert}`,
        `    client-key: ${c.adminKey}`,
        "contexts:",
        "- name: driftless-test",
        "  context:",
        "    cluster: driftless-test",
        "    user: admin",
        "current-context: driftless-test",
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
  }

  private async startEtcd(): Promise<void> {
    const peer = `http://127.0.0.1:${this.etcdPeerPort}`;
    const client = `http://127.0.0.1:${this.etcdPort}`;
    this.etcd = new ManagedProcess(
      "etcd",
      toolPath("etcd"),
      [
        `--data-dir=${join(this.dir, "etcd")}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        "--unsafe-no-fsync=true",
        "--log-level=warn",
      ],
      join(this.dir, "logs", "etcd.log"),
    );
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`${client}/health`);
        if (res.ok) return;
      } catch {
        // not up yet
      }
      if (this.etcd.hasExited) throw new Error(`etcd exited:\n${this.etcd.tail()}`);
      if (Date.now() > deadline) throw new Error(`etcd not healthy in 30s:\n${this.etcd.tail()}`);
      await sleep(100);
    }
  }

  private async installCrds(): Promise<void> {
    const dir = join(repoRoot, "crds");
    const files = safeReaddir(dir)
      .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
      .map((f) => join(dir, f));
    if (files.length === 0) return;
    await this.kubectlOrThrow(["apply", "--server-side", ...files.flatMap((f) => ["-f", f])]);
    // A CRD that has no conditions yet makes `kubectl wait` fail at once ("accessor error"): retry.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await this.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=30s"]);
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error(`CRDs not Established: ${r.stderr}`);
      await sleep(250);
    }
  }

  private async startControllers(): Promise<void> {
    const { startFullMode } = await import("./fullmode.ts");
    this.others.push(...(await startFullMode(this)));
  }

  /** Starts a helper process of the control plane (used by full mode). */
  spawn(name: string, tool: string, args: readonly string[]): ManagedProcess {
    return new ManagedProcess(name, toolPath(tool), args, join(this.dir, "logs", `${name}.log`));
  }

  private async kubectlOrThrow(args: readonly string[]): Promise<string> {
    const r = await this.kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Polls an HTTPS health endpoint with the admin cert until it answers 200. */
  async waitHealthy(
    proc: ManagedProcess,
    path: string,
    timeoutMs: number,
    port = this.apiPort,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const tls = {
      ca: readFileSync(this.certs.caCert),
      cert: readFileSync(this.certs.adminCert),
      key: readFileSync(this.certs.adminKey),
    };
    for (;;) {
      if (proc.hasExited) throw new Error(`${proc.name} exited:\n${proc.tail()}`);
      if ((await httpsStatus(port, path, tls)) === 200) return;
      if (Date.now() > deadline)
        throw new Error(`${proc.name} not healthy in ${timeoutMs} ms:\n${proc.tail()}`);
      await sleep(200);
    }
  }
}

/** Runs kubectl with a kubeconfig; never throws on a non-zero exit. */
export async function runKubectl(
  kubeconfig: string,
  args: readonly string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = execFileP(toolPath("kubectl"), [`--kubeconfig=${kubeconfig}`, ...args], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  } else {
    child.child.stdin?.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: unknown; stderr?: unknown };
    return {
      code: typeof e.code === "number" ? e.code : 1,
      stdout: typeof e.stdout === "string" ? e.stdout : "",
      stderr: typeof e.stderr === "string" ? e.stderr : String(err),
    };
  }
}

function httpsStatus(
  port: number,
  path: string,
  tls: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", timeout: 2000, ...tls }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on("error", () => resolvePromise(0));
    req.on("timeout", () => {
      req.destroy();
      resolvePromise(0);
    });
    req.end();
  });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
