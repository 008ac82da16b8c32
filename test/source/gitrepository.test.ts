// The GitRepository controller against the real apiserver and git servers: artifacts and status as Flux
// writes them, new commits, cheap polls, reconcile requests, suspend, failures that keep the last good
// artifact, restart and deletion.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitFiles,
  createRepo,
  type GitServersInfo,
  httpRequests,
  repoUrl,
  resetHttpRequests,
} from "../harness/git/index.ts";
import { eventually } from "../harness/wait.ts";
import {
  applyRepo,
  condition,
  eventsFor,
  GITREPOS,
  getRepo,
  type Harness,
  patchSpec,
  requestReconcile,
  startController,
  startSuite,
  statusOf,
  waitForEvent,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;
let head: string;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-core", "gitrepo"));
  await createRepo(info, "core-app");
  head = (
    await commitFiles(
      info,
      "core-app",
      { "deploy/app.yaml": "kind: ConfigMap\n" },
      { message: "add the app\n\nbody" },
    )
  ).sha;
});

afterAll(async () => {
  await h?.close();
});

describe("a GitRepository over anonymous HTTP", () => {
  it("stores an artifact and reports it as Flux does", async () => {
    await applyRepo(h, ns, "app", { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } });
    const obj = await waitReady(h, ns, "app");
    const s = statusOf(obj);
    const revision = `main@sha1:${head}`;
    expect(s.artifact).toMatchObject({
      revision,
      path: expect.stringMatching(/^gitrepository\/.+\.tar\.gz$/),
    });
    expect(s.artifact?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(s.artifact?.size).toBeGreaterThan(0);
    expect(s.artifact?.url).toMatch(/^http:\/\/.+\.tar\.gz$/);
    expect(Date.parse(s.artifact?.lastUpdateTime ?? "")).not.toBeNaN();
    expect(condition(s, "Ready")).toMatchObject({
      status: "True",
      reason: "Succeeded",
      message: `stored artifact for revision '${revision}'`,
    });
    expect(condition(s, "ArtifactInStorage")).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(condition(s, "Reconciling")).toBeUndefined();
    expect(condition(s, "Stalled")).toBeUndefined();
    expect(condition(s, "FetchFailed")).toBeUndefined();
    expect(s.observedGeneration).toBe(obj.metadata.generation);
    expect(obj.metadata.finalizers).toContain("finalizers.fluxcd.io");

    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "app" });
    expect(local).toMatchObject({ revision, digest: s.artifact?.digest });
    expect(readFileSync(join(local?.dir ?? "", "deploy/app.yaml"), "utf8")).toBe("kind: ConfigMap\n");

    const event = await waitForEvent(h, ns, "app", "NewArtifact");
    expect(event.type).toBe("Normal");
    expect(event.note).toBe("stored artifact for commit 'add the app'");
    expect(event.annotations["source.toolkit.fluxcd.io/revision"]).toBe(revision);
  });

  it("does not fetch when the remote has not changed: one ref advertisement per poll", async () => {
    await waitReady(h, ns, "app");
    const before = statusOf(await getRepo(h, ns, "app"));
    await resetHttpRequests(info);
    const requested = await requestReconcile(h, ns, "app");
    const obj = await waitForStatus(h, ns, "app", (s) => s.lastHandledReconcileAt === requested, "handled");
    const s = statusOf(obj);
    expect(s.artifact).toEqual(before.artifact);
    expect(condition(s, "Ready")?.status).toBe("True");
    const requests = await httpRequests(info, "core-app");
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET info/refs"]);
  });

  it("writes nothing to the apiserver on polls that find no change", async () => {
    await createRepo(info, "core-quiet");
    await commitFiles(info, "core-quiet", { "a.yaml": "a: 1\n" });
    await applyRepo(h, ns, "quiet", {
      url: repoUrl(info, "http-anon", "core-quiet"),
      ref: { branch: "main" },
    });
    const before = statusOf(await waitReady(h, ns, "quiet"));
    await resetHttpRequests(info);
    const writes = (): number => h.client.counters.patch + h.client.counters.create + h.client.counters.apply;
    const start = writes();
    await patchSpec(h, ns, "quiet", { interval: "1s" });
    await eventually(
      async () => ((await httpRequests(info, "core-quiet")).length >= 4 ? true : undefined),
      20_000,
      "four polls",
    );
    // The spec patch, and the new generation recorded once (Reconciling, then Ready): no write per poll.
    expect(writes() - start).toBe(3);
    await patchSpec(h, ns, "quiet", { interval: "1h" });
    const s = statusOf(await getRepo(h, ns, "quiet"));
    expect(s.artifact).toEqual(before.artifact);
    expect((await httpRequests(info, "core-quiet")).filter((r) => r.method === "POST")).toEqual([]);
  });

  it("turns a new commit into a new artifact and a NewArtifact event with its subject", async () => {
    const next = (
      await commitFiles(info, "core-app", { "deploy/more.yaml": "kind: Secret\n" }, { message: "second" })
    ).sha;
    await resetHttpRequests(info);
    await requestReconcile(h, ns, "app");
    const obj = await waitForStatus(
      h,
      ns,
      "app",
      (s) => s.artifact?.revision === `main@sha1:${next}` && condition(s, "Ready")?.status === "True",
      "new revision",
    );
    const s = statusOf(obj);
    expect(condition(s, "Ready")?.message).toBe(`stored artifact for revision 'main@sha1:${next}'`);
    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "app" });
    expect(local?.revision).toBe(`main@sha1:${next}`);
    expect(readFileSync(join(local?.dir ?? "", "deploy/more.yaml"), "utf8")).toBe("kind: Secret\n");
    await waitForEvent(h, ns, "app", "NewArtifact", (e) => e.note === "stored artifact for commit 'second'");
    // One advertisement, reused by the fetch, and one pack request.
    const requests = await httpRequests(info, "core-app");
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET info/refs", "POST git-upload-pack"]);
  });

  it("polls at the interval without being asked", async () => {
    await createRepo(info, "core-poll");
    await commitFiles(info, "core-poll", { "a.yaml": "a: 1\n" });
    await applyRepo(h, ns, "poll", {
      url: repoUrl(info, "http-anon", "core-poll"),
      interval: "2s",
      ref: { branch: "main" },
    });
    await waitReady(h, ns, "poll");
    const next = (await commitFiles(info, "core-poll", { "a.yaml": "a: 2\n" })).sha;
    await waitForStatus(
      h,
      ns,
      "poll",
      (s) => s.artifact?.revision === `main@sha1:${next}`,
      "polled revision",
      15_000,
    );
    await patchSpec(h, ns, "poll", { interval: "1h" });
  });
});

