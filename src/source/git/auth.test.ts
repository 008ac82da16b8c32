import { describe, expect, it } from "vitest";
import { authFromSecret, authorizationHeader, redactUrl, transportOf } from "./auth.ts";
import { GitErrorCode, GitSourceError } from "./errors.ts";

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof GitSourceError ? err.code : "other";
  }
}

describe("transportOf", () => {
  it.each([
    ["https://example.com/repo.git", "http"],
    ["http://example.com/repo", "http"],
    ["ssh://git@example.com:2222/org/repo.git", "ssh"],
  ])("%s is %s", (url, kind) => {
    expect(transportOf(url)).toBe(kind);
  });

  it("rejects other schemes and garbage", () => {
    expect(code(() => transportOf("git@example.com:org/repo.git"))).toBe(GitErrorCode.InvalidUrl);
    expect(code(() => transportOf("ftp://example.com/repo"))).toBe(GitErrorCode.InvalidUrl);
  });
});

describe("authFromSecret", () => {
  it("takes basic auth, CA and client certificate for https", () => {
    const auth = authFromSecret("https://h/r", {
      username: "u",
      password: new TextEncoder().encode("p"),
      "ca.crt": "CA",
      "tls.crt": "CERT",
      "tls.key": "KEY",
    });
    expect(auth).toEqual({ kind: "http", username: "u", password: "p", ca: "CA", cert: "CERT", key: "KEY" });
    expect(auth.kind === "http" && authorizationHeader(auth)).toBe(
      `Basic ${Buffer.from("u:p").toString("base64")}`,
    );
  });

  it("accepts the older caFile key and a bearer token", () => {
    const auth = authFromSecret("https://h/r", { caFile: "CA", bearerToken: "t" });
    expect(auth).toEqual({ kind: "http", ca: "CA", bearerToken: "t" });
    expect(auth.kind === "http" && authorizationHeader(auth)).toBe("Bearer t");
  });

  it("prefers basic auth over a bearer token, as Flux", () => {
    const auth = authFromSecret("https://h/r", { username: "u", password: "p", bearerToken: "t" });
    expect(auth.kind === "http" && authorizationHeader(auth)?.startsWith("Basic ")).toBe(true);
  });

  it("is anonymous without a secret", () => {
    const auth = authFromSecret("http://h/r", undefined);
    expect(auth.kind === "http" && authorizationHeader(auth)).toBeUndefined();
  });

  it.each([
    ["a password without username", "https://h/r", { password: "p" }],
    ["a certificate without key", "https://h/r", { "tls.crt": "C" }],
    ["ssh without identity", "ssh://git@h/r", { known_hosts: "h ssh-ed25519 AAAA" }],
    ["ssh without known_hosts", "ssh://git@h/r", { identity: "KEY" }],
  ])("rejects %s", (_name, url, data) => {
    expect(code(() => authFromSecret(url, data))).toBe(GitErrorCode.InvalidAuth);
  });

  it("takes identity, passphrase and known_hosts for ssh, the user from the URL", () => {
    expect(authFromSecret("ssh://deploy@h/r", { identity: "K", password: "pw", known_hosts: "KH" })).toEqual({
      kind: "ssh",
      username: "deploy",
      identity: "K",
      passphrase: "pw",
      knownHosts: "KH",
    });
    expect(authFromSecret("ssh://h/r", { identity: "K", known_hosts: "KH" })).toMatchObject({
      username: "git",
    });
  });
});

it("redacts passwords in URLs", () => {
  expect(redactUrl("https://u:secret@h/r")).toBe("https://u:***@h/r");
});
