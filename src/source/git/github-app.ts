// spec.provider: github — GitHub App authentication as Flux's auth/githubapp does it: a JWT signed with the
// app's RSA key (RS256) is exchanged at the GitHub API for an installation access token, which then serves
// as the password of basic auth with the user "x-access-token". Tokens are cached per app until 80% of
// their lifetime has passed (at most an hour), as Flux's token cache keeps them.
import { createHash, createPrivateKey, type KeyObject, sign } from "node:crypto";
import type { SecretData } from "./auth.ts";
import { createHttpClient } from "./http-client.ts";
import type { ProxyConfig } from "./proxy.ts";

/** Secret keys of GitHub App data (Flux's names). */
export const GitHubAppKey = {
  AppID: "githubAppID",
  InstallationID: "githubAppInstallationID",
  InstallationOwner: "githubAppInstallationOwner",
  PrivateKey: "githubAppPrivateKey",
  BaseURL: "githubAppBaseURL",
} as const;

/** The basic-auth user name that goes with an installation token. */
export const ACCESS_TOKEN_USERNAME = "x-access-token";

const DEFAULT_API_URL = "https://api.github.com/";
/** Flux's cap on how long a token is cached. */
const MAX_CACHE_MS = 60 * 60 * 1000;

/** GitHub App data from a Secret. */
export interface GitHubApp {
  appID: number;
  installationID: number;
  installationOwner: string;
  privateKey: string;
  /** The API base URL (default https://api.github.com/). */
  baseURL: string;
}

/** App data that cannot be used (Flux reports it as AuthenticationFailed). */
export class GitHubAppError extends Error {
  override name = "GitHubAppError";
}

function text(data: SecretData | undefined, key: string): string {
  const v = data?.[key];
  if (v === undefined) return "";
  return typeof v === "string" ? v : Buffer.from(v).toString("utf8");
}

/** Whether the Secret holds GitHub App data (a githubAppID key), as Flux tests it. */
export function hasGitHubAppData(data: SecretData | undefined): boolean {
  return text(data, GitHubAppKey.AppID) !== "";
}

// Go's strconv.ParseInt: anything but a whole decimal number is 0 (then "must be provided").
function parseID(value: string): number {
  return /^[+-]?\d+$/.test(value) ? Number(value) : 0;
}

/** The app data of a Secret, validated as Flux's githubapp.New does. */
export function gitHubAppFromSecret(data: SecretData | undefined): GitHubApp {
  const app: GitHubApp = {
    appID: parseID(text(data, GitHubAppKey.AppID)),
    installationID: parseID(text(data, GitHubAppKey.InstallationID)),
    installationOwner: text(data, GitHubAppKey.InstallationOwner),
    privateKey: text(data, GitHubAppKey.PrivateKey),
    baseURL: text(data, GitHubAppKey.BaseURL) || DEFAULT_API_URL,
  };
  if (app.appID === 0) throw new GitHubAppError("app ID must be provided to use github app authentication");
  if (app.installationOwner === "" && app.installationID === 0) {
    throw new GitHubAppError(
      "app installation owner or ID must be provided to use github app authentication",
    );
  }
  if (app.installationOwner !== "" && app.installationID !== 0) {
    throw new GitHubAppError(
      "only one of app installation owner or ID must be provided to use github app authentication",
    );
  }
  if (app.privateKey === "") {
    throw new GitHubAppError("private key must be provided to use github app authentication");
  }
  return app;
}

function rsaKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new GitHubAppError(`could not parse private key: ${(err as Error).message}`, { cause: err });
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new GitHubAppError("could not parse private key: key is not a valid RSA private key");
  }
  return key;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

/** The app's JWT: issued 30 s in the past (clock drift), valid 2 minutes, signed RS256. */
export function appJwt(app: Pick<GitHubApp, "appID" | "privateKey">, now: Date = new Date()): string {
  const iat = Math.floor(now.getTime() / 1000) - 30;
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const claims = b64url(JSON.stringify({ iss: String(app.appID), iat, exp: iat + 120 }));
  const signature = sign("sha256", Buffer.from(`${header}.${claims}`), rsaKey(app.privateKey));
  return `${header}.${claims}.${b64url(signature)}`;
}

/** An installation access token. */
export interface InstallationToken {
  token: string;
  /** When GitHub says the token expires. */
  expiresAt: Date;
}

/** Installation tokens by app, kept until 80% of their lifetime has passed; shared by all GitRepositories. */
export class GitHubTokenCache {
  readonly #items = new Map<string, { token: InstallationToken; until: number }>();
  readonly #max: number;

  constructor(maxEntries = 100) {
    this.#max = maxEntries;
  }

  /** The cached token for key, if it is still fresh at now. */
  get(key: string, now: number): InstallationToken | undefined {
    const item = this.#items.get(key);
    if (!item) return undefined;
    if (item.until <= now) {
      this.#items.delete(key);
      return undefined;
    }
    // Least recently used goes first when the cache is full.
    this.#items.delete(key);
    this.#items.set(key, item);
    return item.token;
  }

