// The seed's scenario end to end: its gotk-sync.yaml (URL pointed at the local SSH git server) makes the
// cluster equal to Git, keeps it equal, and says so in `kubectl get ks`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, repoUrl } from "../harness/git/index.ts";
import {
  eventually,
  jsonpath,
  pushSeedRepo,
  type RunningDriftless,
  seedFiles,
  startDriftless,
} from "./support.ts";

describe("the seed's layout, end to end", () => {
  let repo = "";
  let driftless: RunningDriftless;
  const dir = mkdtempSync(join(tmpdir(), "driftless-e2e-"));

  beforeAll(async () => {
    const env = testEnv();
    repo = await pushSeedRepo();
    await kubectl(["create", "namespace", "flux-system"]);
    const secret = await kubectl([
      "create",
      "secret",
      "generic",
      "git-ssh-key",
      "-n",
      "flux-system",
      `--from-file=identity=${env.git.ssh.clientKeyFile}`,
      `--from-file=known_hosts=${env.git.ssh.knownHostsFile}`,
    ]);
    expect(secret.code, secret.stderr).toBe(0);
    // The seed's gotk-sync.yaml as written, but for the URL of the repository.
    const sync = seedFiles()["clusters/production/flux-system/gotk-sync.yaml"] ?? "";
    const local = sync.replace(
      "ssh://git@github.com/your-org/your-gitops-repo.git",
      repoUrl(env.git, "ssh", repo),
    );
    expect(local).not.toBe(sync);
    writeFileSync(join(dir, "gotk-sync.yaml"), local);
    driftless = await startDriftless(join(dir, "storage"));
    const applied = await kubectl(["apply", "-f", join(dir, "gotk-sync.yaml")]);
    expect(applied.code, applied.stderr).toBe(0);
  });

  afterAll(async () => {
    // Delete while driftless still runs, so that its finalizers are released and the objects are gone
    // (not left terminating in flux-system for the next test file).
    await kubectl(["delete", "-f", join(dir, "gotk-sync.yaml"), "--wait=true", "--timeout=90s"]);
    await driftless?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("makes the source Ready with the commit of main", async () => {
    const r = await kubectl([
      "wait",
      "--for=condition=Ready",
      "gitrepository/my-gitops-repo",
      "-n",
      "flux-system",
      "--timeout=60s",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const revision = await jsonpath(
      ["gitrepository/my-gitops-repo", "-n", "flux-system"],
      "{.status.artifact.revision}",
    );
    expect(revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
  });

  it("applies the overlay, waits for the Deployments, and reports Ready in kubectl get ks", async () => {
    const r = await kubectl([
      "wait",
      "--for=condition=Ready",
      "kustomization/apps-production",
      "-n",
      "flux-system",
      "--timeout=120s",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await jsonpath(["deployment/frontend-deployment", "-n", "frontend"], "{.spec.replicas}")).toBe(
      "2",
    );
    expect(
      await jsonpath(["deployment/frontend-deployment", "-n", "frontend"], "{.status.readyReplicas}"),
    ).toBe("2");
    expect(await jsonpath(["configmap/backend-config", "-n", "backend"], "{.data.LOG_LEVEL}")).toBe("debug");
    const labels = await jsonpath(["deployment/backend-deployment", "-n", "backend"], "{.metadata.labels}");
    expect(JSON.parse(labels ?? "{}")).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "apps-production",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
    const table = await kubectl(["get", "ks", "-n", "flux-system"]);
    expect(table.stdout).toMatch(/apps-production\s+\S+\s+True\s+Applied revision: main@sha1:[0-9a-f]{40}/);
    const inventory = await jsonpath(
      ["ks/apps-production", "-n", "flux-system"],
      "{.status.inventory.entries[*].id}",
    );
    expect(inventory?.split(" ")).toContain("frontend_frontend-deployment_apps_Deployment");
  });

  it("applies a new commit (replicas change) once the source is asked to reconcile", async () => {
    const env = testEnv();
    const path = "apps/frontend/overlays/production/kustomization.yaml";
    const files = seedFiles();
    const changed = (files[path] ?? "").replace("count: 2", "count: 3");
    const commit = await commitFiles(env.git, repo, { [path]: changed }, { message: "frontend: 3 replicas" });
    await kubectl([
      "annotate",
      "--overwrite",
      "gitrepository/my-gitops-repo",
      "-n",
      "flux-system",
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    await eventually(
      async () =>
        (await jsonpath(["deployment/frontend-deployment", "-n", "frontend"], "{.spec.replicas}")) === "3"
          ? true
          : undefined,
      60_000,
      "replicas 3",
    );
    await eventually(
      async () => {
        const rev = await jsonpath(
          ["ks/apps-production", "-n", "flux-system"],
          "{.status.lastAppliedRevision}",
        );
        return rev === `main@sha1:${commit.sha}` ? rev : undefined;
      },
      60_000,
      "lastAppliedRevision",
    );
  });

  it("reverts a hand edit of a managed Deployment within seconds", async () => {
    const patched = await kubectl([
      "scale",
      "deployment/frontend-deployment",
      "-n",
      "frontend",
      "--replicas=7",
    ]);
    expect(patched.code, patched.stderr).toBe(0);
    const started = Date.now();
    await eventually(
      async () =>
        (await jsonpath(["deployment/frontend-deployment", "-n", "frontend"], "{.spec.replicas}")) === "3"
          ? true
          : undefined,
      10_000,
      "replicas reverted to 3",
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("recreates a managed object deleted by hand", async () => {
    expect((await kubectl(["delete", "configmap/backend-config", "-n", "backend"])).code).toBe(0);
    await eventually(
      async () => jsonpath(["configmap/backend-config", "-n", "backend"], "{.metadata.uid}"),
      10_000,
      "configmap recreated",
    );
  });

  it("prunes an object whose file was removed from git", async () => {
    const env = testEnv();
    const path = "apps/frontend/overlays/production/kustomization.yaml";
    const current = readFileSync(join(import.meta.dirname, "..", "..", "examples", "seed", path), "utf8")
      .replace("count: 2", "count: 3")
      .replace("  - ingress.yaml\n", "");
    await commitFiles(
      env.git,
      repo,
      { [path]: current },
      { message: "drop the ingress", deletions: ["apps/frontend/overlays/production/ingress.yaml"] },
    );
    await kubectl([
      "annotate",
      "--overwrite",
      "gitrepository/my-gitops-repo",
      "-n",
      "flux-system",
      `reconcile.fluxcd.io/requestedAt=${Date.now()}`,
    ]);
    await eventually(
      async () => {
        const r = await kubectl(["get", "ingress/frontend", "-n", "frontend"]);
        return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
      },
      60_000,
      "ingress pruned",
    );
  });
});
