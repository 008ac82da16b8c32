import { describe, expect, it } from "vitest";
import {
  type GitRepository,
  GitRepositorySchema,
  GitRepositoryV1Beta2Schema,
  parseAnyGitRepository,
  parseGitRepository,
  safeParseAnyGitRepository,
  safeParseGitRepository,
} from "./gitrepository.ts";
import { ValidationError } from "./validation.ts";

const minimal = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "repo", namespace: "flux-system" },
  spec: { interval: "1m", url: "https://example.com/org/repo.git" },
};

function withSpec(spec: Record<string, unknown>): unknown {
  return { ...minimal, spec: { ...minimal.spec, ...spec } };
}

describe("GitRepository v1", () => {
  it("applies the CRD defaults: timeout 60s, verify.mode HEAD, status.observedGeneration -1", () => {
    const repo = parseGitRepository(withSpec({ verify: { secretRef: { name: "keys" } } }));
    expect(repo.spec.timeout).toBe("60s");
    expect(repo.spec.verify?.mode).toBe("HEAD");
    expect(repo.status).toEqual({ observedGeneration: -1 });
  });

  it("keeps explicit values over defaults", () => {
    const repo = parseGitRepository(
      withSpec({ timeout: "2m30s", verify: { mode: "Tag", secretRef: { name: "k" } } }),
    );
    expect(repo.spec.timeout).toBe("2m30s");
    expect(repo.spec.verify?.mode).toBe("Tag");
  });

  it.each([
    ["an ssh URL", { url: "ssh://git@example.com/org/repo.git" }],
    ["an http URL", { url: "http://127.0.0.1:8080/repo.git" }],
    ["a fractional interval", { interval: "1.5m" }],
    ["a compound interval", { interval: "1h30m" }],
    [
      "every ref field",
      { ref: { branch: "main", tag: "v1", semver: ">=1.0.0", name: "refs/heads/main", commit: "abc" } },
    ],
    ["the aws provider with a ServiceAccount", { provider: "aws", serviceAccountName: "sa" }],
    ["the azure provider with a ServiceAccount", { provider: "azure", serviceAccountName: "sa" }],
    ["the github provider", { provider: "github", secretRef: { name: "app" } }],
    ["the legacy head verify mode", { verify: { mode: "head", secretRef: { name: "keys" } } }],
    [
      "include, sparseCheckout, proxy, ignore, flags",
      {
        include: [{ repository: { name: "other" }, fromPath: "a", toPath: "b" }],
        sparseCheckout: ["apps/"],
        proxySecretRef: { name: "proxy" },
        ignore: "/*\n!/deploy",
        suspend: true,
        recurseSubmodules: true,
      },
    ],
  ])("accepts %s", (_, spec) => {
    const r = safeParseGitRepository(withSpec(spec));
    expect(r.success ? [] : r.issues).toEqual([]);
  });

  it.each([
    [
      "a scp-like URL",
      { url: "git@github.com:org/repo.git" },
      "spec.url",
      "should match '^(http|https|ssh)://.*$'",
    ],
    ["a file URL", { url: "file:///tmp/repo" }, "spec.url", "should match"],
    ["an interval without unit", { interval: "60" }, "spec.interval", "should match"],
    ["an interval in days", { interval: "1d" }, "spec.interval", "should match"],
    [
      "a timeout in hours",
      { timeout: "1h" },
      "spec.timeout",
      "should match '^([0-9]+(\\.[0-9]+)?(ms|s|m))+$'",
    ],
    ["an unknown provider", { provider: "gitlab" }, "spec.provider", 'Unsupported value: "gitlab"'],
    [
      "a ServiceAccount without provider",
      { serviceAccountName: "sa" },
      "spec",
      "serviceAccountName can only be set",
    ],
    [
      "a ServiceAccount with github",
      { provider: "github", serviceAccountName: "sa" },
      "spec",
      "'azure' or 'aws'",
    ],
    ["verify without secretRef", { verify: { mode: "HEAD" } }, "spec.verify.secretRef", "Required value"],
    ["secretRef without name", { secretRef: {} }, "spec.secretRef.name", "Required value"],
    [
      "include without repository",
      { include: [{ fromPath: "x" }] },
      "spec.include[0].repository",
      "Required value",
    ],
    ["suspend as a string", { suspend: "true" }, "spec.suspend", "must be of type boolean"],
  ])("rejects %s", (_, spec, path, message) => {
    const r = safeParseGitRepository(withSpec(spec));
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it.each([
    ["no interval", { ...minimal, spec: { url: "https://x/r.git" } }, "spec.interval"],
    ["no url", { ...minimal, spec: { interval: "1m" } }, "spec.url"],
    ["no spec", { ...minimal, spec: undefined }, "spec"],
    ["no name", { ...minimal, metadata: { namespace: "x" } }, "metadata.name"],
  ])("requires %s", (_, obj, path) => {
    const r = safeParseGitRepository(obj);
    expect(r.success ? [] : r.issues).toContainEqual({ path, message: "Required value" });
  });

  it("rejects another apiVersion or kind", () => {
    expect(
      GitRepositorySchema.safeParse({ ...minimal, apiVersion: "source.toolkit.fluxcd.io/v1beta2" }).success,
    ).toBe(false);
    expect(GitRepositorySchema.safeParse({ ...minimal, kind: "Bucket" }).success).toBe(false);
  });

  it("drops unknown fields and null values like the apiserver's pruning", () => {
    const repo = parseGitRepository(withSpec({ gitImplementation: "libgit2", ref: null, suspend: null }));
    expect(repo.spec).not.toHaveProperty("gitImplementation");
    expect(repo.spec).not.toHaveProperty("ref");
    expect(repo.spec).not.toHaveProperty("suspend");
  });

  it("keeps server metadata it does not model", () => {
    const repo = parseGitRepository({
      ...minimal,
      metadata: { ...minimal.metadata, managedFields: [{ manager: "x" }] },
    });
    expect(repo.metadata.managedFields).toEqual([{ manager: "x" }]);
  });

  it("parses a status written by a controller", () => {
    const status: GitRepository["status"] = {
      observedGeneration: 3,
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Succeeded",
          message: "stored artifact for revision 'main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738'",
          lastTransitionTime: "2026-11-27T00:00:00Z",
          observedGeneration: 3,
        },
      ],
      artifact: {
        digest: "sha256:0c9f5e1f3c5a4f1d2ab2b0f3e3b8f6a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7",
        path: "gitrepository/flux-system/repo/5394cb7f.tar.gz",
        url: "http://source-controller/gitrepository/flux-system/repo/5394cb7f.tar.gz",
        revision: "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738",
        lastUpdateTime: "2026-11-27T00:00:00Z",
        size: 1024,
      },
      lastHandledReconcileAt: "2026-11-27T00:00:00Z",
    };
    expect(parseGitRepository({ ...minimal, status }).status).toEqual(status);
    const bad = {
      ...minimal,
      status: { ...status, artifact: { ...status.artifact, digest: "no-algorithm" } },
    };
    expect(safeParseGitRepository(bad).success).toBe(false);
  });

  it("throws a ValidationError naming the object and fields", () => {
    expect(() => parseGitRepository(withSpec({ url: "ftp://x" }))).toThrow(ValidationError);
    expect(() => parseGitRepository(withSpec({ url: "ftp://x" }))).toThrow(
      /GitRepository "repo" is invalid: spec\.url/,
    );
  });
});

