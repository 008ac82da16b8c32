import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/object.ts";
import { includersOf, usersOfSecret } from "./setup.ts";

function repo(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { namespace, name },
    spec,
  };
}

const repos = [
  repo("a", "auth", { secretRef: { name: "creds" } }),
  repo("a", "signed", { verify: { mode: "HEAD", secretRef: { name: "keys" } } }),
  repo("a", "plain", {}),
  repo("b", "other-ns", { secretRef: { name: "creds" } }),
  repo("a", "app", { include: [{ repository: { name: "lib" } }] }),
];

describe("secondary mappings", () => {
  it("maps a Secret to the GitRepositories of its namespace that use it for auth or verification", () => {
    const secret = (name: string): KubeObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { namespace: "a", name },
    });
    expect(usersOfSecret(secret("creds"), repos)).toEqual([{ namespace: "a", name: "auth" }]);
    expect(usersOfSecret(secret("keys"), repos)).toEqual([{ namespace: "a", name: "signed" }]);
    expect(usersOfSecret(secret("unused"), repos)).toEqual([]);
  });

  it("maps a GitRepository to the ones in its namespace that include it", () => {
    expect(includersOf("a", "lib", repos)).toEqual([{ namespace: "a", name: "app" }]);
    expect(includersOf("b", "lib", repos)).toEqual([]);
  });
});
