import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArtifactLocation } from "../../source/git/artifact.ts";
import { archiveDir } from "../../source/git/tar.ts";
import type { ResolvedInclude } from "./include.ts";
import { buildArtifact } from "./source.ts";

let root: string;
let repo: string;
let commit: string;
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};
const git = (...args: string[]): string =>
  execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", env }).trim();

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "driftless-build-artifact-"));
  repo = join(root, "repo");
  mkdirSync(repo);
  git("init", "-q", "-b", "main");
  write(repo, {
    "app.yaml": "app: 1\n",
    "vendor/lib/old.yaml": "from: git\n",
    "vendor/lib/kept.yaml": "kept: true\n",
    "vendor/other.yaml": "other: 1\n",
    "logo.png": "not a yaml\n",
  });
  write(repo, { "run.sh": "#!/bin/sh\n" });
  chmodSync(join(repo, "run.sh"), 0o755);
  git("add", "-A");
  git("commit", "-q", "-m", "tree");
  commit = git("rev-parse", "HEAD");
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function build(name: string, includes: ResolvedInclude[]) {
  const loc: ArtifactLocation = { root: join(root, "storage"), kind: "gitrepository", namespace: "ns", name };
  const ref = {
    kind: "branch" as const,
    refName: "refs/heads/main",
    commit,
    revision: `main@sha1:${commit}`,
  };
  return buildArtifact({ loc, cacheDir: join(repo, ".git"), ref, ignore: undefined, includes });
}

describe("buildArtifact", () => {
  it("archives the tree it writes, byte for byte as archiving the stored directory", async () => {
    const artifact = await build("plain", []);
    expect(artifact.files).toBe(5);
    expect((await archiveDir(artifact.dir, join(root, "plain.tar.gz"))).digest).toBe(artifact.digest);
  });

  it("archives includes copied over the tree as the files on disk", async () => {
    const lib = join(root, "lib-artifact");
    write(lib, { "base/lib.yaml": "lib: 1\n", "base/old.yaml": "from: include\n", "other/x.yaml": "x\n" });
    const include: ResolvedInclude = {
      include: { repository: { name: "lib" }, fromPath: "base", toPath: "vendor/lib" },
      artifact: {
        path: "p",
        url: "u",
        revision: "r",
        digest: `sha256:${"0".repeat(64)}`,
        lastUpdateTime: "2026-01-01T00:00:00Z",
      },
      dir: lib,
    };
    const artifact = await build("with-include", [include]);
    expect(readFileSync(join(artifact.dir, "vendor/lib/old.yaml"), "utf8")).toBe("from: include\n");
    expect(artifact.files).toBe(6);
    expect((await archiveDir(artifact.dir, join(root, "include.tar.gz"))).digest).toBe(artifact.digest);
  });
});
