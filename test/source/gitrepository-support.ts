// Shared steps of the GitRepository controller tests: a controller started in the test process against the
// test bed (restricted by a label to this suite's objects), GitRepositories applied in a fresh namespace,
// waits on their status and the events recorded about them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Condition } from "../../src/api/condition.ts";
import { type GitRepositoryStatus, GitRepositoryStatusSchema } from "../../src/api/gitrepository.ts";
import { createGitRepositoryController } from "../../src/controller/gitrepository/setup.ts";
import { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import type { Controller } from "../../src/controller/runtime/controller.ts";
import { EventRecorder } from "../../src/controller/runtime/events.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { isNotFound } from "../../src/kube/errors.ts";
import type { KubeObject, ResourceRef } from "../../src/kube/object.ts";
import { createNamespace, testEnv } from "../harness/context.ts";
import type { GitServersInfo } from "../harness/git/index.ts";
import { eventually } from "../harness/wait.ts";
import { secrets } from "./git-helpers.ts";

/** The GitRepository resource. */
export const GITREPOS: ResourceRef = {
  group: "source.toolkit.fluxcd.io",
  version: "v1",
  plural: "gitrepositories",
};
const EVENTS: ResourceRef = { group: "events.k8s.io", version: "v1", plural: "events" };

/** The label that scopes a suite's controller to its own objects. */
export const SUITE_LABEL = "driftless.test/suite";

/** A running controller of one test file. */
export interface Harness {
  client: KubeClient;
  registry: ArtifactRegistry;
  controller: Controller;
  storageDir: string;
  suite: string;
  /** Stops the controller (the storage stays, for restart tests). */
  stop(): Promise<void>;
  /** Stops everything and removes the storage. */
  close(): Promise<void>;
}

/** Starts a GitRepository controller for the objects labelled with `suite`. */
export async function startController(
  suite: string,
  opts: { storageDir?: string; registry?: ArtifactRegistry } = {},
): Promise<Harness> {
  const client = KubeClient.fromFile(testEnv().kubeconfig);
  const storageDir = opts.storageDir ?? mkdtempSync(join(tmpdir(), "driftless-gitrepo-"));
  const registry = opts.registry ?? new ArtifactRegistry();
  const log = pino({ level: process.env.DRIFTLESS_TEST_LOG ?? "silent" });
  const events = new EventRecorder({ client, reportingInstance: "driftless-test" });
  const controller = createGitRepositoryController({
    client,
    log,
    events,
    registry,
    storageDir,
    concurrency: 2,
    labelSelector: `${SUITE_LABEL}=${suite}`,
    backoff: { baseMs: 500, maxMs: 5_000 },
    requeueDependencyMs: 1_000,
  });
  await controller.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await controller.stop({ timeoutMs: 10_000 });
    await events.flush();
  };
  return {
    client,
    registry,
    controller,
    storageDir,
    suite,
    stop,
    close: async () => {
      await stop();
      client.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** What the tests of one file share: its controller, the test bed's git servers and a fresh namespace. */
export interface Suite {
  h: Harness;
  info: GitServersInfo;
  ns: string;
}

/** Starts the controller of `suite` and creates a namespace named after namespacePrefix. */
export async function startSuite(suite: string, namespacePrefix: string): Promise<Suite> {
  const info = testEnv().git;
  const h = await startController(suite);
  const ns = await createNamespace(namespacePrefix);
  return { h, info, ns };
}

/** The directory of the artifact served for GitRepository namespace/name, or "" when there is none. */
export function artifactDir(h: Harness, namespace: string, name: string): string {
  return h.registry.getArtifact({ kind: "GitRepository", namespace, name })?.dir ?? "";
}

/** A GitRepository manifest labelled for the suite. */
export function gitRepository(
  h: Harness,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion = "source.toolkit.fluxcd.io/v1",
): KubeObject {
  return {
    apiVersion,
    kind: "GitRepository",
    metadata: { name, namespace, labels: { [SUITE_LABEL]: h.suite } },
    spec: { interval: "1h", ...spec },
  };
}

/** Applies a GitRepository (server-side apply). */
export function applyRepo(
  h: Harness,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  apiVersion?: string,
): Promise<KubeObject> {
  return h.client.apply(gitRepository(h, namespace, name, spec, apiVersion), { fieldManager: "test" });
}

/** Creates or replaces a Secret with string data. */
export async function applySecret(
  h: Harness,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  await h.client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace }, stringData: data },
    { fieldManager: "test" },
  );
}

