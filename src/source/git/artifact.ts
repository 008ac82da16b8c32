// Artifact storage: per object a directory `<root>/<kind>/<namespace>/<name>/` holding, for each artifact,
// the extracted tree `<hex>/`, its tarball `<hex>.tar.gz` and metadata `<hex>.json`, where <hex> is the
// tarball's sha256. Trees are written into a `.tmp-*` directory first and renamed into place only once the
// tarball is complete, so readers never see a half-written artifact. Older artifacts are garbage-collected.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type ArchiveResult, archiveDir, archiveFiles, type TarEntry } from "./tar.ts";

/** Where an object's artifacts live. */
export interface ArtifactLocation {
  /** The storage root (the controller's cache directory). */
  root: string;
  /** Lower-case kind, e.g. "gitrepository". */
  kind: string;
  namespace: string;
  name: string;
}

/** A stored artifact. */
export interface Artifact {
  /** Path of the tarball relative to the storage root (Flux's status.artifact.path). */
  path: string;
  /** Absolute path of the extracted tree (for in-process consumers). */
  dir: string;
  /** Absolute path of the tarball. */
  tarball: string;
  revision: string;
  /** "sha256:<hex>" of the tarball. */
  digest: string;
  size: number;
  /** RFC 3339 time the artifact was stored. */
  lastUpdateTime: string;
  /** Regular files in the artifact. */
  files: number;
}

/** The directory of an object's artifacts. */
export function objectDir(loc: ArtifactLocation): string {
  return join(loc.root, loc.kind, loc.namespace, loc.name);
}

/** A fresh staging directory to write a tree into before storeArtifact() moves it into place. */
export async function stagingDir(loc: ArtifactLocation): Promise<string> {
  const dir = join(objectDir(loc), `.tmp-${Date.now()}-${randomBytes(4).toString("hex")}`);
  await mkdir(join(dir, "tree"), { recursive: true });
  return dir;
}

/** The tree directory inside a staging directory. */
export function stagedTree(staging: string): string {
  return join(staging, "tree");
}

/** Where storeArtifact() expects the tarball of a staging directory when it is made beforehand. */
export function stagedTarball(staging: string): string {
  return join(staging, "artifact.tar.gz");
}

/** Options of storeArtifact(). */
export interface StoreOptions {
  /** The staged files with their content (from writeTree), to archive without reading them back. */
  entries?: readonly TarEntry[];
  /** The staged tree is already archived to stagedTarball(staging) (e.g. while it was written). */
  archived?: ArchiveResult;
  now?: Date;
}

/**
 * Archives the staged tree and moves tree, tarball and metadata into place; the staging directory is
 * removed. Storing the same content twice yields the same artifact (the older copy is kept).
 */
export async function storeArtifact(
  loc: ArtifactLocation,
  staging: string,
  revision: string,
  opts: StoreOptions = {},
): Promise<Artifact> {
  const now = opts.now ?? new Date();
  const base = objectDir(loc);
  const tmpTarball = stagedTarball(staging);
  try {
    const archive =
      opts.archived ??
      (opts.entries
        ? await archiveFiles(opts.entries, tmpTarball)
        : await archiveDir(stagedTree(staging), tmpTarball));
    const hex = archive.digest.slice("sha256:".length);
    const artifact: Artifact = {
      path: [loc.kind, loc.namespace, loc.name, `${hex}.tar.gz`].join("/"),
      dir: join(base, hex),
      tarball: join(base, `${hex}.tar.gz`),
      revision,
      digest: archive.digest,
      size: archive.size,
      lastUpdateTime: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
      files: archive.files,
    };
    if (!existsSync(artifact.dir)) await rename(stagedTree(staging), artifact.dir);
    await rename(tmpTarball, artifact.tarball);
    // The metadata is written last: its presence marks a complete artifact.
    const meta = join(base, `${hex}.json`);
    await writeFile(
      `${meta}.tmp`,
      `${JSON.stringify({ ...artifact, dir: undefined, tarball: undefined })}\n`,
    );
    await rename(`${meta}.tmp`, meta);
    return artifact;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Reads a stored artifact by its digest, or undefined when it is not (completely) stored. */
export async function readArtifact(loc: ArtifactLocation, digest: string): Promise<Artifact | undefined> {
  const hex = digest.replace(/^sha256:/, "");
  const base = objectDir(loc);
  try {
    const meta = JSON.parse(await readFile(join(base, `${hex}.json`), "utf8")) as Omit<
      Artifact,
      "dir" | "tarball"
    >;
    if (!existsSync(join(base, hex)) || !existsSync(join(base, `${hex}.tar.gz`))) return undefined;
    return { ...meta, dir: join(base, hex), tarball: join(base, `${hex}.tar.gz`) };
  } catch {
    return undefined;
  }
}

/** Options of garbageCollect(). */
export interface GarbageCollectOptions {
  /** How many of the newest artifacts to keep (default 2); `current` ones stay in addition. */
  keep?: number;
  /** Digests that must not be removed (the one in status). */
  current?: readonly string[];
  /** Staging directories older than this are leftovers of a crash and removed (default 1 h). */
  staleStagingMs?: number;
  now?: Date;
}

/** Removes all but the newest artifacts of an object and stale staging directories; returns removed digests. */
export async function garbageCollect(
  loc: ArtifactLocation,
  opts: GarbageCollectOptions = {},
): Promise<string[]> {
  const base = objectDir(loc);
  let names: string[];
  try {
    names = await readdir(base);
  } catch {
    return [];
  }
  const now = (opts.now ?? new Date()).getTime();
  const keepDigests = new Set((opts.current ?? []).map((d) => d.replace(/^sha256:/, "")));
  const found: { hex: string; mtime: number }[] = [];
  for (const n of names) {
    const full = join(base, n);
    if (n.startsWith(".tmp-")) {
      const st = await stat(full).catch(() => undefined);
      if (st && now - st.mtimeMs > (opts.staleStagingMs ?? 3_600_000))
        await rm(full, { recursive: true, force: true });
      continue;
    }
    const m = /^([0-9a-f]{64})\.json$/.exec(n);
    if (m?.[1]) {
      const st = await stat(full).catch(() => undefined);
      found.push({ hex: m[1], mtime: st?.mtimeMs ?? 0 });
    }
  }
  found.sort((a, b) => b.mtime - a.mtime || (a.hex < b.hex ? -1 : 1));
  const keep = opts.keep ?? 2;
  const removed: string[] = [];
  let kept = 0;
  for (const { hex } of found) {
    if (kept < keep) {
      kept += 1;
      continue;
    }
    if (keepDigests.has(hex)) continue;
    await rm(join(base, `${hex}.json`), { force: true });
    await rm(join(base, `${hex}.tar.gz`), { force: true });
    await rm(join(base, hex), { recursive: true, force: true });
    removed.push(`sha256:${hex}`);
  }
  // Trees and tarballs without metadata are leftovers of an interrupted store.
  const known = new Set(found.map((f) => f.hex));
  for (const n of names) {
    const m = /^([0-9a-f]{64})(\.tar\.gz)?$/.exec(n);
    if (m?.[1] && !known.has(m[1])) await rm(join(base, n), { recursive: true, force: true });
  }
  return removed;
}

/** Removes every artifact of an object (when the object is deleted). */
export async function removeArtifacts(loc: ArtifactLocation): Promise<void> {
  await rm(objectDir(loc), { recursive: true, force: true });
}
