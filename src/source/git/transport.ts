// One remote as isomorphic-git sees it: the URL to pass and the http client that reaches it, over
// http(s) with the secret's credentials and TLS material, or over SSH (see ssh-client.ts).
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { authorizationHeader, type GitAuth, redactUrl, transportOf } from "./auth.ts";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { createHttpClient } from "./http-client.ts";
import { type ProxyConfig, proxyAddress, tunnel } from "./proxy.ts";
import { createSshHttpClient, parseSshUrl, SSH_PLACEHOLDER_ORIGIN } from "./ssh-client.ts";

/** A remote ready for isomorphic-git calls. */
export interface Transport {
  readonly kind: "http" | "ssh";
  /** The URL to give isomorphic-git (a placeholder http URL for ssh remotes). */
  readonly url: string;
  /** The URL for messages, without credentials. */
  readonly displayUrl: string;
  readonly http: HttpClient;
  /** Requests made so far (HTTP requests, or SSH exec sessions). */
  readonly requests: number;
  /** Releases the connection (SSH); safe to call more than once. */
  close(): void;
}

/** Options of openTransport(). */
export interface TransportOptions {
  /** Aborts in-flight requests (use for the GitRepository's timeout). */
  signal?: AbortSignal;
  userAgent?: string;
  /** Send the remote traffic through this proxy (ssh remotes: socks5 proxies only). */
  proxy?: ProxyConfig;
}

/** Opens a transport for url with the given auth (undefined: anonymous http). */
export function openTransport(
  url: string,
  auth: GitAuth | undefined,
  opts: TransportOptions = {},
): Transport {
  const kind = transportOf(url);
  const displayUrl = redactUrl(url);
  if (kind === "ssh") {
    const proxy = opts.proxy;
    if (proxy && proxy.url.protocol !== "socks5:") {
      // Flux's ssh transport dials through socks5 proxies only (an http proxy fails there too).
      throw new GitSourceError(
        GitErrorCode.Transport,
        `ssh through a proxy is not supported for ${proxy.url.protocol.replace(":", "")} proxies (proxy ${proxy.url.protocol}//${proxyAddress(proxy)}); use a socks5 proxy or an http(s) URL`,
      );
    }
    if (auth?.kind !== "ssh") {
      throw new GitSourceError(
        GitErrorCode.InvalidAuth,
        "ssh URL requires a secret with 'identity' and 'known_hosts'",
      );
    }
    const target = parseSshUrl(url);
    const client = createSshHttpClient({
      target,
      auth,
      signal: opts.signal,
      ...(proxy ? { dial: () => tunnel(proxy, target.host, target.port, opts.signal) } : {}),
    });
    return {
      kind,
      url: `${SSH_PLACEHOLDER_ORIGIN}${target.path}`,
      displayUrl,
      http: replayAdvertisement(requestThinPacks(client)),
      get requests() {
        return client.requests;
      },
      close: () => client.close(),
    };
  }
  if (auth && auth.kind !== "http") {
    throw new GitSourceError(GitErrorCode.InvalidAuth, "http(s) URL with ssh credentials");
  }
  const client = createHttpClient({
    ca: auth?.ca,
    cert: auth?.cert,
    key: auth?.key,
    authorization: auth ? authorizationHeader(auth) : undefined,
    signal: opts.signal,
    userAgent: opts.userAgent,
    ...(opts.proxy ? { proxy: opts.proxy } : {}),
  });
  return {
    kind,
    url,
    displayUrl,
    http: replayAdvertisement(requestThinPacks(client)),
    get requests() {
      return client.requests;
    },
    close: () => undefined,
  };
}

/** An AbortSignal that fires on the caller's signal or after timeoutMs, whichever comes first. */
export function timeoutSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  const timer = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timer]) : timer;
}