describe("failures", () => {
  it("reports a missing branch with Flux's reason and retries", async () => {
    await applyRepo(h, ns, "nobranch", {
      url: repoUrl(info, "http-anon", "core-app"),
      ref: { branch: "nope" },
    });
    const obj = await waitNotReady(h, ns, "nobranch", "GitOperationFailed");
    const s = statusOf(obj);
    expect(condition(s, "FetchFailed")).toMatchObject({ status: "True", reason: "GitOperationFailed" });
    expect(condition(s, "FetchFailed")?.message).toMatch(/^failed to checkout and determine revision: /);
    expect(condition(s, "FetchFailed")?.message).toContain("nope");
    expect(condition(s, "Reconciling")).toMatchObject({ status: "True", reason: "ProgressingWithRetry" });
    expect(s.artifact).toBeUndefined();
    const warning = await waitForEvent(h, ns, "nobranch", "GitOperationFailed");
    expect(warning.type).toBe("Warning");
    // Retried with backoff: the server sees more than one attempt.
    await resetHttpRequests(info);
    await eventually(
      async () => ((await httpRequests(info, "core-app")).length >= 2 ? true : undefined),
      20_000,
    );
    await h.client.delete(GITREPOS, { namespace: ns, name: "nobranch" });
  });

  it("keeps and keeps serving the last good artifact when fetching fails", async () => {
    await applyRepo(h, ns, "keep", { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } });
    const good = statusOf(await waitReady(h, ns, "keep")).artifact;
    await patchSpec(h, ns, "keep", { ref: { branch: "gone" } });
    const obj = await waitNotReady(h, ns, "keep", "GitOperationFailed");
    const s = statusOf(obj);
    expect(s.artifact).toEqual(good);
    expect(condition(s, "ArtifactInStorage")).toMatchObject({ status: "True", reason: "Succeeded" });
    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "keep" });
    expect(local?.digest).toBe(good?.digest);
    expect(existsSync(join(local?.dir ?? "", "deploy/app.yaml"))).toBe(true);
    // The observed generation is the last one that succeeded.
    expect(s.observedGeneration).toBe((obj.metadata.generation ?? 0) - 1);
    await patchSpec(h, ns, "keep", { ref: { branch: "main" } });
    await waitReady(h, ns, "keep");
  });

  it("reports an unreachable host as a fetch failure", async () => {
    await applyRepo(h, ns, "unreachable", { url: "http://127.0.0.1:9/none.git", timeout: "5s" });
    const s = statusOf(await waitNotReady(h, ns, "unreachable", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.status).toBe("True");
  });

  it("reports an empty repository", async () => {
    await createRepo(info, "core-empty");
    await applyRepo(h, ns, "empty", {
      url: repoUrl(info, "http-anon", "core-empty"),
      ref: { branch: "main" },
    });
    const s = statusOf(await waitNotReady(h, ns, "empty", "EmptyGitRepository"));
    expect(condition(s, "FetchFailed")?.message).toBe("git repository is empty");
  });
});

