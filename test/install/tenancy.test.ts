// deploy/'s multi-tenancy mode (README.md): no cluster-admin binding, the controller started with
// --default-service-account, each Kustomization applied as its namespace's tenant ServiceAccount. What the
// tenant may do lands; what it may not is refused with a forbidden error naming the tenant.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { commitFiles, createRepo, repoUrl } from "../harness/git/index.ts";
import type { ManagedProcess } from "../harness/proc.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import {
  installLeastPrivilege,
  type Manifest,
  must,
  startController,
  uninstall,
  writeControllerKubeconfig,
} from "./support.ts";

// The reconciler impersonates the tenant's user alone (no Impersonate-Group, which would need `impersonate`
// on groups, a right deploy/ does not grant because it would let the controller act as system:masters):
// the API server adds a service account's groups by itself.
describe("deploy/ without cluster-admin, tenants by --default-service-account", () => {
  const dir = mkdtempSync(join(tmpdir(), "driftless-tenancy-"));
  const shard = `tenancy-${process.pid}`;
  let ns = "";
  let other = "";
  let rendered: Manifest[] = [];
  let controller: ManagedProcess | undefined;
  const ready = (name: string, field: "status" | "message"): Promise<string | undefined> =>
    jsonpath([`kustomization/${name}`, "-n", ns], `{.status.conditions[?(@.type=="Ready")].${field}}`);

  beforeAll(async () => {
    const env = testEnv();
    rendered = await installLeastPrivilege();
    const kubeconfig = await writeControllerKubeconfig(dir);
    ns = await createNamespace("tenant");
    other = await createNamespace("tenant-other");
    // The tenant: admin of its own namespace, nothing elsewhere.
    await must(["create", "serviceaccount", "tenant", "-n", ns]);
    await must([
      "create",
      "rolebinding",
      "tenant-admin",
      "-n",
      ns,
      "--clusterrole=admin",
      `--serviceaccount=${ns}:tenant`,
    ]);

    const repo = `tenancy-${process.pid}`;
    await createRepo(env.git, repo);
    const configMap = (namespace: string): string =>
      stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "tenant-config", namespace },
        data: { owner: "tenant" },
      });
    await commitFiles(
      env.git,
      repo,
      {
        "own/kustomization.yaml": "resources:\n  - configmap.yaml\n",
        "own/configmap.yaml": configMap(ns),
        "escape/kustomization.yaml": "resources:\n  - configmap.yaml\n",
        "escape/configmap.yaml": configMap(other),
      },
      { message: "tenant config", branch: "main" },
    );
    const labels = { "driftless.test/shard": shard };
    const objects = [
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "repo", namespace: ns, labels },
        spec: { interval: "10m", url: repoUrl(env.git, "http-anon", repo), ref: { branch: "main" } },
      },
      ...["own", "escape"].map((name) => ({
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name, namespace: ns, labels },
        spec: {
          interval: "10m",
          path: `./${name}`,
          prune: true,
          sourceRef: { kind: "GitRepository", name: "repo" },
        },
      })),
    ];
    controller = startController({ kubeconfig, dir, shard, args: ["--default-service-account=tenant"] });
    await must(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
  });

  afterAll(async () => {
    if (ns) await kubectl(["delete", "kustomizations,gitrepositories", "--all", "-n", ns, "--timeout=60s"]);
    await controller?.stop();
    await kubectl(["delete", "namespace", ns, other, "--wait=false"]);
    await uninstall(rendered);
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies what the tenant's ServiceAccount may apply, in its own namespace", async () => {
    await eventually(
      async () => ((await ready("own", "status")) === "True" ? true : undefined),
      90_000,
      `Kustomization own Ready (message: ${await ready("own", "message")})`,
    ).catch(async (err: unknown) => {
      throw new Error(
        `${String(err)}; last message: ${await ready("own", "message")}\n${controller?.tail()}`,
      );
    });
    expect(await jsonpath(["configmap/tenant-config", "-n", ns], "{.data.owner}")).toBe("tenant");
  });

  it("refuses, as forbidden for the tenant, an object in another namespace", async () => {
    const message = await eventually(
      async () => {
        const m = (await ready("escape", "message")) ?? "";
        return (await ready("escape", "status")) === "False" && /forbidden/i.test(m) ? m : undefined;
      },
      90_000,
      "Kustomization escape failing as forbidden",
    ).catch(async (err: unknown) => {
      throw new Error(
        `${String(err)}; last message: ${await ready("escape", "message")}\n${controller?.tail()}`,
      );
    });
    expect(message).toContain(`system:serviceaccount:${ns}:tenant`);
    expect((await kubectl(["get", "configmap/tenant-config", "-n", other])).code).not.toBe(0);
  });
});
