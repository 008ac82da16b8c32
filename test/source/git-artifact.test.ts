// From a remote commit to a stored artifact: ignore rules, no fetch while the revision is unchanged
// (counted on the server), new commits giving new artifacts, and faults that must leave no half-written
// artifact behind.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { garbageCollect } from "../../src/source/git/artifact.ts";
import { GitErrorCode } from "../../src/source/git/errors.ts";
import {
  clearHttpFaults,
  commitFiles,
  createRepo,
  type GitServers,
  type GitServersInfo,
  httpRequests,
  injectHttpFault,
  repoUrl,
  startGitServers,
  startHttp,
  stopHttp,
} from "../harness/git/index.ts";
import { errorCode, poll } from "./git-helpers.ts";

let servers: GitServers;
let info: GitServersInfo;
let root: string;
let n = 0;

beforeAll(async () => {
  servers = await startGitServers({ ssh: false });
  info = servers.info();
  root = mkdtempSync(join(tmpdir(), "driftless-artifact-it-"));
}, 60_000);

afterAll(async () => {
  await servers?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function repo(files: Record<string, string>): Promise<{ name: string; url: string }> {
  n += 1;
  const name = `repo-${n}`;
  await createRepo(info, name);
  await commitFiles(info, name, files, { branch: "main" });
  return { name, url: repoUrl(info, "http-anon", name) };
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const tree = {
  "apps/app.yaml": "a",
  "apps/logo.png": "png",
  "apps/.sourceignore": "",
  ".github/workflows/ci.yaml": "ci",
  ".gitignore": "x",
  "docs/readme.md": "r",
  "secrets/key.yaml": "k",
};

describe("ignore rules", () => {
  it("leaves out VCS files and Flux's defaults when nothing else is configured", async () => {
    const r = await repo(tree);
    const res = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    expect(listFiles(res.artifact?.dir ?? "")).toEqual([
      "apps/.sourceignore",
      "apps/app.yaml",
      "docs/readme.md",
      "secrets/key.yaml",
    ]);
  });

  it("applies .sourceignore files in their directory, and then the defaults no longer apply", async () => {
    const r = await repo({
      ...tree,
      ".sourceignore": "/docs/\n",
      "apps/.sourceignore": "*.yaml\n!app.yaml\n",
    });
    const res = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    expect(listFiles(res.artifact?.dir ?? "")).toEqual([
      ".github/workflows/ci.yaml",
      ".sourceignore",
      "apps/.sourceignore",
      "apps/app.yaml",
      "apps/logo.png",
      "secrets/key.yaml",
    ]);
  });

  it("applies spec.ignore after the .sourceignore files", async () => {
    const r = await repo({ ...tree, ".sourceignore": "/docs/\n" });
    const res = await poll({
      url: r.url,
      ref: { branch: "main" },
      ignore: "/secrets/\n!/docs/\n",
      root,
      name: r.name,
    });
    expect(listFiles(res.artifact?.dir ?? "")).toContain("docs/readme.md");
    expect(listFiles(res.artifact?.dir ?? "")).not.toContain("secrets/key.yaml");
  });
});

describe("polling", () => {
  it("makes one request and fetches nothing while the revision is unchanged", async () => {
    const r = await repo({ "a.yaml": "1" });
    const first = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    // The advertisement of the ref check is reused by the fetch: one GET and one POST in all.
    expect(first.requests).toBe(2);
    expect(first.fetched).toBe(true);
    const before = (await httpRequests(info, r.name)).length;
    const second = await poll({
      url: r.url,
      ref: { branch: "main" },
      root,
      name: r.name,
      lastRevision: first.ref.revision,
    });
    expect(second.requests).toBe(1);
    expect(second.fetched).toBe(false);
    expect(second.artifact).toBeUndefined();
    const after = await httpRequests(info, r.name);
    expect(after.length - before).toBe(1);
    expect(after.at(-1)).toMatchObject({ path: "info/refs", method: "GET" });
  });

  it("stores a new artifact for a new commit, with a new digest", async () => {
    const r = await repo({ "a.yaml": "1" });
    const first = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    const next = await commitFiles(info, r.name, { "a.yaml": "2" }, { branch: "main" });
    const second = await poll({
      url: r.url,
      ref: { branch: "main" },
      root,
      name: r.name,
      lastRevision: first.ref.revision,
    });
    expect(second.ref.revision).toBe(`main@sha1:${next.sha}`);
    expect(second.artifact?.digest).not.toBe(first.artifact?.digest);
    expect(
      await garbageCollect({ root, kind: "gitrepository", namespace: "default", name: r.name }, { keep: 1 }),
    ).toEqual([first.artifact?.digest]);
  });

  it("downloads only what changed for a new commit (a thin pack against the cached commit)", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`apps/${i}.yaml`] = `value: ${i}-${"abcdefghij".repeat(i % 50)}\n`;
    const r = await repo(files);
    const first = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    await commitFiles(info, r.name, { "apps/7.yaml": "value: changed\n" }, { branch: "main" });
    const second = await poll({
      url: r.url,
      ref: { branch: "main" },
      root,
      name: r.name,
      lastRevision: first.ref.revision,
    });
    const packs = (await httpRequests(info, r.name)).filter((q) => q.path === "git-upload-pack");
    expect(packs).toHaveLength(2);
    const [full, delta] = packs.map((q) => q.bytes) as [number, number];
    expect(delta * 10).toBeLessThan(full);
    expect(listFiles(second.artifact?.dir ?? "")).toHaveLength(300);
  });

  it("rebuilds the artifact from the cache without fetching when only the ignore rules change", async () => {
    const r = await repo({ "a.yaml": "1", "b.yaml": "2" });
    const first = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    const second = await poll({
      url: r.url,
      ref: { branch: "main" },
      ignore: "b.yaml\n",
      root,
      name: r.name,
    });
    expect(second.fetched).toBe(false);
    expect(second.requests).toBe(1);
    expect(second.artifact?.digest).not.toBe(first.artifact?.digest);
    expect(listFiles(second.artifact?.dir ?? "")).toEqual(["a.yaml"]);
  });
});

describe("faults", () => {
  it("fails a fetch cut off mid-pack, leaves no artifact, and the next poll succeeds", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`f/${i}.yaml`] = `value: ${"x".repeat(200)}${i}\n`;
    const r = await repo(files);
    await injectHttpFault(info, { repo: `${r.name}.git`, path: "git-upload-pack", afterBytes: 2000 });
    expect(await errorCode(() => poll({ url: r.url, ref: { branch: "main" }, root, name: r.name }))).toBe(
      GitErrorCode.Transport,
    );
    expect(existsSync(join(root, "gitrepository", "default", r.name))).toBe(false);
    expect(existsSync(join(root, "cache", r.name))).toBe(false);
    const ok = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    expect(listFiles(ok.artifact?.dir ?? "")).toHaveLength(200);
  });

  it("fails while the server is down and recovers when it is back", async () => {
    const r = await repo({ "a.yaml": "1" });
    await stopHttp(info);
    try {
      expect(await errorCode(() => poll({ url: r.url, root, name: r.name, ref: { branch: "main" } }))).toBe(
        GitErrorCode.Transport,
      );
    } finally {
      await startHttp(info);
    }
    const ok = await poll({ url: r.url, ref: { branch: "main" }, root, name: r.name });
    expect(ok.artifact).toBeDefined();
  });

  it("gives up at the timeout", async () => {
    const r = await repo({ "a.yaml": "1" });
    await injectHttpFault(info, { repo: `${r.name}.git`, delayMs: 3000 });
    try {
      expect(
        await errorCode(() =>
          poll({ url: r.url, ref: { branch: "main" }, root, name: r.name, timeoutMs: 300 }),
        ),
      ).toBe(GitErrorCode.Timeout);
    } finally {
      await clearHttpFaults(info);
    }
  });
});
