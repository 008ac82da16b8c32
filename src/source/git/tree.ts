// Writing a commit's tree to a directory straight from the object store: tree and blob objects are read
// and written as files, with no index and no working-tree bookkeeping (isomorphic-git's checkout builds an
// index, which is most of its cost). Ignore rules are applied before any blob is read.
// Objects come from objects.ts (packs read once) with isomorphic-git as the fallback.
import * as fs from "node:fs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import git from "isomorphic-git";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import type { ObjectCache } from "./fetch.ts";
import { buildIgnoreMatcher, type IgnoreFile, SOURCE_IGNORE_FILE } from "./ignore.ts";
import { type GitObject, ObjectStore, objectHeader, parseTree } from "./objects.ts";
import type { TarEntry } from "./tar.ts";

/** A file of a tree. */
export interface TreeFile {
  /** Relative, "/"-separated path. */
  path: string;
  oid: string;
  /** Git file mode: "100644", "100755" or "120000" (symlink). */
  mode: string;
  /** The repository holding the blob when it is not the one listed (a submodule's cache). */
  gitdir?: string;
}

/** A submodule's checkout: the commit its gitlink records, in the repository caching its objects. */
export interface SubmoduleTree {
  cacheDir: string;
  commit: string;
}

/** Options of writeTree(). */
export interface WriteTreeOptions {
  cacheDir: string;
  commit: string;
  /** The (empty or missing) directory to write into. */
  dir: string;
  /** spec.ignore. */
  ignore?: string;
  /** Files written between two turns of the event loop (default 64). */
  concurrency?: number;
  cache?: ObjectCache;
  /** Narrows the listed files before ignore rules apply (sparse checkout); may throw to refuse the tree. */
  select?: (files: readonly TreeFile[]) => TreeFile[];
  /** Submodules by path (nested ones included): their trees are written where the gitlinks are. */
  modules?: ReadonlyMap<string, SubmoduleTree>;
}

/** What writeTree() wrote. */
export interface WriteTreeResult {
  files: number;
  ignored: number;
  /** Symlinks and submodules are left out, as Flux's archive leaves them out. */
  skipped: number;
  /** The files written with their content, for archiveFiles()/storeArtifact() without re-reading. */
  entries: TarEntry[];
}

function safeName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\0");
}

/** Reads objects from the packs first, and through isomorphic-git for anything they do not hold. */
class Reader {
  private readonly store: ObjectStore;
  private readonly gitdir: string;
  private readonly cache: ObjectCache;

  constructor(store: ObjectStore, gitdir: string, cache: ObjectCache) {
    this.store = store;
    this.gitdir = gitdir;
    this.cache = cache;
  }

  async get(oid: string): Promise<GitObject> {
    const obj = await this.store.read(oid);
    if (obj) return obj;
    const res = await git.readObject({ fs, gitdir: this.gitdir, oid, cache: this.cache, format: "content" });
    return { type: res.type as GitObject["type"], data: Buffer.from(res.object as Uint8Array) };
  }
}

async function openReader(cacheDir: string, cache: ObjectCache): Promise<Reader> {
  return new Reader(await ObjectStore.open(cacheDir), cacheDir, cache);
}

/** Lists every file of the commit's tree (blobs and symlinks; submodules are counted, not listed). */
export async function listTree(
  cacheDir: string,
  commit: string,
  cache: ObjectCache = {},
): Promise<{ files: TreeFile[]; submodules: number }> {
  return listWith(await openReader(cacheDir, cache), commit);
}

async function rootTree(reader: Reader, commit: string): Promise<string> {
  const c = await reader.get(commit);
  const root = c.type === "commit" ? objectHeader(c.data, "tree") : undefined;
  if (!root) throw new GitSourceError(GitErrorCode.InvalidRef, `${commit} is not a commit`);
  return root;
}

