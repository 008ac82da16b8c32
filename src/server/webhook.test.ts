import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySignature, webhookPath } from "./webhook.ts";

const token = "s3cr3t-token";
const body = Buffer.from('{"ref":"refs/heads/main"}');
const hmac = (alg: string, key = token): string => createHmac(alg, key).update(body).digest("hex");

describe("webhookPath", () => {
  it("is /hook/ and the hex sha256 of token, name and namespace, as Flux's Receiver", () => {
    const digest = createHash("sha256").update(`${token}podinfoflux-system`).digest("hex");
    expect(webhookPath(token, "podinfo", "flux-system")).toBe(`/hook/${digest}`);
    expect(webhookPath(token, "podinfo", "other")).not.toBe(webhookPath(token, "podinfo", "flux-system"));
  });
});

describe("verifySignature", () => {
  it.each([
    ["GitHub sha256 HMAC", { "x-hub-signature-256": `sha256=${hmac("sha256")}` }, "github"],
    [
      "GitHub HMAC in upper-case hex",
      { "x-hub-signature-256": `sha256=${hmac("sha256").toUpperCase()}` },
      "github",
    ],
    ["GitLab token", { "x-gitlab-token": token }, "gitlab"],
    ["generic sha1 HMAC", { "x-signature": `sha1=${hmac("sha1")}` }, "generic-hmac"],
    ["generic sha256 HMAC", { "x-signature": `sha256=${hmac("sha256")}` }, "generic-hmac"],
    ["generic sha512 HMAC", { "x-signature": `sha512=${hmac("sha512")}` }, "generic-hmac"],
  ])("accepts a %s", (_name, headers, scheme) => {
    expect(verifySignature(headers, body, token)).toEqual({ ok: true, scheme });
  });

  it.each([
    ["no signature header", {}],
    ["a GitHub HMAC with another key", { "x-hub-signature-256": `sha256=${hmac("sha256", "other")}` }],
    [
      "a GitHub HMAC of another body",
      { "x-hub-signature-256": `sha256=${createHmac("sha256", token).update("x").digest("hex")}` },
    ],
    ["a GitHub sha1 prefix", { "x-hub-signature-256": `sha1=${hmac("sha1")}` }],
    ["a truncated GitHub HMAC", { "x-hub-signature-256": `sha256=${hmac("sha256").slice(0, 40)}` }],
    ["a wrong GitLab token", { "x-gitlab-token": "s3cr3t-toke" }],
    ["a GitLab token with a suffix", { "x-gitlab-token": `${token}x` }],
    ["a generic HMAC with an unknown algorithm", { "x-signature": `md5=${hmac("md5")}` }],
    ["a generic HMAC with another key", { "x-signature": `sha256=${hmac("sha256", "other")}` }],
  ])("refuses %s", (_name, headers) => {
    expect(verifySignature(headers, body, token).ok).toBe(false);
  });
});
