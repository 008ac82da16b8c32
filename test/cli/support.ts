// Shared pieces of the CLI tests: running `node bin/driftless.mjs …` against the test bed (piped, or on a
// pseudo-terminal through script(1)), and a stand-in controller that answers reconcile requests with a chosen
// outcome by writing status as Flux's controllers do.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { GitRepositoryType } from "../../src/api/gitrepository.ts";
import { KustomizationType } from "../../src/api/kustomization.ts";
import { RECONCILE_REQUEST_ANNOTATION } from "../../src/api/meta.ts";
import { KubeClient } from "../../src/kube/client.ts";
import type { KubeObject, ResourceRef } from "../../src/kube/object.ts";
import { kubectl, testEnv } from "../harness/context.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const NODE = resolve(ROOT, "node_modules", ".bin", "node");
const BIN = resolve(ROOT, "bin", "driftless.mjs");

/** The outcome of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `driftless <args>` with the test bed's kubeconfig in $KUBECONFIG, stdout and stderr piped. */
export function driftless(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      NODE,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: "", KUBECONFIG: testEnv().kubeconfig, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        done({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/** Runs `driftless <args>` on a pseudo-terminal (script(1)); stdout and stderr arrive mixed in stdout. */
export function driftlessOnTty(args: readonly string[]): Promise<CliResult> {
  const started = Date.now();
  const quoted = [NODE, BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return new Promise((done) => {
    execFile(
      "script",
      ["-qefc", quoted, "/dev/null"],
      {
        env: { ...process.env, NO_COLOR: "", TERM: "xterm", KUBECONFIG: testEnv().kubeconfig },
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        done({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

/** The resources of the two kinds. */
export const RESOURCES = {
  GitRepository: {
    group: GitRepositoryType.group,
    version: GitRepositoryType.version,
    plural: GitRepositoryType.plural,
  },
  Kustomization: {
    group: KustomizationType.group,
    version: KustomizationType.version,
    plural: KustomizationType.plural,
  },
} as const satisfies Record<string, ResourceRef>;

/** Creates a Kustomization (sourceRef to a GitRepository of `source`) with kubectl. */
export async function createKustomization(
  namespace: string,
  name: string,
  options: { source?: string; suspend?: boolean } = {},
): Promise<void> {
  const manifest = {
    apiVersion: KustomizationType.apiVersion,
    kind: "Kustomization",
    metadata: { name, namespace },
    spec: {
      interval: "10m",
      path: "./",
      prune: true,
      sourceRef: { kind: "GitRepository", name: options.source ?? "repo" },
      ...(options.suspend ? { suspend: true } : {}),
    },
  };
  const r = await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  if (r.code !== 0) throw new Error(`create Kustomization ${namespace}/${name}: ${r.stderr}`);
}

/** Creates a GitRepository with kubectl (nothing reconciles it unless a controller or a FakeController does). */
export async function createGitRepository(
  namespace: string,
  name: string,
  url = "http://127.0.0.1:1/x.git",
): Promise<void> {
  const manifest = {
    apiVersion: GitRepositoryType.apiVersion,
    kind: "GitRepository",
    metadata: { name, namespace },
    spec: { interval: "10m", url, ref: { branch: "main" } },
  };
  const r = await kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
  if (r.code !== 0) throw new Error(`create GitRepository ${namespace}/${name}: ${r.stderr}`);
}

/** What the stand-in controller writes for an object: a final Ready, or nothing at all ("ignore"). */
export type Outcome =
  | { ready: "True"; revision: string }
  | { ready: "False"; reason: string; message: string }
  | { ready: "Unknown"; thenTrueAfterMs: number; revision: string }
  | "ignore";

/** Ready=True status of a kind, as Flux writes it. */
function readyStatus(
  kind: keyof typeof RESOURCES,
  obj: KubeObject,
  outcome: Exclude<Outcome, "ignore">,
  handled: string,
): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const ready =
    outcome.ready === "False"
      ? { status: "False", reason: outcome.reason, message: outcome.message }
      : outcome.ready === "Unknown"
        ? { status: "Unknown", reason: "Progressing", message: "reconciliation in progress" }
        : {
            status: "True",
            reason: kind === "Kustomization" ? "ReconciliationSucceeded" : "Succeeded",
            message:
              kind === "Kustomization"
                ? `Applied revision: ${outcome.revision}`
                : `stored artifact for revision '${outcome.revision}'`,
          };
  const status: Record<string, unknown> = {
    observedGeneration: obj.metadata.generation ?? 1,
    lastHandledReconcileAt: handled,
    conditions: [
      { type: "Ready", lastTransitionTime: now, observedGeneration: obj.metadata.generation ?? 1, ...ready },
    ],
  };
  if (outcome.ready === "True") {
    if (kind === "Kustomization") status.lastAppliedRevision = outcome.revision;
    else
      status.artifact = {
        revision: outcome.revision,
        path: "gitrepository/x/y/z.tar.gz",
        url: "http://example.invalid/z.tar.gz",
        digest: `sha256:${"0".repeat(64)}`,
        lastUpdateTime: now,
      };
  }
  return status;
}

/**
 * Answers reconcile requests in one namespace as a controller would: when an object's requestedAt annotation
 * differs from its status.lastHandledReconcileAt (and it is not suspended), writes the chosen outcome.
 */
export class FakeController {
  readonly #client = KubeClient.fromFile(testEnv().kubeconfig);
  readonly #namespace: string;
  readonly outcomes = new Map<string, Outcome>();
  /** Requests answered, as `Kind/name=requestedAt`, in order. */
  readonly handled: string[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(namespace: string) {
    this.#namespace = namespace;
  }

  start(): this {
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      for (const kind of ["GitRepository", "Kustomization"] as const) {
        const list = await this.#client.listAll(RESOURCES[kind], { namespace: this.#namespace });
        for (const obj of list.items) await this.#answer(kind, obj);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async #answer(kind: keyof typeof RESOURCES, obj: KubeObject): Promise<void> {
    const requested = obj.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    const raw = obj as { spec?: { suspend?: boolean }; status?: { lastHandledReconcileAt?: string } };
    if (requested === undefined || raw.spec?.suspend === true) return;
    if (raw.status?.lastHandledReconcileAt === requested) return;
    const outcome = this.outcomes.get(`${kind}/${obj.metadata.name}`) ?? "ignore";
    if (outcome === "ignore") return;
    const key = { namespace: this.#namespace, name: obj.metadata.name ?? "" };
    this.handled.push(`${kind}/${key.name}=${requested}`);
    await this.#client.patchStatus(RESOURCES[kind], key, {
      status: readyStatus(kind, obj, outcome, requested),
    });
    if (outcome.ready === "Unknown") {
      await new Promise((r) => setTimeout(r, outcome.thenTrueAfterMs));
      const final = { ready: "True", revision: outcome.revision } as const;
      await this.#client.patchStatus(RESOURCES[kind], key, {
        status: readyStatus(kind, obj, final, requested),
      });
    }
  }
}

/** Writes an object's status directly, as if a controller had reconciled it (no request involved). */
export async function writeStatus(
  kind: keyof typeof RESOURCES,
  namespace: string,
  name: string,
  outcome: Exclude<Outcome, "ignore">,
): Promise<void> {
  const client = KubeClient.fromFile(testEnv().kubeconfig);
  const obj = await client.get(RESOURCES[kind], { namespace, name });
  await client.patchStatus(
    RESOURCES[kind],
    { namespace, name },
    { status: readyStatus(kind, obj, outcome, "") },
  );
}