/** Maps an error thrown inside an isomorphic-git call to a GitSourceError. */
export function toGitError(err: unknown, transport: Transport, what: string): GitSourceError {
  if (err instanceof GitSourceError) return err;
  const e = err as { code?: string; data?: { statusCode?: number }; message?: string };
  const message = e?.message ?? String(err);
  const status = e?.data?.statusCode;
  if (e?.code === "HttpError" && (status === 401 || status === 403)) {
    return new GitSourceError(
      GitErrorCode.AuthenticationFailed,
      `${what} ${transport.displayUrl}: authentication failed (HTTP ${status})`,
      { cause: err },
    );
  }
  if (e?.code === "HttpError" && status === 404) {
    return new GitSourceError(
      GitErrorCode.RepositoryNotFound,
      `${what} ${transport.displayUrl}: repository not found`,
      {
        cause: err,
      },
    );
  }
  return new GitSourceError(GitErrorCode.Transport, `${what} ${transport.displayUrl}: ${message}`, {
    cause: err,
  });
}

/**
 * Wraps a client so that the ref advertisement fetched by resolveRef() is handed once more to the
 * following fetch instead of being requested again: a poll that finds a new commit then costs one
 * advertisement and one pack request. Only successful GETs of info/refs are kept, and each is used once.
 */
export function replayAdvertisement(client: HttpClient): HttpClient {
  const kept = new Map<string, { res: GitHttpResponse; body: Buffer }>();
  const key = (req: GitHttpRequest): string =>
    `${req.url}\n${JSON.stringify(req.headers?.["Git-Protocol"] ?? "")}`;
  async function* once(buf: Buffer): AsyncIterableIterator<Uint8Array> {
    yield buf;
  }
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const isAdvert = (req.method ?? "GET") === "GET" && new URL(req.url).pathname.endsWith("/info/refs");
      if (!isAdvert) return client.request(req);
      const hit = kept.get(key(req));
      if (hit) {
        kept.delete(key(req));
        return { ...hit.res, body: once(hit.body) };
      }
      const res = await client.request(req);
      if (res.statusCode !== 200 || !res.body) return res;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      kept.set(key(req), { res, body });
      return { ...res, body: once(body) };
    },
  };
}

/**
 * Wraps a client so that protocol v0/v1 pack requests ask for a thin pack when the server offers one.
 * isomorphic-git leaves thin-pack out (its own checkout cannot complete such packs for canonical git), but
 * without it upload-pack answers a shallow fetch with every object of the tree even when the previous
 * commit is sent as a "have". Thin packs may hold deltas against objects already in the cache, which
 * isomorphic-git's index builder and objects.ts both resolve.
 */
export function requestThinPacks(client: HttpClient): HttpClient {
  let offered = false;
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const path = new URL(req.url).pathname;
      if ((req.method ?? "GET") === "GET" && path.endsWith("/info/refs")) {
        const res = await client.request(req);
        if (res.statusCode !== 200 || !res.body) return res;
        const chunks: Buffer[] = [];
        for await (const chunk of res.body) chunks.push(Buffer.from(chunk));
        const body = Buffer.concat(chunks);
        offered = body.includes("thin-pack");
        async function* once(): AsyncIterableIterator<Uint8Array> {
          yield body;
        }
        return { ...res, body: once() };
      }
      if (!offered || req.method !== "POST" || !path.endsWith("/git-upload-pack") || !req.body) {
        return client.request(req);
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req.body) chunks.push(Buffer.from(chunk));
      const body = addCapability(Buffer.concat(chunks), "thin-pack");
      async function* once(): AsyncIterableIterator<Uint8Array> {
        yield body;
      }
      return client.request({ ...req, body: once() });
    },
  };
}

/** Adds a capability to the first "want" pkt-line of a v0/v1 upload-pack request (unchanged otherwise). */
export function addCapability(body: Buffer, capability: string): Buffer {
  const len = Number.parseInt(body.subarray(0, 4).toString("latin1"), 16);
  if (!(len > 4) || len > body.length) return body;
  const line = body.subarray(4, len).toString("latin1");
  if (!line.startsWith("want ") || line.split(/[ \n]/).includes(capability)) return body;
  const nl = line.endsWith("\n") ? "\n" : "";
  const next = `${line.slice(0, line.length - nl.length)} ${capability}${nl}`;
  const head = Buffer.from(`${(next.length + 4).toString(16).padStart(4, "0")}${next}`, "latin1");
  return Buffer.concat([head, body.subarray(len)]);
}
