// Shared helpers of the runtime integration tests.
import { KubeClient } from "../../src/kube/client.ts";
import type { ResourceRef } from "../../src/kube/object.ts";
import { testEnv } from "../harness/context.ts";

/** The GitRepository resource the harness installs. */
export const GITREPOS: ResourceRef = {
  group: "source.toolkit.fluxcd.io",
  version: "v1",
  plural: "gitrepositories",
};

/** ConfigMaps. */
export const CONFIGMAPS: ResourceRef = { group: "", version: "v1", plural: "configmaps" };

/** A client of the shared test bed as admin. */
export function adminClient(): KubeClient {
  return KubeClient.fromFile(testEnv().kubeconfig);
}

/** A GitRepository manifest. */
export function gitRepository(namespace: string, name: string, url = "https://example.com/repo.git"): object {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace },
    spec: { url, interval: "1m", ref: { branch: "main" } },
  };
}

/** Polls until `check` returns true or the timeout passes; returns the last result. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}
