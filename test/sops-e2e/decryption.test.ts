// SOPS decryption end to end: Secrets encrypted by the real `sops` (age) in a Git repository, Kustomizations
// with spec.decryption, driftless's controllers running in this process against the test bed.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitRepositoryController } from "../../src/controller/gitrepository/setup.ts";
import { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import { createKustomizationController } from "../../src/controller/kustomization/setup.ts";
import { EventRecorder } from "../../src/controller/runtime/events.ts";
import { KubeClient } from "../../src/kube/client.ts";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, createRepo, repoUrl } from "../harness/git/index.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import { TESTDATA } from "../sops/fixtures.ts";

const AGE_KEY = readFileSync(join(TESTDATA, "keys", "age.agekey"), "utf8");
const RECIPIENT = /^# public key: (age1\S+)$/m.exec(AGE_KEY)?.[1] ?? "";
// Plaintext values: none of them may show up in status, events or logs.
const PASSWORD_1 = `first-${randomBytes(6).toString("hex")}`;
const PASSWORD_2 = `rotated-${randomBytes(6).toString("hex")}`;
const API_TOKEN = `token-${randomBytes(6).toString("hex")}`;

const work = mkdtempSync(join(tmpdir(), "driftless-sops-e2e-"));

/** Encrypts a file with the real sops for the fixture age key (as a user would before committing). */
function sopsEncrypt(name: string, plain: string, ...flags: string[]): string {
  const file = join(work, name);
  writeFileSync(file, plain);
  const sops = join(testEnv().binDir, "sops");
  return execFileSync(sops, ["encrypt", "--age", RECIPIENT, ...flags, file], { cwd: work, encoding: "utf8" });
}

function secretYaml(password: string): string {
  return sopsEncrypt(
    "db.yaml",
    [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: db",
      "type: Opaque",
      "stringData:",
      `  password: ${password}`,
      "  user: app",
      "",
    ].join("\n"),
    "--encrypted-regex",
    "^(data|stringData)$",
  );
}

