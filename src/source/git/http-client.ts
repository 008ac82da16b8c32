// isomorphic-git's pluggable http client on Node's http/https: custom CA, client certificate, an
// Authorization header from the secret, an AbortSignal, and a count of the requests made.
import { type ClientRequestArgs, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import type { GitHttpRequest, GitHttpResponse, HttpClient } from "isomorphic-git";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { forwardRequestOptions, forwardsHttp, type ProxyConfig, proxyAddress, tunnel } from "./proxy.ts";

/** Options of createHttpClient(). */
export interface HttpClientOptions {
  /** PEM CA bundle to trust (replaces the system store, as Flux's ca.crt does). */
  ca?: string;
  /** PEM client certificate and key. */
  cert?: string;
  key?: string;
  /** Sent as the Authorization header of every request. */
  authorization?: string;
  signal?: AbortSignal;
  userAgent?: string;
  maxRedirects?: number;
  /** Send every request through this proxy (spec.proxySecretRef). */
  proxy?: ProxyConfig;
}

/** An isomorphic-git HttpClient that also counts its requests. */
export interface CountingHttpClient extends HttpClient {
  /** The number of HTTP requests made so far. */
  readonly requests: number;
}

async function collect(body: GitHttpRequest["body"]): Promise<Buffer | undefined> {
  if (!body) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function* once(buf: Buffer): AsyncIterableIterator<Uint8Array> {
  yield buf;
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** Wraps a Node error as a Transport (or Timeout, when aborted) GitSourceError. */
export function transportError(err: unknown, signal: AbortSignal | undefined, what: string): GitSourceError {
  if (err instanceof GitSourceError) return err;
  if (signal?.aborted) {
    return new GitSourceError(GitErrorCode.Timeout, `${what}: operation timed out or was cancelled`, {
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GitSourceError(GitErrorCode.Transport, `${what}: ${message}`, { cause: err });
}

// Starts one request: straight to the remote, in absolute form to an HTTP proxy (plain http), or over a
// tunnel through the proxy (CONNECT or SOCKS5) with TLS on top for https remotes.
function startRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  opts: HttpClientOptions,
  onResponse: (res: IncomingMessage) => void,
): ReturnType<typeof httpRequest> {
  const isHttps = url.protocol === "https:";
  const tls = { ca: opts.ca, cert: opts.cert, key: opts.key };
  const proxy = opts.proxy;
  if (!proxy) {
    const doRequest = isHttps ? httpsRequest : httpRequest;
    return doRequest(url, { method, headers, signal: opts.signal, ...(isHttps ? tls : {}) }, onResponse);
  }
  if (!isHttps && forwardsHttp(proxy)) {
    const fwd = forwardRequestOptions(proxy, url);
    const doRequest = fwd.protocol === "https:" ? httpsRequest : httpRequest;
    return doRequest(
      { ...fwd, method, headers: { ...headers, ...fwd.headers }, signal: opts.signal, agent: false },
      onResponse,
    );
  }
  const port = Number(url.port) || (isHttps ? 443 : 80);
  const createConnection = (
    _args: ClientRequestArgs,
    done: (err: Error | null, socket: Duplex) => void,
  ): undefined => {
    tunnel(proxy, url.hostname, port, opts.signal).then(
      (socket) => {
        if (!isHttps) return done(null, socket);
        const host = url.hostname.replace(/^\[|\]$/g, "");
        done(null, tlsConnect({ socket, host, ...(isIP(host) ? {} : { servername: host }), ...tls }));
      },
      (err: Error) => done(err, undefined as unknown as Duplex),
    );
    return undefined;
  };
  const doRequest = isHttps ? httpsRequest : httpRequest;
  return doRequest(url, { method, headers, signal: opts.signal, createConnection }, onResponse);
}

/** Creates the http client isomorphic-git calls for http:// and https:// remotes. */
export function createHttpClient(opts: HttpClientOptions = {}): CountingHttpClient {
  let count = 0;
  const send = async (req: GitHttpRequest, redirects: number): Promise<GitHttpResponse> => {
    const method = req.method ?? "GET";
    const payload = await collect(req.body);
    const url = new URL(req.url);
    const headers: Record<string, string> = { ...req.headers };
    if (opts.userAgent) headers["user-agent"] = opts.userAgent;
    // Credentials come only from the secret; isomorphic-git may also derive basic auth from the URL.
    if (opts.authorization) headers.authorization = opts.authorization;
    if (payload) headers["content-length"] = String(payload.length);
    count += 1;
    // Tunnel failures name the proxy themselves; a forwarding proxy is named here.
    const forwarded = opts.proxy && url.protocol === "http:" && forwardsHttp(opts.proxy);
    const what = `${method} ${url.origin}${url.pathname}${forwarded && opts.proxy ? `: proxy ${proxyAddress(opts.proxy)}` : ""}`;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = startRequest(url, method, headers, opts, resolve);
      r.on("error", (err) => reject(transportError(err, opts.signal, what)));
      r.end(payload);
    });
    if (res.statusCode === 407 && opts.proxy) {
      res.resume();
      throw new GitSourceError(
        GitErrorCode.AuthenticationFailed,
        `${method} ${url.origin}${url.pathname}: proxy ${proxyAddress(opts.proxy)} requires authentication (407 Proxy Authentication Required)`,
      );
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location && redirects < (opts.maxRedirects ?? 5)) {
      res.resume();
      const next = new URL(location, url);
      if (next.protocol !== url.protocol && url.protocol === "https:") {
        throw new GitSourceError(GitErrorCode.Transport, `refusing redirect from https to ${next.protocol}`);
      }
      return send({ ...req, url: next.toString(), body: payload ? once(payload) : undefined }, redirects + 1);
    }
    const signal = opts.signal;
    async function* body(): AsyncIterableIterator<Uint8Array> {
      try {
        for await (const chunk of res) yield chunk as Buffer;
      } catch (err) {
        throw transportError(err, signal, "reading response");
      }
      if (!res.complete)
        throw new GitSourceError(GitErrorCode.Transport, "response ended before it was complete");
    }
    return {
      url: req.url,
      method,
      statusCode: status,
      statusMessage: res.statusMessage ?? "",
      headers: flatHeaders(res),
      body: body(),
    };
  };
  return {
    request: (req: GitHttpRequest) => send(req, 0),
    get requests() {
      return count;
    },
  };
}
