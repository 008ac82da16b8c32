// `driftless diff --kustomization` with SOPS: the directory is decrypted with the Kustomization's keys as the
// controller does, so an unchanged encrypted Secret shows no diff, a changed value shows as a masked change,
// and no plaintext reaches stdout or stderr; a key that cannot be read is an error (exit 2).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import {
  applyManifest,
  type Bed,
  kustomization,
  startBed,
  waitForRevision,
} from "../kustomization/support.ts";
import { TESTDATA } from "../sops/fixtures.ts";
import { type CliResult, driftless } from "./support.ts";

const AGE_KEY = readFileSync(join(TESTDATA, "keys", "age.agekey"), "utf8");
const RECIPIENT = /^# public key: (age1\S+)$/m.exec(AGE_KEY)?.[1] ?? "";
// Plaintext values: none of them may show up in the output, plain or base64.
const PASSWORD_1 = `first-${randomBytes(6).toString("hex")}`;
const PASSWORD_2 = `second-${randomBytes(6).toString("hex")}`;
const API_TOKEN = `token-${randomBytes(6).toString("hex")}`;
const ENDPOINT_1 = `https://app:one-${randomBytes(6).toString("hex")}@db.internal`;
const ENDPOINT_2 = `https://app:two-${randomBytes(6).toString("hex")}@db.internal`;
const LABEL = `not a label ${randomBytes(6).toString("hex")}`;
const PLAINTEXT = [PASSWORD_1, PASSWORD_2, API_TOKEN, ENDPOINT_1, ENDPOINT_2, LABEL];

const work = mkdtempSync(join(tmpdir(), "driftless-diff-sops-"));

/** Encrypts a file with the real sops for the fixture age key (each call gives new ciphertext). */
function sopsEncrypt(name: string, plain: string, ...flags: string[]): string {
  const dir = mkdtempSync(join(work, "enc-"));
  writeFileSync(join(dir, name), plain);
  const sops = join(testEnv().binDir, "sops");
  return execFileSync(sops, ["encrypt", "--age", RECIPIENT, ...flags, name], { cwd: dir, encoding: "utf8" });
}

function secretYaml(password: string): string {
  const plain = ["apiVersion: v1", "kind: Secret", "metadata:", "  name: db", "type: Opaque", "stringData:"];
  plain.push(`  password: ${password}`, "  user: app", "");
  return sopsEncrypt("db.yaml", plain.join("\n"), "--encrypted-regex", "^(data|stringData)$");
}

/** A ConfigMap whose data SOPS encrypts (a kind other than Secret: its diff is not masked by kind). */
function settingsYaml(endpoint: string): string {
  const plain = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: settings", "data:"];
  plain.push(`  endpoint: ${endpoint}`, "  mode: strict", "");
  return sopsEncrypt("settings.yaml", plain.join("\n"), "--encrypted-regex", "^data$");
}

/**
 * A source tree: an encrypted Secret, a secretGenerator reading an encrypted env file, and a ConfigMap with
 * encrypted data.
 */
function tree(
  password: string,
  endpoint = ENDPOINT_1,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    ...more,
    "kustomization.yaml": [
      `resources: [${["db.yaml", "settings.yaml", ...Object.keys(more)].join(", ")}]`,
      "secretGenerator:",
      "  - name: api",
      "    envs: [api.env]",
      "    options: {disableNameSuffixHash: true}",
      "",
    ].join("\n"),
    "db.yaml": secretYaml(password),
    "settings.yaml": settingsYaml(endpoint),
    "api.env": sopsEncrypt("api.env", `API_TOKEN=${API_TOKEN}\nREGION=eu\n`),
  };
}

function expectNoPlaintext(r: CliResult): void {
  for (const value of PLAINTEXT) {
    for (const form of [value, Buffer.from(value).toString("base64")]) {
      expect(r.stdout).not.toContain(form);
      expect(r.stderr).not.toContain(form);
    }
  }
}

