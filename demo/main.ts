// The README demo: a local control plane (Pods become Ready on a fake node), a local git server holding the
// seed's layout, and a real `driftless controller` process reconciling it, narrated step by step.
//   ./dev demo          narrate live; Ctrl-C stops everything
//   ./dev demo --keep   leave the cluster and driftless running at the end, and say how to use kubectl
//   ./dev demo --ci     the same scenario, one line per step, each with a timeout; exit 0 only if all passed
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runKubectl } from "../test/harness/controlplane.ts";
import { commitFiles, createRepo, repoUrl } from "../test/harness/git/index.ts";
import { startTestEnv, type TestEnv } from "../test/harness/testenv.ts";
import { readTree } from "../test/harness/tree.ts";

const root = resolve(import.meta.dirname, "..");
const seedDir = join(root, "examples", "seed");
const { values: flags } = parseArgs({
  options: { ci: { type: "boolean", default: false }, keep: { type: "boolean", default: false } },
});
const ci = flags.ci || !process.stdout.isTTY;
const color = (code: number, s: string): string => (ci ? s : `\u001b[${code}m${s}\u001b[0m`);
const say = (s: string): void => {
  if (!flags.ci) process.stdout.write(`${s}\n`);
};

interface Step {
  readonly title: string;
  readonly timeoutMs: number;
  run(): Promise<string | undefined>;
}

let env: TestEnv | undefined;
let controller: ChildProcess | undefined;
const work = mkdtempSync(join(tmpdir(), "driftless-demo-"));
let cleaning: Promise<void> | undefined;

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    if (controller && controller.exitCode === null) {
      controller.kill("SIGTERM");
      await new Promise((r) => controller?.once("exit", r));
    }
    await env?.stop();
    rmSync(work, { recursive: true, force: true });
  })();
  return cleaning;
}

process.once("SIGINT", () => {
  say("\nstopping: driftless, the control plane and the git server …");
  void cleanup().then(() => process.exit(130));
});