  /** Stores a token fetched at now. */
  set(key: string, token: InstallationToken, now: number): void {
    const life = Math.min(((token.expiresAt.getTime() - now) * 8) / 10, MAX_CACHE_MS);
    if (life <= 0) return;
    this.#items.delete(key);
    this.#items.set(key, { token, until: now + life });
    while (this.#items.size > this.#max) {
      const oldest = this.#items.keys().next().value;
      if (oldest === undefined) break;
      this.#items.delete(oldest);
    }
  }
}

/** The process-wide token cache. */
export const defaultGitHubTokenCache = new GitHubTokenCache();

/** The cache key of an app: every field that shapes its token, hashed. */
export function gitHubAppCacheKey(app: GitHubApp): string {
  const raw = [
    `${GitHubAppKey.AppID}=${app.appID}`,
    `${GitHubAppKey.InstallationOwner}=${app.installationOwner}`,
    `${GitHubAppKey.InstallationID}=${app.installationID}`,
    `${GitHubAppKey.BaseURL}=${app.baseURL}`,
    `${GitHubAppKey.PrivateKey}=${app.privateKey}`,
  ].join(",");
  return createHash("sha256").update(raw).digest("hex");
}

/** Options of gitHubAppToken(). */
export interface GitHubAppTokenOptions {
  /** PEM CAs (the Secret's ca.crt) and client certificate for the API, as Flux passes the Secret's TLS. */
  ca?: string;
  cert?: string;
  key?: string;
  proxy?: ProxyConfig;
  signal?: AbortSignal;
  cache?: GitHubTokenCache;
  now?: () => Date;
}

/** An installation token for the app: from the cache, or exchanged for a fresh JWT at the API. */
export async function gitHubAppToken(
  app: GitHubApp,
  opts: GitHubAppTokenOptions = {},
): Promise<InstallationToken> {
  const now = opts.now ?? (() => new Date());
  const cache = opts.cache ?? defaultGitHubTokenCache;
  const key = gitHubAppCacheKey(app);
  const cached = cache.get(key, now().getTime());
  if (cached) return cached;
  const api = new Api(app, appJwt(app, now()), opts);
  const id = app.installationID !== 0 ? app.installationID : await api.installationID(app.installationOwner);
  const body = await api.call("POST", `app/installations/${id}/access_tokens`, 201);
  const token = typeof body.token === "string" ? body.token : "";
  const expiresAt = new Date(typeof body.expires_at === "string" ? body.expires_at : Number.NaN);
  if (token === "" || Number.isNaN(expiresAt.getTime())) {
    throw new GitHubAppError("the GitHub API returned no installation token");
  }
  const fresh = { token, expiresAt };
  cache.set(key, fresh, now().getTime());
  return fresh;
}

// The few GitHub API calls the token exchange needs, with the JWT as bearer token.
class Api {
  readonly #base: URL;
  readonly #client: ReturnType<typeof createHttpClient>;

  constructor(app: GitHubApp, jwt: string, opts: GitHubAppTokenOptions) {
    this.#base = new URL(app.baseURL.endsWith("/") ? app.baseURL : `${app.baseURL}/`);
    this.#client = createHttpClient({
      authorization: `Bearer ${jwt}`,
      ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
      ...(opts.cert !== undefined && opts.key !== undefined ? { cert: opts.cert, key: opts.key } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.proxy ? { proxy: opts.proxy } : {}),
    });
  }

  // Looks the installation up by owner: as an organisation first, then as a user (Flux's order).
  async installationID(owner: string): Promise<number> {
    const errors: string[] = [];
    for (const [what, path] of [
      ["organization", `orgs/${encodeURIComponent(owner)}/installation`],
      ["user", `users/${encodeURIComponent(owner)}/installation`],
    ] as const) {
      try {
        const body = await this.call("GET", path, 200);
        if (typeof body.id === "number") return body.id;
        errors.push(`failed to find ${what} installation: no id in the answer`);
      } catch (err) {
        errors.push(`failed to find ${what} installation: ${(err as Error).message}`);
      }
    }
    throw new GitHubAppError(errors.join("\n"));
  }

  async call(method: string, path: string, expected: number): Promise<Record<string, unknown>> {
    const url = new URL(path, this.#base);
    const res = await this.#client.request({
      url: url.toString(),
      method,
      headers: { accept: "application/vnd.github.v3+json", "x-github-api-version": "2022-11-28" },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body ?? []) chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (res.statusCode !== expected) {
      const message =
        body && typeof body === "object" && "message" in body && typeof body.message === "string"
          ? ` ${body.message}`
          : "";
      throw new GitHubAppError(`${method} ${url}: ${res.statusCode}${message}`);
    }
    if (!body || typeof body !== "object") throw new GitHubAppError(`${method} ${url}: not a JSON object`);
    return body as Record<string, unknown>;
  }
}
