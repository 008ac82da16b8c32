// Every ref kind of spec.ref against a real server: the commit fetched, the revision reported, and the
// failures for refs that do not exist.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitErrorCode } from "../../src/source/git/errors.ts";
import {
  commitFiles,
  createRepo,
  type GitServers,
  type GitServersInfo,
  repoUrl,
  startGitServers,
  updateRef,
} from "../harness/git/index.ts";
import { errorCode, poll } from "./git-helpers.ts";

let servers: GitServers;
let info: GitServersInfo;
let root: string;
let url: string;
const sha: Record<string, string> = {};
let n = 0;

beforeAll(async () => {
  servers = await startGitServers({ ssh: false });
  info = servers.info();
  root = mkdtempSync(join(tmpdir(), "driftless-refs-"));
  await createRepo(info, "refs", "main");
  url = repoUrl(info, "http-anon", "refs");
  sha.master = (await commitFiles(info, "refs", { "which.txt": "master" }, { branch: "master" })).sha;
  sha.v100 = (
    await commitFiles(info, "refs", { "which.txt": "v1.0.0" }, { branch: "main", tag: "v1.0.0" })
  ).sha;
  sha.v110 = (
    await commitFiles(
      info,
      "refs",
      { "which.txt": "v1.1.0" },
      { branch: "main", tag: "v1.1.0", tagMessage: "1.1" },
    )
  ).sha;
  sha.v200rc = (
    await commitFiles(info, "refs", { "which.txt": "v2.0.0-rc.1" }, { branch: "main", tag: "v2.0.0-rc.1" })
  ).sha;
  sha.main = (await commitFiles(info, "refs", { "which.txt": "main" }, { branch: "main" })).sha;
  sha.pr = (await commitFiles(info, "refs", { "which.txt": "pr" }, { branch: "feature" })).sha;
  await updateRef(info, "refs", "refs/pull/1/head", sha.pr);
  await createRepo(info, "empty");
}, 60_000);

afterAll(async () => {
  await servers?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function name(): string {
  n += 1;
  return `obj-${n}`;
}

describe("ref kinds", () => {
  it.each([
    [
      "no ref: the master branch",
      undefined,
      "master",
      (s: Record<string, string>) => `master@sha1:${s.master}`,
    ],
    ["branch", { branch: "main" }, "main", (s: Record<string, string>) => `main@sha1:${s.main}`],
    ["lightweight tag", { tag: "v1.0.0" }, "v1.0.0", (s: Record<string, string>) => `v1.0.0@sha1:${s.v100}`],
    ["annotated tag", { tag: "v1.1.0" }, "v1.1.0", (s: Record<string, string>) => `v1.1.0@sha1:${s.v110}`],
    ["semver range", { semver: "^1.0.0" }, "v1.1.0", (s: Record<string, string>) => `v1.1.0@sha1:${s.v110}`],
    [
      "semver with prereleases",
      { semver: ">=2.0.0-0" },
      "v2.0.0-rc.1",
      (s: Record<string, string>) => `v2.0.0-rc.1@sha1:${s.v200rc}`,
    ],
    [
      "ref name",
      { name: "refs/pull/1/head" },
      "pr",
      (s: Record<string, string>) => `refs/pull/1/head@sha1:${s.pr}`,
    ],
  ])("%s", async (_label, ref, content, revision) => {
    const res = await poll({ url, ref, root, name: name() });
    expect(res.ref.revision).toBe(revision(sha));
    expect(readFileSync(join(res.artifact?.dir ?? "", "which.txt"), "utf8")).toBe(content);
  });

  it("fetches a commit alone (revision without ref) and with its branch", async () => {
    const alone = await poll({ url, ref: { commit: sha.v100 }, root, name: name() });
    expect(alone.ref.revision).toBe(`sha1:${sha.v100}`);
    expect(readFileSync(join(alone.artifact?.dir ?? "", "which.txt"), "utf8")).toBe("v1.0.0");
    const withBranch = await poll({ url, ref: { branch: "main", commit: sha.v110 }, root, name: name() });
    expect(withBranch.ref.revision).toBe(`main@sha1:${sha.v110}`);
    expect(readFileSync(join(withBranch.artifact?.dir ?? "", "which.txt"), "utf8")).toBe("v1.1.0");
  });
});

describe("missing refs", () => {
  it.each([
    ["a branch", { branch: "nope" }, GitErrorCode.RefNotFound],
    ["a tag", { tag: "v9.9.9" }, GitErrorCode.RefNotFound],
    ["a semver match", { semver: ">=3.0.0" }, GitErrorCode.NoMatchingTag],
    ["a ref name", { name: "refs/pull/404/head" }, GitErrorCode.RefNotFound],
  ])("fails without %s and writes no artifact", async (_label, ref, code) => {
    const obj = name();
    expect(await errorCode(() => poll({ url, ref, root, name: obj }))).toBe(code);
    expect(existsSync(join(root, "gitrepository", "default", obj))).toBe(false);
  });

  it("fails for a commit the repository does not have", async () => {
    const ref = { commit: "0123456789abcdef0123456789abcdef01234567" };
    expect(await errorCode(() => poll({ url, ref, root, name: name() }))).toBe(GitErrorCode.RefNotFound);
  });

  it("fails on an empty repository", async () => {
    expect(
      await errorCode(() => poll({ url: repoUrl(info, "http-anon", "empty"), root, name: name() })),
    ).toBe(GitErrorCode.EmptyRepository);
  });
});

it("follows a force-pushed branch to its new, unrelated history", async () => {
  await createRepo(info, "forced");
  const furl = repoUrl(info, "http-anon", "forced");
  await commitFiles(info, "forced", { "a.txt": "old" }, { branch: "main" });
  const obj = name();
  const first = await poll({ url: furl, ref: { branch: "main" }, root, name: obj });
  const rewritten = await commitFiles(info, "forced", { "b.txt": "new" }, { branch: "main", parent: null });
  const second = await poll({
    url: furl,
    ref: { branch: "main" },
    root,
    name: obj,
    lastRevision: first.ref.revision,
  });
  expect(second.ref.revision).toBe(`main@sha1:${rewritten.sha}`);
  expect(existsSync(join(second.artifact?.dir ?? "", "a.txt"))).toBe(false);
  expect(readFileSync(join(second.artifact?.dir ?? "", "b.txt"), "utf8")).toBe("new");
});
