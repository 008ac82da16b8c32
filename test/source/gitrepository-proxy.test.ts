// spec.proxySecretRef: the remote traffic goes through the proxy of the Secret — absolute-form requests for
// http remotes, CONNECT tunnels for https ones, SOCKS5 for either — with proxy basic auth; a proxy that is
// down or refuses the credentials fails the fetch with a readable message; ssh goes through SOCKS5 proxies
// only, as in Flux.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import {
  createServer as createTcpServer,
  connect as netConnect,
  type Socket,
  type Server as TcpServer,
} from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitFiles,
  createRepo,
  type GitServersInfo,
  httpRequests,
  repoUrl,
  resetHttpRequests,
} from "../harness/git/index.ts";
import {
  applyRepo,
  applySecret,
  condition,
  type Harness,
  secretData,
  startSuite,
  statusOf,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

/** A forward proxy on loopback that records what it carried. */
interface TestProxy {
  port: number;
  /** Absolute-form requests forwarded (their URLs). */
  forwarded: string[];
  /** CONNECT (or SOCKS5) targets tunnelled ("host:port"). */
  tunnels: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

const PROXY_USER = "proxy-user";
const PROXY_PASSWORD = "proxy-pass";
const EXPECTED_AUTH = `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString("base64")}`;

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
}

function closeServer(server: Server | TcpServer, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** An HTTP proxy: absolute-form forwarding and CONNECT, optionally requiring basic proxy auth. */
async function startHttpProxy(requireAuth: boolean): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const p: TestProxy = { port: 0, forwarded: [], tunnels: [], refused: 0, close: async () => undefined };
  const allowed = (req: IncomingMessage): boolean =>
    !requireAuth || req.headers["proxy-authorization"] === EXPECTED_AUTH;
  const server = createServer((req, res) => {
    if (!allowed(req)) {
      p.refused += 1;
      res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="proxy"' }).end();
      return;
    }
    p.forwarded.push(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = httpRequest(req.url ?? "", { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    if (!allowed(req)) {
      p.refused += 1;
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n");
      return;
    }
    p.tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = netConnect(Number(port), host ?? "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  p.port = await listen(server);
  p.close = () => closeServer(server, sockets);
  return p;
}

/** A SOCKS5 proxy (no auth or username/password), CONNECT with domain or IPv4 targets only. */
async function startSocksProxy(): Promise<TestProxy> {
  const sockets = new Set<Socket>();
  const p: TestProxy = { port: 0, forwarded: [], tunnels: [], refused: 0, close: async () => undefined };
  const server = createTcpServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    let buf = Buffer.alloc(0);
    let stage: "greet" | "auth" | "request" = "greet";
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === "greet" && buf.length >= 2 && buf.length >= 2 + (buf[1] ?? 0)) {
        const methods = [...buf.subarray(2, 2 + (buf[1] ?? 0))];
        buf = buf.subarray(2 + (buf[1] ?? 0));
        if (!methods.includes(2)) {
          p.refused += 1;
          client.end(Buffer.from([5, 0xff]));
          return;
        }
        client.write(Buffer.from([5, 2]));
        stage = "auth";
      }
      if (stage === "auth" && buf.length >= 2) {
        const ulen = buf[1] ?? 0;
        if (buf.length < 3 + ulen) return;
        const plen = buf[2 + ulen] ?? 0;
        if (buf.length < 3 + ulen + plen) return;
        const user = buf.subarray(2, 2 + ulen).toString();
        const pass = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
        buf = buf.subarray(3 + ulen + plen);
        if (user !== PROXY_USER || pass !== PROXY_PASSWORD) {
          p.refused += 1;
          client.end(Buffer.from([1, 1]));
          return;
        }
        client.write(Buffer.from([1, 0]));
        stage = "request";
      }
      if (stage === "request" && buf.length >= 5) {
        const atyp = buf[3];
        const addrLen = atyp === 3 ? 1 + (buf[4] ?? 0) : 4;
        if (buf.length < 4 + addrLen + 2) return;
        const host =
          atyp === 3 ? buf.subarray(5, 5 + (buf[4] ?? 0)).toString() : [...buf.subarray(4, 8)].join(".");
        const port = buf.readUInt16BE(4 + addrLen);
        buf = buf.subarray(4 + addrLen + 2);
        client.off("data", onData);
        p.tunnels.push(`${host}:${port}`);
        const upstream = netConnect(port, host, () => {
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          if (buf.length > 0) upstream.write(buf);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on("error", () => client.destroy());
      }
    };
    client.on("data", onData);
  });
  p.port = await listen(server);
  p.close = () => closeServer(server, sockets);
  return p;
}

let h: Harness;
let info: GitServersInfo;
let ns: string;
let open: TestProxy;
let authed: TestProxy;
let socks: TestProxy;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-proxy", "gitrepo-proxy"));
  await createRepo(info, "proxied");
  await commitFiles(info, "proxied", { "app.yaml": "kind: ConfigMap\n" });
  [open, authed, socks] = await Promise.all([startHttpProxy(false), startHttpProxy(true), startSocksProxy()]);
});

afterAll(async () => {
  await Promise.all([open?.close(), authed?.close(), socks?.close()]);
  await h?.close();
});

describe("proxySecretRef", () => {
  it("sends requests for an http remote to the proxy in absolute form", async () => {
    await applySecret(h, ns, "open-proxy", { address: `http://127.0.0.1:${open.port}` });
    await resetHttpRequests(info);
    await applyRepo(h, ns, "via-http-proxy", {
      url: repoUrl(info, "http-anon", "proxied"),
      ref: { branch: "main" },
      proxySecretRef: { name: "open-proxy" },
    });
    await waitReady(h, ns, "via-http-proxy");
    const served = await httpRequests(info, "proxied");
    expect(open.forwarded.length).toBeGreaterThan(0);
    expect(open.forwarded.length).toBe(served.length);
    expect(open.forwarded.every((u) => u.startsWith(`${repoUrl(info, "http-anon", "proxied")}/`))).toBe(true);
  });

  it("tunnels an https remote through CONNECT with the proxy's basic auth", async () => {
    await applySecret(h, ns, "authed-proxy", {
      address: `http://127.0.0.1:${authed.port}`,
      username: PROXY_USER,
      password: PROXY_PASSWORD,
    });
    await applySecret(h, ns, "https-creds", { ...secretData(info).basic, ...secretData(info).ca });
    await applyRepo(h, ns, "via-connect", {
      url: repoUrl(info, "https-basic", "proxied"),
      ref: { branch: "main" },
      secretRef: { name: "https-creds" },
      proxySecretRef: { name: "authed-proxy" },
    });
    await waitReady(h, ns, "via-connect");
    const httpsHost = new URL(info.https.basic).host;
    expect(authed.tunnels.length).toBeGreaterThan(0);
    expect(new Set(authed.tunnels)).toEqual(new Set([httpsHost]));
    expect(authed.refused).toBe(0);
  });

  it("tunnels through a SOCKS5 proxy with username and password", async () => {
    await applySecret(h, ns, "socks-proxy", {
      address: `socks5://127.0.0.1:${socks.port}`,
      username: PROXY_USER,
      password: PROXY_PASSWORD,
    });
    await applyRepo(h, ns, "via-socks", {
      url: repoUrl(info, "https-basic", "proxied"),
      ref: { branch: "main" },
      secretRef: { name: "https-creds" },
      proxySecretRef: { name: "socks-proxy" },
    });
    await waitReady(h, ns, "via-socks");
    expect(new Set(socks.tunnels)).toEqual(new Set([new URL(info.https.basic).host]));
  });

  it("fails with a readable message when the proxy refuses the credentials", async () => {
    await applySecret(h, ns, "wrong-proxy-creds", {
      address: `http://127.0.0.1:${authed.port}`,
      username: PROXY_USER,
      password: "wrong",
    });
    const refusedBefore = authed.refused;
    await applyRepo(h, ns, "proxy-refused", {
      url: repoUrl(info, "http-anon", "proxied"),
      ref: { branch: "main" },
      proxySecretRef: { name: "wrong-proxy-creds" },
    });
    const s = statusOf(await waitNotReady(h, ns, "proxy-refused", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain("407");
    expect(authed.refused).toBeGreaterThan(refusedBefore);
  });

  it.each([
    ["an http remote (absolute form)", "http-anon"],
    ["an https remote (CONNECT)", "https-anon"],
  ] as const)("fails with FetchFailed naming the proxy when it is down, for %s", async (_name, mode) => {
    const down = await startHttpProxy(false);
    await down.close();
    const name = `proxy-down-${mode}`;
    await applySecret(h, ns, name, { address: `http://127.0.0.1:${down.port}` });
    await applyRepo(h, ns, name, {
      url: repoUrl(info, mode, "proxied"),
      ref: { branch: "main" },
      secretRef: { name: "https-creds" },
      proxySecretRef: { name },
    });
    const s = statusOf(await waitNotReady(h, ns, name, "GitOperationFailed"));
    const failed = condition(s, "FetchFailed");
    expect(failed?.status).toBe("True");
    expect(failed?.message).toContain(`proxy 127.0.0.1:${down.port}`);
  });

  it.each([
    ["has no address", {}, "key 'address' not found"],
    [
      "has an unsupported scheme",
      { address: "ftp://127.0.0.1:1" },
      "supported schemes (http, https, socks5)",
    ],
  ])("fails with AuthenticationFailed when the proxy Secret %s", async (_name, data, message) => {
    const name = `bad-proxy-${Object.keys(data).length}`;
    await applySecret(h, ns, name, data as Record<string, string>);
    await applyRepo(h, ns, name, {
      url: repoUrl(info, "http-anon", "proxied"),
      ref: { branch: "main" },
      proxySecretRef: { name },
    });
    const s = statusOf(await waitNotReady(h, ns, name, "AuthenticationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain(
      `failed to configure proxy options: secret '${ns}/${name}'`,
    );
    expect(condition(s, "FetchFailed")?.message).toContain(message);
  });

  it("refuses to carry ssh through an http proxy", async () => {
    await applySecret(h, ns, "ssh-creds", secretData(info).ssh);
    await applyRepo(h, ns, "ssh-proxied", {
      url: repoUrl(info, "ssh", "proxied"),
      ref: { branch: "main" },
      secretRef: { name: "ssh-creds" },
      proxySecretRef: { name: "open-proxy" },
    });
    const s = statusOf(await waitNotReady(h, ns, "ssh-proxied", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain(
      "ssh through a proxy is not supported for http proxies",
    );
  });

  it("carries ssh through a SOCKS5 proxy, as Flux's ssh transport does", async () => {
    await applySecret(h, ns, "ssh-creds-socks", secretData(info).ssh);
    await applySecret(h, ns, "socks-proxy-ssh", {
      address: `socks5://127.0.0.1:${socks.port}`,
      username: PROXY_USER,
      password: PROXY_PASSWORD,
    });
    const before = socks.tunnels.length;
    await applyRepo(h, ns, "ssh-via-socks", {
      url: repoUrl(info, "ssh", "proxied"),
      ref: { branch: "main" },
      secretRef: { name: "ssh-creds-socks" },
      proxySecretRef: { name: "socks-proxy-ssh" },
    });
    await waitReady(h, ns, "ssh-via-socks");
    const sshHost = new URL(repoUrl(info, "ssh", "proxied")).host;
    expect(socks.tunnels.slice(before)).toContain(sshHost);
  });
});
