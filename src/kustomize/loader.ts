// File access for a build: reads relative to a kustomization root, enforcing kustomize's default
// load restrictions (no file outside the root's tree, symlinks included) and a size limit.
import { lstatSync, readdirSync, readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import path from "node:path";
import { BuildError } from "./resource.ts";

/** Default largest file a build reads. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** How a build may reach files. */
export interface LoaderOptions {
  /** Every file read must be below this directory (Flux confines builds to the source root). */
  readonly confineTo?: string;
  readonly maxFileBytes?: number;
  /** `rootOnly` (kustomize's default) keeps files inside each kustomization's directory; `none` (Flux) does not. */
  readonly loadRestrictions?: "rootOnly" | "none";
}

/** Reads files for one kustomization directory. */
export class Loader {
  readonly root: string;
  readonly realRoot: string;
  readonly options: LoaderOptions;

  constructor(root: string, options: LoaderOptions) {
    this.root = path.resolve(root);
    this.options = options;
    try {
      this.realRoot = realDir(this.root, options);
    } catch {
      throw new BuildError(`must build at directory: '${this.root}': file does not exist`);
    }
    this.checkConfined(this.realRoot, this.root);
  }

  /** A loader for a sub-directory (a base or component). */
  child(dir: string): Loader {
    return new Loader(dir, this.options);
  }

  private checkConfined(real: string, shown: string): void {
    const c = this.options.confineTo;
    if (c === undefined) return;
    const base = realDir(path.resolve(c), this.options);
    if (real !== base && !real.startsWith(base + path.sep)) {
      throw new BuildError(`security; path '${shown}' is not in or below '${base}'`);
    }
  }

  /** Resolves a path of the kustomization, refusing remote URLs. */
  resolve(rel: string): string {
    if (isRemote(rel)) {
      throw new BuildError(
        `remote resources are not supported: '${rel}' (driftless renders local files only)`,
      );
    }
    return path.resolve(this.root, rel);
  }

  /** What a path is: a directory, a file, or nothing (one lstat, which a read of the file reuses). */
  kindOf(abs: string): "dir" | "file" | "none" {
    let st = linkStats(abs, this.options);
    if (st?.isSymbolicLink()) st = statSync(abs, { throwIfNoEntry: false });
    return st === undefined ? "none" : st.isDirectory() ? "dir" : "file";
  }

  /** The names in this root, for finding the kustomization file with one read. */
  names(): Set<string> {
    try {
      return new Set(readdirSync(this.root));
    } catch {
      return new Set();
    }
  }

  /** Whether a path exists and is a directory. */
  isDir(abs: string): boolean {
    try {
      return statSync(abs).isDirectory();
    } catch {
      return false;
    }
  }

  exists(abs: string): boolean {
    try {
      statSync(abs);
      return true;
    } catch {
      return false;
    }
  }

  /** Reads a file that must lie in or below this root (kustomize's LoadRestrictionsRootOnly). */
  read(rel: string): string {
    return readFileSync(this.check(rel), "utf8");
  }

  /** Reads a file's raw bytes (for secret and configmap data), with the same checks. */
  readBytes(rel: string): Buffer {
    return readFileSync(this.check(rel));
  }

  // The real path of a file this loader may read; throws BuildError when it may not.
  private check(rel: string): string {
    const abs = this.resolve(rel);
    let real: RealFile;
    try {
      real = realFile(abs, this.options);
    } catch {
      throw new BuildError(`evalsymlink failure on '${abs}' : lstat ${abs}: no such file or directory`);
    }
    const restricted = (this.options.loadRestrictions ?? "rootOnly") === "rootOnly";
    if (restricted && real.path !== this.realRoot && !real.path.startsWith(this.realRoot + path.sep)) {
      throw new BuildError(`security; file '${abs}' is not in or below '${this.realRoot}'`);
    }
    this.checkConfined(real.path, abs);
    const st = real.stats ?? statSync(real.path);
    if (st.isDirectory()) throw new BuildError(`'${abs}' is a directory, not a file`);
    const limit = this.options.maxFileBytes ?? MAX_FILE_BYTES;
    if (st.size > limit) throw new BuildError(`file '${abs}' is larger than ${limit} bytes`);
    return real.path;
  }
}

// What a build has learnt of the file system, kept for the build (its loaders share one options
// object, made per build): directory realpaths, and the lstat of files it looked at.
interface BuildCache {
  readonly realDirs: Map<string, string>;
  readonly linkStats: Map<string, Stats | undefined>;
}

const cacheByBuild = new WeakMap<LoaderOptions, BuildCache>();

function buildCache(options: LoaderOptions): BuildCache {
  let c = cacheByBuild.get(options);
  if (c === undefined) {
    c = { realDirs: new Map(), linkStats: new Map() };
    cacheByBuild.set(options, c);
  }
  return c;
}

// lstat of a path, once per build (undefined when nothing is there).
function linkStats(abs: string, options: LoaderOptions): Stats | undefined {
  const { linkStats: cache } = buildCache(options);
  if (cache.has(abs)) return cache.get(abs);
  const st = lstatSync(abs, { throwIfNoEntry: false });
  cache.set(abs, st);
  return st;
}

// realpath of an absolute, normalised directory path, cached for the build: each directory costs one
// lstat (its parent's real path is cached too) instead of one per path component at every call.
function realDir(dir: string, options: LoaderOptions): string {
  const { realDirs } = buildCache(options);
  const cached = realDirs.get(dir);
  if (cached !== undefined) return cached;
  const parent = path.dirname(dir);
  let real: string;
  if (parent === dir) real = realpathSync(dir);
  else {
    const realParent = realDir(parent, options);
    const st = linkStats(dir, options);
    if (st === undefined) throw new Error(`lstat ${dir}: no such file or directory`);
    real = st.isSymbolicLink() ? realpathSync(dir) : path.join(realParent, path.basename(dir));
  }
  realDirs.set(dir, real);
  return real;
}

interface RealFile {
  readonly path: string;
  /** The file's stats when it is not a symbolic link (lstat saw the file itself). */
  readonly stats: Stats | undefined;
}

// realpath of a file, with its directory's realpath cached (builds read many files per directory).
function realFile(abs: string, options: LoaderOptions): RealFile {
  const candidate = path.join(realDir(path.dirname(abs), options), path.basename(abs));
  const st = linkStats(candidate, options);
  if (st === undefined) throw new Error(`lstat ${candidate}: no such file or directory`);
  return st.isSymbolicLink()
    ? { path: realpathSync(candidate), stats: undefined }
    : { path: candidate, stats: st };
}

/** Whether a resource entry names something remote (git, http). */
export function isRemote(p: string): boolean {
  return (
    /^(https?|git|ssh|file):\/\//.test(p) ||
    /^git@/.test(p) ||
    /^github\.com\//.test(p) ||
    /\?ref=|\.git(\/|$|\?)/.test(p)
  );
}
