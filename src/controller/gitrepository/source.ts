// The source phases of a GitRepository that talk to the outside: the auth Secret, the included
// GitRepositories, the remote (one ref advertisement, then a shallow fetch only when needed) and the new
// artifact written atomically to storage.
import * as fs from "node:fs";
import { join } from "node:path";
import { ConditionType, Reason } from "../../api/condition.ts";
import type { GitRepository } from "../../api/gitrepository.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ResourceRef } from "../../kube/object.ts";
import {
  type Artifact,
  type ArtifactLocation,
  readArtifact,
  stagedTarball,
  stagedTree,
  stagingDir,
  storeArtifact,
} from "../../source/git/artifact.ts";
import type { SecretData } from "../../source/git/auth.ts";
import { GitSourceError } from "../../source/git/errors.ts";
import { fetchCommit } from "../../source/git/fetch.ts";
import { commitMessage, ObjectStore } from "../../source/git/objects.ts";
import { type ResolvedRef, type ResolveOptions, resolveRef } from "../../source/git/refs.ts";
import { type ArchiveResult, archiveFiles, listFiles, type TarEntry } from "../../source/git/tar.ts";
import type { Transport } from "../../source/git/transport.ts";
import { type FileEntry, readTree, type WriteTreeOptions, writeFiles } from "../../source/git/tree.ts";
import { fetchFailure, ReconcileFailure } from "./failure.ts";
import { copyIncludes, IncludeCopyError, type ResolvedInclude, secureJoin, toPathOf } from "./include.ts";

const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets" };

/** The storage location of a GitRepository's artifacts. */
export function artifactLocation(root: string, namespace: string, name: string): ArtifactLocation {
  return { root, kind: "gitrepository", namespace, name };
}

/** The bare repository caching a GitRepository's fetched objects. */
export function gitCacheDir(root: string, namespace: string, name: string): string {
  return join(root, "gitcache", namespace, name);
}

/** Reads a Secret's data, base64-decoded; errors say which Secret, never what is in it. */
export async function readSecretData(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<SecretData> {
  const secret = await client.get(SECRETS, { namespace, name }, signal ? { signal } : {});
  const data = (secret as KubeObject & { data?: unknown }).data;
  const out: Record<string, Uint8Array> = {};
  if (data && typeof data === "object") {
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === "string") out[k] = Buffer.from(v, "base64");
    }
  }
  return out;
}

/** Resolves the ref with one round trip; failures are FetchFailed with Flux's reasons. */
export async function resolveRevision(
  transport: Transport,
  obj: GitRepository,
  opts: ResolveOptions = {},
): Promise<ResolvedRef> {
  try {
    return await resolveRef(transport, obj.spec.ref, opts);
  } catch (err) {
    throw fetchFailure(err);
  }
}

/** What fetching produced: the ref as fetched (it may have moved) and the commit subject. */
export interface Fetched {
  ref: ResolvedRef;
  /** The first line of the commit message, shortened like Flux's ShortMessage. */
  subject: string;
  /** Whether objects were downloaded (false when the commit was already cached). */
  downloaded: boolean;
}

/** Fetches the resolved commit into the cache (shallow, one ref) and reads its subject. */
export async function fetchRevision(
  transport: Transport,
  cacheDir: string,
  resolved: ResolvedRef,
): Promise<Fetched> {
  try {
    const { ref, fetched } = await fetchCommit({ transport, cacheDir, ref: resolved });
    // From the pack just indexed (kept in memory for the tree), not isomorphic-git's readCommit, which
    // would load and index the pack again.
    const store = await ObjectStore.open(cacheDir);
    const { data } = await store.get(ref.commit, "commit");
    return { ref, subject: shortMessage(commitMessage(data)), downloaded: fetched };
  } catch (err) {
    throw fetchFailure(err);
  }
}

/** The commit subject as Flux shows it in events: the first line, cut at 50 characters. */
export function shortMessage(message: string): string {
  const subject = message.split("\n")[0] ?? "";
  const chars = [...subject];
  return chars.length > 50 ? `${chars.slice(0, 50).join("")}...` : subject;
}

