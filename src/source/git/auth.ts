// Auth options from a GitRepository's spec.secretRef, with Flux's key names:
// http(s): `username`/`password`, `bearerToken`, `ca.crt` (or the older `caFile`), `tls.crt`/`tls.key`;
// ssh: `identity` (+ optional `password` as its passphrase), `known_hosts`, optional `username`.
import { GitErrorCode, GitSourceError } from "./errors.ts";

/** Secret data, already base64-decoded by the caller. */
export type SecretData = Readonly<Record<string, string | Uint8Array>>;

/** Credentials and TLS material for http:// and https:// remotes. */
export interface HttpAuth {
  readonly kind: "http";
  readonly username?: string;
  readonly password?: string;
  readonly bearerToken?: string;
  /** PEM bundle of CAs to trust instead of the system store. */
  readonly ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  readonly cert?: string;
  readonly key?: string;
}

/** Key and host verification material for ssh:// remotes. */
export interface SshAuth {
  readonly kind: "ssh";
  readonly username: string;
  /** The PEM/OpenSSH private key. */
  readonly identity: string;
  readonly passphrase?: string;
  /** known_hosts content; the only source of trust (no trust on first use). */
  readonly knownHosts: string;
}

/** Auth for one remote. */
export type GitAuth = HttpAuth | SshAuth;

/** The transport a URL selects. */
export type TransportKind = "http" | "ssh";

/** The transport of a GitRepository URL, or an InvalidUrl error. */
export function transportOf(url: string): TransportKind {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new GitSourceError(GitErrorCode.InvalidUrl, `invalid git URL '${redactUrl(url)}'`, { cause: err });
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") return "http";
  if (parsed.protocol === "ssh:") return "ssh";
  throw new GitSourceError(
    GitErrorCode.InvalidUrl,
    `unsupported URL scheme '${parsed.protocol.replace(/:$/, "")}' in '${redactUrl(url)}'`,
  );
}

/** The URL with any password replaced, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

function text(data: SecretData | undefined, key: string): string | undefined {
  const value = data?.[key];
  if (value === undefined) return undefined;
  const s = typeof value === "string" ? value : Buffer.from(value).toString("utf8");
  return s === "" ? undefined : s;
}

/**
 * Builds the auth for url from the secret's data (undefined when there is no secretRef). Throws InvalidAuth
 * for combinations Flux rejects: a password without username, an incomplete client certificate pair, and an
 * ssh URL without `identity` or `known_hosts`.
 */
export function authFromSecret(url: string, data: SecretData | undefined): GitAuth {
  const kind = transportOf(url);
  if (kind === "ssh") {
    const identity = text(data, "identity");
    const knownHosts = text(data, "known_hosts");
    if (!identity)
      throw new GitSourceError(GitErrorCode.InvalidAuth, "ssh auth requires the secret key 'identity'");
    if (!knownHosts) {
      throw new GitSourceError(GitErrorCode.InvalidAuth, "ssh auth requires the secret key 'known_hosts'");
    }
    const urlUser = decodeURIComponent(new URL(url).username);
    const auth: { -readonly [K in keyof SshAuth]: SshAuth[K] } = {
      kind: "ssh",
      username: text(data, "username") ?? (urlUser || "git"),
      identity,
      knownHosts,
    };
    const passphrase = text(data, "password");
    if (passphrase !== undefined) auth.passphrase = passphrase;
    return auth;
  }
  const auth: { -readonly [K in keyof HttpAuth]: HttpAuth[K] } = { kind: "http" };
  const username = text(data, "username");
  const password = text(data, "password");
  if (password !== undefined && username === undefined) {
    throw new GitSourceError(
      GitErrorCode.InvalidAuth,
      "invalid auth: 'password' requires 'username' to be set",
    );
  }
  if (username !== undefined) auth.username = username;
  if (password !== undefined) auth.password = password;
  const bearerToken = text(data, "bearerToken");
  if (bearerToken !== undefined) auth.bearerToken = bearerToken;
  const ca = text(data, "ca.crt") ?? text(data, "caFile");
  if (ca !== undefined) auth.ca = ca;
  const cert = text(data, "tls.crt");
  const key = text(data, "tls.key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new GitSourceError(
      GitErrorCode.InvalidAuth,
      "invalid auth: 'tls.crt' and 'tls.key' must be set together",
    );
  }
  if (cert !== undefined && key !== undefined) {
    auth.cert = cert;
    auth.key = key;
  }
  return auth;
}

/**
 * The Authorization header for HTTP auth: basic when a username is set (as Flux, basic wins over a bearer
 * token), else bearer, else none.
 */
export function authorizationHeader(auth: HttpAuth): string | undefined {
  if (auth.username !== undefined) {
    return `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ""}`).toString("base64")}`;
  }
  if (auth.bearerToken !== undefined) return `Bearer ${auth.bearerToken}`;
  return undefined;
}
