// Fetching the resolved commit into a per-object cache directory (a bare repository): shallow, one ref, no
// tags; skipped when the commit is already there. A failed fetch wipes the cache so a cut download cannot
// leave a broken pack behind for the next attempt.
import * as fs from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import git from "isomorphic-git";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { type ResolvedRef, revisionFor } from "./refs.ts";
import { type Transport, toGitError } from "./transport.ts";

/** Options of fetchCommit(). */
export interface FetchOptions {
  transport: Transport;
  /** The bare repository used as cache for this GitRepository. */
  cacheDir: string;
  ref: ResolvedRef;
  /** History depth (default 1). */
  depth?: number;
  /** Wipe the cache before fetching when it holds more packs than this (default 20). */
  maxPacks?: number;
}

/** What fetchCommit() did. */
export interface FetchResult {
  /** The ref as fetched: the commit may be newer than the resolved one if the ref moved meanwhile. */
  ref: ResolvedRef;
  /** False when the commit was already in the cache and nothing was downloaded. */
  fetched: boolean;
}

/** An isomorphic-git object cache to share across calls on one repository (speeds up pack reads). */
export type ObjectCache = Record<string, unknown>;

/** Whether the commit object is in the cache repository. */
export async function hasCommit(cacheDir: string, commit: string, cache: ObjectCache = {}): Promise<boolean> {
  try {
    await git.readCommit({ fs, gitdir: cacheDir, oid: commit, cache });
    return true;
  } catch {
    return false;
  }
}

/** Follows annotated tags to the commit they point at. */
export async function peelToCommit(cacheDir: string, oid: string, cache: ObjectCache = {}): Promise<string> {
  let current = oid;
  for (let i = 0; i < 10; i++) {
    const obj = await git.readObject({ fs, gitdir: cacheDir, oid: current, cache, format: "parsed" });
    if (obj.type === "commit") return current;
    if (obj.type !== "tag") {
      throw new GitSourceError(GitErrorCode.InvalidRef, `ref points at a ${obj.type}, not a commit`);
    }
    current = (obj.object as { object: string }).object;
  }
  throw new GitSourceError(GitErrorCode.InvalidRef, "tag chain too long");
}

async function packCount(cacheDir: string): Promise<number> {
  try {
    return (await readdir(join(cacheDir, "objects", "pack"))).filter((f) => f.endsWith(".pack")).length;
  } catch {
    return 0;
  }
}

/** Makes sure the resolved commit (and its tree) is in cacheDir, downloading it shallowly if needed. */
export async function fetchCommit(opts: FetchOptions): Promise<FetchResult> {
  const { transport, cacheDir, ref } = opts;
  const cache: ObjectCache = {};
  if (await hasCommit(cacheDir, ref.commit, cache)) return { ref, fetched: false };
  if ((await packCount(cacheDir)) > (opts.maxPacks ?? 20))
    await rm(cacheDir, { recursive: true, force: true });
  await git.init({ fs, gitdir: cacheDir, bare: true, defaultBranch: "main" });
  // isomorphic-git records what it fetched under the remote's refspec; any ref name maps into it.
  await git.setConfig({
    fs,
    gitdir: cacheDir,
    path: "remote.origin.fetch",
    value: "+refs/*:refs/remotes/origin/*",
  });
  // A bare commit (or a ref that is not a tip) is asked for by id; named refs by name, so that a ref which
  // moved since it was resolved still fetches, and the result says which commit came.
  const want = ref.kind === "commit" || !ref.refName ? ref.commit : ref.refName;
  let fetchHead: string | null;
  try {
    const res = await git.fetch({
      fs,
      http: transport.http,
      gitdir: cacheDir,
      url: transport.url,
      ref: want,
      remoteRef: want,
      singleBranch: true,
      depth: opts.depth ?? 1,
      tags: false,
      cache,
    });
    fetchHead = res.fetchHead;
  } catch (err) {
    await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
    throw toGitError(err, transport, "fetching from");
  }
  if (!fetchHead) {
    await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
    throw new GitSourceError(
      GitErrorCode.EmptyRepository,
      `fetching from ${transport.displayUrl}: remote is empty`,
    );
  }
  let commit: string;
  try {
    commit = await peelToCommit(cacheDir, fetchHead, cache);
  } catch (err) {
    await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
    if (err instanceof GitSourceError) throw err;
    throw new GitSourceError(
      GitErrorCode.Transport,
      `fetching from ${transport.displayUrl}: incomplete pack`,
      {
        cause: err,
      },
    );
  }
  if (commit === ref.commit) return { ref, fetched: true };
  const moved: ResolvedRef = { ...ref, commit, revision: revisionFor(ref.kind, ref.refName, commit) };
  if (fetchHead !== commit) moved.tagObject = fetchHead;
  else delete moved.tagObject;
  return { ref: moved, fetched: true };
}
