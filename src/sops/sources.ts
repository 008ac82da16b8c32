// Decrypts the sources of a Kustomization build, as kustomize-controller does before `kustomize build`: the
// resource manifests, patch files and generator files the build reads are found the way kustomize reaches
// them, decrypted in memory with the MAC checked on the bytes as they are in Git, and written into a private
// temporary copy of the source (mode 0700) that the build runs over and that is removed afterwards.

import {
  constants,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { foldKeys, KUSTOMIZATION_FILE_NAMES } from "../kustomize/kustomization.ts";
import { isRemote, MAX_FILE_BYTES } from "../kustomize/loader.ts";
import { parseYamlStream } from "../kustomize/yaml/parse.ts";
import { decryptFile, decryptIfEncrypted, formatForPath, type SopsFormat } from "./decrypt.ts";
import { SopsError, type SopsErrorCode } from "./errors.ts";
import type { KeySet } from "./keys.ts";
import { DECRYPT_ANNOTATION, isDecryptionDisabled } from "./object.ts";
import { type Redactor, revealedLines } from "./redact.ts";

/**
 * Why decryption failed: a SOPS error (code and file as the library gives them), a missing key Secret, or an
 * encrypted object with no decryption configured. The message never holds a decrypted value.
 */
export class DecryptionFailedError extends Error {
  override name = "DecryptionFailedError";
  /** The SOPS error code, when the library reported one. */
  readonly code: SopsErrorCode | undefined;
  /** The file (relative to the source root) or `Kind/namespace/name` the error is about. */
  readonly file: string | undefined;

  constructor(message: string, options: { code?: SopsErrorCode; file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.file = options.file;
  }
}

/** Wraps a failure of the decryption step (SOPS errors keep their code and file). */
export function decryptionFailed(err: unknown): DecryptionFailedError {
  if (err instanceof DecryptionFailedError) return err;
  if (err instanceof SopsError) {
    return new DecryptionFailedError(`decryption failed: ${err.message}`, {
      code: err.code,
      file: err.file,
      cause: err,
    });
  }
  return new DecryptionFailedError(`decryption failed: ${(err as Error).message}`, { cause: err });
}

// ---- sources: the files the build reads, found the way kustomize reaches them ---------------------------

type Role = "resource" | "patch" | "generator";

/** A file of the source that the build reads and that may be SOPS-encrypted. */
export interface SourceFile {
  /** Real path. */
  readonly abs: string;
  /** Path relative to the source root, as messages name it. */
  readonly rel: string;
  readonly format: SopsFormat;
  readonly role: Role;
}

const entries = z.array(z.string()).optional();
const generator = z.looseObject({ files: entries, envs: entries, env: z.string().optional() });
const patchRef = z.looseObject({ path: z.string().optional() });
const walkSchema = z.looseObject({
  resources: entries,
  bases: entries,
  components: entries,
  patchesStrategicMerge: entries,
  patches: z.array(patchRef).optional(),
  patchesJson6902: z.array(patchRef).optional(),
  secretGenerator: z.array(generator).optional(),
  configMapGenerator: z.array(generator).optional(),
});
type WalkKustomization = z.infer<typeof walkSchema>;

function readWalkKustomization(dir: string): WalkKustomization | undefined {
  for (const name of KUSTOMIZATION_FILE_NAMES) {
    const file = path.join(dir, name);
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    try {
      const parsed = walkSchema.safeParse(foldKeys(parseYamlStream(text, file)[0] ?? {}));
      // An unreadable kustomization fails the build itself, with kustomize's message.
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }
  return undefined;
}

/**
 * Lists the files a Flux build of `dir` reads that SOPS may have encrypted: resource manifests, patch files,
 * and the `files`/`envs` of secret and config map generators, across bases and components. Paths outside
 * root, remote references and missing files are left to the build to report.
 */
export function sourceFiles(root: string, dir: string, components: readonly string[] = []): SourceFile[] {
  const realRoot = realpathSync(root);
  const found = new Map<string, SourceFile>();
  const visited = new Set<string>();
  const inRoot = (p: string): string | undefined => {
    try {
      const real = realpathSync(p);
      return real === realRoot || real.startsWith(realRoot + path.sep) ? real : undefined;
    } catch {
      return undefined;
    }
  };
  const addFile = (base: string, ref: string, role: Role, format?: SopsFormat): void => {
    if (ref === "" || ref.includes("\n") || isRemote(ref)) return;
    const real = inRoot(path.resolve(base, ref));
    if (real === undefined || found.has(real)) return;
    try {
      if (!lstatSync(real).isFile()) return;
    } catch {
      return;
    }
    found.set(real, {
      abs: real,
      rel: path.relative(realRoot, real),
      format: format ?? formatForPath(ref),
      role,
    });
  };
  const visit = (kdir: string, isRoot: boolean): void => {
    const real = inRoot(kdir);
    if (real === undefined || visited.has(real)) return;
    visited.add(real);
    let k = readWalkKustomization(real);
    if (k === undefined) {
      if (!isRoot) return;
      k = { resources: scanManifestPaths(real) };
    }
    const dirs = [...(k.components ?? []), ...(isRoot ? components : [])];
    for (const r of [...(k.resources ?? []), ...(k.bases ?? [])]) {
      if (isRemote(r)) continue;
      const abs = path.resolve(real, r);
      let isDir = false;
      try {
        isDir = statSync(abs).isDirectory();
      } catch {
        continue;
      }
      if (isDir) dirs.push(r);
      else addFile(real, r, "resource");
    }
    for (const p of k.patchesStrategicMerge ?? []) addFile(real, p, "patch");
    for (const p of [...(k.patches ?? []), ...(k.patchesJson6902 ?? [])]) {
      if (p.path !== undefined) addFile(real, p.path, "patch");
    }
    for (const g of [...(k.secretGenerator ?? []), ...(k.configMapGenerator ?? [])]) {
      for (const f of g.files ?? []) {
        // `key=path`; Flux reads the format from the key (the name the value gets).
        const i = f.indexOf("=");
        const key = i < 0 ? f : f.slice(0, i);
        addFile(real, i < 0 ? f : f.slice(i + 1), "generator", formatForPath(key));
      }
      for (const e of [...(g.envs ?? []), ...(g.env !== undefined ? [g.env] : [])]) {
        const format = formatForPath(e);
        addFile(real, e, "generator", format === "binary" ? "dotenv" : format);
      }
    }
    for (const d of dirs) visit(path.resolve(real, d), false);
  };
  visit(dir, true);
  return [...found.values()];
}

// The manifests and kustomization directories Flux's generated kustomization lists for a directory without
// one (as scanManifests, without parsing: the build checks the YAML).
function scanManifestPaths(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(d, name);
      let st: ReturnType<typeof lstatSync>;
      try {
        // Symlinked directories are not followed, as in Flux (Go's filepath.Walk).
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (readWalkKustomization(p) !== undefined) out.push(p);
        else walk(p);
      } else if (/\.ya?ml$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

// A manifest is an encrypted resource when a document has a top-level `sops` block (SOPS writes it at the
// first column of every YAML document), with or without its MAC (a truncated file must fail, not apply).
function isEncryptedManifest(text: string, format: SopsFormat): boolean {
  if (format === "json") {
    try {
      return hasSopsBlock(JSON.parse(text));
    } catch {
      return false;
    }
  }
  return format === "yaml" && /^sops:[ \t]*(#.*)?$/m.test(text);
}

/** Tells whether a document has a top-level `sops` block, complete or not. */
export function hasSopsBlock(doc: unknown): boolean {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return false;
  const sops = (doc as Record<string, unknown>).sops;
  return typeof sops === "object" && sops !== null;
}

function disablesDecryption(text: string, file: string): boolean {
  if (!text.includes(DECRYPT_ANNOTATION)) return false;
  try {
    return parseYamlStream(text, file).some((doc) => isDecryptionDisabled(doc));
  } catch {
    return false;
  }
}

/** A decrypted file to put in the private copy. */
export interface DecryptedFile {
  readonly rel: string;
  readonly data: Uint8Array;
}

/**
 * Decrypts the SOPS-encrypted files among `files` (in memory; the MAC verified on the bytes as they are in
 * Git). Resource manifests count as encrypted only with a top-level `sops` block, and are left alone when a
 * document carries `kustomize.toolkit.fluxcd.io/decrypt: disabled`; other files by their format's marker.
 */
export async function decryptSourceFiles(
  files: readonly SourceFile[],
  keys: KeySet,
): Promise<DecryptedFile[]> {
  const out: DecryptedFile[] = [];
  for (const f of files) {
    let bytes: Buffer;
    try {
      if (statSync(f.abs).size > MAX_FILE_BYTES) continue;
      bytes = readFileSync(f.abs);
    } catch {
      continue;
    }
    if (f.role === "resource") {
      const text = bytes.toString("utf8");
      if (!isEncryptedManifest(text, f.format) || disablesDecryption(text, f.rel)) continue;
    }
    try {
      if (f.role === "resource")
        out.push({ rel: f.rel, data: await decryptFile(f.rel, bytes, keys, { format: f.format }) });
      else {
        const { data, decrypted } = await decryptIfEncrypted(f.rel, bytes, keys, { format: f.format });
        if (decrypted) out.push({ rel: f.rel, data });
      }
    } catch (err) {
      for (const d of out) d.data.fill(0);
      throw decryptionFailed(err);
    }
  }
  return out;
}

// ---- the private copy ------------------------------------------------------------------------------------

// Mirrors a tree with hard links (copies, cloned where the file system can, across mounts). Decrypted files
// replace their link with a new file, so the source tree is never written to. Absolute symlinks into the tree
// point into the copy. Synchronous: one system call a file, no thread pool round trips.
function mirrorTree(src: string, dst: string): void {
  const state = { link: true };
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { mode: 0o700 });
    for (const e of readdirSync(from, { withFileTypes: true })) {
      const f = path.join(from, e.name);
      const t = path.join(to, e.name);
      if (e.isDirectory()) walk(f, t);
      else if (e.isSymbolicLink()) {
        const target = readlinkSync(f);
        const inside = path.isAbsolute(target) && (target === src || target.startsWith(src + path.sep));
        symlinkSync(inside ? path.join(dst, path.relative(src, target)) : target, t);
      } else if (e.isFile()) {
        if (state.link) {
          try {
            linkSync(f, t);
            continue;
          } catch (err) {
            // Another mount (e.g. separate emptyDirs): copy the rest instead of failing every link.
            if ((err as NodeJS.ErrnoException).code === "EXDEV") state.link = false;
          }
        }
        copyFileSync(f, t, constants.COPYFILE_FICLONE);
      }
    }
  };
  walk(src, dst);
}

// Parts of the plaintext that could surface in a build error (values of `key: value`/`KEY=value` lines):
// they are masked, should the renderer quote a line of a decrypted file.
function plaintextFragments(files: readonly DecryptedFile[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    for (const raw of Buffer.from(f.data).toString("utf8").split(/\r?\n/)) {
      const line = raw.trim();
      const m = /^[^=:]*?(?:=|:\s)(.*)$/.exec(line);
      for (const v of [line, m?.[1]?.trim().replace(/^["']|["']$/g, "")]) {
        if (v !== undefined && v.length >= 4) out.add(v);
      }
      if (out.size > 20_000) break;
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

function scrub(message: string, copyRoot: string, realRoot: string, fragments: readonly string[]): string {
  let m = message.split(copyRoot).join(realRoot);
  for (const f of fragments) if (m.includes(f)) m = m.split(f).join("<redacted>");
  return m;
}

/** Options of {@link withDecryptedSources}. */
export interface DecryptedSourcesOptions {
  readonly keys: KeySet;
  /** Flux's `spec.components` (added to the root kustomization). */
  readonly components?: readonly string[];
  /** Parent of the private copies (default the OS temp dir). */
  readonly tempDir?: string;
  /** Records the decrypted values, for output that must not show them (`driftless diff`). */
  readonly redactor?: Redactor;
}

/**
 * Runs `build(root, dir)` over the source with its SOPS-encrypted files decrypted: when the files the build
 * reads include encrypted ones, over a private copy (mode 0700, hard links but for the decrypted files) that
 * is removed afterwards, success or not; else over the source itself. Errors name files by their path in
 * the source, never the copy, and mask plaintext.
 */
export async function withDecryptedSources<T>(
  root: string,
  dir: string,
  build: (root: string, dir: string) => T,
  options: DecryptedSourcesOptions,
): Promise<T> {
  const realRoot = realpathSync(root);
  const realDir = realpathSync(dir);
  const decrypted = await decryptSourceFiles(
    sourceFiles(realRoot, realDir, options.components),
    options.keys,
  );
  if (decrypted.length === 0) return build(root, dir);
  if (options.redactor) {
    for (const f of decrypted)
      options.redactor.addAll(revealedLines(readFileSync(path.join(realRoot, f.rel)), f.data));
  }
  const tmp = await realpath(await mkdtemp(path.join(options.tempDir ?? tmpdir(), "driftless-sops-")));
  const copyRoot = path.join(tmp, "src");
  try {
    mirrorTree(realRoot, copyRoot);
    for (const f of decrypted) {
      const target = path.join(copyRoot, f.rel);
      await rm(target, { force: true });
      await writeFile(target, f.data, { mode: 0o600, flag: "wx" });
    }
    try {
      return build(copyRoot, path.join(copyRoot, path.relative(realRoot, realDir)));
    } catch (err) {
      if (err instanceof Error)
        err.message = scrub(err.message, copyRoot, realRoot, plaintextFragments(decrypted));
      throw err;
    }
  } finally {
    for (const f of decrypted) f.data.fill(0);
    await rm(tmp, { recursive: true, force: true });
  }
}
