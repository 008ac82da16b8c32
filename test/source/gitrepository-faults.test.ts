// Faults of the git server while a GitRepository has a good artifact: a pack download cut half-way, a
// server that stops answering within spec.timeout, a server restarted mid-poll. Each gives Ready=False with
// GitOperationFailed, keeps the last good artifact served, never leaves a half-written one, and recovers.
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  clearHttpFaults,
  commitFiles,
  createRepo,
  type GitServersInfo,
  injectHttpFault,
  repoUrl,
  startHttp,
  stopHttp,
} from "../harness/git/index.ts";
import {
  applyRepo,
  condition,
  type Harness,
  requestReconcile,
  startSuite,
  statusOf,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-faults", "gitrepo-faults"));
});

beforeEach(async () => {
  await clearHttpFaults(info);
});

afterAll(async () => {
  await clearHttpFaults(info);
  await startHttp(info).catch(() => undefined);
  await h?.close();
});

/** 200 kB that do not compress. */
function noise(): string {
  return randomBytes(150_000).toString("base64");
}

/** A repository with a big-enough file that a pack cut after a few bytes is incomplete. */
async function goodRepo(name: string): Promise<{ repo: string; digest: string }> {
  const repo = `faults-${name}`;
  await createRepo(info, repo);
  await commitFiles(info, repo, { "a.yaml": "a: 1\n", "blob.txt": noise() });
  await applyRepo(h, ns, name, {
    url: repoUrl(info, "http-anon", repo),
    ref: { branch: "main" },
    timeout: "3s",
  });
  const s = statusOf(await waitReady(h, ns, name));
  return { repo, digest: s.artifact?.digest ?? "" };
}

function expectServing(name: string, digest: string): void {
  expect(h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name })?.digest).toBe(digest);
}

/** No staging leftovers, and every stored artifact has its tree, tarball and metadata. */
function expectNoHalfArtifacts(name: string): void {
  const dir = join(h.storageDir, "gitrepository", ns, name);
  const names = readdirSync(dir);
  expect(names.filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  for (const meta of names.filter((n) => n.endsWith(".json"))) {
    const hex = meta.slice(0, -5);
    expect(names).toContain(hex);
    expect(names).toContain(`${hex}.tar.gz`);
  }
}

describe("faults", () => {
  it("survives a pack download cut half-way", async () => {
    const { repo, digest } = await goodRepo("cut");
    await commitFiles(info, repo, { "blob.txt": noise() });
    await injectHttpFault(info, {
      repo: `${repo}.git`,
      path: "git-upload-pack",
      afterBytes: 2_000,
      times: 100,
    });
    await requestReconcile(h, ns, "cut");
    const s = statusOf(await waitNotReady(h, ns, "cut", "GitOperationFailed"));
    expect(s.artifact?.digest).toBe(digest);
    expect(condition(s, "ArtifactInStorage")?.status).toBe("True");
    expectServing("cut", digest);
    expectNoHalfArtifacts("cut");
    await clearHttpFaults(info);
    await waitForStatus(
      h,
      ns,
      "cut",
      (st) => st.artifact?.digest !== digest && condition(st, "Ready")?.status === "True",
      "recovered",
      30_000,
    );
    expectNoHalfArtifacts("cut");
  });

  it("gives up on a server slower than spec.timeout", async () => {
    const { repo, digest } = await goodRepo("slow");
    await injectHttpFault(info, { repo: `${repo}.git`, path: "info/refs", delayMs: 6_000, times: 1 });
    await requestReconcile(h, ns, "slow");
    const s = statusOf(await waitNotReady(h, ns, "slow", "GitOperationFailed", 20_000));
    expect(s.artifact?.digest).toBe(digest);
    expectServing("slow", digest);
    await waitReady(h, ns, "slow", 30_000);
  });

  it("recovers after the git server restarts", async () => {
    const { repo, digest } = await goodRepo("restart");
    const next = (await commitFiles(info, repo, { "a.yaml": "a: 2\n" })).sha;
    await stopHttp(info);
    try {
      await requestReconcile(h, ns, "restart");
      const s = statusOf(await waitNotReady(h, ns, "restart", "GitOperationFailed"));
      expect(s.artifact?.digest).toBe(digest);
      expectServing("restart", digest);
    } finally {
      await startHttp(info);
    }
    await waitForStatus(
      h,
      ns,
      "restart",
      (st) => st.artifact?.revision === `main@sha1:${next}` && condition(st, "Ready")?.status === "True",
      "recovered after restart",
      30_000,
    );
  });

  it("fetches a repository of 20,000 files within its timeout", { timeout: 240_000 }, async () => {
    await createRepo(info, "faults-big");
    const files: Record<string, string> = {};
    for (let i = 0; i < 20_000; i++) files[`apps/app-${Math.floor(i / 100)}/file-${i}.yaml`] = `n: ${i}\n`;
    await commitFiles(info, "faults-big", files);
    await applyRepo(h, ns, "big", {
      url: repoUrl(info, "http-anon", "faults-big"),
      ref: { branch: "main" },
      timeout: "180s",
    });
    const started = Date.now();
    await waitReady(h, ns, "big", 200_000);
    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "big" });
    expect(readdirSync(join(local?.dir ?? "", "apps"))).toHaveLength(200);
    expect(readdirSync(join(local?.dir ?? "", "apps/app-199"))).toHaveLength(100);
    console.log(`20,000-file repository: Ready after ${Date.now() - started} ms`);
  });
});