async function kubectl(...args: string[]): Promise<string> {
  const kubeconfig = env?.info().kubeconfig ?? "";
  const r = await runKubectl(kubeconfig, args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const jp = async (args: string[], path: string): Promise<string> =>
  (await kubectl("get", ...args, "-o", `jsonpath=${path}`)).trim();

const repo = "gitops";
const seed = readTree(seedDir);
const frontendOverlay = "apps/frontend/overlays/production/kustomization.yaml";
let controllerLog = "";

const steps: Step[] = [
  {
    title: "start a local control plane (etcd, kube-apiserver, controllers, kwok with one fake node)",
    timeoutMs: 180_000,
    run: async () => {
      env = await startTestEnv({ full: true });
      await kubectl("apply", "--server-side", "-f", join(root, "examples", "crds"));
      return env.info().server;
    },
  },
  {
    title: "push the seed's layout to a local git server (SSH)",
    timeoutMs: 30_000,
    run: async () => {
      const git = env?.info().git;
      if (!git) throw new Error("no git server");
      await createRepo(git, repo);
      const c = await commitFiles(git, repo, seed, { message: "Initial layout", branch: "main" });
      return `${repoUrl(git, "ssh", repo)} main@${c.sha.slice(0, 12)}`;
    },
  },
  {
    title: "start driftless",
    timeoutMs: 60_000,
    run: async () => {
      const info = env?.info();
      if (!info) throw new Error("no test bed");
      controllerLog = join(work, "driftless.log");
      const out = openSync(controllerLog, "a");
      controller = spawn(
        process.execPath,
        [
          join(root, "bin", "driftless.mjs"),
          "controller",
          `--kubeconfig=${info.kubeconfig}`,
          "--log-format=console",
          `--storage-path=${join(work, "storage")}`,
          "--health-addr=127.0.0.1:0",
          "--metrics-addr=127.0.0.1:0",
          "--webhook-addr=127.0.0.1:0",
        ],
        { stdio: ["ignore", out, out] },
      );
      await until("driftless to start", 60_000, async () =>
        readFileSync(controllerLog, "utf8").includes("controllers started") ? true : undefined,
      );
      return `pid ${controller.pid}, log ${controllerLog}`;
    },
  },
  {
    title:
      "apply the seed's clusters/production/flux-system/gotk-sync.yaml (URL pointed at the local SSH server)",
    timeoutMs: 30_000,
    run: async () => {
      const info = env?.info();
      if (!info) throw new Error("no test bed");
      await kubectl("create", "namespace", "flux-system");
      await kubectl(
        "create",
        "secret",
        "generic",
        "git-ssh-key",
        "-n",
        "flux-system",
        `--from-file=identity=${info.git.ssh.clientKeyFile}`,
        `--from-file=known_hosts=${info.git.ssh.knownHostsFile}`,
      );
      // The age key that decrypts secrets/production (a throwaway demo key).
      await kubectl(
        "create",
        "secret",
        "generic",
        "sops-age",
        "-n",
        "flux-system",
        `--from-file=age.agekey=${join(root, "examples", "keys", "demo.agekey")}`,
      );
      const sync = (seed["clusters/production/flux-system/gotk-sync.yaml"] ?? "").replace(
        "ssh://git@github.com/your-org/your-gitops-repo.git",
        repoUrl(info.git, "ssh", repo),
      );
      writeFileSync(join(work, "gotk-sync.yaml"), sync);
      await kubectl("apply", "-f", join(work, "gotk-sync.yaml"));
      await kubectl("apply", "-f", join(seedDir, "clusters", "production", "infrastructure.yaml"));
      await kubectl("apply", "-f", join(seedDir, "clusters", "production", "secrets.yaml"));
      return "GitRepository/my-gitops-repo, Kustomization/apps-production (+ cert-manager, nginx-ingress, secrets-production)";
    },
  },
  {
    title: "the source becomes Ready",
    timeoutMs: 60_000,
    run: async () => {
      await kubectl(
        "wait",
        "--for=condition=Ready",
        "gitrepository/my-gitops-repo",
        "-n",
        "flux-system",
        "--timeout=55s",
      );
      return jp(["gitrepository/my-gitops-repo", "-n", "flux-system"], "{.status.artifact.revision}");
    },
  },
  {
    title: "the apps are applied and become Ready (wait: true)",
    timeoutMs: 120_000,
    run: async () => {
      await kubectl(
        "wait",
        "--for=condition=Ready",
        "kustomization",
        "--all",
        "-n",
        "flux-system",
        "--timeout=115s",
      );
      say(color(90, await kubectl("get", "ks", "-n", "flux-system")));
      say(
        color(
          90,
          await kubectl(
            "get",
            "deployments,services,ingresses,helmreleases",
            "-A",
            "-l",
            "kustomize.toolkit.fluxcd.io/namespace=flux-system",
          ),
        ),
      );
      return `frontend ${await jp(["deployment/frontend-deployment", "-n", "frontend"], "{.status.readyReplicas}")}/2 ready`;
    },
  },
  {
    title: "the SOPS-encrypted Secret (age) in git lands decrypted",
    timeoutMs: 60_000,
    run: async () => {
      const committed = seed["secrets/production/db-credentials.sops.yaml"] ?? "";
      if (!committed.includes("ENC[AES256_GCM,")) throw new Error("the Secret in git is not encrypted");
      const password = await until("the decrypted Secret", 55_000, async () => {
        const v = await jp(["secret/db-credentials", "-n", "backend"], "{.data.password}");
        return v ? Buffer.from(v, "base64").toString("utf8") : undefined;
      });
      if (password !== "correct-horse-battery-staple")
        throw new Error("the Secret does not hold the committed password");
      return "Secret/backend/db-credentials decrypted (git holds only ENC[AES256_GCM,…] values)";
    },
  },
  {
    title:
      "push a commit (frontend replicas 2 → 3) and ask for a reconcile, as `flux reconcile source git` does",
    timeoutMs: 60_000,
    run: async () => {
      const git = env?.info().git;
      if (!git) throw new Error("no git server");
      const started = Date.now();
      await commitFiles(
        git,
        repo,
        { [frontendOverlay]: (seed[frontendOverlay] ?? "").replace("count: 2", "count: 3") },
        { message: "frontend: 3 replicas" },
      );
      await kubectl(
        "annotate",
        "--overwrite",
        "gitrepository/my-gitops-repo",
        "-n",
        "flux-system",
        `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`,
      );
      await until("3 replicas", 55_000, async () =>
        (await jp(["deployment/frontend-deployment", "-n", "frontend"], "{.spec.replicas}")) === "3"
          ? true
          : undefined,
      );
      return `applied ${((Date.now() - started) / 1000).toFixed(1)} s after the push`;
    },
  },
  {
    title: "edit the Deployment by hand (kubectl scale --replicas=7): driftless reverts it",
    timeoutMs: 30_000,
    run: async () => {
      await kubectl("scale", "deployment/frontend-deployment", "-n", "frontend", "--replicas=7");
      const started = Date.now();
      await until("the revert", 25_000, async () =>
        (await jp(["deployment/frontend-deployment", "-n", "frontend"], "{.spec.replicas}")) === "3"
          ? true
          : undefined,
      );
      return `reverted to 3 in ${Date.now() - started} ms`;
    },
  },
  {
    title: "delete the Ingress's file in git: driftless prunes it",
    timeoutMs: 60_000,
    run: async () => {
      const git = env?.info().git;
      if (!git) throw new Error("no git server");
      const overlay = (seed[frontendOverlay] ?? "")
        .replace("count: 2", "count: 3")
        .replace("  - ingress.yaml\n", "");
      await commitFiles(
        git,
        repo,
        { [frontendOverlay]: overlay },
        {
          message: "frontend: no ingress",
          deletions: ["apps/frontend/overlays/production/ingress.yaml"],
        },
      );
      await kubectl(
        "annotate",
        "--overwrite",
        "gitrepository/my-gitops-repo",
        "-n",
        "flux-system",
        `reconcile.fluxcd.io/requestedAt=${new Date().toISOString()}`,
      );
      await until("the prune", 55_000, async () => {
        const r = await runKubectl(env?.info().kubeconfig ?? "", [
          "get",
          "ingress/frontend",
          "-n",
          "frontend",
        ]);
        return r.code !== 0 && r.stderr.includes("NotFound") ? true : undefined;
      });
      return "Ingress/frontend/frontend deleted";
    },
  },
];

async function run(): Promise<number> {
  let failed = false;
  for (const [i, step] of steps.entries()) {
    const started = Date.now();
    if (!flags.ci) say(`${color(36, `[${i + 1}/${steps.length}]`)} ${step.title} …`);
    try {
      const detail = await Promise.race([
        step.run(),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`step timed out after ${step.timeoutMs / 1000} s`)),
            step.timeoutMs,
          ).unref(),
        ),
      ]);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (flags.ci)
        process.stdout.write(`ok   ${i + 1} ${step.title} (${secs}s)${detail ? `: ${detail}` : ""}\n`);
      else say(`      ${color(32, "✔")} ${detail ?? ""} ${color(90, `(${secs}s)`)}`);
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      if (flags.ci) process.stdout.write(`FAIL ${i + 1} ${step.title}: ${message}\n`);
      else say(`      ${color(31, "✘")} ${message}`);
      if (controllerLog) process.stderr.write(`driftless log (last lines):\n${tail(controllerLog)}\n`);
      break;
    }
  }
  if (!failed && flags.keep) {
    const info = env?.info();
    say(
      `\nThe cluster and driftless keep running. In another shell:\n  export KUBECONFIG=${info?.kubeconfig}\n  ${info?.binDir}/kubectl get ks,gitrepo -A\ndriftless log: ${controllerLog}\nCtrl-C stops everything.`,
    );
    await new Promise(() => {});
  }
  await cleanup();
  if (flags.ci) process.stdout.write(failed ? "demo: FAILED\n" : `demo: all ${steps.length} steps passed\n`);
  return failed ? 1 : 0;
}

function tail(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-20).join("\n");
  } catch {
    return "";
  }
}

void ci;
process.exitCode = await run();