/** Alters one encrypted value's ciphertext, as an attacker editing the file in Git would. */
function tamper(encrypted: string): string {
  const m = /password: ENC\[AES256_GCM,data:/.exec(encrypted);
  if (!m) throw new Error("no encrypted password in the file");
  const at = m.index + m[0].length;
  return encrypted.slice(0, at) + (encrypted[at] === "A" ? "B" : "A") + encrypted.slice(at + 1);
}

const KUSTOMIZATION_FILE = [
  "resources: [db.yaml]",
  "secretGenerator:",
  "  - name: api",
  "    envs: [api.env]",
  "    options: {disableNameSuffixHash: true}",
  "",
].join("\n");

async function apply(yaml: string): Promise<void> {
  const r = await kubectl(["apply", "-f", "-"], yaml);
  expect(r.code, r.stderr).toBe(0);
}

function kustomizationYaml(ns: string, name: string, target: string, decryption: string): string {
  return [
    "apiVersion: kustomize.toolkit.fluxcd.io/v1",
    "kind: Kustomization",
    `metadata: {name: ${name}, namespace: ${ns}}`,
    "spec:",
    "  interval: 10m",
    "  path: ./secrets",
    "  prune: true",
    `  targetNamespace: ${target}`,
    "  sourceRef: {kind: GitRepository, name: repo}",
    ...(decryption ? [`  decryption: ${decryption}`] : []),
    "",
  ].join("\n");
}

async function readyCondition(
  ns: string,
  name: string,
): Promise<{ status: string; reason: string; message: string }> {
  const raw = await jsonpath([`kustomization/${name}`, "-n", ns], '{.status.conditions[?(@.type=="Ready")]}');
  const c = JSON.parse(raw || "{}") as { status?: string; reason?: string; message?: string };
  return { status: c.status ?? "", reason: c.reason ?? "", message: c.message ?? "" };
}

async function secretValue(ns: string, name: string, key: string): Promise<string | undefined> {
  const v = await jsonpath([`secret/${name}`, "-n", ns], `{.data.${key}}`);
  return v ? Buffer.from(v, "base64").toString("utf8") : undefined;
}

describe("SOPS-encrypted Secrets from Git", () => {
  let ns = "";
  let withRef = "";
  let withFallback = "";
  let without = "";
  let repo = "";
  const logs: string[] = [];
  let stop: () => Promise<void> = async () => {};

  async function requestSourceReconcile(): Promise<void> {
    const r = await kubectl([
      "annotate",
      "--overwrite",
      "gitrepository/repo",
      "-n",
      ns,
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
  }

  beforeAll(async () => {
    expect(RECIPIENT).toMatch(/^age1/);
    ns = await createNamespace("sops-e2e");
    withRef = await createNamespace("sops-ref");
    withFallback = await createNamespace("sops-fallback");
    without = await createNamespace("sops-none");
    // The Kustomization's own key Secret, and the controller-wide one (--sops-age-secret).
    for (const name of ["sops-keys", "global-age"]) {
      const r = await kubectl([
        "create",
        "secret",
        "generic",
        name,
        "-n",
        ns,
        `--from-literal=age.agekey=${AGE_KEY}`,
      ]);
      expect(r.code, r.stderr).toBe(0);
    }

    repo = `sops-${randomBytes(3).toString("hex")}`;
    await createRepo(testEnv().git, repo);
    await commitFiles(
      testEnv().git,
      repo,
      {
        "secrets/kustomization.yaml": KUSTOMIZATION_FILE,
        "secrets/db.yaml": secretYaml(PASSWORD_1),
        "secrets/api.env": sopsEncrypt("api.env", `API_TOKEN=${API_TOKEN}\nREGION=eu\n`),
      },
      { message: "encrypted secrets", branch: "main" },
    );

    const client = KubeClient.fromFile(testEnv().kubeconfig);
    const log = pino({ level: "debug" }, { write: (line: string) => void logs.push(line) });
    const events = new EventRecorder({ client, reportingInstance: "sops-e2e" });
    const registry = new ArtifactRegistry();
    const sources = createGitRepositoryController({
      client,
      log,
      events,
      registry,
      storageDir: join(work, "storage"),
      concurrency: 2,
    });
    const kustomizations = createKustomizationController({
      client,
      log,
      events,
      registry,
      concurrency: 4,
      sopsAgeSecret: { namespace: ns, name: "global-age" },
    });
    await sources.start();
    await kustomizations.start();
    stop = async () => {
      await kustomizations.stop();
      await sources.stop();
    };

    await apply(
      [
        "apiVersion: source.toolkit.fluxcd.io/v1",
        "kind: GitRepository",
        `metadata: {name: repo, namespace: ${ns}}`,
        "spec:",
        "  interval: 10m",
        `  url: ${repoUrl(testEnv().git, "http-anon", repo)}`,
        "  ref: {branch: main}",
        "",
      ].join("\n"),
    );
    await apply(kustomizationYaml(ns, "with-ref", withRef, "{provider: sops, secretRef: {name: sops-keys}}"));
    await apply(kustomizationYaml(ns, "with-fallback", withFallback, "{provider: sops}"));
    await apply(kustomizationYaml(ns, "without", without, ""));
  });

  afterAll(async () => {
    for (const k of ["with-ref", "with-fallback", "without"]) {
      await kubectl(["delete", `kustomization/${k}`, "-n", ns, "--wait=false"]);
    }
    await stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("applies the Secrets decrypted: a whole encrypted Secret and a secretGenerator's encrypted env file", async () => {
    await eventually(
      async () => ((await readyCondition(ns, "with-ref")).status === "True" ? true : undefined),
      90_000,
      "with-ref Ready",
    );
    expect(await secretValue(withRef, "db", "password")).toBe(PASSWORD_1);
    expect(await secretValue(withRef, "db", "user")).toBe("app");
    expect(await secretValue(withRef, "api", "API_TOKEN")).toBe(API_TOKEN);
    expect(await secretValue(withRef, "api", "REGION")).toBe("eu");
    const keys = await jsonpath(["secret/db", "-n", withRef], "{.data}");
    expect(Object.keys(JSON.parse(keys ?? "{}")).sort()).toEqual(["password", "user"]);
  });

  it("decrypts with the controller-wide --sops-age-secret when spec.decryption has no secretRef", async () => {
    await eventually(
      async () => ((await readyCondition(ns, "with-fallback")).status === "True" ? true : undefined),
      90_000,
      "with-fallback Ready",
    );
    expect(await secretValue(withFallback, "db", "password")).toBe(PASSWORD_1);
  });

  it("refuses to apply an encrypted Secret when the Kustomization has no decryption", async () => {
    const c = await eventually(
      async () => {
        const c = await readyCondition(ns, "without");
        return c.status === "False" && c.reason === "BuildFailed" ? c : undefined;
      },
      90_000,
      "without BuildFailed",
    );
    expect(c.message).toContain("Secret/");
    expect(c.message).toContain("/db is SOPS-encrypted");
    expect(await jsonpath(["secret/db", "-n", without], "{.metadata.name}")).toBeUndefined();
  });

  it("updates the Secret when a value is rotated in Git", async () => {
    const commit = await commitFiles(
      testEnv().git,
      repo,
      { "secrets/db.yaml": secretYaml(PASSWORD_2) },
      { message: "rotate the db password" },
    );
    await requestSourceReconcile();
    await eventually(
      async () => ((await secretValue(withRef, "db", "password")) === PASSWORD_2 ? true : undefined),
      90_000,
      "rotated password applied",
    );
    await eventually(
      async () => {
        const rev = await jsonpath([`kustomization/with-ref`, "-n", ns], "{.status.lastAppliedRevision}");
        return rev === `main@sha1:${commit.sha}` ? rev : undefined;
      },
      60_000,
      "lastAppliedRevision",
    );
  });

  it("rejects a tampered file with Ready=False, BuildFailed and MAC mismatch naming the file, applying nothing", async () => {
    const current = secretYaml(PASSWORD_2);
    await commitFiles(
      testEnv().git,
      repo,
      {
        "secrets/db.yaml": tamper(current),
        // Added in the same commit: must not be applied either.
        "secrets/kustomization.yaml": KUSTOMIZATION_FILE.replace("[db.yaml]", "[db.yaml, marker.yaml]"),
        "secrets/marker.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: marker}\ndata: {a: b}\n",
      },
      { message: "tampered" },
    );
    await requestSourceReconcile();
    const c = await eventually(
      async () => {
        const c = await readyCondition(ns, "with-ref");
        return c.status === "False" && c.message.includes("MAC mismatch") ? c : undefined;
      },
      90_000,
      "with-ref fails with MAC mismatch",
    );
    expect(c.reason).toBe("BuildFailed");
    expect(c.message).toContain("secrets/db.yaml");
    expect(await jsonpath(["configmap/marker", "-n", withRef], "{.metadata.name}")).toBeUndefined();
    expect(await secretValue(withRef, "db", "password")).toBe(PASSWORD_2);
  });

  it("never puts a decrypted value in status, events or logs", async () => {
    const statuses = await kubectl(["get", "kustomizations", "-n", ns, "-o", "json"]);
    const events = await kubectl(["get", "events", "-A", "-o", "json"]);
    const log = logs.join("");
    for (const secret of [PASSWORD_1, PASSWORD_2, API_TOKEN]) {
      expect(statuses.stdout).not.toContain(secret);
      expect(events.stdout).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    expect(log).toContain("MAC mismatch");
  });
});
