// Fetching the resolved commit into a per-object cache directory (a bare repository): shallow, one ref, no
// tags; skipped when the commit is already there. A failed fetch wipes the cache so a cut download cannot
// leave a broken pack behind for the next attempt.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import git, { type GitHttpRequest, type GitHttpResponse, type HttpClient } from "isomorphic-git";
import { GitErrorCode, GitSourceError, isGitError } from "./errors.ts";
import { keepIndexedPack, ObjectStore } from "./objects.ts";
import { PackError, PackIndexer } from "./pack-index.ts";
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

// Failures a second attempt over the same transport cannot fix.
const FINAL = [
  GitErrorCode.AuthenticationFailed,
  GitErrorCode.Timeout,
  GitErrorCode.UnknownHostKey,
  GitErrorCode.HostKeyMismatch,
  GitErrorCode.InvalidAuth,
  GitErrorCode.RepositoryNotFound,
];

async function initCache(cacheDir: string): Promise<void> {
  await git.init({ fs, gitdir: cacheDir, bare: true, defaultBranch: "main" });
  // isomorphic-git records what it fetched under the remote's refspec; any ref name maps into it.
  await git.setConfig({
    fs,
    gitdir: cacheDir,
    path: "remote.origin.fetch",
    value: "+refs/*:refs/remotes/origin/*",
  });
}

/**
 * Receives the pack data of upload-pack responses in place of isomorphic-git and indexes it natively
 * while it arrives (pack-index.ts); store() then writes the pack and its index. isomorphic-git would
 * collect the whole pack, copy it, and only then index it with a JavaScript zlib and one WebCrypto hash
 * per object.
 */
class PackReceiver {
  private readonly cacheDir: string;
  private indexer: PackIndexer | undefined;
  private store: Promise<ObjectStore> | undefined;

  constructor(cacheDir: string) {
    this.cacheDir = cacheDir;
  }

  async write(chunk: Uint8Array): Promise<void> {
    // Bases of a thin pack's deltas are in the packs fetched before.
    this.indexer ??= new PackIndexer({ external: async (oid) => (await this.existing()).read(oid) });
    await this.indexer.push(chunk);
  }

  private existing(): Promise<ObjectStore> {
    this.store = this.store ?? ObjectStore.open(this.cacheDir);
    return this.store;
  }

  /** Completes the index and moves the pack and its .idx into place (nothing when no pack came). */
  async save(): Promise<void> {
    const indexer = this.indexer;
    this.indexer = undefined;
    if (!indexer) return;
    const { index, pack } = await indexer.finish();
    if (index.objects.size === 0) return;
    const base = join(this.cacheDir, "objects", "pack", `pack-${index.checksum}`);
    const tmp = `${base}.tmp-${randomBytes(4).toString("hex")}`;
    try {
      await writeFile(tmp, pack, { mode: 0o644 });
      await rename(tmp, `${base}.pack`);
      // The .idx comes last: readers find packs by their index, so they never see a pack half-written.
      await writeFile(tmp, index.idx, { mode: 0o644 });
      await rename(tmp, `${base}.idx`);
    } finally {
      await rm(tmp, { force: true });
    }
    // The tree is usually written next: it can take the objects inflated while indexing.
    keepIndexedPack(`${base}.pack`, { data: pack, offsets: index.objects, objects: index.inflated });
  }
}

/** Where divertPack() sends pack data. */
export interface PackSink {
  write(chunk: Uint8Array): Promise<void>;
}

/**
 * Wraps a client so that the side-band stream of upload-pack responses is split: band 1 (pack data) goes
 * to the sink, every other pkt-line (negotiation, progress, errors) on to isomorphic-git.
 */
export function divertPack(client: HttpClient, receiver: PackSink): HttpClient {
  async function* demux(body: AsyncIterableIterator<Uint8Array>): AsyncIterableIterator<Uint8Array> {
    let rest: Buffer = Buffer.alloc(0);
    let raw = false;
    for await (const chunk of body) {
      if (raw) {
        yield chunk;
        continue;
      }
      let buf =
        rest.length === 0
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
          : Buffer.concat([rest, chunk]);
      const out: Buffer[] = [];
      let pos = 0;
      while (buf.length - pos >= 4) {
        const len = Number.parseInt(buf.toString("latin1", pos, pos + 4), 16);
        if (Number.isNaN(len) || (len > 0 && len < 4)) {
          // Not pkt-lines (any more): hand the rest over untouched.
          raw = true;
          out.push(buf.subarray(pos));
          pos = buf.length;
          break;
        }
        const size = len === 0 ? 4 : len;
        if (buf.length - pos < size) break;
        if (len > 4 && buf[pos + 4] === 1) await receiver.write(buf.subarray(pos + 5, pos + size));
        else out.push(buf.subarray(pos, pos + size));
        pos += size;
      }
      rest = buf.subarray(pos);
      buf = Buffer.alloc(0);
      if (out.length > 0) yield out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    }
    if (rest.length > 0) yield rest;
  }
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await client.request(req);
      const isPack = req.method === "POST" && new URL(req.url).pathname.endsWith("/git-upload-pack");
      if (!isPack || res.statusCode !== 200 || !res.body) return res;
      return { ...res, body: demux(res.body) };
    },
  };
}

