// deploy/'s RBAC, proven: the controller process runs with a token of deploy/'s ServiceAccount. With only the
// least-privilege ClusterRole its GitRepository becomes Ready and the Kustomization fails as forbidden; with
// deploy/'s cluster-admin binding added it reconciles the seed's layout.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { driftless } from "../cli/support.ts";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, createRepo, repoUrl } from "../harness/git/index.ts";
import type { ManagedProcess } from "../harness/proc.ts";
import { readTree } from "../harness/tree.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  apply,
  installLeastPrivilege,
  isClusterAdminBinding,
  type Manifest,
  ManifestSchema,
  must,
  ROOT,
  CONTROLLER_USER as SA,
  startController,
  uninstall,
  writeControllerKubeconfig,
} from "./support.ts";

/** The files of examples/seed, path → content. */
const seedFiles = (): Record<string, string> => readTree(join(ROOT, "examples", "seed"));

describe("deploy/ RBAC with the real controller running as its ServiceAccount", () => {
  const dir = mkdtempSync(join(tmpdir(), "driftless-rbac-"));
  const shard = `rbac-${process.pid}`;
  let ns = "";
  let rendered: Manifest[] = [];
  let clusterAdmin: Manifest | undefined;
  let controller: ManagedProcess | undefined;

  beforeAll(async () => {
    const env = testEnv();
    rendered = await installLeastPrivilege();
    clusterAdmin = rendered.find(isClusterAdminBinding);
    const kubeconfig = await writeControllerKubeconfig(dir);

    ns = await createNamespace("rbac");
    const repo = `rbac-seed-${process.pid}`;
    await createRepo(env.git, repo);
    await commitFiles(env.git, repo, seedFiles(), { message: "seed layout", branch: "main" });
    await must([
      "create",
      "secret",
      "generic",
      "git-ssh-key",
      "-n",
      ns,
      `--from-file=identity=${env.git.ssh.clientKeyFile}`,
      `--from-file=known_hosts=${env.git.ssh.knownHostsFile}`,
    ]);
    // The seed's gotk-sync.yaml in this test's namespace, labelled for this controller's shard. prune is off
    // so that deleting it leaves the seed's namespaces to the other tests that use them.
    const sync = parseAllDocuments(seedFiles()["clusters/production/flux-system/gotk-sync.yaml"] ?? "").map(
      (d) => ManifestSchema.parse(d.toJS()),
    );
    expect(sync.map((o) => o.kind)).toEqual(["GitRepository", "Kustomization"]);
    for (const o of sync) {
      o.metadata.namespace = ns;
      o.metadata.labels = { ...o.metadata.labels, "driftless.test/shard": shard };
      if (o.kind === "GitRepository") o.spec = { ...o.spec, url: repoUrl(env.git, "ssh", repo) };
      if (o.kind === "Kustomization") o.spec = { ...o.spec, prune: false };
    }
    writeFileSync(join(dir, "sync.yaml"), sync.map((o) => stringify(o)).join("---\n"));

    controller = startController({ kubeconfig, dir, shard });
    await must(["apply", "-f", join(dir, "sync.yaml")]);
  });

  afterAll(async () => {
    // Delete the objects while the controller runs, so that it releases its finalizers.
    if (ns) await kubectl(["delete", "-f", join(dir, "sync.yaml"), "--timeout=60s"]);
    await controller?.stop();
    if (ns) await kubectl(["delete", "namespace", ns, "--wait=false"]);
    await uninstall(rendered);
    rmSync(dir, { recursive: true, force: true });
  });

  it("renders the ServiceAccount, least-privilege roles and a separate cluster-admin binding", () => {
    expect(clusterAdmin?.metadata.name).toBe("driftless-cluster-admin");
    const kinds = rendered.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "Namespace/flux-system",
        "ServiceAccount/driftless",
        "ClusterRole/driftless-controller",
        "ClusterRoleBinding/driftless-controller",
        "Role/driftless-leader-election",
        "Deployment/driftless",
      ]),
    );
    // The least-privilege role never grants wildcards or writes to Secrets.
    const role = JSON.stringify(rendered.find((o) => o.kind === "ClusterRole"));
    expect(role).not.toContain('"*"');
  });

  it("without cluster-admin: the GitRepository becomes Ready with the token's rights alone", async () => {
    const r = await kubectl([
      "wait",
      "--for=condition=Ready",
      "gitrepository/my-gitops-repo",
      "-n",
      ns,
      "--timeout=90s",
    ]);
    expect(r.code, `${r.stderr}\n${controller?.tail()}`).toBe(0);
    expect(await jsonpath(["gitrepository/my-gitops-repo", "-n", ns], "{.status.artifact.revision}")).toMatch(
      /^main@sha1:[0-9a-f]{40}$/,
    );
    // The ServiceAccount may not touch what cluster-admin would allow.
    const can = await kubectl(["auth", "can-i", "create", "deployments", "-n", "default", `--as=${SA}`]);
    expect(can.stdout.trim()).toBe("no");
  });

  it("without cluster-admin: the Kustomization reports a forbidden error", async () => {
    let last = "";
    const message = await eventually(
      async () => {
        const ks = ["kustomization/apps-production", "-n", ns];
        const status = await jsonpath(ks, '{.status.conditions[?(@.type=="Ready")].status}');
        last = (await jsonpath(ks, '{.status.conditions[?(@.type=="Ready")].message}')) ?? "";
        // Before the source is Ready the Kustomization fails for want of an artifact: wait for the apply.
        return status === "False" && /forbidden/i.test(last) ? last : undefined;
      },
      90_000,
      "Ready=False with a forbidden error",
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last message: ${last}\n${controller?.tail()}`);
    });
    expect(message).toMatch(/forbidden/i);
    expect(message).toContain(SA);
  });

  it("with deploy/'s cluster-admin binding: reconciles the seed's layout", async () => {
    await apply(clusterAdmin ? [clusterAdmin] : []);
    // `driftless reconcile` (as admin) asks for a reconcile now instead of waiting out the retry backoff.
    const r = await driftless(["reconcile", "ks", "apps-production", "-n", ns, "--timeout=180s"]);
    expect(r.code, `${r.stdout}${r.stderr}\n${controller?.tail()}`).toBe(0);
    expect(r.stdout).toMatch(/applied revision main@sha1:[0-9a-f]{40}/);
    const labels = await jsonpath(["deployment/frontend-deployment", "-n", "frontend"], "{.metadata.labels}");
    expect(JSON.parse(labels ?? "{}")).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "apps-production",
      "kustomize.toolkit.fluxcd.io/namespace": ns,
    });
    expect(await jsonpath(["configmap/backend-config", "-n", "backend"], "{.data.LOG_LEVEL}")).toBe("debug");
  }, 240_000);

  it("records its Events with the ServiceAccount's rights", async () => {
    const events = await kubectl([
      "get",
      "events",
      "-n",
      ns,
      "-o",
      "jsonpath={.items[*].involvedObject.name}",
    ]);
    expect(events.stdout.split(" ")).toEqual(expect.arrayContaining(["my-gitops-repo", "apps-production"]));
  });
});
