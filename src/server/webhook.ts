// The webhook receiver: `POST /hook/<sha256(token + name + namespace)>`, the path Flux's Receiver derives,
// for every GitRepository annotated with `driftless.io/webhook-secret: <Secret name>` whose Secret holds a
// `token`. A request signed with that token (GitHub X-Hub-Signature-256, GitLab X-Gitlab-Token, or the
// generic X-Signature HMAC) sets reconcile.fluxcd.io/requestedAt on the GitRepository, which polls it at
// once. Anything else gets 401 or 404 and changes nothing. The token never leaves this module.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { GitRepositoryType } from "../api/gitrepository.ts";
import type { KubeClient } from "../kube/client.ts";
import { ApiError } from "../kube/errors.ts";
import type { ObjectKey, ResourceRef } from "../kube/object.ts";
import { type HttpListener, listen } from "./listen.ts";
import type { WebhookResult } from "./metrics.ts";

/** The annotation naming the Secret (same namespace, key `token`) of a GitRepository's webhook. */
export const WEBHOOK_SECRET_ANNOTATION = "driftless.io/webhook-secret";

/** Flux's annotation asking for an immediate reconcile. */
export const REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt";

const GIT_REPOSITORIES: ResourceRef = {
  group: GitRepositoryType.group,
  version: GitRepositoryType.version,
  plural: GitRepositoryType.plural,
};
const SECRETS: ResourceRef = { group: "", version: "v1", plural: "secrets" };

/** The hook path of a GitRepository: `/hook/` + hex sha256 of token, name and namespace concatenated. */
export function webhookPath(token: string, name: string, namespace: string): string {
  return `/hook/${createHash("sha256")
    .update(token + name + namespace)
    .digest("hex")}`;
}

/** How a request proved it knows the token, or why it did not. */
export type Verification =
  | { ok: true; scheme: "github" | "gitlab" | "generic-hmac" }
  | { ok: false; reason: string };

/**
 * Checks a request's signature against the token: GitHub's `X-Hub-Signature-256: sha256=<hmac hex>`,
 * GitLab's `X-Gitlab-Token: <token>`, or the generic `X-Signature: <sha1|sha256|sha512>=<hmac hex>` (Flux's
 * generic-hmac receiver). HMACs are over the raw body; comparisons take constant time.
 */
