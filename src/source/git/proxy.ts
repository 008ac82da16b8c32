// spec.proxySecretRef: the proxy from the Secret's `address` (http, https or socks5 URL) with optional
// `username`/`password`, as Flux reads it, and the tunnels through it: HTTP CONNECT (for https remotes)
// and SOCKS5 (for any remote). Plain-http remotes through an HTTP proxy use absolute-form requests,
// which http-client.ts sends itself.

import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect as netConnect, type Socket } from "node:net";
import type { SecretData } from "./auth.ts";

/** Flux's limit on the proxy address length. */
export const MAX_PROXY_URL_LENGTH = 2048;

const SCHEMES = ["http", "https", "socks5"];

/** A proxy to send a GitRepository's remote traffic through. */
export interface ProxyConfig {
  /** The proxy URL without credentials. */
  readonly url: URL;
  readonly username?: string;
  readonly password?: string;
}

/** A proxy Secret that cannot be used (Flux reports it as AuthenticationFailed). */
export class ProxyConfigError extends Error {
  override name = "ProxyConfigError";
}

function text(data: SecretData, key: string): string | undefined {
  const v = data[key];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : Buffer.from(v).toString("utf8");
}

/** The proxy of a Secret ("namespace/name" for messages); throws ProxyConfigError with Flux's wording. */
export function proxyFromSecret(secret: string, data: SecretData): ProxyConfig {
  const address = text(data, "address");
  if (address === undefined) throw new ProxyConfigError(`secret '${secret}': key 'address' not found`);
  if (address === "") throw new ProxyConfigError(`secret '${secret}': proxy address is empty`);
  if (address.length > MAX_PROXY_URL_LENGTH) {
    throw new ProxyConfigError(
      `secret '${secret}': proxy URL exceeds maximum length of ${MAX_PROXY_URL_LENGTH} characters`,
    );
  }
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new ProxyConfigError(`secret '${secret}': failed to parse proxy address '${address}'`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!SCHEMES.includes(scheme)) {
    throw new ProxyConfigError(
      `secret '${secret}': proxy URL must use one of the supported schemes (${SCHEMES.join(", ")}), got '${scheme}'`,
    );
  }
  // The Secret's username (and password) replace any user info of the address, as Flux sets them.
  const fromUrl = url.username !== "" ? decodeURIComponent(url.username) : undefined;
  const urlPassword = url.password !== "" ? decodeURIComponent(url.password) : undefined;
  url.username = "";
  url.password = "";
  const username = text(data, "username") ?? fromUrl;
  const password = text(data, "username") !== undefined ? text(data, "password") : urlPassword;
  return {
    url,
    ...(username !== undefined ? { username } : {}),
    ...(username !== undefined && password !== undefined ? { password } : {}),
  };
}

/** host:port of the proxy, for messages. */
export function proxyAddress(proxy: ProxyConfig): string {
  return `${proxy.url.hostname}:${proxyPort(proxy)}`;
}

function proxyPort(proxy: ProxyConfig): number {
  if (proxy.url.port) return Number(proxy.url.port);
  return proxy.url.protocol === "https:" ? 443 : proxy.url.protocol === "socks5:" ? 1080 : 80;
}

/** The Proxy-Authorization header for an HTTP proxy with credentials. */
export function proxyAuthorization(proxy: ProxyConfig): string | undefined {
  if (proxy.username === undefined) return undefined;
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ""}`).toString("base64")}`;
}

/** Whether requests to plain-http remotes go to this proxy in absolute form (an HTTP(S) proxy). */
export function forwardsHttp(proxy: ProxyConfig): boolean {
  return proxy.url.protocol === "http:" || proxy.url.protocol === "https:";
}

/** The request options that send a plain-http request to an HTTP(S) proxy in absolute form. */
export function forwardRequestOptions(
  proxy: ProxyConfig,
  target: URL,
): { protocol: string; hostname: string; port: number; path: string; headers: Record<string, string> } {
  const auth = proxyAuthorization(proxy);
  return {
    protocol: proxy.url.protocol,
    hostname: proxy.url.hostname,
    port: proxyPort(proxy),
    path: target.href,
    headers: { host: target.host, ...(auth ? { "proxy-authorization": auth } : {}) },
  };
}

