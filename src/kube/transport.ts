import http from "node:http";
import https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "./errors.ts";

/** Who requests are made as, when not the kubeconfig's own user (Impersonate-* headers). */
export interface Impersonation {
  user: string;
  groups?: string[];
}

/** Options of the HTTP transport. */
export interface TransportOptions {
  /** Loaded kubeconfig (in-cluster or from a file): server, CA, client certs, token. */
  kubeConfig: KubeConfig;
  impersonate?: Impersonation;
  /** Idle-socket timeout of ordinary (non-watch) requests; default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
}

/** One request to the apiserver. */
export interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

/** A successful response. */
export interface Response {
  status: number;
  body: string;
}

/** Sends requests to the apiserver with the kubeconfig's TLS and credentials; never through generated models. */
export class Transport {
  readonly server: string;
  readonly #kubeConfig: KubeConfig;
  readonly #impersonate: Impersonation | undefined;
  readonly #timeoutMs: number;
  readonly #userAgent: string;
  #agent: http.Agent | undefined;

  constructor(options: TransportOptions) {
    const cluster = options.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster");
    this.server = cluster.server.replace(/\/+$/, "");
    this.#kubeConfig = options.kubeConfig;
    this.#impersonate = options.impersonate;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#userAgent = options.userAgent ?? "driftless";
  }

  /** Sends a request and reads the whole body; a non-2xx answer throws ApiError. */
  async request(spec: RequestSpec): Promise<Response> {
    const res = await this.#send(spec, this.#timeoutMs);
    const body = await readBody(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw ApiError.fromResponse(status, body, describe(spec));
    return { status, body };
  }

  /** Opens a streaming GET and yields its newline-delimited lines; a non-2xx answer throws ApiError. */
  async stream(spec: RequestSpec): Promise<AsyncGenerator<string, void, undefined>> {
    const res = await this.#send(spec, 0);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const body = await readBody(res);
      throw ApiError.fromResponse(status, body, describe(spec));
    }
    return lines(res);
  }

  /** Closes idle keep-alive sockets (call on shutdown). */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  async #send(spec: RequestSpec, timeoutMs: number): Promise<http.IncomingMessage> {
    // Credentials are applied per request: in-cluster service-account tokens rotate on disk.
    const opts: https.RequestOptions = { headers: {} };
    await this.#kubeConfig.applyToHTTPSOptions(opts);
    const url = new URL(this.server + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (typeof v === "string" || Array.isArray(v)) headers[k] = v;
    }
    headers.Accept = "application/json";
    headers["User-Agent"] = this.#userAgent;
    if (spec.body !== undefined) {
      headers["Content-Type"] = spec.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(spec.body));
    }
    if (this.#impersonate) {
      headers["Impersonate-User"] = this.#impersonate.user;
      if (this.#impersonate.groups?.length) headers["Impersonate-Group"] = this.#impersonate.groups;
    }
    const secure = url.protocol === "https:";
    const agent = this.#agentFor(secure, opts);
    const requestOptions: https.RequestOptions = {
      method: spec.method,
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port,
      path: url.pathname + url.search,
      headers,
      agent,
      ...(opts.auth ? { auth: opts.auth } : {}),
      ...(spec.signal ? { signal: spec.signal } : {}),
    };
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(requestOptions, resolve);
      req.on("error", (err) => reject(new Error(`${describe(spec)}: ${err.message}`, { cause: err })));
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
      }
      if (spec.body !== undefined) req.write(spec.body);
      req.end();
    });
  }

  // One keep-alive agent for the process: the kubeconfig's own agent closes every connection.
  #agentFor(secure: boolean, opts: https.RequestOptions): http.Agent {
    if (this.#agent) return this.#agent;
    if (!secure) {
      this.#agent = new http.Agent({ keepAlive: true });
      return this.#agent;
    }
    const agentOptions: https.AgentOptions = { keepAlive: true };
    if (opts.ca) agentOptions.ca = opts.ca;
    if (opts.cert) agentOptions.cert = opts.cert;
    if (opts.key) agentOptions.key = opts.key;
    if (opts.servername) agentOptions.servername = opts.servername;
    if (opts.rejectUnauthorized !== undefined) agentOptions.rejectUnauthorized = opts.rejectUnauthorized;
    this.#agent = new https.Agent(agentOptions);
    return this.#agent;
  }
}

function describe(spec: RequestSpec): string {
  return `${spec.method} ${spec.path}`;
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let body = "";
  for await (const chunk of res) body += chunk as string;
  return body;
}

async function* lines(res: http.IncomingMessage): AsyncGenerator<string, void, undefined> {
  // setEncoding keeps multi-byte characters split across chunks whole.
  res.setEncoding("utf8");
  let pending = "";
  try {
    for await (const chunk of res) {
      pending += chunk as string;
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== "") yield line;
        nl = pending.indexOf("\n");
      }
    }
    if (pending.trim() !== "") yield pending.trim();
  } finally {
    res.destroy();
  }
}
