// spec.provider: github exchanges a GitHub App JWT for an installation token at the API of
// githubAppBaseURL (here a small HTTPS server on loopback standing in for GitHub, in front of the real git
// http-backend) and fetches with basic auth x-access-token:<token>; the token is cached until it nears
// expiry. Misconfigurations fail as Flux's do, and the cloud providers are refused as unsupported.
import { createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createRepo, type GitServersInfo } from "../harness/git/index.ts";
import {
  applyRepo,
  applySecret,
  condition,
  type Harness,
  requestReconcile,
  startSuite,
  statusOf,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const APP_KEY = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const OTHER_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const INSTALLATION = 77;

/** A stand-in for the GitHub API (under /api) and a git host (under /git) that wants installation tokens. */
interface FakeGitHub {
  base: string;
  /** Token exchanges per app ID. */
  exchanges: Map<string, number>;
  /** Owner lookups seen ("orgs/acme", "users/acme"). */
  lookups: string[];
  /** Git requests refused for a missing or unknown token. */
  refusedGit: number;
  close(): Promise<void>;
}

function jwtIssuer(auth: string | undefined): string | undefined {
  const jwt = auth?.startsWith("Bearer ") ? auth.slice(7) : "";
  const [h, c, s] = jwt.split(".");
  if (!h || !c || !s) return undefined;
  const key = createPublicKey(publicKey.export({ type: "spki", format: "pem" }));
  if (!verify("sha256", Buffer.from(`${h}.${c}`), key, Buffer.from(s, "base64url"))) return undefined;
  const claims = JSON.parse(Buffer.from(c, "base64url").toString()) as { iss?: string; exp?: number };
  if (!claims.exp || claims.exp * 1000 < Date.now()) return undefined;
  return claims.iss;
}

async function startFakeGitHub(info: GitServersInfo): Promise<FakeGitHub> {
  const tlsDir = dirname(info.tls.caFile);
  const issued = new Set<string>();
  const fake: FakeGitHub = {
    base: "",
    exchanges: new Map(),
    lookups: [],
    refusedGit: 0,
    close: async () => undefined,
  };
  const json = (res: ServerResponse, status: number, body: unknown): ServerResponse =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const api = (req: IncomingMessage, res: ServerResponse, path: string): ServerResponse => {
    const app = jwtIssuer(req.headers.authorization);
    if (!app) return json(res, 401, { message: "A JSON web token could not be decoded" });
    const owner = /^(orgs|users)\/([^/]+)\/installation$/.exec(path);
    if (req.method === "GET" && owner) {
      fake.lookups.push(`${owner[1]}/${owner[2]}`);
      if (owner[1] === "users" && owner[2] === "acme") return json(res, 200, { id: INSTALLATION });
      return json(res, 404, { message: "Not Found" });
    }
    if (req.method === "POST" && path === `app/installations/${INSTALLATION}/access_tokens`) {
      fake.exchanges.set(app, (fake.exchanges.get(app) ?? 0) + 1);
      const token = `ghs_${app}_${fake.exchanges.get(app)}`;
      issued.add(token);
      return json(res, 201, { token, expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    }
    return json(res, 404, { message: "Not Found" });
  };
  const git = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const auth = req.headers.authorization ?? "";
    const [user, token] = Buffer.from(auth.replace(/^Basic /, ""), "base64")
      .toString()
      .split(":");
    if (user !== "x-access-token" || !token || !issued.has(token)) {
      fake.refusedGit += 1;
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="github"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers.host;
    const upstream = httpRequest(`${info.http.anon}/${path}`, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  };
  const server: Server = createServer(
    { key: readFileSync(join(tlsDir, "server.key")), cert: readFileSync(join(tlsDir, "server.crt")) },
    (req, res) => {
      const url = new URL(req.url ?? "/", "https://localhost");
      if (url.pathname.startsWith("/api/")) return api(req, res, url.pathname.slice(5));
      if (url.pathname.startsWith("/git/")) return git(req, res, `${url.pathname.slice(5)}${url.search}`);
      res.writeHead(404).end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

let h: Harness;
let info: GitServersInfo;
let ns: string;
let gh: FakeGitHub;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-provider", "gitrepo-provider"));
  await createRepo(info, "gh-app");
  await commitFiles(info, "gh-app", { "app.yaml": "kind: ConfigMap\n" }, { message: "first" });
  gh = await startFakeGitHub(info);
});

afterAll(async () => {
  await gh?.close();
  await h?.close();
});

function appSecret(appID: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    githubAppID: appID,
    githubAppInstallationID: String(INSTALLATION),
    githubAppPrivateKey: APP_KEY,
    githubAppBaseURL: `${gh.base}/api`,
    "ca.crt": info.tls.caPem,
    ...extra,
  };
}

describe("provider: github", () => {
  it("fetches with an installation token and reuses the cached token on later polls", async () => {
    await applySecret(h, ns, "app-101", appSecret("101"));
    await applyRepo(h, ns, "github-app", {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      provider: "github",
      secretRef: { name: "app-101" },
    });
    const first = statusOf(await waitReady(h, ns, "github-app"));
    expect(gh.exchanges.get("101")).toBe(1);

    await commitFiles(info, "gh-app", { "app.yaml": "kind: ConfigMap\ndata: {}\n" }, { message: "second" });
    await requestReconcile(h, ns, "github-app");
    const second = statusOf(
      await waitForStatus(
        h,
        ns,
        "github-app",
        (s) => s.artifact?.revision !== first.artifact?.revision && condition(s, "Ready")?.status === "True",
        "new revision",
      ),
    );
    expect(second.artifact?.revision).toMatch(/^main@sha1:/);
    expect(gh.exchanges.get("101")).toBe(1);
  });

  it("finds the installation by owner, as an organisation first and then as a user", async () => {
    const { githubAppInstallationID: _id, ...byOwner } = appSecret("102");
    await applySecret(h, ns, "app-102", { ...byOwner, githubAppInstallationOwner: "acme" });
    await applyRepo(h, ns, "github-owner", {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      provider: "github",
      secretRef: { name: "app-102" },
    });
    await waitReady(h, ns, "github-owner");
    expect(gh.lookups).toEqual(["orgs/acme", "users/acme"]);
    expect(gh.exchanges.get("102")).toBe(1);
  });

  it("fails with AuthenticationFailed when the API refuses the app's JWT", async () => {
    await applySecret(h, ns, "app-103", appSecret("103", { githubAppPrivateKey: OTHER_KEY }));
    await applyRepo(h, ns, "github-bad-key", {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      provider: "github",
      secretRef: { name: "app-103" },
    });
    const s = statusOf(await waitNotReady(h, ns, "github-bad-key", "AuthenticationFailed"));
    const failed = condition(s, "FetchFailed");
    expect(failed?.message).toContain("failed to configure authentication options");
    expect(failed?.message).toContain("401");
    expect(failed?.message).not.toContain("PRIVATE KEY");
  });

  it("stalls with InvalidProviderConfiguration without a secretRef", async () => {
    await applyRepo(h, ns, "github-no-secret", {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      provider: "github",
    });
    const s = statusOf(await waitNotReady(h, ns, "github-no-secret", "InvalidProviderConfiguration"));
    expect(condition(s, "Stalled")).toMatchObject({ status: "True", reason: "InvalidProviderConfiguration" });
  });

  it("refuses GitHub App data when the provider is not github", async () => {
    await applyRepo(h, ns, "generic-with-app", {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      secretRef: { name: "app-101" },
    });
    const s = statusOf(await waitNotReady(h, ns, "generic-with-app", "InvalidProviderConfiguration"));
    expect(condition(s, "FetchFailed")?.message).toBe(
      `secretRef '${ns}/app-101' has github app data but provider is not set to github`,
    );
  });
});

describe("cloud providers", () => {
  it.each(["azure", "aws"])("stalls on provider %s, which needs a cloud token service", async (provider) => {
    await applyRepo(h, ns, `cloud-${provider}`, {
      url: `${gh.base}/git/gh-app.git`,
      ref: { branch: "main" },
      provider,
    });
    const s = statusOf(await waitNotReady(h, ns, `cloud-${provider}`, "UnsupportedProvider"));
    expect(condition(s, "Stalled")?.status).toBe("True");
    expect(condition(s, "FetchFailed")?.message).toContain(`provider '${provider}' is not supported`);
    expect(gh.refusedGit).toBe(0);
  });
});
