// Git over SSH for isomorphic-git, which only speaks smart HTTP. An ssh2 connection runs
// `git-upload-pack '<path>'` per request, and this module presents it as isomorphic-git's pluggable http
// client, translating the stateless smart-HTTP exchange onto the exec stream:
//   GET  …/info/refs?service=git-upload-pack  → read the server's advertisement up to its flush-pkt, answer it
//                                              with the `# service=` preamble HTTP servers add, then hang up;
//   POST …/git-upload-pack                    → skip the advertisement, write the request body, close stdin,
//                                              and stream everything upload-pack writes back as the response.
// A `Git-Protocol` header becomes GIT_PROTOCOL in the exec environment (protocol v2 when the server accepts
// the variable). Host keys are checked against known_hosts only: an unknown host or a changed key fails.

import type { Duplex } from "node:stream";
import type { GitHttpRequest, GitHttpResponse } from "isomorphic-git";
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";
import type { SshAuth } from "./auth.ts";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import type { CountingHttpClient } from "./http-client.ts";
import { type HostKeyVerdict, hostKeyAlgorithms, knownKeysFor, verifyHostKey } from "./known-hosts.ts";

/** The placeholder http URL isomorphic-git is given for an ssh remote; the client ignores its host. */
export const SSH_PLACEHOLDER_ORIGIN = "http://ssh-transport.invalid";

/** Where an ssh:// URL points. */
export interface SshTarget {
  host: string;
  port: number;
  /** The repository path as sent to git-upload-pack. */
  path: string;
}

/** Splits an ssh:// URL into host, port and repository path. */
export function parseSshUrl(url: string): SshTarget {
  const u = new URL(url);
  if (u.protocol !== "ssh:") throw new GitSourceError(GitErrorCode.InvalidUrl, `not an ssh URL: '${url}'`);
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new GitSourceError(GitErrorCode.InvalidUrl, `ssh URL without host: '${url}'`);
  return { host, port: u.port ? Number(u.port) : 22, path: decodeURIComponent(u.pathname) || "/" };
}

/** Options of createSshHttpClient(). */
export interface SshClientOptions {
  target: SshTarget;
  auth: SshAuth;
  signal?: AbortSignal;
  /** Handshake timeout (default 20 s). */
  readyTimeoutMs?: number;
  /** Opens the TCP stream to the server (a proxy tunnel); default: ssh2 dials host:port itself. */
  dial?: () => Promise<Duplex>;
}

/** An isomorphic-git http client over one SSH connection; close() ends the connection. */
export interface SshHttpClient extends CountingHttpClient {
  close(): void;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

function pktLine(text: string): Buffer {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, "0")), body]);
}

/** The offset just past the first flush-pkt in buf, or -1 when buf does not yet hold one. */
export function endOfAdvertisement(buf: Buffer): number {
  let at = 0;
  while (at + 4 <= buf.length) {
    const len = Number.parseInt(buf.subarray(at, at + 4).toString("latin1"), 16);
    if (Number.isNaN(len)) throw new GitSourceError(GitErrorCode.Transport, "bad pkt-line from ssh server");
    if (len === 0) return at + 4;
    if (len < 4) {
      at += 4;
      continue;
    }
    if (at + len > buf.length) return -1;
    at += len;
  }
  return -1;
}

/** A byte queue fed by a channel and read as an async iterator. */
class ChunkQueue {
  private chunks: Buffer[] = [];
  private waiting: (() => void) | undefined;
  private done = false;
  private error: Error | undefined;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.wake();
  }

  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.error = error;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  async *iterate(): AsyncIterableIterator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) {
        yield chunk;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }
}

function remoteFailure(stderr: string, code: number | null): GitSourceError {
  const msg = stderr.trim().split("\n").slice(-3).join("; ") || `git-upload-pack exited with ${code}`;
  if (/does not appear to be a git repository|not found|no such/i.test(msg)) {
    return new GitSourceError(GitErrorCode.RepositoryNotFound, `ssh remote: ${msg}`);
  }
  return new GitSourceError(GitErrorCode.Transport, `ssh remote: ${msg}`);
}

