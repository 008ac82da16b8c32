// `driftless reconcile`: the reconcile.fluxcd.io/requestedAt protocol of `flux reconcile`, answered by a
// stand-in controller with chosen outcomes, and once by the real controller process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, createRepo, repoUrl } from "../harness/git/index.ts";
import { ManagedProcess } from "../harness/proc.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  createGitRepository,
  createKustomization,
  driftless,
  driftlessOnTty,
  FakeController,
} from "./support.ts";

const REVISION = `main@sha1:${"b".repeat(40)}`;
const ANNOTATION = "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}";

describe("driftless reconcile", () => {
  let ns = "";
  let fake: FakeController;

  beforeAll(async () => {
    ns = await createNamespace("cli-reconcile");
    await createGitRepository(ns, "repo");
    for (const name of ["ok", "fails", "slow", "silent", "with-source"]) await createKustomization(ns, name);
    await createKustomization(ns, "paused", { suspend: true });
    fake = new FakeController(ns).start();
    fake.outcomes.set("GitRepository/repo", { ready: "True", revision: REVISION });
    fake.outcomes.set("Kustomization/ok", { ready: "True", revision: REVISION });
    fake.outcomes.set("Kustomization/with-source", { ready: "True", revision: REVISION });
    fake.outcomes.set("Kustomization/fails", {
      ready: "False",
      reason: "HealthCheckFailed",
      message: "timeout waiting for: [Deployment/app/web status: 'InProgress']",
    });
    fake.outcomes.set("Kustomization/slow", { ready: "Unknown", thenTrueAfterMs: 2000, revision: REVISION });
    fake.outcomes.set("Kustomization/silent", "ignore");
  });

  afterAll(async () => {
    await fake?.stop();
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("annotates, waits for lastHandledReconcileAt to match, and exits 0 on Ready=True", async () => {
    const r = await driftless(["reconcile", "ks", "ok", "-n", ns]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(`✔ Kustomization ${ns}/ok reconciled: applied revision ${REVISION}\n`);
    expect(r.stderr).toContain(`► annotating Kustomization ${ns}/ok`);
    expect(r.stderr).toContain(`◎ waiting for Kustomization ${ns}/ok reconciliation`);
    const requested = await jsonpath(["ks/ok", "-n", ns], ANNOTATION);
    expect(requested).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await jsonpath(["ks/ok", "-n", ns], "{.status.lastHandledReconcileAt}")).toBe(requested);
    expect(fake.handled).toContain(`Kustomization/ok=${requested}`);
  });

  it("exits 1 and prints the reason when Ready=False", async () => {
    const r = await driftless(["reconcile", "kustomization", "fails", "-n", ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ Kustomization ${ns}/fails failed: HealthCheckFailed: timeout waiting for`);
  });

  it("keeps waiting while Ready is Unknown after the request is handled", async () => {
    const r = await driftless(["reconcile", "ks", "slow", "-n", ns]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await jsonpath(["ks/slow", "-n", ns], '{.status.conditions[?(@.type=="Ready")].status}')).toBe(
      "True",
    );
    expect(r.stdout).toContain("applied revision");
  });

  it("gives up after --timeout with exit 1 when nothing handles the request", async () => {
    const r = await driftless(["reconcile", "ks", "silent", "-n", ns, "--timeout", "2s"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ timed out after 2s waiting for Kustomization ${ns}/silent`);
  });

  it("reconciles the GitRepository first with --with-source", async () => {
    const before = fake.handled.length;
    const r = await driftless(["reconcile", "ks", "with-source", "-n", ns, "--with-source"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `✔ GitRepository ${ns}/repo reconciled: fetched revision ${REVISION}\n` +
        `✔ Kustomization ${ns}/with-source reconciled: applied revision ${REVISION}\n`,
    );
    expect(fake.handled.slice(before).map((h) => h.split("=")[0])).toEqual([
      "GitRepository/repo",
      "Kustomization/with-source",
    ]);
  });

  it("reconciles a source with `source git`", async () => {
    const r = await driftless(["reconcile", "source", "git", "repo", "-n", ns]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched revision ${REVISION}`);
  });

  it("refuses a suspended object without annotating it (exit 1)", async () => {
    const r = await driftless(["reconcile", "ks", "paused", "-n", ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("is suspended");
    expect(await jsonpath(["ks/paused", "-n", ns], ANNOTATION)).toBe("");
  });

  it("exits 2 for a missing object or a usage error", async () => {
    const missing = await driftless(["reconcile", "ks", "nope", "-n", ns]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Kustomization ${ns}/nope not found`);
    expect((await driftless(["reconcile", "helmrelease", "x"])).code).toBe(2);
    expect((await driftless(["reconcile", "ks", "ok", "--timeout", "soon"])).code).toBe(2);
    expect((await driftless(["reconcile", "source", "git", "repo", "--with-source"])).code).toBe(2);
  });

  it("shows a spinner and colour on a terminal", async () => {
    const r = await driftlessOnTty(["reconcile", "ks", "slow", "-n", ns]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain("\x1b[33m◎\x1b[0m waiting for Kustomization");
    expect(r.stdout).toMatch(/waiting for Kustomization \S+ reconciliation [⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \ds/);
    expect(r.stdout).toContain("\x1b[32m✔\x1b[0m");
  });
});

describe("driftless reconcile against the real controller", () => {
  let ns = "";
  let repo = "";
  let controller: ManagedProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), "driftless-cli-"));
  const label = `cli-reconcile-${process.pid}`;

  beforeAll(async () => {
    const env = testEnv();
    ns = await createNamespace("cli-real");
    repo = `cli-${process.pid}`;
    await createRepo(env.git, repo);
    await commitFiles(env.git, repo, { "README.md": "one\n" }, { message: "one", branch: "main" });
    await createGitRepository(ns, "repo", repoUrl(env.git, "http-anon", repo));
    expect(
      (await kubectl(["label", "gitrepository/repo", "-n", ns, `driftless.test/shard=${label}`])).code,
    ).toBe(0);
    const root = resolve(import.meta.dirname, "..", "..");
    controller = new ManagedProcess(
      "controller",
      join(root, "node_modules", ".bin", "node"),
      [
        join(root, "bin", "driftless.mjs"),
        "controller",
        `--kubeconfig=${env.kubeconfig}`,
        `--watch-label-selector=driftless.test/shard=${label}`,
        `--storage-path=${join(dir, "storage")}`,
        "--health-addr=127.0.0.1:0",
        "--metrics-addr=127.0.0.1:0",
      ],
      join(dir, "controller.log"),
    );
    await eventually(
      async () =>
        (await jsonpath(["gitrepository/repo", "-n", ns], "{.status.artifact.revision}")) || undefined,
      60_000,
      `first artifact (log: ${controller.tail()})`,
    );
  });

  afterAll(async () => {
    await controller?.stop();
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits for the controller to fetch a new commit and prints its revision", async () => {
    const commit = await commitFiles(testEnv().git, repo, { "README.md": "two\n" }, { message: "two" });
    const r = await driftless(["reconcile", "source", "git", "repo", "-n", ns, "--timeout", "60s"]);
    expect(r.code, `${r.stdout}${r.stderr}\n${controller?.tail()}`).toBe(0);
    expect(r.stdout).toBe(
      `✔ GitRepository ${ns}/repo reconciled: fetched revision main@sha1:${commit.sha}\n`,
    );
  });
});