describe("GitRepository v1beta2", () => {
  const v1beta2 = { ...minimal, apiVersion: "source.toolkit.fluxcd.io/v1beta2" };

  it("defaults gitImplementation to go-git and timeout to 60s", () => {
    const r = GitRepositoryV1Beta2Schema.parse(v1beta2);
    expect(r.spec.gitImplementation).toBe("go-git");
    expect(r.spec.timeout).toBe("60s");
  });

  it("reads as v1 without the fields v1 dropped (conversion strategy None)", () => {
    const repo = parseAnyGitRepository({
      ...v1beta2,
      spec: { ...v1beta2.spec, gitImplementation: "libgit2", accessFrom: { namespaceSelectors: [] } },
    });
    expect(repo.apiVersion).toBe("source.toolkit.fluxcd.io/v1");
    expect(repo.spec).not.toHaveProperty("gitImplementation");
    expect(repo.spec).not.toHaveProperty("accessFrom");
    expect(repo.spec.timeout).toBe("60s");
  });

  it.each([
    [
      "verify mode Tag, which v1beta2 does not know",
      { verify: { mode: "Tag", secretRef: { name: "k" } } },
      "spec.verify.mode",
    ],
    [
      "verify without mode (required in v1beta2)",
      { verify: { secretRef: { name: "k" } } },
      "spec.verify.mode",
    ],
    ["an unknown gitImplementation", { gitImplementation: "jgit" }, "spec.gitImplementation"],
  ])("rejects %s", (_, spec, path) => {
    const r = safeParseAnyGitRepository({ ...v1beta2, spec: { ...v1beta2.spec, ...spec } });
    expect(r.success ? [] : r.issues.map((i) => i.path)).toContain(path);
  });

  it("ignores v1-only fields such as provider, as the apiserver prunes them", () => {
    const repo = parseAnyGitRepository({ ...v1beta2, spec: { ...v1beta2.spec, provider: "gitlab" } });
    expect(repo.spec.provider).toBeUndefined();
  });
});