/** Creates the SSH-backed http client for one remote. */
export function createSshHttpClient(opts: SshClientOptions): SshHttpClient {
  const { target, auth, signal } = opts;
  let count = 0;
  let verdict: HostKeyVerdict | undefined;
  let conn: Promise<Client> | undefined;
  let client: Client | undefined;

  const hostKeyError = (): GitSourceError | undefined => {
    const where = `${target.host}:${target.port}`;
    if (verdict === "unknown-host") {
      return new GitSourceError(GitErrorCode.UnknownHostKey, `ssh: no known_hosts entry for host ${where}`);
    }
    if (verdict === "mismatch") {
      return new GitSourceError(
        GitErrorCode.HostKeyMismatch,
        `ssh: host key of ${where} does not match known_hosts (it may have changed)`,
      );
    }
    if (verdict === "revoked") {
      return new GitSourceError(
        GitErrorCode.HostKeyMismatch,
        `ssh: host key of ${where} is revoked in known_hosts`,
      );
    }
    return undefined;
  };

  const connect = (): Promise<Client> => {
    if (conn) return conn;
    conn = new Promise<Client>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new GitSourceError(GitErrorCode.Timeout, "ssh: operation timed out or was cancelled"));
        return;
      }
      const c = new Client();
      client = c;
      const onAbort = (): void => {
        c.destroy();
        reject(new GitSourceError(GitErrorCode.Timeout, "ssh: operation timed out or was cancelled"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      c.on("ready", () => resolve(c));
      c.on("error", (err: Error & { level?: string }) => {
        signal?.removeEventListener("abort", onAbort);
        const hk = hostKeyError();
        if (hk) reject(hk);
        else if (err.level === "client-authentication") {
          reject(
            new GitSourceError(
              GitErrorCode.AuthenticationFailed,
              `ssh: authentication failed for user '${auth.username}'`,
            ),
          );
        } else if (signal?.aborted) {
          reject(new GitSourceError(GitErrorCode.Timeout, "ssh: operation timed out or was cancelled"));
        } else {
          reject(new GitSourceError(GitErrorCode.Transport, `ssh: ${err.message}`, { cause: err }));
        }
      });
      const known = knownKeysFor(auth.knownHosts, target.host, target.port);
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: auth.username,
        privateKey: auth.identity,
        readyTimeout: opts.readyTimeoutMs ?? 20_000,
        hostVerifier: (key: Buffer): boolean => {
          verdict = verifyHostKey(auth.knownHosts, target.host, target.port, key);
          return verdict === "trusted";
        },
      };
      if (auth.passphrase !== undefined) config.passphrase = auth.passphrase;
      const algorithms = hostKeyAlgorithms(known);
      // With no entry for the host let the handshake run so the failure names the cause (unknown host).
      if (algorithms.length > 0) config.algorithms = { serverHostKey: algorithms as never };
      const start = (): void => {
        try {
          c.connect(config);
        } catch (err) {
          signal?.removeEventListener("abort", onAbort);
          const message = err instanceof Error ? err.message : String(err);
          reject(
            new GitSourceError(GitErrorCode.InvalidAuth, `ssh: unusable identity: ${message}`, {
              cause: err,
            }),
          );
        }
      };
      if (!opts.dial) {
        start();
        return;
      }
      opts.dial().then(
        (sock) => {
          config.sock = sock as ConnectConfig["sock"];
          start();
        },
        (err: unknown) => {
          signal?.removeEventListener("abort", onAbort);
          if (err instanceof GitSourceError) reject(err);
          else {
            const message = err instanceof Error ? err.message : String(err);
            reject(new GitSourceError(GitErrorCode.Transport, `ssh: ${message}`, { cause: err }));
          }
        },
      );
    });
    // A failed connection is not retried within this client.
    return conn;
  };

  const exec = async (service: string, protocol: string | undefined): Promise<ClientChannel> => {
    const c = await connect();
    return new Promise((resolve, reject) => {
      const options = protocol ? { env: { GIT_PROTOCOL: protocol } } : {};
      c.exec(`${service} ${shellQuote(target.path)}`, options, (err, channel) => {
        if (err)
          reject(new GitSourceError(GitErrorCode.Transport, `ssh exec: ${err.message}`, { cause: err }));
        else resolve(channel);
      });
    });
  };

  const request = async (req: GitHttpRequest): Promise<GitHttpResponse> => {
    const url = new URL(req.url);
    const headers = req.headers ?? {};
    const protocol = Object.entries(headers).find(([k]) => k.toLowerCase() === "git-protocol")?.[1];
    const isAdvert = url.pathname.endsWith("/info/refs");
    const service = isAdvert ? url.searchParams.get("service") : url.pathname.split("/").pop();
    if (service !== "git-upload-pack") {
      throw new GitSourceError(
        GitErrorCode.Transport,
        `ssh transport supports fetching only (got ${service})`,
      );
    }
    count += 1;
    const channel = await exec(service, protocol);
    const queue = new ChunkQueue();
    let stderr = "";
    let head: Buffer = Buffer.alloc(0);
    let advertised = false;
    let resolveAdvert: (buf: Buffer) => void = () => undefined;
    let rejectAdvert: (err: Error) => void = () => undefined;
    const advert = new Promise<Buffer>((resolve, reject) => {
      resolveAdvert = resolve;
      rejectAdvert = reject;
    });
    const onAbort = (): void => {
      const err = new GitSourceError(GitErrorCode.Timeout, "ssh: operation timed out or was cancelled");
      rejectAdvert(err);
      queue.end(err);
      channel.close();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    channel.stderr.on("data", (b: Buffer) => {
      stderr = (stderr + b.toString("utf8")).slice(-4000);
    });
    channel.on("data", (b: Buffer) => {
      if (advertised) {
        queue.push(b);
        return;
      }
      head = Buffer.concat([head, b]);
      let end: number;
      try {
        end = endOfAdvertisement(head);
      } catch (err) {
        rejectAdvert(err as Error);
        return;
      }
      if (end < 0) return;
      advertised = true;
      const rest = head.subarray(end);
      if (rest.length > 0) queue.push(rest);
      resolveAdvert(head.subarray(0, end));
    });
    channel.on("close", (code: number | null) => {
      signal?.removeEventListener("abort", onAbort);
      if (!advertised) rejectAdvert(remoteFailure(stderr, code));
      // A non-zero exit (e.g. "not our ref") fails the response even if some of it arrived.
      queue.end(code === 0 || code === null || code === undefined ? undefined : remoteFailure(stderr, code));
    });

    const advertisement = await advert;
    if (isAdvert) {
      // Tell upload-pack we want nothing (v0) or just hang up (v2), so it exits cleanly.
      channel.end(protocol?.includes("version=2") ? undefined : Buffer.from("0000"));
      const v2 = advertisement.subarray(4, 13).toString("latin1") === "version 2";
      const body = v2
        ? advertisement
        : Buffer.concat([pktLine(`# service=${service}\n`), Buffer.from("0000"), advertisement]);
      async function* once(): AsyncIterableIterator<Uint8Array> {
        yield body;
      }
      return {
        url: req.url,
        method: "GET",
        statusCode: 200,
        statusMessage: "OK",
        headers: { "content-type": `application/x-${service}-advertisement` },
        body: once(),
      };
    }
    if (req.body) {
      for await (const chunk of req.body as AsyncIterable<Uint8Array>) channel.write(Buffer.from(chunk));
    }
    channel.end();
    return {
      url: req.url,
      method: "POST",
      statusCode: 200,
      statusMessage: "OK",
      headers: { "content-type": `application/x-${service}-result` },
      body: queue.iterate(),
    };
  };

  return {
    request,
    get requests() {
      return count;
    },
    close(): void {
      client?.end();
    },
  };
}