async function download(
  opts: FetchOptions,
  want: string,
  how: { depth?: number; singleBranch: boolean },
): Promise<string | null> {
  const receiver = new PackReceiver(opts.cacheDir);
  try {
    const res = await git.fetch({
      fs,
      http: divertPack(opts.transport.http, receiver),
      gitdir: opts.cacheDir,
      url: opts.transport.url,
      ref: want,
      remoteRef: want,
      singleBranch: how.singleBranch,
      ...(how.depth === undefined ? {} : { depth: how.depth }),
      tags: false,
    });
    await receiver.save();
    return res.fetchHead;
  } catch (err) {
    if (err instanceof PackError) {
      throw new GitSourceError(
        GitErrorCode.Transport,
        `fetching from ${opts.transport.displayUrl}: ${err.message}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

/** Makes sure the resolved commit (and its tree) is in cacheDir, downloading it shallowly if needed. */
export async function fetchCommit(opts: FetchOptions): Promise<FetchResult> {
  const { transport, cacheDir, ref } = opts;
  const cache: ObjectCache = {};
  if (await hasCommit(cacheDir, ref.commit, cache)) return { ref, fetched: false };
  if ((await packCount(cacheDir)) > (opts.maxPacks ?? 20))
    await rm(cacheDir, { recursive: true, force: true });
  await initCache(cacheDir);
  // A bare commit is asked for by id; named refs by name, so that a ref which moved since it was resolved
  // still fetches, and the result says which commit came.
  const want = ref.kind === "commit" || !ref.refName ? ref.commit : ref.refName;
  let fetchHead: string | null = null;
  let failure: unknown;
  try {
    fetchHead = await download(opts, want, { depth: opts.depth ?? 1, singleBranch: true });
  } catch (err) {
    failure = err;
  }
  // Servers may refuse a commit that is no ref tip (upload-pack without allowReachableSHA1InWant over
  // SSH), by an error or by an empty answer: then fetch the branch, or every branch, with history, as
  // Flux clones for a commit.
  const retry =
    ref.kind === "commit" &&
    (failure !== undefined
      ? !isGitError(failure, ...FINAL)
      : !(await hasCommit(cacheDir, ref.commit, cache)));
  if (retry) {
    await rm(cacheDir, { recursive: true, force: true });
    await initCache(cacheDir);
    try {
      await download(opts, ref.refName ?? "HEAD", { singleBranch: ref.refName !== undefined });
    } catch (err) {
      await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
      throw toGitError(err, transport, "fetching from");
    }
    if (!(await hasCommit(cacheDir, ref.commit, {}))) {
      await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
      const where = ref.refName ? ` on branch '${ref.refName.slice("refs/heads/".length)}'` : "";
      throw new GitSourceError(GitErrorCode.RefNotFound, `commit '${ref.commit}' not found${where}`);
    }
    fetchHead = ref.commit;
  } else if (failure !== undefined) {
    await rm(cacheDir, { recursive: true, force: true }).catch(() => undefined);
    throw toGitError(failure, transport, "fetching from");
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
  // Remember what this ref fetched: the next fetch of the same ref sends it as a "have", so the server
  // sends only the objects that changed.
  if (want.startsWith("refs/")) {
    await git
      .writeRef({ fs, gitdir: cacheDir, ref: want, value: fetchHead, force: true })
      .catch(() => undefined);
  }
  if (commit === ref.commit) return { ref, fetched: true };
  const moved: ResolvedRef = { ...ref, commit, revision: revisionFor(ref.kind, ref.refName, commit) };
  if (fetchHead !== commit) moved.tagObject = fetchHead;
  else delete moved.tagObject;
  return { ref: moved, fetched: true };
}
