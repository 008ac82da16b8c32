// `driftless diff`: renders a directory, dry-runs it against the cluster and prints unified diffs of
// what would change (Secret values masked), the objects a Kustomization would prune, and an exit code:
// 0 no changes, 1 changes, 2 error. Immutable-field changes are shown, not crashed on.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { applyManifest, type Bed, configMap, kustomization, startBed, waitForRevision } from "./support.ts";

const root = join(import.meta.dirname, "..", "..");

function runDiff(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, "bin", "driftless.mjs"), "diff", ...args],
      { env: { ...process.env, KUBECONFIG: testEnv().kubeconfig }, cwd: root },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 2) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function secret(ns: string, password: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "creds", namespace: ns },
    stringData: { password, user: "admin" },
  });
}

function job(ns: string, image: string): string {
  return JSON.stringify({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "stiff", namespace: ns },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image }] } } },
  });
}

describe("driftless diff", () => {
  let bed: Bed;
  let ns = "";
  let work = "";
  const dirOf = (name: string, files: Record<string, string>): string => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    for (const [p, content] of Object.entries(files)) writeFileSync(join(dir, p), content);
    return dir;
  };
  let deployed: Record<string, string> = {};

  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-diff");
    work = mkdtempSync(join(tmpdir(), "driftless-diff-"));
    deployed = {
      "one.yaml": configMap("one", ns, { a: "1" }),
      "two.yaml": configMap("two", ns, { b: "1" }),
      "secret.yaml": secret(ns, "old-password"),
      "job.yaml": job(ns, "registry.example/a:1"),
    };
    const rev = await bed.publish(ns, "repo", deployed);
    await applyManifest(kustomization(ns, "app", {}));
    await waitForRevision(ns, "app", rev);
  });
  afterAll(async () => {
    await bed?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("exits 0 and prints nothing when the directory matches the cluster", async () => {
    const r = await runDiff(["--path", dirOf("same", deployed), "--kustomization", `${ns}/app`]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });

  it("exits 1 with a diff per changed object, masked secrets, immutable changes and prunes", async () => {
    const dir = dirOf("changed", {
      "one.yaml": configMap("one", ns, { a: "2" }),
      "three.yaml": configMap("three", ns, { c: "1" }),
      "secret.yaml": secret(ns, "new-password"),
      "job.yaml": job(ns, "registry.example/a:2"),
    });
    const r = await runDiff(["--path", dir, "--kustomization", `${ns}/app`]);
    console.log(`[diff] output:\n${r.stdout}`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`► ConfigMap/${ns}/one drifted\n`);
    expect(r.stdout).toMatch(/^- {2}a: "1"$/m);
    expect(r.stdout).toMatch(/^\+ {2}a: "2"$/m);
    expect(r.stdout).toContain(`► ConfigMap/${ns}/three created\n`);
    expect(r.stdout).toMatch(/^\+ {4}kustomize\.toolkit\.fluxcd\.io\/name: app$/m);
    expect(r.stdout).toContain(`► ConfigMap/${ns}/two deleted\n`);
    // Secrets: which key changes is shown, never a value (plain or base64).
    expect(r.stdout).toContain(`► Secret/${ns}/creds drifted`);
    expect(r.stdout).toMatch(/^- {2}password: "\*\*\* \(before\)"$/m);
    expect(r.stdout).toMatch(/^\+ {2}password: "\*\*\* \(after\)"$/m);
    for (const value of ["old-password", "new-password", "admin"]) {
      expect(r.stdout).not.toContain(value);
      expect(r.stdout).not.toContain(Buffer.from(value).toString("base64"));
    }
    // The Job's template is immutable: shown, with a note, not a crash.
    expect(r.stdout).toContain(`► Job/${ns}/stiff drifted (immutable field`);
    expect(r.stdout).toMatch(/^- +- image: registry\.example\/a:1$/m);
    expect(r.stdout).toMatch(/^\+ +- image: registry\.example\/a:2$/m);
    expect(r.stdout).not.toMatch(/^- +imagePullPolicy/m);
    expect(r.stdout).not.toContain(`ConfigMap/${ns}/one deleted`);
  });

  it("diffs a plain directory without a Kustomization (no owner labels, no prunes)", async () => {
    const r = await runDiff(["--path", dirOf("plain", { "four.yaml": configMap("four", ns, { d: "1" }) })]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`► ConfigMap/${ns}/four created\n`);
    expect(r.stdout).not.toContain("kustomize.toolkit.fluxcd.io/name");
    expect(r.stdout).not.toContain("deleted");
  });

  it("shows the removal of fields kubectl owns and Git lacks, as the apply's take-over would do", async () => {
    for (const [name, flags] of [
      ["by-ssa", ["--server-side"]],
      ["by-csa", []],
    ] as const) {
      const r = await kubectl(["apply", ...flags, "-f", "-"], configMap(name, ns, { a: "1", stale: "x" }));
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await runDiff([
      "--path",
      dirOf("takeover", {
        "ssa.yaml": configMap("by-ssa", ns, { a: "1" }),
        "csa.yaml": configMap("by-csa", ns, { a: "1" }),
      }),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    for (const name of ["by-ssa", "by-csa"]) {
      const section = r.stdout.split("► ").find((s) => s.startsWith(`ConfigMap/${ns}/${name} `)) ?? "";
      expect(section).toContain("drifted");
      expect(section).toMatch(/^- {2}stale: x$/m);
      expect(section).not.toMatch(/^- {2}a: "1"$/m);
    }
  });

  it("leaves fields under the Kustomization's spec.ignore rules out of the diff, as flux diff does", async () => {
    const files = { "five.yaml": configMap("five", ns, { skip: "1", keep: "1" }) };
    const rev = await bed.publish(ns, "ruled", files);
    await applyManifest(
      kustomization(ns, "ruled", {
        sourceRef: { kind: "GitRepository", name: "ruled" },
        ignore: [{ paths: ["/data/skip"], target: { kind: "ConfigMap" } }],
      }),
    );
    await waitForRevision(ns, "ruled", rev);
    const ignored = await runDiff([
      "--path",
      dirOf("ruled-same", { "five.yaml": configMap("five", ns, { skip: "2", keep: "1" }) }),
      "--kustomization",
      `${ns}/ruled`,
    ]);
    expect(ignored.stderr).toBe("");
    expect(ignored.stdout).toBe("");
    expect(ignored.code).toBe(0);
    const changed = await runDiff([
      "--path",
      dirOf("ruled-changed", { "five.yaml": configMap("five", ns, { skip: "2", keep: "2" }) }),
      "--kustomization",
      `${ns}/ruled`,
    ]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^\+ {2}keep: "2"$/m);
    expect(changed.stdout).not.toMatch(/^[-+] {2}skip:/m);
  });

  it("exits 2 naming the object when the apiserver rejects it, and on a bad path", async () => {
    const bad = dirOf("bad", {
      "svc.yaml": `apiVersion: v1\nkind: Service\nmetadata: {name: bad, namespace: ${ns}}\nspec:\n  ports: [{port: 999999}]\n`,
    });
    const r = await runDiff(["--path", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Service/${ns}/bad`);
    const missing = await runDiff(["--path", join(work, "does-not-exist")]);
    expect(missing.code).toBe(2);
    const usage = await runDiff([]);
    expect(usage.code).toBe(2);
  });
});
