// spec.recurseSubmodules as Flux's go-git clone does it: the submodules listed in .gitmodules are fetched at
// the commits their gitlinks record, recursively (up to 10 levels), relative URLs resolved against the
// superproject's URL. Credentials go only to the host the parent's come from (go-git sends them to every
// submodule; a token for one host is not sent to another here). Each submodule's objects are cached in
// `<cache>/modules/<hash of its URL>`, fetched shallowly when the server serves a commit by id (else its
// history, as go-git fetches), and writeTree() then writes their trees in place of the gitlinks.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { join, posix } from "node:path";
import git from "isomorphic-git";
import { type GitAuth, redactUrl } from "./auth.ts";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { fetchCommit, type ObjectCache } from "./fetch.ts";
import type { ProxyConfig } from "./proxy.ts";
import { openTransport } from "./transport.ts";
import type { SubmoduleTree } from "./tree.ts";

/** go-git's DefaultSubmoduleRecursionDepth. */
export const MAX_SUBMODULE_DEPTH = 10;

/** One [submodule "name"] section of .gitmodules. */
export interface SubmoduleConfig {
  name: string;
  path: string;
  url: string;
}

/** Options of fetchSubmodules(). */
export interface SubmoduleOptions {
  /** The superproject's cache (a bare repository holding commit). */
  cacheDir: string;
  commit: string;
  /** The superproject's URL and auth. */
  url: string;
  auth: GitAuth | undefined;
  proxy?: ProxyConfig;
  signal?: AbortSignal;
  maxDepth?: number;
}

/** Parses .gitmodules (git config syntax) into its submodule sections with a path and a url. */
export function parseGitmodules(text: string): SubmoduleConfig[] {
  const out: SubmoduleConfig[] = [];
  let current: Partial<SubmoduleConfig> | undefined;
  const flush = (): void => {
    if (current?.name !== undefined && current.path && current.url) out.push(current as SubmoduleConfig);
  };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trim();
    if (line === "") continue;
    const section = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]$/.exec(line);
    if (section) {
      flush();
      current =
        section[1]?.toLowerCase() === "submodule"
          ? { name: (section[2] ?? "").replace(/\\(.)/g, "$1") }
          : undefined;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!kv || !current) continue;
    const key = (kv[1] ?? "").toLowerCase();
    let value = (kv[2] ?? "").trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (key === "path") current.path = value;
    else if (key === "url") current.url = value;
  }
  flush();
  return out;
}

/**
 * A submodule URL as a URL the transports take: relative ones ("./x", "../x") joined to the parent's path
 * as go-git joins them, scp-like "user@host:path" as ssh://.
 */
export function resolveSubmoduleUrl(parent: string, url: string): string {
  if (url.startsWith("./") || url.startsWith("../")) {
    const base = new URL(parent);
    base.pathname = posix.join(base.pathname, url);
    return base.toString();
  }
  const scp = /^(?:([^@/:]+)@)?([^/:]+):(?!\/\/)(.+)$/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    const path = scp[3]?.startsWith("/") ? scp[3] : `/${scp[3]}`;
    return `ssh://${scp[1] ? `${scp[1]}@` : ""}${scp[2]}${path}`;
  }
  return url;
}

/** Whether the parent's credentials may go to a submodule URL: the same scheme and host:port. */
export function sameHost(parent: string, url: string): boolean {
  try {
    const a = new URL(parent);
    const b = new URL(url);
    return a.protocol === b.protocol && a.host === b.host;
  } catch {
    return false;
  }
}

function safePath(path: string): boolean {
  const parts = path.split("/");
  return path !== "" && !path.startsWith("/") && parts.every((p) => p !== "" && p !== "." && p !== "..");
}

// The commit a gitlink at path records in the commit's tree, if there is one.
async function gitlinkAt(
  gitdir: string,
  commit: string,
  path: string,
  cache: ObjectCache,
): Promise<string | undefined> {
  const dir = posix.dirname(path);
  const name = posix.basename(path);
  try {
    const { tree } = await git.readTree({
      fs,
      gitdir,
      oid: commit,
      ...(dir === "." ? {} : { filepath: dir }),
      cache,
    });
    const entry = tree.find((e) => e.path === name);
    return entry?.type === "commit" ? entry.oid : undefined;
  } catch {
    return undefined;
  }
}

async function readGitmodules(
  gitdir: string,
  commit: string,
  cache: ObjectCache,
): Promise<SubmoduleConfig[]> {
  try {
    const { blob } = await git.readBlob({ fs, gitdir, oid: commit, filepath: ".gitmodules", cache });
    return parseGitmodules(Buffer.from(blob).toString("utf8"));
  } catch {
    return [];
  }
}

/**
 * Fetches every submodule of the commit (recursively) and returns where each one's tree is, by its path in
 * the checkout. Failures name the submodule.
 */
export async function fetchSubmodules(opts: SubmoduleOptions): Promise<Map<string, SubmoduleTree>> {
  const out = new Map<string, SubmoduleTree>();
  const modulesDir = join(opts.cacheDir, "modules");
  const visit = async (
    gitdir: string,
    commit: string,
    url: string,
    prefix: string,
    depth: number,
  ): Promise<void> => {
    const cache: ObjectCache = {};
    for (const sub of await readGitmodules(gitdir, commit, cache)) {
      const where = `submodule '${sub.name}'`;
      if (!safePath(sub.path)) {
        throw new GitSourceError(GitErrorCode.Transport, `${where}: invalid path '${sub.path}'`);
      }
      const oid = await gitlinkAt(gitdir, commit, sub.path, cache);
      if (!oid) {
        throw new GitSourceError(GitErrorCode.Transport, `${where}: no gitlink at '${sub.path}' in the tree`);
      }
      const subUrl = resolveSubmoduleUrl(url, sub.url);
      const auth = sameHost(opts.url, subUrl) ? opts.auth : undefined;
      const subDir = join(modulesDir, createHash("sha256").update(subUrl).digest("hex").slice(0, 16));
      try {
        const transport = openTransport(subUrl, auth, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.proxy ? { proxy: opts.proxy } : {}),
        });
        try {
          await fetchCommit({
            transport,
            cacheDir: subDir,
            ref: { kind: "commit", commit: oid, revision: `sha1:${oid}` },
          });
        } finally {
          transport.close();
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const code = err instanceof GitSourceError ? err.code : GitErrorCode.Transport;
        throw new GitSourceError(code, `${where} (${redactUrl(subUrl)}): ${message}`, { cause: err });
      }
      const path = `${prefix}${sub.path}`;
      out.set(path, { cacheDir: subDir, commit: oid });
      if (depth > 1) await visit(subDir, oid, subUrl, `${path}/`, depth - 1);
    }
  };
  await visit(opts.cacheDir, opts.commit, opts.url, "", opts.maxDepth ?? MAX_SUBMODULE_DEPTH);
  return out;
}
