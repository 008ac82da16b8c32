// Shared pieces of the end-to-end tests: the seed repository pushed to the test git server, driftless's
// controllers started in the test process, and polling helpers.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { pino } from "pino";
import { createGitRepositoryController } from "../../src/controller/gitrepository/setup.ts";
import { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import { createKustomizationController } from "../../src/controller/kustomization/setup.ts";
import { EventRecorder } from "../../src/controller/runtime/events.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { testEnv } from "../harness/context.ts";
import { commitFiles, createRepo } from "../harness/git/index.ts";
import { readTree } from "../harness/tree.ts";

/** The files of examples/seed, path → content. */
export function seedFiles(): Record<string, string> {
  return readTree(resolve(import.meta.dirname, "..", "..", "examples", "seed"));
}

/** Creates a repository holding the seed layout on branch main; returns its name. */
export async function pushSeedRepo(): Promise<string> {
  const name = `seed-${randomBytes(3).toString("hex")}`;
  await createRepo(testEnv().git, name);
  await commitFiles(testEnv().git, name, seedFiles(), { message: "seed layout", branch: "main" });
  return name;
}

/** driftless's two controllers running in this process against the test bed. */
export interface RunningDriftless {
  readonly client: KubeClient;
  stop(): Promise<void>;
}

/** Starts the GitRepository and Kustomization controllers as `driftless controller` wires them. */
export async function startDriftless(storageDir: string): Promise<RunningDriftless> {
  const client = KubeClient.fromFile(testEnv().kubeconfig);
  const log = pino({ level: process.env.DRIFTLESS_TEST_LOG ?? "silent" });
  const events = new EventRecorder({ client, reportingInstance: "e2e" });
  const registry = new ArtifactRegistry();
  const sources = createGitRepositoryController({
    client,
    log,
    events,
    registry,
    storageDir,
    concurrency: 2,
  });
  const kustomizations = createKustomizationController({ client, log, events, registry, concurrency: 4 });
  await sources.start();
  await kustomizations.start();
  return {
    client,
    stop: async () => {
      await kustomizations.stop();
      await sources.stop();
    },
  };
}

export { eventually, jsonpath } from "../harness/wait.ts";
