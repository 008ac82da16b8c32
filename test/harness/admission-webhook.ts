// A validating admission webhook served by the test process: HTTPS on 127.0.0.1 with a certificate from
// a throw-away CA (made with the openssl CLI, as the control plane's), answering AdmissionReviews with a
// decision function the test controls. It can be stopped and started again on the same port, to test a
// webhook that cannot be reached.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";

/** What the webhook is asked about (the parts of an AdmissionRequest tests decide on). */
export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: string;
  readonly kind: { group: string; version: string; kind: string };
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly dryRun: boolean;
  readonly object: unknown;
}

/** The webhook's answer: allowed, or denied with a message. */
export type AdmissionDecision = { allowed: true } | { allowed: false; message: string };

const ReviewSchema = z.looseObject({
  request: z.looseObject({
    uid: z.string(),
    operation: z.string().optional(),
    kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string() }),
    namespace: z.string().optional(),
    name: z.string().optional(),
    dryRun: z.boolean().optional(),
    object: z.unknown().optional(),
  }),
});

/** A running (or stopped) admission webhook server. */
export class AdmissionWebhook {
  /** Decides every request; allows everything until the test sets it. */
  decide: (request: AdmissionRequest) => AdmissionDecision = () => ({ allowed: true });
  /** Every request received, oldest first. */
  readonly requests: AdmissionRequest[] = [];
  /** The CA that signed the serving certificate, base64 PEM, for `clientConfig.caBundle`. */
  readonly caBundle: string;
  readonly #dir: string;
  readonly #tls: { cert: Buffer; key: Buffer };
  #server: Server | undefined;
  #port = 0;

  private constructor(dir: string) {
    this.#dir = dir;
    this.caBundle = readFileSync(join(dir, "ca.crt")).toString("base64");
    this.#tls = { cert: readFileSync(join(dir, "tls.crt")), key: readFileSync(join(dir, "tls.key")) };
  }

  /** Generates certificates and starts serving on a free port of 127.0.0.1. */
  static async start(): Promise<AdmissionWebhook> {
    const dir = mkdtempSync(join(tmpdir(), "driftless-webhook-"));
    generateCerts(dir);
    const webhook = new AdmissionWebhook(dir);
    await webhook.#listen(0);
    return webhook;
  }

  /** The port it listens on (kept while stopped). */
  get port(): number {
    return this.#port;
  }

  /** The URL to put in `clientConfig.url`. */
  get url(): string {
    return `https://127.0.0.1:${this.#port}/validate`;
  }

  /** Stops listening (connections refused) without forgetting the port. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async restart(): Promise<void> {
    if (!this.#server) await this.#listen(this.#port);
  }

  /** Stops and removes the certificates. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #listen(port: number): Promise<void> {
    const server = createServer(this.#tls, (req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => {
        body += chunk;
      });
      req.on("end", () => {
        try {
          const answer = this.#review(body);
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(answer);
        } catch (err) {
          res.writeHead(400, { "Content-Type": "text/plain" });
          res.end(String(err));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    const addr = server.address();
    this.#port = typeof addr === "object" && addr !== null ? addr.port : port;
  }

  #review(body: string): string {
    const review = ReviewSchema.parse(JSON.parse(body));
    const r = review.request;
    const request: AdmissionRequest = {
      uid: r.uid,
      operation: r.operation ?? "",
      kind: r.kind,
      namespace: r.namespace,
      name: r.name,
      dryRun: r.dryRun ?? false,
      object: r.object,
    };
    this.requests.push(request);
    const decision = this.decide(request);
    return JSON.stringify({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: r.uid,
        allowed: decision.allowed,
        ...(decision.allowed
          ? {}
          : { status: { code: 403, reason: "Forbidden", message: decision.message } }),
      },
    });
  }
}

function openssl(args: readonly string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

// A CA and a serving certificate for 127.0.0.1 signed by it.
function generateCerts(dir: string): void {
  const f = (name: string): string => join(dir, name);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("ca.key")]);
  openssl([
    "req",
    "-x509",
    "-new",
    "-key",
    f("ca.key"),
    "-subj",
    "/CN=driftless-test-webhook-ca",
    "-days",
    "2",
    "-sha256",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-out",
    f("ca.crt"),
  ]);
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("tls.key")]);
  openssl(["req", "-new", "-key", f("tls.key"), "-subj", "/CN=127.0.0.1", "-out", f("tls.csr")]);
  writeFileSync(
    f("tls.ext"),
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "subjectAltName=IP:127.0.0.1",
      "",
    ].join("\n"),
  );
  openssl([
    "x509",
    "-req",
    "-in",
    f("tls.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-sha256",
    "-extfile",
    f("tls.ext"),
    "-out",
    f("tls.crt"),
  ]);
}
