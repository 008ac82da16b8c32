// A Kustomization controller in the test process against any control plane (the shared test bed or a
// test file's own), with a client the test may hook and every reconcile outcome recorded. The source is a
// stand-in: the test publishes a tree as a GitRepository's artifact and sets that GitRepository's status.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pino } from "pino";
import { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import {
  createKustomizationController,
  type KustomizationController,
} from "../../src/controller/kustomization/setup.ts";
import { EventRecorder } from "../../src/controller/runtime/events.ts";
import type { ReconcileOutcome } from "../../src/controller/runtime/reconciler.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { runKubectl } from "./controlplane.ts";
import { eventually } from "./wait.ts";

type KubectlResult = { code: number; stdout: string; stderr: string };

/** One condition of a Kustomization as read from its status. */
export interface ConditionView {
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

/** Options of a Kustomization test bed. */
export interface KsBedOptions {
  /** The control plane to run against. */
  readonly kubeconfig: string;
  /** The controller's client (e.g. a HookedClient); a plain one from kubeconfig by default. */
  readonly client?: KubeClient;
  readonly driftMode?: "revert" | "detect";
  /** Concurrent requests of one apply. */
  readonly applyConcurrency?: number;
}

/** kubectl against one control plane as admin; never throws on a non-zero exit. */
export type Kubectl = (args: readonly string[], input?: string) => Promise<KubectlResult>;

/** Helpers reading and writing Kustomizations with kubectl, bound to one control plane. */
export interface KsCommands {
  /** kubectl against this control plane as admin; never throws on a non-zero exit. */
  kubectl: Kubectl;
  /** Applies a manifest with kubectl; throws on failure. */
  apply(manifest: string): Promise<void>;
  /** kubectl get … -o jsonpath=…, trimmed; undefined when the object is missing. */
  jsonpath(args: readonly string[], path: string): Promise<string | undefined>;
  /** One condition of Kustomization ns/name, or undefined. */
  condition(namespace: string, name: string, type: string): Promise<ConditionView | undefined>;
  /** Waits until the Kustomization's Ready condition has the reason, and returns it. */
  waitForReason(namespace: string, name: string, reason: string, timeoutMs?: number): Promise<ConditionView>;
  /** Waits until the Kustomization is Ready on revision rev. */
  waitForRevision(namespace: string, name: string, rev: string, timeoutMs?: number): Promise<void>;
}

/** A running Kustomization controller, its stand-in source, and helpers bound to its control plane. */
export interface KsBed extends KsCommands {
  readonly client: KubeClient;
  readonly registry: ArtifactRegistry;
  readonly controller: KustomizationController;
  /** Every reconcile outcome, oldest first. */
  readonly outcomes: ReconcileOutcome[];
  /** Publishes files as revision `main@sha1:<random>` of GitRepository ns/name; returns the revision. */
  publish(namespace: string, name: string, files: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/** The Kustomization helpers of the control plane that kubectl talks to. */
export function ksCommands(kubectl: Kubectl): KsCommands {
  const apply = async (manifest: string): Promise<void> => {
    const r = await kubectl(["apply", "-f", "-"], manifest);
    if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
  };
  const jsonpath = async (args: readonly string[], path: string): Promise<string | undefined> => {
    const r = await kubectl(["get", ...args, "-o", `jsonpath=${path}`]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  };
  const condition = async (
    namespace: string,
    name: string,
    type: string,
  ): Promise<ConditionView | undefined> => {
    const r = await kubectl(["get", `kustomization/${name}`, "-n", namespace, "-o", "json"]);
    if (r.code !== 0) return undefined;
    const obj = JSON.parse(r.stdout) as { status?: { conditions?: (ConditionView & { type: string })[] } };
    return obj.status?.conditions?.find((c) => c.type === type);
  };
  return {
    kubectl,
    apply,
    jsonpath,
    condition,
    waitForReason: (namespace, name, reason, timeoutMs = 60_000) =>
      eventually(
        async () => {
          const c = await condition(namespace, name, "Ready");
          return c?.reason === reason ? c : undefined;
        },
        timeoutMs,
        `ks/${name} Ready reason ${reason}`,
      ),
    waitForRevision: async (namespace, name, rev, timeoutMs = 60_000) => {
      await eventually(
        async () => {
          const c = await condition(namespace, name, "Ready");
          const applied = await jsonpath([`ks/${name}`, "-n", namespace], "{.status.lastAppliedRevision}");
          return c?.status === "True" && applied === rev ? true : undefined;
        },
        timeoutMs,
        `ks/${name} Ready at ${rev}`,
      );
    },
  };
}

/** Starts a Kustomization controller against the control plane of `options.kubeconfig`. */
export async function startKsBed(options: KsBedOptions): Promise<KsBed> {
  const client = options.client ?? KubeClient.fromFile(options.kubeconfig);
  const log = pino({ level: process.env.DRIFTLESS_TEST_LOG ?? "silent" });
  const events = new EventRecorder({ client, reportingInstance: "test" });
  const registry = new ArtifactRegistry();
  const outcomes: ReconcileOutcome[] = [];
  const controller = createKustomizationController({
    client,
    log,
    events,
    registry,
    concurrency: 4,
    requeueDependencyMs: 60_000,
    onOutcome: (o) => outcomes.push(o),
    ...(options.driftMode ? { driftMode: options.driftMode } : {}),
    ...(options.applyConcurrency ? { applyConcurrency: options.applyConcurrency } : {}),
  });
  await controller.start();
  const root = mkdtempSync(join(tmpdir(), "driftless-ksbed-"));
  const commands = ksCommands((args, input) => runKubectl(options.kubeconfig, args, input));
  return {
    ...commands,
    client,
    registry,
    controller,
    outcomes,
    publish: async (namespace, name, files) => {
      const sha = randomBytes(20).toString("hex");
      const revision = `main@sha1:${sha}`;
      const dir = join(root, `${namespace}-${name}-${sha}`);
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), content);
      }
      await commands.apply(gitRepository(namespace, name));
      await setArtifact(commands.kubectl, namespace, name, revision);
      registry.publish(
        { kind: "GitRepository", namespace, name },
        { revision, digest: `sha256:${sha}`, dir },
      );
      return revision;
    },
    stop: async () => {
      await controller.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function gitRepository(namespace: string, name: string): string {
  return JSON.stringify({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace },
    spec: { interval: "10m", url: "https://example.invalid/repo.git", suspend: true },
  });
}

// Sets the GitRepository's status as the source controller would once it stored the artifact.
async function setArtifact(
  kubectl: Kubectl,
  namespace: string,
  name: string,
  revision: string,
): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const status = {
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
        {
          type: "Ready",
          status: "True",
          reason: "Succeeded",
          message: `stored artifact for revision '${revision}'`,
          lastTransitionTime: now,
        },
      ],
    },
  };
  const r = await kubectl([
    "patch",
    "gitrepository",
    name,
    "-n",
    namespace,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify(status),
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
}
