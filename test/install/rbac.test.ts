// deploy/'s RBAC, proven: the controller process runs with a token of deploy/'s ServiceAccount. With only the
// least-privilege ClusterRole its GitRepository becomes Ready and the Kustomization fails as forbidden; with
// deploy/'s cluster-admin binding added it reconciles the seed's layout.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { z } from "zod";
import { driftless } from "../cli/support.ts";
import { pushSeedRepo, seedFiles } from "../e2e/support.ts";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { repoUrl } from "../harness/git/index.ts";
import { ManagedProcess } from "../harness/proc.ts";
import { eventually, jsonpath } from "../harness/wait.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const SA = "system:serviceaccount:flux-system:driftless";

const ManifestSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.record(z.string(), z.unknown()).optional(),
});
type Manifest = z.infer<typeof ManifestSchema>;

/** deploy/ rendered by kubectl's kustomize, as `kubectl apply -k deploy/` would apply it. */
async function renderDeploy(): Promise<Manifest[]> {
  const r = await kubectl(["kustomize", join(ROOT, "deploy")]);
  if (r.code !== 0) throw new Error(`kubectl kustomize deploy: ${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => ManifestSchema.parse(d.toJS()));
}

async function apply(objects: readonly Manifest[]): Promise<void> {
  const r = await kubectl(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

const must = async (args: string[]): Promise<string> => {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

describe("deploy/ RBAC with the real controller running as its ServiceAccount", () => {
  const dir = mkdtempSync(join(tmpdir(), "driftless-rbac-"));
  const shard = `rbac-${process.pid}`;
  let ns = "";
  let rendered: Manifest[] = [];
  let clusterAdmin: Manifest | undefined;
  let controller: ManagedProcess | undefined;

  beforeAll(async () => {
    const env = testEnv();
    rendered = await renderDeploy();
    clusterAdmin = rendered.find(
      (o) => o.kind === "ClusterRoleBinding" && JSON.stringify(o).includes('"name":"cluster-admin"'),
    );
    // Everything but the Deployment (no image runs here) and, for now, the cluster-admin binding.
    await apply(rendered.filter((o) => o.kind !== "Deployment" && o !== clusterAdmin));
    const token = (await must(["create", "token", "driftless", "-n", "flux-system", "--duration=1h"])).trim();
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "testbed", cluster: { server: env.server, "certificate-authority": env.caCert } }],
        users: [{ name: "driftless", user: { token } }],
        contexts: [{ name: "driftless", context: { cluster: "testbed", user: "driftless" } }],
        "current-context": "driftless",
      }),
    );

    ns = await createNamespace("rbac");
    const repo = await pushSeedRepo();
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

    controller = new ManagedProcess(
      "controller",
      join(ROOT, "node_modules", ".bin", "node"),
      [
        join(ROOT, "bin", "driftless.mjs"),
        "controller",
        `--kubeconfig=${kubeconfig}`,
        `--watch-label-selector=driftless.test/shard=${shard}`,
        `--storage-path=${join(dir, "storage")}`,
        "--enable-leader-election",
        "--health-addr=127.0.0.1:0",
        "--metrics-addr=127.0.0.1:0",
      ],
      join(dir, "controller.log"),
      { ...process.env, KUBECONFIG: "", POD_NAMESPACE: "flux-system", POD_NAME: `driftless-${shard}` },
    );
    await must(["apply", "-f", join(dir, "sync.yaml")]);
  });

  afterAll(async () => {
    // Delete the objects while the controller runs, so that it releases its finalizers.
    if (ns) await kubectl(["delete", "-f", join(dir, "sync.yaml"), "--timeout=60s"]);
    await controller?.stop();
    if (ns) await kubectl(["delete", "namespace", ns, "--wait=false"]);
    // Leave flux-system and the CRDs, which other tests use; remove the RBAC and the rest.
    for (const o of rendered) {
      if (o.kind === "Namespace" || o.kind === "CustomResourceDefinition" || o.kind === "Deployment")
        continue;
      const target = [`${o.kind.toLowerCase()}/${o.metadata.name}`];
      if (o.metadata.namespace) target.push("-n", o.metadata.namespace);
      await kubectl(["delete", ...target, "--ignore-not-found", "--wait=false"]);
    }
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