describe("driftless diff of SOPS-encrypted sources", () => {
  let bed: Bed;
  let ns = "";
  let target = "";
  const dirOf = (name: string, files: Record<string, string>): string => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    for (const [p, content] of Object.entries(files)) writeFileSync(join(dir, p), content);
    return dir;
  };
  const diff = (dir: string, ks: string, ...more: string[]): Promise<CliResult> =>
    driftless(["diff", "--path", dir, "--kustomization", `${ns}/${ks}`, ...more]);

  beforeAll(async () => {
    expect(RECIPIENT).toMatch(/^age1/);
    bed = await startBed();
    ns = await createNamespace("diff-sops");
    target = await createNamespace("diff-sops-target");
    const r = await kubectl([
      "create",
      "secret",
      "generic",
      "sops-keys",
      "-n",
      ns,
      `--from-literal=age.agekey=${AGE_KEY}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rev = await bed.publish(ns, "repo", tree(PASSWORD_1));
    const decryption = { provider: "sops", secretRef: { name: "sops-keys" } };
    await applyManifest(kustomization(ns, "app", { targetNamespace: target, decryption }));
    await waitForRevision(ns, "app", rev, 90_000);
    // Kustomizations the controller leaves alone (suspended), for the error cases.
    const suspended = (name: string, spec: Record<string, unknown>): Promise<void> =>
      applyManifest(kustomization(ns, name, { targetNamespace: target, suspend: true, ...spec }));
    await suspended("missing-key", { decryption: { provider: "sops", secretRef: { name: "absent" } } });
    await suspended("no-secret-ref", { decryption: { provider: "sops" } });
    await suspended("no-decryption", {});
  });

  afterAll(async () => {
    await bed?.stop();
    await kubectl(["delete", "namespace", ns, target, "--wait=false"]);
    rmSync(work, { recursive: true, force: true });
  });

  it("exits 0 and prints nothing when the encrypted Secrets hold what the cluster has (new ciphertext)", async () => {
    const r = await diff(dirOf("same", tree(PASSWORD_1)), "app");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });

  it("exits 1 with the changed value masked as Flux does, and no plaintext", async () => {
    const r = await diff(dirOf("changed", tree(PASSWORD_2)), "app");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`► Secret/${target}/db drifted\n`);
    expect(r.stdout).toMatch(/^- {2}password: "\*\*\* \(before\)"$/m);
    expect(r.stdout).toMatch(/^\+ {2}password: "\*\*\* \(after\)"$/m);
    expect(r.stdout).toMatch(/^ {3}user: "\*\*\*"$/m);
    expect(r.stdout).not.toContain(`Secret/${target}/api`);
    expectNoPlaintext(r);
  });

  it("masks decrypted values of other kinds on both sides of their diff", async () => {
    const r = await diff(dirOf("changed-settings", tree(PASSWORD_1, ENDPOINT_2)), "app");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`► ConfigMap/${target}/settings drifted\n`);
    expect(r.stdout).toMatch(/^- {2}endpoint: \*\*\*$/m);
    expect(r.stdout).toMatch(/^\+ {2}endpoint: \*\*\*$/m);
    expect(r.stdout).not.toContain(`Secret/${target}/db`);
    expectNoPlaintext(r);
  });

  it("masks a decrypted value the API server quotes in its refusal (exit 2)", async () => {
    const labelled = sopsEncrypt(
      "labelled.yaml",
      [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        "  name: labelled",
        "  labels:",
        `    tier: ${LABEL}`,
        "",
      ].join("\n"),
      "--encrypted-regex",
      "^labels$",
    );
    const r = await diff(
      dirOf("refused", tree(PASSWORD_1, ENDPOINT_1, { "labelled.yaml": labelled })),
      "app",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ConfigMap/${target}/labelled`);
    expect(r.stderr).toContain("***");
    expectNoPlaintext(r);
  });

  it("exits 2 naming the Kustomization and its decryption Secret when that Secret is missing", async () => {
    const r = await diff(dirOf("missing-key", tree(PASSWORD_2)), "missing-key");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`Kustomization/${ns}/missing-key`);
    expect(r.stderr).toContain(`${ns}/absent`);
    expectNoPlaintext(r);
  });

  it("without a secretRef, decrypts with --sops-age-secret and exits 2 without it", async () => {
    const dir = dirOf("no-secret-ref", tree(PASSWORD_1));
    const without = await diff(dir, "no-secret-ref");
    expect(without.code).toBe(2);
    expect(without.stderr).toContain(`Kustomization/${ns}/no-secret-ref`);
    expectNoPlaintext(without);
    const withFlag = await diff(dir, "no-secret-ref", "--sops-age-secret", `${ns}/sops-keys`);
    expect(withFlag.stderr).toBe("");
    expect(withFlag.code).toBe(1); // drifted only by its owner labels: another Kustomization owns them
    expect(withFlag.stdout).toContain(`► Secret/${target}/db drifted\n`);
    expect(withFlag.stdout).not.toMatch(/password: "\*\*\* \((before|after)\)"/);
    expectNoPlaintext(withFlag);
  });

  it("refuses encrypted objects when the Kustomization has no decryption, or there is no Kustomization", async () => {
    const dir = dirOf("no-decryption", tree(PASSWORD_1));
    const r = await diff(dir, "no-decryption");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("SOPS-encrypted");
    const plain = await driftless(["diff", "--path", dir]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("SOPS-encrypted");
    expectNoPlaintext(r);
    expectNoPlaintext(plain);
  });
});
