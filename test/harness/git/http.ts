// Smart HTTP git server for tests: a Node http(s) server in front of the real `git http-backend` CGI.
//
// Auth modes are URL path prefixes on the same listener, so one repository is reachable in every mode:
//   /anon/<repo>.git     no auth
//   /basic/<repo>.git    HTTP basic auth with the configured username/password (401 otherwise)
//   /bearer/<repo>.git   `Authorization: Bearer <token>` (401 otherwise)
//   /mtls/<repo>.git     a client certificate signed by the test CA (HTTPS listener only; 403 otherwise)
// The plain listener and the HTTPS listener serve the same prefixes. Every request is recorded (see
// requests()), faults can be injected (kill the connection after N response bytes, answer with a status,
// delay), and the listeners can be stopped and started again on the same ports.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { TlsFiles } from "./tls.ts";

/** The path to git's CGI program. */
export const GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

/** The auth modes, one URL path prefix each. */
export const HTTP_MODES = ["anon", "basic", "bearer", "mtls"] as const;
/** One of HTTP_MODES. */
export type HttpMode = (typeof HTTP_MODES)[number];

/** One request the server saw. */
export interface RecordedRequest {
  scheme: "http" | "https";
  mode: string;
  /** The repository path relative to the root, e.g. "app.git". */
  repo: string;
  /** What follows the repository, e.g. "info/refs" or "git-upload-pack". */
  path: string;
  method: string;
  /** The `service` query parameter of info/refs, if any. */
  service?: string;
  /** The Git-Protocol header (e.g. "version=2"), if any. */
  protocol?: string;
  status: number;
  /** Response body bytes sent. */
  bytes: number;
}

/** A fault to inject into matching requests. */
export interface HttpFault {
  /** Match requests for this repository ("app.git"); all repositories when unset. */
  repo?: string;
  /** Match requests whose path ends with this ("git-upload-pack", "info/refs"); all when unset. */
  path?: string;
  /** Destroy the connection after this many response body bytes. */
  afterBytes?: number;
  /** Answer with this status and no body instead of running git. */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
}

/** Options of GitHttpServer. */
export interface GitHttpServerOptions {
  root: string;
  username: string;
  password: string;
  bearerToken: string;
  tls: TlsFiles;
  httpPort: number;
  httpsPort: number;
}