/** A TCP stream to host:port through the proxy (CONNECT for HTTP(S) proxies, SOCKS5 otherwise). */
export function tunnel(
  proxy: ProxyConfig,
  host: string,
  port: number,
  signal?: AbortSignal,
): Promise<Socket> {
  return proxy.url.protocol === "socks5:"
    ? socks5(proxy, host, port, signal)
    : httpConnect(proxy, host, port, signal);
}

function httpConnect(proxy: ProxyConfig, host: string, port: number, signal?: AbortSignal): Promise<Socket> {
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const auth = proxyAuthorization(proxy);
  const doRequest = proxy.url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest({
      hostname: proxy.url.hostname,
      port: proxyPort(proxy),
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...(auth ? { "proxy-authorization": auth } : {}) },
      agent: false,
      ...(signal ? { signal } : {}),
    });
    req.on("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new Error(
            `proxy ${proxyAddress(proxy)} refused CONNECT to ${authority}: ${res.statusCode} ${res.statusMessage ?? ""}`.trim(),
          ),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.on("response", (res) => {
      res.resume();
      reject(new Error(`proxy ${proxyAddress(proxy)} answered CONNECT with ${res.statusCode}`));
    });
    req.on("error", (err) =>
      reject(new Error(`proxy ${proxyAddress(proxy)}: ${err.message}`, { cause: err })),
    );
    req.end();
  });
}

// Reads exactly n bytes from a socket in paused mode.
function reader(socket: Socket): (n: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  return (n) =>
    new Promise((resolve, reject) => {
      const tryRead = (): void => {
        while (buffered.length < n) {
          const chunk = socket.read() as Buffer | null;
          if (chunk === null) return;
          buffered = Buffer.concat([buffered, chunk]);
        }
        cleanup();
        const out = buffered.subarray(0, n);
        buffered = buffered.subarray(n);
        resolve(out);
      };
      const onEnd = (): void => {
        cleanup();
        reject(new Error("connection closed during SOCKS5 handshake"));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        socket.off("readable", tryRead);
        socket.off("end", onEnd);
        socket.off("error", onError);
      };
      socket.on("readable", tryRead);
      socket.on("end", onEnd);
      socket.on("error", onError);
      tryRead();
    });
}

const SOCKS_REPLIES: Record<number, string> = {
  1: "general failure",
  2: "connection not allowed by ruleset",
  3: "network unreachable",
  4: "host unreachable",
  5: "connection refused",
  6: "TTL expired",
  7: "command not supported",
  8: "address type not supported",
};

async function socks5(proxy: ProxyConfig, host: string, port: number, signal?: AbortSignal): Promise<Socket> {
  const where = `proxy ${proxyAddress(proxy)}`;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: proxy.url.hostname, port: proxyPort(proxy), ...(signal ? { signal } : {}) });
    s.once("connect", () => resolve(s));
    s.once("error", (err) => reject(new Error(`${where}: ${err.message}`, { cause: err })));
  });
  try {
    const read = reader(socket);
    const withAuth = proxy.username !== undefined;
    socket.write(Buffer.from(withAuth ? [5, 2, 0, 2] : [5, 1, 0]));
    const [version, method] = await read(2);
    if (version !== 5) throw new Error(`${where}: not a SOCKS5 proxy`);
    if (method === 2) {
      const user = Buffer.from(proxy.username ?? "");
      const pass = Buffer.from(proxy.password ?? "");
      socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]));
      const [, status] = await read(2);
      if (status !== 0) throw new Error(`${where}: SOCKS5 authentication failed`);
    } else if (method !== 0) {
      throw new Error(`${where}: no acceptable SOCKS5 authentication method`);
    }
    const name = Buffer.from(host);
    const portBytes = Buffer.from([port >> 8, port & 0xff]);
    socket.write(Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, portBytes]));
    const [, reply, , atyp] = await read(4);
    if (reply !== 0) {
      throw new Error(
        `${where}: SOCKS5 connect to ${host}:${port} failed: ${SOCKS_REPLIES[reply ?? 1] ?? reply}`,
      );
    }
    const addrLen = atyp === 1 ? 4 : atyp === 4 ? 16 : ((await read(1))[0] ?? 0);
    await read(addrLen + 2);
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
