import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeClient } from "../../src/kube/client.ts";
import { isForbidden } from "../../src/kube/errors.ts";
import { createNamespace, kubectl, testEnv } from "../harness/context.ts";
import { CONFIGMAPS } from "./support.ts";

describe("in-cluster configuration", () => {
  let dir: string;
  let ns: string;
  let other: string;
  const savedEnv = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };

  beforeAll(async () => {
    ns = await createNamespace("rt-incluster");
    other = await createNamespace("rt-incluster-other");
    const must = async (args: string[]): Promise<string> => {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    await must(["create", "serviceaccount", "driftless", "-n", ns]);
    await must(["create", "role", "read-cm", "-n", ns, "--verb=get,list,watch", "--resource=configmaps"]);
    await must([
      "create",
      "rolebinding",
      "read-cm",
      "-n",
      ns,
      "--role=read-cm",
      `--serviceaccount=${ns}:driftless`,
    ]);
    const token = (await must(["create", "token", "driftless", "-n", ns])).trim();

    // Lay out the files a pod gets, under a prefix.
    dir = mkdtempSync(join(tmpdir(), "driftless-sa-"));
    const sa = join(dir, "var/run/secrets/kubernetes.io/serviceaccount");
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, "token"), token);
    writeFileSync(join(sa, "namespace"), ns);
    copyFileSync(testEnv().caCert, join(sa, "ca.crt"));
    const url = new URL(testEnv().server);
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
  });

  afterAll(() => {
    process.env.KUBERNETES_SERVICE_HOST = savedEnv.host;
    process.env.KUBERNETES_SERVICE_PORT = savedEnv.port;
    if (savedEnv.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
    if (savedEnv.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    rmSync(dir, { recursive: true, force: true });
  });

  it("authenticates with the service-account token and verifies the server with its CA", async () => {
    const client = KubeClient.inCluster({ pathPrefix: dir });
    try {
      const list = await client.list(CONFIGMAPS, { namespace: ns });
      // Every namespace has the kube-root-ca.crt ConfigMap only when controllers run; the list itself is the proof.
      expect(Array.isArray(list.items)).toBe(true);
      // The token's RBAC applies: another namespace is off limits.
      const err = await client.list(CONFIGMAPS, { namespace: other }).catch((e: unknown) => e);
      expect(isForbidden(err)).toBe(true);
      expect((err as Error).message).toContain(`system:serviceaccount:${ns}:driftless`);
    } finally {
      client.close();
    }
  });
});
