import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hostKeyAlgorithms, hostsFieldMatches, knownKeysFor, verifyHostKey } from "./known-hosts.ts";

const keyA = Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAIOfakekeyAfakekeyAfakekeyAfakekeyAfakekeyA", "base64");
const keyB = Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAIOfakekeyBfakekeyBfakekeyBfakekeyBfakekeyB", "base64");
const a = keyA.toString("base64");
const b = keyB.toString("base64");

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac("sha1", salt).update(name).digest();
  return `|1|${salt.toString("base64")}|${hash.toString("base64")}`;
}

describe("verifyHostKey", () => {
  const cases: {
    name: string;
    knownHosts: string;
    host: string;
    port: number;
    key: Buffer;
    verdict: string;
  }[] = [
    {
      name: "plain host on port 22",
      knownHosts: `example.com ssh-ed25519 ${a}`,
      host: "example.com",
      port: 22,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "[host]:port form",
      knownHosts: `[127.0.0.1]:2222 ssh-ed25519 ${a}`,
      host: "127.0.0.1",
      port: 2222,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "a bare host entry does not cover another port",
      knownHosts: `127.0.0.1 ssh-ed25519 ${a}`,
      host: "127.0.0.1",
      port: 2222,
      key: keyA,
      verdict: "unknown-host",
    },
    {
      name: "hashed entry",
      knownHosts: `${hashed("[git.example]:2222")} ssh-ed25519 ${a}`,
      host: "git.example",
      port: 2222,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "hashed entry of another host",
      knownHosts: `${hashed("other")} ssh-ed25519 ${a}`,
      host: "git.example",
      port: 22,
      key: keyA,
      verdict: "unknown-host",
    },
    {
      name: "changed key",
      knownHosts: `example.com ssh-ed25519 ${a}`,
      host: "example.com",
      port: 22,
      key: keyB,
      verdict: "mismatch",
    },
    {
      name: "one of several keys",
      knownHosts: `example.com ssh-ed25519 ${b}\nexample.com ssh-ed25519 ${a}`,
      host: "example.com",
      port: 22,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "wildcard and list",
      knownHosts: `foo,*.example.com ssh-ed25519 ${a}`,
      host: "git.example.com",
      port: 22,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "negation excludes",
      knownHosts: `*.example.com,!bad.example.com ssh-ed25519 ${a}`,
      host: "bad.example.com",
      port: 22,
      key: keyA,
      verdict: "unknown-host",
    },
    {
      name: "revoked key",
      knownHosts: `@revoked * ssh-ed25519 ${a}\nexample.com ssh-ed25519 ${a}`,
      host: "example.com",
      port: 22,
      key: keyA,
      verdict: "revoked",
    },
    {
      name: "comments and blank lines",
      knownHosts: `# comment\n\nexample.com ssh-ed25519 ${a} user@host\n`,
      host: "example.com",
      port: 22,
      key: keyA,
      verdict: "trusted",
    },
    {
      name: "cert-authority lines are not host keys",
      knownHosts: `@cert-authority example.com ssh-ed25519 ${a}`,
      host: "example.com",
      port: 22,
      key: keyA,
      verdict: "unknown-host",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(verifyHostKey(c.knownHosts, c.host, c.port, c.key)).toBe(c.verdict);
    });
  }
});

describe("known keys", () => {
  it("lists the key types for the host and maps them to ssh2 algorithms", () => {
    const kh = `[h]:2222 ssh-rsa ${a}\n[h]:2222 ssh-ed25519 ${b}\nother ecdsa-sha2-nistp256 ${a}`;
    const keys = knownKeysFor(kh, "h", 2222);
    expect(keys.map((k) => k.type)).toEqual(["ssh-rsa", "ssh-ed25519"]);
    expect(hostKeyAlgorithms(keys)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
  });

  it("matches host names case-insensitively", () => {
    expect(hostsFieldMatches("GitHub.com", "github.com")).toBe(true);
  });
});
