// Bare repositories under the git servers' root and commits made from plain file trees with the real git
// CLI. Commits are written with `git fast-import` straight into the bare repository (no work tree, one
// process per commit), which stays fast for trees of tens of thousands of files.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.ts";

/** A file's content: text, bytes, or bytes with the executable bit. */
export type FileContent = string | Uint8Array | { content: string | Uint8Array; executable?: boolean };

/** Options of commitFiles(). */
export interface CommitOptions {
  message?: string;
  /** The branch to commit on (default: the repository's HEAD branch). */
  branch?: string;
  /** Also point this tag at the commit. */
  tag?: string;
  /** Make the tag annotated with this message (a lightweight tag when unset). */
  tagMessage?: string;
  /** Paths to delete from the tree. */
  deletions?: readonly string[];
  /**
   * The parent: default the branch's current tip; a sha to branch from; null for a commit without parent
   * (rewrites the branch's history, like a force push).
   */
  parent?: string | null;
  /** Start from an empty tree instead of the parent's tree (files then define the whole tree). */
  replaceTree?: boolean;
  /** Author/committer time in seconds since the epoch (default: now). */
  time?: number;
  author?: { name: string; email: string };
}

/** The commit that commitFiles() made. */
export interface CommitResult {
  sha: string;
  branch: string;
  /** The tag object's sha when an annotated tag was made. */
  tagSha?: string;
}

/** The path of a bare repository under root; names may contain slashes and get ".git" appended. */
export function repoDir(root: string, name: string): string {
  return join(root, name.endsWith(".git") ? name : `${name}.git`);
}

/** Creates an empty bare repository under root whose HEAD points at defaultBranch. Returns its path. */
export async function createBareRepo(root: string, name: string, defaultBranch = "main"): Promise<string> {
  const dir = repoDir(root, name);
  if (existsSync(dir)) throw new Error(`repository ${name} already exists`);
  await run("git", ["init", "--quiet", "--bare", `--initial-branch=${defaultBranch}`, dir]);
  // Let clients fetch a commit by its id (Flux's spec.ref.commit) over protocol v0/v1 as well.
  await run("git", ["-C", dir, "config", "uploadpack.allowAnySHA1InWant", "true"]);
  await run("git", ["-C", dir, "config", "uploadpack.allowFilter", "true"]);
  return dir;
}

async function headBranch(dir: string): Promise<string> {
  const { stdout } = await run("git", ["-C", dir, "symbolic-ref", "--short", "HEAD"]);
  return stdout.trim();
}

async function revParse(dir: string, ref: string): Promise<string | undefined> {
  const res = await run("git", ["-C", dir, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
    allowFailure: true,
  });
  return res.code === 0 ? res.stdout.trim() : undefined;
}

function data(bytes: Uint8Array): Buffer[] {
  return [Buffer.from(`data ${bytes.length}\n`), Buffer.from(bytes), Buffer.from("\n")];
}

function quotePath(path: string): string {
  if (/^[^"\s\\\n]+$/.test(path)) return path;
  return JSON.stringify(path);
}

/** Commits files (and deletions) to a bare repository with git fast-import; returns the new commit. */
export async function commitToRepo(
  dir: string,
  files: Readonly<Record<string, FileContent>>,
  opts: CommitOptions = {},
): Promise<CommitResult> {
  const branch = opts.branch ?? (await headBranch(dir));
  const parent = opts.parent === undefined ? await revParse(dir, `refs/heads/${branch}`) : opts.parent;
  const time = opts.time ?? Math.floor(Date.now() / 1000);
  const who = opts.author ?? { name: "Driftless Test", email: "test@driftless.invalid" };
  const ident = `${who.name} <${who.email}> ${time} +0000`;
  const message = opts.message ?? "update files";

  const parts: Buffer[] = [];
  const line = (s: string): void => {
    parts.push(Buffer.from(`${s}\n`));
  };
  line(`commit refs/heads/${branch}`);
  line("mark :1");
  line(`author ${ident}`);
  line(`committer ${ident}`);
  parts.push(...data(Buffer.from(message.endsWith("\n") ? message : `${message}\n`)));
  if (parent) line(`from ${parent}`);
  if (opts.replaceTree) line("deleteall");
  for (const path of opts.deletions ?? []) line(`D ${quotePath(path)}`);
  for (const path of Object.keys(files).sort()) {
    const value = files[path];
    if (value === undefined) continue;
    const content = typeof value === "string" || value instanceof Uint8Array ? value : value.content;
    const executable = typeof value === "object" && !(value instanceof Uint8Array) && value.executable;
    line(`M ${executable ? "100755" : "100644"} inline ${quotePath(path)}`);
    parts.push(...data(typeof content === "string" ? Buffer.from(content) : content));
  }
  line("");
  if (opts.tag) {
    if (opts.tagMessage !== undefined) {
      line(`tag ${opts.tag}`);
      line("from :1");
      line(`tagger ${ident}`);
      parts.push(...data(Buffer.from(`${opts.tagMessage}\n`)));
    } else {
      line(`reset refs/tags/${opts.tag}`);
      line("from :1");
      line("");
    }
  }
  line("done");
  await run("git", ["-C", dir, "fast-import", "--quiet", "--force", "--done"], {
    input: Buffer.concat(parts),
    timeoutMs: 300_000,
  });
  const sha = await revParse(dir, `refs/heads/${branch}`);
  if (!sha) throw new Error(`commit on ${branch} not found after fast-import`);
  const result: CommitResult = { sha, branch };
  if (opts.tag && opts.tagMessage !== undefined) {
    const { stdout } = await run("git", ["-C", dir, "rev-parse", `refs/tags/${opts.tag}`]);
    result.tagSha = stdout.trim();
  }
  return result;
}

/** Points a tag at a commit (lightweight, or annotated with a message). */
export async function tagInRepo(dir: string, tag: string, commit: string, message?: string): Promise<void> {
  const args =
    message === undefined ? ["tag", "-f", tag, commit] : ["tag", "-f", "-a", "-m", message, tag, commit];
  await run("git", ["-C", dir, ...args], {
    env: {
      ...process.env,
      GIT_COMMITTER_NAME: "Driftless Test",
      GIT_COMMITTER_EMAIL: "test@driftless.invalid",
    },
  });
}

/** Points any ref (e.g. "refs/pull/1/head") at a commit. */
export async function updateRefInRepo(dir: string, ref: string, commit: string): Promise<void> {
  await run("git", ["-C", dir, "update-ref", ref, commit]);
}

/** Deletes a ref (a branch "refs/heads/x" or tag "refs/tags/x"). */
export async function deleteRefInRepo(dir: string, ref: string): Promise<void> {
  await run("git", ["-C", dir, "update-ref", "-d", ref]);
}
