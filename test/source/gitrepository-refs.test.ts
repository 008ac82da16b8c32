// Every kind of spec.ref against the real git server, with the revision strings Flux writes: branch (and
// the master default), tag (lightweight and annotated), semver, a bare commit, commit with branch, and an
// arbitrary ref name; plus the failures of refs that do not exist and a force-pushed branch.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createRepo, type GitServersInfo, repoUrl, updateRef } from "../harness/git/index.ts";
import {
  applyRepo,
  artifactDir,
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
let url: string;
const sha: Record<string, string> = {};

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-refs", "gitrepo-refs"));
  await createRepo(info, "refs-app");
  url = repoUrl(info, "http-anon", "refs-app");
  sha.one = (await commitFiles(info, "refs-app", { "v.txt": "1.0.0\n" }, { tag: "v1.0.0" })).sha;
  sha.two = (
    await commitFiles(info, "refs-app", { "v.txt": "1.1.0\n" }, { tag: "v1.1.0", tagMessage: "release 1.1" })
  ).sha;
  sha.three = (await commitFiles(info, "refs-app", { "v.txt": "2.0.0-rc.1\n" }, { tag: "v2.0.0-rc.1" })).sha;
  sha.master = (
    await commitFiles(info, "refs-app", { "v.txt": "master\n" }, { branch: "master", parent: sha.one })
  ).sha;
  sha.pr = (
    await commitFiles(info, "refs-app", { "v.txt": "pr\n" }, { branch: "feature", parent: sha.one })
  ).sha;
  await updateRef(info, "refs-app", "refs/pull/1/head", sha.pr);
});

afterAll(async () => {
  await h?.close();
});

async function revisionOf(name: string, ref: Record<string, string> | undefined): Promise<string> {
  await applyRepo(h, ns, name, { url, ...(ref ? { ref } : {}) });
  const s = statusOf(await waitReady(h, ns, name));
  return s.artifact?.revision ?? "";
}

function fileOf(name: string): string {
  return readFileSync(join(artifactDir(h, ns, name), "v.txt"), "utf8");
}

describe("refs", () => {
  it("follows a branch", async () => {
    expect(await revisionOf("branch", { branch: "main" })).toBe(`main@sha1:${sha.three}`);
    expect(fileOf("branch")).toBe("2.0.0-rc.1\n");
  });

  it("defaults to the master branch, as Flux", async () => {
    expect(await revisionOf("default", undefined)).toBe(`master@sha1:${sha.master}`);
  });

  it("follows a lightweight tag", async () => {
    expect(await revisionOf("tag", { tag: "v1.0.0" })).toBe(`v1.0.0@sha1:${sha.one}`);
    expect(fileOf("tag")).toBe("1.0.0\n");
  });

  it("follows an annotated tag to its commit", async () => {
    expect(await revisionOf("annotated", { tag: "v1.1.0" })).toBe(`v1.1.0@sha1:${sha.two}`);
  });

  it("picks the highest tag in a semver range", async () => {
    expect(await revisionOf("semver", { semver: ">=1.0.0 <2.0.0" })).toBe(`v1.1.0@sha1:${sha.two}`);
    expect(fileOf("semver")).toBe("1.1.0\n");
  });

  it("reports a semver range no tag matches", async () => {
    await applyRepo(h, ns, "nosemver", { url, ref: { semver: ">=5.0.0" } });
    const s = statusOf(await waitNotReady(h, ns, "nosemver", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain(">=5.0.0");
  });

  it("checks out a bare commit", async () => {
    expect(await revisionOf("commit", { commit: sha.one ?? "" })).toBe(`sha1:${sha.one}`);
    expect(fileOf("commit")).toBe("1.0.0\n");
  });

  it("checks out a commit on a branch", async () => {
    expect(await revisionOf("commit-branch", { branch: "main", commit: sha.two ?? "" })).toBe(
      `main@sha1:${sha.two}`,
    );
  });

  it("follows any ref by name with the absolute revision", async () => {
    expect(await revisionOf("name", { name: "refs/pull/1/head" })).toBe(`refs/pull/1/head@sha1:${sha.pr}`);
    expect(fileOf("name")).toBe("pr\n");
  });

  it("reports a missing tag", async () => {
    await applyRepo(h, ns, "notag", { url, ref: { tag: "v9.9.9" } });
    const s = statusOf(await waitNotReady(h, ns, "notag", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain("v9.9.9");
  });

  it("follows a force-pushed branch to the rewritten history", async () => {
    await createRepo(info, "refs-force");
    await commitFiles(info, "refs-force", { "a.txt": "old\n" });
    await commitFiles(info, "refs-force", { "a.txt": "older\n" });
    await applyRepo(h, ns, "force", {
      url: repoUrl(info, "http-anon", "refs-force"),
      ref: { branch: "main" },
    });
    await waitReady(h, ns, "force");
    const rewritten = (
      await commitFiles(info, "refs-force", { "a.txt": "new\n" }, { parent: null, replaceTree: true })
    ).sha;
    await requestReconcile(h, ns, "force");
    await waitForStatus(
      h,
      ns,
      "force",
      (s) => s.artifact?.revision === `main@sha1:${rewritten}`,
      "rewritten",
    );
    const local = h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "force" });
    expect(readFileSync(join(local?.dir ?? "", "a.txt"), "utf8")).toBe("new\n");
  });
});