async function listWith(
  reader: Reader,
  commit: string,
  modules: Modules | undefined = undefined,
): Promise<{ files: TreeFile[]; submodules: number }> {
  const files: TreeFile[] = [];
  let submodules = 0;
  const stack: { oid: string; prefix: string; reader: Reader; gitdir?: string }[] = [
    { oid: await rootTree(reader, commit), prefix: "", reader },
  ];
  while (stack.length > 0) {
    const { oid, prefix, reader: from, gitdir } = stack.pop() as (typeof stack)[number];
    const tree = await from.get(oid);
    if (tree.type !== "tree") throw new GitSourceError(GitErrorCode.Transport, `object ${oid} is not a tree`);
    for (const entry of parseTree(tree.data)) {
      if (!safeName(entry.name)) {
        throw new GitSourceError(GitErrorCode.Transport, `unsafe path '${prefix}${entry.name}' in git tree`);
      }
      const path = `${prefix}${entry.name}`;
      const module = entry.mode === "160000" ? modules?.trees.get(path) : undefined;
      if (entry.mode === "040000")
        stack.push({ oid: entry.oid, prefix: `${path}/`, reader: from, ...(gitdir ? { gitdir } : {}) });
      else if (module) {
        const sub = await modules?.open(module.cacheDir);
        if (!sub) continue;
        stack.push({
          oid: await rootTree(sub, module.commit),
          prefix: `${path}/`,
          reader: sub,
          gitdir: module.cacheDir,
        });
      } else if (entry.mode === "160000") submodules += 1;
      else files.push({ path, oid: entry.oid, mode: entry.mode, ...(gitdir ? { gitdir } : {}) });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, submodules };
}

// Submodule trees and a reader per submodule repository, opened once.
interface Modules {
  trees: ReadonlyMap<string, SubmoduleTree>;
  open(cacheDir: string): Promise<Reader>;
}

function moduleReaders(
  trees: ReadonlyMap<string, SubmoduleTree>,
): Modules & { get(f: TreeFile): Reader | undefined } {
  const readers = new Map<string, Reader>();
  return {
    trees,
    async open(cacheDir) {
      let r = readers.get(cacheDir);
      if (!r) {
        r = await openReader(cacheDir, {});
        readers.set(cacheDir, r);
      }
      return r;
    },
    get: (f) => (f.gitdir === undefined ? undefined : readers.get(f.gitdir)),
  };
}

/** Options of readTree(): writeTree()'s without the directory. */
export type ReadTreeOptions = Omit<WriteTreeOptions, "dir" | "concurrency">;

/** A file of the tree with its content, ready to write or archive. */
export type FileEntry = TarEntry & { data: Buffer };

/** What readTree() read: the files to write with their content, and what it left out. */
export interface TreeContent {
  files: number;
  ignored: number;
  /** Symlinks and submodules are left out, as Flux's archive leaves them out. */
  skipped: number;
  entries: FileEntry[];
}

/** Reads the commit's tree into memory, leaving out ignored files, symlinks and submodules not in opts.modules. */
export async function readTree(opts: ReadTreeOptions): Promise<TreeContent> {
  const root = await openReader(opts.cacheDir, opts.cache ?? {});
  const modules = opts.modules && opts.modules.size > 0 ? moduleReaders(opts.modules) : undefined;
  const reader = { get: (f: TreeFile) => (modules?.get(f) ?? root).get(f.oid) };
  const listed = await listWith(root, opts.commit, modules);
  const files = opts.select ? opts.select(listed.files) : listed.files;
  const submodules = listed.submodules;
  const ignoreFiles: IgnoreFile[] = [];
  for (const f of files) {
    if (f.path === SOURCE_IGNORE_FILE || f.path.endsWith(`/${SOURCE_IGNORE_FILE}`)) {
      const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : "";
      ignoreFiles.push({ dir, content: (await reader.get(f)).data.toString("utf8") });
    }
  }
  const matcher = buildIgnoreMatcher(ignoreFiles, opts.ignore);
  let ignored = 0;
  let skipped = submodules;
  const entries: FileEntry[] = [];
  for (const f of files) {
    if (f.mode === "120000") skipped += 1;
    else if (matcher(f.path, false)) ignored += 1;
    else entries.push({ path: f.path, executable: f.mode === "100755", data: (await reader.get(f)).data });
  }
  return { files: entries.length, ignored, skipped, entries };
}

/**
 * Writes the entries as files under dir (created if missing). Files are written synchronously, batch
 * files at a time with the event loop served in between: for many small files a thread-pool round trip
 * per open, write and close costs more CPU than the writes themselves.
 */
export async function writeFiles(dir: string, entries: readonly FileEntry[], batch = 64): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const made = new Set<string>([""]);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as FileEntry;
    const slash = e.path.lastIndexOf("/");
    const d = slash < 0 ? "" : e.path.slice(0, slash);
    if (!made.has(d)) {
      mkdirSync(join(dir, d), { recursive: true });
      made.add(d);
    }
    // Paths are checked to be plain relative names (safeName): concatenation is enough, and cheaper than join.
    writeFileSync(`${dir}/${e.path}`, e.data, { mode: e.executable ? 0o755 : 0o644 });
    if (i % batch === batch - 1) await yieldToLoop();
  }
}

/** Writes the commit's tree to dir, leaving out ignored files, symlinks and submodules not in opts.modules. */
export async function writeTree(opts: WriteTreeOptions): Promise<WriteTreeResult> {
  const content = await readTree(opts);
  await writeFiles(opts.dir, content.entries, opts.concurrency);
  return content;
}
