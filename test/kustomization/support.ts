// A Kustomization controller in the test process with a stand-in source: the test writes a tree, publishes
// it as a GitRepository's artifact and sets that GitRepository's status, as the source controller would.
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
import { KubeClient } from "../../src/kube/client.ts";
import { kubectl, testEnv } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";

/** A running Kustomization controller and its stand-in source. */
export interface Bed {
  readonly client: KubeClient;
  readonly registry: ArtifactRegistry;
  readonly controller: KustomizationController;
  /** Publishes files as revision `main@sha1:<random>` of GitRepository ns/name; returns the revision. */
  publish(namespace: string, name: string, files: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a Kustomization controller against the test bed. */
export async function startBed(options: { driftMode?: "revert" | "detect" } = {}): Promise<Bed> {
  const client = KubeClient.fromFile(testEnv().kubeconfig);
  const log = pino({ level: process.env.DRIFTLESS_TEST_LOG ?? "silent" });
  const events = new EventRecorder({ client, reportingInstance: "test" });
  const registry = new ArtifactRegistry();
  const controller = createKustomizationController({
    client,
    log,
    events,
    registry,
    concurrency: 4,
    requeueDependencyMs: 60_000,
    ...(options.driftMode ? { driftMode: options.driftMode } : {}),
  });
  await controller.start();
  const root = mkdtempSync(join(tmpdir(), "driftless-ks-"));
  return {
    client,
    registry,
    controller,
    publish: async (namespace, name, files) => {
      const sha = randomBytes(20).toString("hex");
      const revision = `main@sha1:${sha}`;
      const dir = join(root, `${namespace}-${name}-${sha}`);
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, p)), { recursive: true });
        writeFileSync(join(dir, p), content);
      }
      await ensureGitRepository(namespace, name, revision);
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

async function ensureGitRepository(namespace: string, name: string, revision: string): Promise<void> {
  const manifest = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 10m
  url: https://example.invalid/repo.git
  suspend: true
`;
  const applied = await kubectl(["apply", "-f", "-"], manifest);
  if (applied.code !== 0) throw new Error(applied.stderr);
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

/** A Kustomization manifest. */
export function kustomization(namespace: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace },
    spec: {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "repo" },
      path: "./",
      ...spec,
    },
  });
}

/** A ConfigMap manifest in YAML. */
export function configMap(name: string, namespace: string, data: Record<string, string>): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"`)
  .join("\n")}
`;
}

/** Applies a manifest with kubectl as admin; throws on failure. */
export async function applyManifest(manifest: string): Promise<void> {
  const r = await kubectl(["apply", "-f", "-"], manifest);
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

/** One condition of Kustomization ns/name (type, status, reason, message), or undefined. */
export async function condition(
  namespace: string,
  name: string,
  type: string,
): Promise<{ status: string; reason: string; message: string } | undefined> {
  const r = await kubectl(["get", `kustomization/${name}`, "-n", namespace, "-o", "json"]);
  if (r.code !== 0) return undefined;
  const obj = JSON.parse(r.stdout) as {
    status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
  };
  return obj.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the Kustomization's Ready condition has the reason (and returns the condition). */
export async function waitForReason(
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 60_000,
): Promise<{ status: string; reason: string; message: string }> {
  return eventually(
    async () => {
      const c = await condition(namespace, name, "Ready");
      return c?.reason === reason ? c : undefined;
    },
    timeoutMs,
    `ks/${name} Ready reason ${reason}`,
  );
}

/** Waits until the Kustomization is Ready on revision rev. */
export async function waitForRevision(
  namespace: string,
  name: string,
  rev: string,
  timeoutMs = 60_000,
): Promise<void> {
  await eventually(
    async () => {
      const c = await condition(namespace, name, "Ready");
      const applied = await jsonpath([`ks/${name}`, "-n", namespace], "{.status.lastAppliedRevision}");
      return c?.status === "True" && applied === rev ? true : undefined;
    },
    timeoutMs,
    `ks/${name} Ready at ${rev}`,
  );
}

/** Whether an object exists. */
export async function exists(args: readonly string[]): Promise<boolean> {
  return (await kubectl(["get", ...args])).code === 0;
}
