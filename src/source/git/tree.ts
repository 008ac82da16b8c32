// Writing a commit's tree to a directory straight from the object store: tree and blob objects are read
// and written as files, with no index and no working-tree bookkeeping (isomorphic-git's checkout builds an
// index, which is most of its cost). Ignore rules are applied before any blob is read.
import * as fs from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import type { ObjectCache } from "./fetch.ts";
import { buildIgnoreMatcher, type IgnoreFile, SOURCE_IGNORE_FILE } from "./ignore.ts";

/** A file of a tree. */
export interface TreeFile {
  /** Relative, "/"-separated path. */
  path: string;
  oid: string;
  /** Git file mode: "100644", "100755" or "120000" (symlink). */
  mode: string;
}

/** Options of writeTree(). */
export interface WriteTreeOptions {
  cacheDir: string;
  commit: string;
  /** The (empty or missing) directory to write into. */
  dir: string;
  /** spec.ignore. */
  ignore?: string;
  /** Files written in parallel (default 16). */
  concurrency?: number;
  cache?: ObjectCache;
}

/** What writeTree() wrote. */
export interface WriteTreeResult {
  files: number;
  ignored: number;
  /** Symlinks and submodules are left out, as Flux's archive leaves them out. */
  skipped: number;
}

function safeName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\0");
}

/** Lists every file of the commit's tree (blobs and symlinks; submodules are skipped). */
export async function listTree(
  cacheDir: string,
  commit: string,
  cache: ObjectCache = {},
): Promise<{ files: TreeFile[]; submodules: number }> {
  const { commit: c } = await git.readCommit({ fs, gitdir: cacheDir, oid: commit, cache });
  const files: TreeFile[] = [];
  let submodules = 0;
  const stack: { oid: string; prefix: string }[] = [{ oid: c.tree, prefix: "" }];
  while (stack.length > 0) {
    const { oid, prefix } = stack.pop() as { oid: string; prefix: string };
    const { tree } = await git.readTree({ fs, gitdir: cacheDir, oid, cache });
    for (const entry of tree) {
      if (!safeName(entry.path)) {
        throw new GitSourceError(GitErrorCode.Transport, `unsafe path '${prefix}${entry.path}' in git tree`);
      }
      const path = `${prefix}${entry.path}`;
      if (entry.type === "tree") stack.push({ oid: entry.oid, prefix: `${path}/` });
      else if (entry.type === "blob") files.push({ path, oid: entry.oid, mode: entry.mode });
      else submodules += 1;
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, submodules };
}

/** Writes the commit's tree to dir, leaving out ignored files, symlinks and submodules. */
export async function writeTree(opts: WriteTreeOptions): Promise<WriteTreeResult> {
  const cache = opts.cache ?? {};
  const { files, submodules } = await listTree(opts.cacheDir, opts.commit, cache);
  const ignoreFiles: IgnoreFile[] = [];
  for (const f of files) {
    if (f.path === SOURCE_IGNORE_FILE || f.path.endsWith(`/${SOURCE_IGNORE_FILE}`)) {
      const { blob } = await git.readBlob({ fs, gitdir: opts.cacheDir, oid: f.oid, cache });
      const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : "";
      ignoreFiles.push({ dir, content: Buffer.from(blob).toString("utf8") });
    }
  }
  const matcher = buildIgnoreMatcher(ignoreFiles, opts.ignore);
  let ignored = 0;
  let skipped = submodules;
  const todo: TreeFile[] = [];
  for (const f of files) {
    if (f.mode === "120000") skipped += 1;
    else if (matcher(f.path, false)) ignored += 1;
    else todo.push(f);
  }
  await mkdir(opts.dir, { recursive: true });
  const made = new Set<string>([""]);
  for (const f of todo) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!made.has(d)) {
        await mkdir(join(opts.dir, d), { recursive: true });
        made.add(d);
      }
    }
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const f = todo[next++];
      if (!f) return;
      const { blob } = await git.readBlob({ fs, gitdir: opts.cacheDir, oid: f.oid, cache });
      await writeFile(join(opts.dir, f.path), blob, { mode: f.mode === "100755" ? 0o755 : 0o644 });
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, worker));
  return { files: todo.length, ignored, skipped };
}
