import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KubeClient } from "../kube/client.ts";
import { ApiError } from "../kube/errors.ts";
import {
  REQUESTED_AT_ANNOTATION,
  startWebhookServer,
  verifySignature,
  WEBHOOK_SECRET_ANNOTATION,
  type WebhookEvent,
  WebhookReceiver,
  webhookPath,
} from "./webhook.ts";

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

describe("WebhookReceiver", () => {
  // A stand-in for the API: one annotated GitRepository, its Secret, and the patches sent.
  function fakeApi(initialToken: string) {
    const state = { token: initialToken, patches: [] as unknown[], lists: 0 };
    const client = {
      listAll: async () => {
        state.lists++;
        return {
          resourceVersion: "1",
          items: [
            {
              apiVersion: "source.toolkit.fluxcd.io/v1",
              kind: "GitRepository",
              metadata: {
                name: "app",
                namespace: "ns",
                annotations: { [WEBHOOK_SECRET_ANNOTATION]: "hook" },
              },
            },
            {
              apiVersion: "source.toolkit.fluxcd.io/v1",
              kind: "GitRepository",
              metadata: { name: "plain", namespace: "ns" },
            },
          ],
        };
      },
      get: async (_r: unknown, key: { name: string }) => {
        if (key.name !== "hook")
          throw new ApiError({ status: 404, reason: "NotFound", message: "gone", request: "GET" });
        return {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "hook" },
          data: { token: Buffer.from(state.token).toString("base64") },
        };
      },
      patch: async (_r: unknown, key: unknown, patch: unknown) => {
        state.patches.push({ key, patch });
        return {};
      },
    };
    return { state, client: client as unknown as KubeClient };
  }

  async function serve(client: KubeClient, events: WebhookEvent[]) {
    const receiver = new WebhookReceiver({
      client,
      minRefreshIntervalMs: 0,
      onEvent: (e) => events.push(e),
      now: () => new Date("2026-01-02T03:04:05.000Z"),
    });
    return startWebhookServer("127.0.0.1:0", receiver);
  }

  const post = (port: number, path: string, headers: Record<string, string>) =>
    fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, body });

  it("annotates the GitRepository on a good signature and nothing on a bad one", async () => {
    const { state, client } = fakeApi(token);
    const events: WebhookEvent[] = [];
    const server = await serve(client, events);
    try {
      const path = webhookPath(token, "app", "ns");
      expect(
        (await post(server.port, path, { "X-Hub-Signature-256": `sha256=${hmac("sha256", "x")}` })).status,
      ).toBe(401);
      expect(state.patches).toEqual([]);
      expect(
        (await post(server.port, path, { "X-Hub-Signature-256": `sha256=${hmac("sha256")}` })).status,
      ).toBe(200);
      expect(state.patches).toEqual([
        {
          key: { namespace: "ns", name: "app" },
          patch: { metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: "2026-01-02T03:04:05.000Z" } } },
        },
      ]);
      expect(events.map((e) => [e.result, e.status])).toEqual([
        ["unauthorized", 401],
        ["accepted", 200],
      ]);
      const get = await fetch(`http://127.0.0.1:${server.port}${path}`);
      expect(get.status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it("stops answering the old path once the token is rotated, and answers the new one", async () => {
    const { state, client } = fakeApi(token);
    const server = await serve(client, []);
    try {
      const oldPath = webhookPath(token, "app", "ns");
      expect((await post(server.port, oldPath, { "X-Gitlab-Token": token })).status).toBe(200);
      state.token = "rotated-token";
      expect((await post(server.port, oldPath, { "X-Gitlab-Token": token })).status).toBe(404);
      const newPath = webhookPath("rotated-token", "app", "ns");
      expect((await post(server.port, newPath, { "X-Gitlab-Token": "rotated-token" })).status).toBe(200);
      expect(state.patches).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it("answers 404 to paths no GitRepository has, and does not rebuild its index more often than asked", async () => {
    const { state, client } = fakeApi(token);
    const receiver = new WebhookReceiver({ client, minRefreshIntervalMs: 60_000 });
    const server = await startWebhookServer("127.0.0.1:0", receiver);
    try {
      const unknown = `/hook/${"0".repeat(64)}`;
      for (let i = 0; i < 3; i++) expect((await post(server.port, unknown, {})).status).toBe(404);
      expect(state.lists).toBe(1);
      expect((await post(server.port, "/other", {})).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
