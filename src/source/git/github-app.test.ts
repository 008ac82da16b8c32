import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  appJwt,
  GitHubAppError,
  GitHubTokenCache,
  gitHubAppFromSecret,
  hasGitHubAppData,
} from "./github-app.ts";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();

describe("gitHubAppFromSecret", () => {
  const base = { githubAppID: "42", githubAppInstallationID: "7", githubAppPrivateKey: pem };

  it("reads the app with the default API URL", () => {
    expect(gitHubAppFromSecret(base)).toMatchObject({
      appID: 42,
      installationID: 7,
      installationOwner: "",
      baseURL: "https://api.github.com/",
    });
    expect(hasGitHubAppData(base)).toBe(true);
    expect(hasGitHubAppData({ username: "u" })).toBe(false);
  });

  it.each([
    ["no app ID", { ...base, githubAppID: "" }, "app ID must be provided"],
    ["an app ID that is no number", { ...base, githubAppID: "x1" }, "app ID must be provided"],
    [
      "neither installation ID nor owner",
      { ...base, githubAppInstallationID: "" },
      "owner or ID must be provided",
    ],
    ["both installation ID and owner", { ...base, githubAppInstallationOwner: "org" }, "only one of"],
    ["no private key", { ...base, githubAppPrivateKey: "" }, "private key must be provided"],
  ])("refuses %s", (_name, data, message) => {
    expect(() => gitHubAppFromSecret(data)).toThrow(GitHubAppError);
    expect(() => gitHubAppFromSecret(data)).toThrow(message);
  });
});

describe("appJwt", () => {
  it("signs RS256 claims issued by the app 30 s in the past, valid for 2 minutes", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const jwt = appJwt({ appID: 42, privateKey: pem }, now);
    const [h, c, s] = jwt.split(".") as [string, string, string];
    expect(JSON.parse(Buffer.from(h, "base64url").toString())).toEqual({ alg: "RS256", typ: "JWT" });
    const claims = JSON.parse(Buffer.from(c, "base64url").toString());
    const t = now.getTime() / 1000;
    expect(claims).toEqual({ iss: "42", iat: t - 30, exp: t + 90 });
    expect(verify("sha256", Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, "base64url"))).toBe(true);
  });

  it("refuses a key that is not RSA", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    expect(() => appJwt({ appID: 1, privateKey: ec.toString() })).toThrow("could not parse private key");
    expect(() => appJwt({ appID: 1, privateKey: "junk" })).toThrow("could not parse private key");
  });
});

describe("GitHubTokenCache", () => {
  it("keeps a token until 80% of its lifetime has passed", () => {
    const cache = new GitHubTokenCache();
    const token = { token: "t", expiresAt: new Date(1_000_000 + 100_000) };
    cache.set("k", token, 1_000_000);
    expect(cache.get("k", 1_000_000 + 79_999)).toBe(token);
    expect(cache.get("k", 1_000_000 + 80_000)).toBeUndefined();
  });

  it("caps the time a token is kept at one hour", () => {
    const cache = new GitHubTokenCache();
    cache.set("k", { token: "t", expiresAt: new Date(10 * 3_600_000) }, 0);
    expect(cache.get("k", 3_600_000 - 1)).toBeDefined();
    expect(cache.get("k", 3_600_000)).toBeUndefined();
  });

  it("drops the least recently used token when full", () => {
    const cache = new GitHubTokenCache(2);
    const t = { token: "t", expiresAt: new Date(1_000_000) };
    cache.set("a", t, 0);
    cache.set("b", t, 0);
    cache.get("a", 0);
    cache.set("c", t, 0);
    expect(cache.get("b", 0)).toBeUndefined();
    expect(cache.get("a", 0)).toBe(t);
  });
});
