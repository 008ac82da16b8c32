// Shared steps of the git source integration tests: secrets for each auth mode of the test servers, and one
// poll the way the GitRepository reconciler runs it (resolve → fetch if changed → write tree → store).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Artifact,
  type ArtifactLocation,
  stagedTree,
  stagingDir,
  storeArtifact,
} from "../../src/source/git/artifact.ts";
import { authFromSecret, type SecretData } from "../../src/source/git/auth.ts";
import { fetchCommit } from "../../src/source/git/fetch.ts";
import { type GitRefSpec, type ResolvedRef, resolveRef } from "../../src/source/git/refs.ts";
import { openTransport, timeoutSignal } from "../../src/source/git/transport.ts";
import { writeTree } from "../../src/source/git/tree.ts";
import type { GitServersInfo } from "../harness/git/index.ts";

/** Secret data for the test servers' credentials. */
export function secrets(info: GitServersInfo) {
  const read = (p: string): string => readFileSync(p, "utf8");
  return {
    basic: { username: info.credentials.username, password: info.credentials.password },
    bearer: { bearerToken: info.credentials.bearerToken },
    ca: { "ca.crt": info.tls.caPem },
    mtls: {
      "ca.crt": info.tls.caPem,
      "tls.crt": read(info.tls.clientCertFile),
      "tls.key": read(info.tls.clientKeyFile),
    },
    ssh: { identity: read(info.ssh.clientKeyFile), known_hosts: info.ssh.knownHostsLine },
  } satisfies Record<string, SecretData>;
}

/** Options of poll(). */
export interface PollOptions {
  url: string;
  secret?: SecretData;
  ref?: GitRefSpec;
  ignore?: string;
  /** Storage root; the cache lives in <root>/cache/<name>. */
  root: string;
  name: string;
  /** The revision of the current artifact: no fetch when the remote still points there. */
  lastRevision?: string;
  timeoutMs?: number;
}

/** What one poll did. */
export interface PollResult {
  ref: ResolvedRef;
  fetched: boolean;
  artifact?: Artifact;
  /** Requests (HTTP) or exec sessions (SSH) the poll made. */
  requests: number;
}

/** One reconcile of a GitRepository's source side, as the reconciler will run it. */
export async function poll(opts: PollOptions): Promise<PollResult> {
  const auth = authFromSecret(opts.url, opts.secret);
  const transport = openTransport(opts.url, opts.secret ? auth : undefined, {
    signal: timeoutSignal(opts.timeoutMs ?? 60_000),
  });
  try {
    const resolved = await resolveRef(transport, opts.ref);
    if (opts.lastRevision === resolved.revision)
      return { ref: resolved, fetched: false, requests: transport.requests };
    const cacheDir = join(opts.root, "cache", opts.name);
    const { ref, fetched } = await fetchCommit({ transport, cacheDir, ref: resolved });
    const loc: ArtifactLocation = {
      root: opts.root,
      kind: "gitrepository",
      namespace: "default",
      name: opts.name,
    };
    const staging = await stagingDir(loc);
    const written = await writeTree({
      cacheDir,
      commit: ref.commit,
      dir: stagedTree(staging),
      ignore: opts.ignore,
    });
    const artifact = await storeArtifact(loc, staging, ref.revision, { entries: written.entries });
    return { ref, fetched, artifact, requests: transport.requests };
  } finally {
    transport.close();
  }
}

/** The code of a GitSourceError thrown by fn, or "none"/"other". */
export async function errorCode(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "none";
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? code : `other: ${String(err)}`;
  }
}