/** Secret data for the test servers' credentials, with Flux's key names. */
export const secretData = secrets;

/** The object as stored, or undefined when it is gone. */
export async function getRepo(h: Harness, namespace: string, name: string): Promise<KubeObject | undefined> {
  try {
    return await h.client.get(GITREPOS, { namespace, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** The parsed status of a GitRepository. */
export function statusOf(obj: KubeObject | undefined): GitRepositoryStatus {
  return GitRepositoryStatusSchema.parse((obj as { status?: unknown } | undefined)?.status ?? {});
}

/** A condition of a status. */
export function condition(status: GitRepositoryStatus, type: string): Condition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

/** Waits until the status satisfies check; returns the object. */
export async function waitForStatus(
  h: Harness,
  namespace: string,
  name: string,
  check: (s: GitRepositoryStatus, obj: KubeObject) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<KubeObject> {
  return eventually(
    async () => {
      const obj = await getRepo(h, namespace, name);
      return obj && check(statusOf(obj), obj) ? obj : undefined;
    },
    timeoutMs,
    `${namespace}/${name}: ${what}`,
  );
}

/** Waits for Ready=True at the object's current generation; returns the object. */
export function waitReady(
  h: Harness,
  namespace: string,
  name: string,
  timeoutMs = 60_000,
): Promise<KubeObject> {
  return waitForStatus(
    h,
    namespace,
    name,
    (s, obj) =>
      condition(s, "Ready")?.status === "True" &&
      s.observedGeneration === obj.metadata.generation &&
      condition(s, "Ready")?.observedGeneration === obj.metadata.generation,
    "Ready=True",
    timeoutMs,
  );
}

/** Waits for Ready=False with the given reason; returns the object. */
export function waitNotReady(
  h: Harness,
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 60_000,
): Promise<KubeObject> {
  return waitForStatus(
    h,
    namespace,
    name,
    (s) => condition(s, "Ready")?.status === "False" && condition(s, "Ready")?.reason === reason,
    `Ready=False reason ${reason}`,
    timeoutMs,
  );
}

/** Sets reconcile.fluxcd.io/requestedAt to a fresh value and returns it. */
export async function requestReconcile(h: Harness, namespace: string, name: string): Promise<string> {
  const value = new Date().toISOString();
  await h.client.patch(
    GITREPOS,
    { namespace, name },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": value } } },
    { type: "merge" },
  );
  return value;
}

/** Merge-patches a GitRepository's spec. */
export async function patchSpec(
  h: Harness,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await h.client.patch(GITREPOS, { namespace, name }, { spec }, { type: "merge" });
}

/** A recorded event about an object. */
export interface RecordedEvent {
  type: string;
  reason: string;
  note: string;
  annotations: Record<string, string>;
}

/** The events recorded about a GitRepository. */
export async function eventsFor(h: Harness, namespace: string, name: string): Promise<RecordedEvent[]> {
  const list = await h.client.list(EVENTS, { namespace });
  return list.items
    .map(
      (e) =>
        e as KubeObject & {
          regarding?: { name?: string; kind?: string };
          type?: string;
          reason?: string;
          note?: string;
        },
    )
    .filter((e) => e.regarding?.kind === "GitRepository" && e.regarding.name === name)
    .map((e) => ({
      type: e.type ?? "",
      reason: e.reason ?? "",
      note: e.note ?? "",
      annotations: e.metadata.annotations ?? {},
    }));
}

/** Waits for an event with the reason about a GitRepository. */
export function waitForEvent(
  h: Harness,
  namespace: string,
  name: string,
  reason: string,
  match: (e: RecordedEvent) => boolean = () => true,
): Promise<RecordedEvent> {
  return eventually(
    async () => (await eventsFor(h, namespace, name)).find((e) => e.reason === reason && match(e)),
    30_000,
    `event ${reason} about ${namespace}/${name}`,
  );
}