export function verifySignature(headers: IncomingHttpHeaders, body: Buffer, token: string): Verification {
  const github = header(headers, "x-hub-signature-256");
  if (github !== undefined) {
    const m = /^sha256=([0-9a-fA-F]{64})$/.exec(github);
    if (!m?.[1]) return { ok: false, reason: "malformed X-Hub-Signature-256" };
    return hmacMatches("sha256", token, body, m[1])
      ? { ok: true, scheme: "github" }
      : { ok: false, reason: "X-Hub-Signature-256 does not match" };
  }
  const gitlab = header(headers, "x-gitlab-token");
  if (gitlab !== undefined) {
    return constantTimeEqual(Buffer.from(gitlab), Buffer.from(token))
      ? { ok: true, scheme: "gitlab" }
      : { ok: false, reason: "X-Gitlab-Token does not match" };
  }
  const generic = header(headers, "x-signature");
  if (generic !== undefined) {
    const m = /^(sha1|sha256|sha512)=([0-9a-fA-F]+)$/.exec(generic);
    if (!m?.[1] || !m[2]) return { ok: false, reason: "malformed X-Signature" };
    return hmacMatches(m[1], token, body, m[2])
      ? { ok: true, scheme: "generic-hmac" }
      : { ok: false, reason: "X-Signature does not match" };
  }
  return { ok: false, reason: "no signature header" };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hmacMatches(algorithm: string, token: string, body: Buffer, hex: string): boolean {
  const expected = createHmac(algorithm, token).update(body).digest();
  return constantTimeEqual(Buffer.from(hex.toLowerCase(), "hex"), expected);
}

// Hashing first makes lengths equal, so that neither the length nor the content leaks through timing.
function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** What happened to one request (for logs: names only, never the token or the body). */
export interface WebhookEvent {
  result: WebhookResult;
  status: number;
  gitRepository?: ObjectKey;
  scheme?: string;
  reason?: string;
}

/** Options of the webhook receiver. */
export interface WebhookReceiverOptions {
  client: KubeClient;
  /** Only GitRepositories matching this selector have hooks (the controller's shard). */
  labelSelector?: string;
  /** Largest accepted body; default 5 MiB. */
  maxBodyBytes?: number;
  /** Least time between two rebuilds of the path index triggered by unknown paths; default 10 s. */
  minRefreshIntervalMs?: number;
  onEvent?: (event: WebhookEvent) => void;
  now?: () => Date;
}

interface HookTarget {
  namespace: string;
  name: string;
  secretName: string;
}

/** Maps hook paths to GitRepositories and turns signed requests into reconcile requests. */
export class WebhookReceiver {
  readonly #o: WebhookReceiverOptions;
  #index = new Map<string, HookTarget>();
  #lastRefresh = 0;
  #refreshing: Promise<void> | undefined;

  constructor(options: WebhookReceiverOptions) {
    this.#o = options;
  }

  /** Rebuilds the path index from the annotated GitRepositories and their Secrets. */
  async refresh(): Promise<void> {
    this.#refreshing ??= this.#rebuild().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** Handles one HTTP request. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    this.#handle(req, res).catch((err: unknown) => {
      this.#finish(res, { result: "error", status: 500, reason: errorText(err) });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (!/^\/hook\/[0-9a-f]{64}$/.test(path)) {
      return this.#finish(res, { result: "not_found", status: 404, reason: "not a hook path" });
    }
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      return this.#finish(res, { result: "bad_request", status: 405, reason: `method ${req.method}` });
    }
    const body = await readBody(req, this.#o.maxBodyBytes ?? 5 * 1024 * 1024);
    if (body === undefined) {
      return this.#finish(res, { result: "bad_request", status: 413, reason: "body too large" });
    }
    const target = await this.#lookup(path);
    if (!target) return this.#finish(res, { result: "not_found", status: 404, reason: "unknown hook" });
    const gitRepository = { namespace: target.namespace, name: target.name };
    // The Secret is read again: a rotated token changes the path, and the old path must stop working.
    const token = await this.#token(target);
    if (token === undefined || webhookPath(token, target.name, target.namespace) !== path) {
      this.#index.delete(path);
      return this.#finish(res, { result: "not_found", status: 404, reason: "unknown hook" });
    }
    const verified = verifySignature(req.headers, body, token);
    if (!verified.ok) {
      return this.#finish(res, {
        result: "unauthorized",
        status: 401,
        gitRepository,
        reason: verified.reason,
      });
    }
    const now = (this.#o.now ?? (() => new Date()))();
    await this.#o.client.patch(GIT_REPOSITORIES, gitRepository, {
      metadata: { annotations: { [REQUESTED_AT_ANNOTATION]: now.toISOString() } },
    });
    this.#finish(res, { result: "accepted", status: 200, gitRepository, scheme: verified.scheme });
  }

  async #lookup(path: string): Promise<HookTarget | undefined> {
    const known = this.#index.get(path);
    if (known) return known;
    const minInterval = this.#o.minRefreshIntervalMs ?? 10_000;
    if (Date.now() - this.#lastRefresh >= minInterval || this.#refreshing) await this.refresh();
    return this.#index.get(path);
  }

  async #rebuild(): Promise<void> {
    this.#lastRefresh = Date.now();
    const repos = await this.#o.client.listAll(GIT_REPOSITORIES, {
      ...(this.#o.labelSelector ? { labelSelector: this.#o.labelSelector } : {}),
    });
    const index = new Map<string, HookTarget>();
    for (const repo of repos.items) {
      const secretName = repo.metadata.annotations?.[WEBHOOK_SECRET_ANNOTATION];
      const namespace = repo.metadata.namespace ?? "";
      const name = repo.metadata.name ?? "";
      if (!secretName || !namespace || !name) continue;
      const target = { namespace, name, secretName };
      const token = await this.#token(target);
      if (token !== undefined) index.set(webhookPath(token, name, namespace), target);
    }
    this.#index = index;
  }

  async #token(target: HookTarget): Promise<string | undefined> {
    try {
      const secret = await this.#o.client.get(SECRETS, {
        namespace: target.namespace,
        name: target.secretName,
      });
      const data = (secret as { data?: Record<string, unknown> }).data;
      const encoded = data?.token;
      if (typeof encoded !== "string") return undefined;
      const token = Buffer.from(encoded, "base64").toString("utf8");
      return token === "" ? undefined : token;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  #finish(res: ServerResponse, event: WebhookEvent): void {
    this.#o.onEvent?.(event);
    if (res.headersSent) return;
    const text =
      event.status === 200 ? "accepted" : event.status === 401 ? "unauthorized" : String(event.status);
    res.writeHead(event.status, { "Content-Type": "text/plain" }).end(`${text}\n`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Reads the body up to `limit` bytes; undefined when it is larger (the rest is drained, not kept).
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(buf);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

/** Serves the receiver on "host:port". */
export async function startWebhookServer(addr: string, receiver: WebhookReceiver): Promise<HttpListener> {
  return listen(addr, (req, res) => receiver.handle(req, res));
}