describe("reconcile requests and suspend", () => {
  it("handles reconcile.fluxcd.io/requestedAt at once and records lastHandledReconcileAt", async () => {
    await applyRepo(h, ns, "req", { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } });
    await waitReady(h, ns, "req");
    const requested = await requestReconcile(h, ns, "req");
    const started = Date.now();
    await waitForStatus(h, ns, "req", (s) => s.lastHandledReconcileAt === requested, "handled", 10_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("stops polling while suspended", async () => {
    await createRepo(info, "core-suspend");
    await commitFiles(info, "core-suspend", { "a.yaml": "a: 1\n" });
    await applyRepo(h, ns, "susp", {
      url: repoUrl(info, "http-anon", "core-suspend"),
      ref: { branch: "main" },
    });
    const before = statusOf(await waitReady(h, ns, "susp")).artifact;
    await patchSpec(h, ns, "susp", { suspend: true });
    await commitFiles(info, "core-suspend", { "a.yaml": "a: 2\n" });
    await resetHttpRequests(info);
    const requested = await requestReconcile(h, ns, "susp");
    await waitForStatus(h, ns, "susp", (s) => s.lastHandledReconcileAt === requested, "handled");
    expect(statusOf(await getRepo(h, ns, "susp")).artifact).toEqual(before);
    expect(await httpRequests(info, "core-suspend")).toEqual([]);
    await patchSpec(h, ns, "susp", { suspend: false });
    await waitForStatus(h, ns, "susp", (s) => s.artifact?.revision !== before?.revision, "resumed");
  });
});

describe("lifecycle", () => {
  it("accepts the deprecated v1beta2 API", async () => {
    await applyRepo(
      h,
      ns,
      "beta",
      { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } },
      "source.toolkit.fluxcd.io/v1beta2",
    );
    const s = statusOf(await waitReady(h, ns, "beta"));
    expect(s.artifact?.revision).toMatch(/^main@sha1:/);
  });

  it("re-serves the stored artifact after a restart without fetching it again", async () => {
    await applyRepo(h, ns, "restart", {
      url: repoUrl(info, "http-anon", "core-app"),
      ref: { branch: "main" },
    });
    const before = statusOf(await waitReady(h, ns, "restart")).artifact;
    await applyRepo(h, ns, "restart-suspended", {
      url: repoUrl(info, "http-anon", "core-app"),
      ref: { branch: "main" },
    });
    const suspended = statusOf(await waitReady(h, ns, "restart-suspended")).artifact;
    await patchSpec(h, ns, "restart-suspended", { suspend: true });
    await h.stop();
    await resetHttpRequests(info);
    const again = await startController(h.suite, { storageDir: h.storageDir });
    try {
      const local = await eventually(
        async () => again.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "restart" }),
        30_000,
        "artifact re-published",
      );
      expect(local.digest).toBe(before?.digest);
      expect(existsSync(join(local.dir, "deploy/app.yaml"))).toBe(true);
      const posts = (await httpRequests(info, "core-app")).filter((r) => r.method === "POST");
      expect(posts).toEqual([]);
      expect(statusOf(await getRepo(again, ns, "restart")).artifact).toEqual(before);
      // A suspended GitRepository still serves its artifact.
      const kept = await eventually(
        async () =>
          again.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "restart-suspended" }),
        30_000,
        "suspended artifact re-published",
      );
      expect(kept.digest).toBe(suspended?.digest);
    } finally {
      await again.stop();
      again.client.close();
      const old = h;
      h = await startController(old.suite, { storageDir: old.storageDir });
      old.client.close();
    }
  });

  it("rebuilds an artifact that disappeared from storage, with the same digest", async () => {
    await applyRepo(h, ns, "lost", { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } });
    const before = statusOf(await waitReady(h, ns, "lost")).artifact;
    rmSync(join(h.storageDir, "gitrepository", ns, "lost"), { recursive: true, force: true });
    rmSync(join(h.storageDir, "gitcache", ns, "lost"), { recursive: true, force: true });
    await resetHttpRequests(info);
    const requested = await requestReconcile(h, ns, "lost");
    const s = statusOf(
      await waitForStatus(h, ns, "lost", (st) => st.lastHandledReconcileAt === requested, "handled"),
    );
    expect(condition(s, "Ready")?.status).toBe("True");
    expect(s.artifact?.digest).toBe(before?.digest);
    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "lost" });
    expect(existsSync(join(local?.dir ?? "", "deploy/app.yaml"))).toBe(true);
    expect((await httpRequests(info, "core-app")).filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("removes its artifacts and its finalizer on deletion", async () => {
    await applyRepo(h, ns, "gone", { url: repoUrl(info, "http-anon", "core-app"), ref: { branch: "main" } });
    await waitReady(h, ns, "gone");
    const dir = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "gone" })?.dir ?? "";
    expect(existsSync(dir)).toBe(true);
    await h.client.delete(GITREPOS, { namespace: ns, name: "gone" });
    await eventually(
      async () => ((await getRepo(h, ns, "gone")) === undefined ? true : undefined),
      30_000,
      "deleted",
    );
    expect(existsSync(join(h.storageDir, "gitrepository", ns, "gone"))).toBe(false);
    expect(h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "gone" })).toBeUndefined();
  });

  it("does not reconcile again on its own status writes", async () => {
    await waitReady(h, ns, "app");
    await resetHttpRequests(info);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await httpRequests(info, "core-app")).toEqual([]);
    expect((await eventsFor(h, ns, "app")).filter((e) => e.type === "Warning")).toEqual([]);
  });
});