/** Writes the commit's tree (ignore rules applied) plus the includes and stores it as a new artifact. */
export async function buildArtifact(options: {
  loc: ArtifactLocation;
  cacheDir: string;
  ref: ResolvedRef;
  ignore: string | undefined;
  includes: readonly ResolvedInclude[];
  /** Sparse checkout and submodules (see writeTree). */
  tree?: Pick<WriteTreeOptions, "select" | "modules">;
}): Promise<Artifact> {
  const staging = await stagingDir(options.loc).catch((err: unknown) => {
    throw storageFailure(Reason.DirectoryCreationFailed, "failed to create temporary working directory", err);
  });
  // Without includes the tarball is exactly the files read into memory: it is made while they are written
  // (gzip runs on the thread pool meanwhile), with no reading them back. With includes it is made once they
  // are copied, reading back only what lies where they were copied to.
  let archiving: Promise<ArchiveResult> | undefined;
  try {
    const content = await readTree({
      cacheDir: options.cacheDir,
      commit: options.ref.commit,
      ...(options.ignore !== undefined ? { ignore: options.ignore } : {}),
      ...options.tree,
    });
    if (options.includes.length === 0) {
      archiving = archiveFiles(content.entries, stagedTarball(staging));
      // Its failure is reported below, once the files are written; until then it must not count as unhandled.
      archiving.catch(() => undefined);
    }
    await writeFiles(stagedTree(staging), content.entries);
    await copyIncludes(stagedTree(staging), options.includes);
    if (!archiving) {
      archiving = archiveFiles(
        await withIncludes(stagedTree(staging), content.entries, options.includes),
        stagedTarball(staging),
      );
      archiving.catch(() => undefined);
    }
  } catch (err) {
    await archiving?.catch(() => undefined);
    await fs.promises.rm(staging, { recursive: true, force: true });
    if (err instanceof IncludeCopyError) {
      throw new ReconcileFailure(
        {
          kind: "retry",
          condition: ConditionType.StorageOperationFailed,
          reason: err.reason,
          message: err.message,
        },
        { cause: err },
      );
    }
    // A missing object means the cache is damaged: a fetch failure, retried with a fresh cache.
    if (err instanceof GitSourceError || (err as { code?: string }).code === "NotFoundError") {
      await fs.promises.rm(options.cacheDir, { recursive: true, force: true });
      throw fetchFailure(err);
    }
    throw storageFailure(Reason.ArchiveOperationFailed, "unable to archive artifact to storage", err);
  }
  try {
    const archived = archiving ? { archived: await archiving } : {};
    return await storeArtifact(options.loc, staging, options.ref.revision, archived);
  } catch (err) {
    await fs.promises.rm(staging, { recursive: true, force: true });
    throw storageFailure(Reason.ArchiveOperationFailed, "unable to archive artifact to storage", err);
  }
}

/**
 * The files of a staged tree once the includes are copied into it: the tree's own from memory, and
 * everything under an include's destination as it is on disk (an include may overwrite tree files).
 */
async function withIncludes(
  tree: string,
  entries: readonly FileEntry[],
  includes: readonly ResolvedInclude[],
): Promise<TarEntry[]> {
  const targets = [
    ...new Set(includes.map((inc) => secureJoin(tree, toPathOf(inc.include)).slice(tree.length + 1))),
  ];
  const under = (path: string, target: string): boolean =>
    target === "" || path === target || path.startsWith(`${target}/`);
  const out: TarEntry[] = entries.filter((e) => !targets.some((t) => under(e.path, t)));
  for (const target of targets) {
    // Nested destinations are listed once, under the outermost.
    if (targets.some((t) => t !== target && under(target, t))) continue;
    const full = target === "" ? tree : join(tree, target);
    const st = await fs.promises.lstat(full).catch(() => undefined);
    if (st?.isDirectory()) {
      for (const f of await listFiles(full))
        out.push({ ...f, path: target === "" ? f.path : `${target}/${f.path}` });
    } else if (st?.isFile()) {
      out.push({ path: target, executable: (st.mode & 0o111) !== 0, data: () => fs.promises.readFile(full) });
    }
  }
  return out;
}

/** The stored artifact a status refers to, when it is complete on disk. */
export async function storedArtifact(
  loc: ArtifactLocation,
  digest: string | undefined,
): Promise<Artifact | undefined> {
  return digest ? readArtifact(loc, digest) : undefined;
}

function storageFailure(reason: string, what: string, err: unknown): ReconcileFailure {
  return new ReconcileFailure(
    {
      kind: "retry",
      condition: ConditionType.StorageOperationFailed,
      reason,
      message: `${what}: ${err instanceof Error ? err.message : String(err)}`,
    },
    { cause: err },
  );
}