const REPO_PATH = /^\/([a-z]+)\/((?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+\.git)(\/.*)?$/;

/** The HTTP and HTTPS listeners in front of git http-backend. */
export class GitHttpServer {
  private readonly opts: GitHttpServerOptions;
  private readonly http: Server;
  private readonly https: Server;
  private readonly children = new Set<ChildProcess>();
  private readonly log: RecordedRequest[] = [];
  private faults: HttpFault[] = [];
  private listening = false;

  constructor(opts: GitHttpServerOptions) {
    this.opts = opts;
    this.http = createHttpServer((req, res) => this.handle("http", req, res));
    this.https = createHttpsServer(
      {
        key: readFileSync(opts.tls.serverKey),
        cert: readFileSync(opts.tls.serverCert),
        ca: readFileSync(opts.tls.caCert),
        // Ask for a client certificate but let the /mtls prefix decide; other prefixes work without one.
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => this.handle("https", req, res),
    );
  }

  /** Starts (or restarts) both listeners on their fixed ports. */
  async start(): Promise<void> {
    if (this.listening) return;
    await Promise.all([listen(this.http, this.opts.httpPort), listen(this.https, this.opts.httpsPort)]);
    this.listening = true;
  }

  /** Stops both listeners, cutting open connections and running CGI processes; start() brings them back. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const child of this.children) child.kill("SIGKILL");
    await Promise.all([close(this.http), close(this.https)]);
  }

  /** Whether the listeners are up. */
  get running(): boolean {
    return this.listening;
  }

  /** Every request seen since the last reset, oldest first. */
  requests(): RecordedRequest[] {
    return [...this.log];
  }

  /** Forgets the recorded requests. */
  resetRequests(): void {
    this.log.length = 0;
  }

  /** Adds a fault for the next matching requests. */
  addFault(fault: HttpFault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** Removes all pending faults. */
  clearFaults(): void {
    this.faults = [];
  }

  private takeFault(repo: string, path: string): HttpFault | undefined {
    const i = this.faults.findIndex(
      (f) => (f.repo === undefined || f.repo === repo) && (f.path === undefined || path.endsWith(f.path)),
    );
    const fault = this.faults[i];
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }

  private handle(scheme: "http" | "https", req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = REPO_PATH.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end("not found\n");
      return;
    }
    const mode = m[1] ?? "";
    const repo = m[2] ?? "";
    const rest = (m[3] ?? "/").slice(1);
    const protocolHeader = req.headers["git-protocol"];
    const record: RecordedRequest = {
      scheme,
      mode,
      repo,
      path: rest,
      method: req.method ?? "GET",
      status: 0,
      bytes: 0,
    };
    const service = url.searchParams.get("service");
    if (service) record.service = service;
    if (typeof protocolHeader === "string") record.protocol = protocolHeader;
    this.log.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    res.on("close", () => {
      if (record.status === 0) record.status = res.statusCode;
    });

    const user = this.authorize(scheme, mode, req, res);
    if (user === undefined) return;

    const fault = this.takeFault(repo, rest);
    const go = (): void => {
      if (fault?.status !== undefined) {
        res.writeHead(fault.status).end();
        return;
      }
      this.cgi(req, res, `/${repo}/${rest}`, url.search.slice(1), user, fault?.afterBytes, record);
    };
    if (fault?.delayMs) setTimeout(go, fault.delayMs);
    else go();
  }

  /** Returns the remote user ("" for anonymous) or undefined after answering 401/403/404. */
  private authorize(
    scheme: "http" | "https",
    mode: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): string | undefined {
    const auth = req.headers.authorization ?? "";
    switch (mode) {
      case "anon":
        return "";
      case "basic": {
        const expected = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString("base64")}`;
        if (auth === expected) return this.opts.username;
        res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' }).end("unauthorized\n");
        return undefined;
      }
      case "bearer":
        if (auth === `Bearer ${this.opts.bearerToken}`) return "bearer";
        res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="git"' }).end("unauthorized\n");
        return undefined;
      case "mtls": {
        const socket = req.socket as TLSSocket;
        if (scheme === "https" && socket.authorized) return "mtls";
        res.writeHead(403).end("client certificate required\n");
        return undefined;
      }
      default:
        res.writeHead(404).end("unknown mode\n");
        return undefined;
    }
  }

  private cgi(
    req: IncomingMessage,
    res: ServerResponse,
    pathInfo: string,
    query: string,
    user: string,
    afterBytes: number | undefined,
    record: RecordedRequest,
  ): void {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: this.opts.root,
      GIT_HTTP_EXPORT_ALL: "1",
      // Pushing over HTTP is allowed in every mode: tests push through the servers too.
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.receivepack",
      GIT_CONFIG_VALUE_0: "true",
      GATEWAY_INTERFACE: "CGI/1.1",
      REQUEST_METHOD: req.method ?? "GET",
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
      REMOTE_USER: user,
      CONTENT_TYPE: req.headers["content-type"] ?? "",
    };
    const length = req.headers["content-length"];
    if (length !== undefined) env.CONTENT_LENGTH = length;
    const encoding = req.headers["content-encoding"];
    if (encoding !== undefined) env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = req.headers["git-protocol"];
    if (typeof protocol === "string") env.GIT_PROTOCOL = protocol;

    const child = spawn(GIT_HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
    this.children.add(child);
    child.on("close", () => this.children.delete(child));
    child.on("error", () => {
      if (!res.headersSent) res.writeHead(500).end("cannot run git http-backend\n");
    });
    child.stdin.on("error", () => {
      // the CGI may answer (e.g. with an error) before reading the whole request
    });
    child.stderr.resume();
    req.pipe(child.stdin);
    res.on("close", () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });

    let head: Buffer = Buffer.alloc(0);
    let headersDone = false;
    let sent = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      let body = chunk;
      if (!headersDone) {
        head = Buffer.concat([head, chunk]);
        const end = findHeaderEnd(head);
        if (!end) return;
        headersDone = true;
        const { status, headers } = parseCgiHeaders(head.subarray(0, end.at).toString("latin1"));
        body = head.subarray(end.at + end.len);
        res.writeHead(status, headers);
      }
      if (afterBytes !== undefined && sent + body.length > afterBytes) {
        res.write(body.subarray(0, Math.max(0, afterBytes - sent)));
        // Give the partial body a moment to leave, then cut the connection as a crashed server would.
        setTimeout(() => req.socket.destroy(), 20);
        child.kill("SIGKILL");
        afterBytes = -1;
        return;
      }
      if (afterBytes === -1) return;
      sent += body.length;
      record.bytes = sent;
      res.write(body);
    });
    child.stdout.on("end", () => {
      if (afterBytes === -1) return;
      if (!headersDone) {
        if (!res.headersSent) res.writeHead(502).end("git http-backend gave no headers\n");
        return;
      }
      res.end();
    });
  }
}

function findHeaderEnd(buf: Buffer): { at: number; len: number } | undefined {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, len: 4 };
  if (lf >= 0) return { at: lf, len: 2 };
  return undefined;
}

function parseCgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { status, headers };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
