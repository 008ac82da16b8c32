import { describe, expect, it } from "vitest";
import { parseKustomization } from "../../api/kustomization.ts";
import { BuildCache, buildKey } from "./build-cache.ts";

const ks = (spec: Record<string, unknown> = {}, generation = 1) =>
  parseKustomization({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "ns", generation },
    spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "repo" }, ...spec },
  });
const artifact = { revision: "main@sha1:aaaa", digest: "sha256:1", dir: "/tmp/a" };

describe("build cache", () => {
  it("reuses a render while artifact, spec and variables are the same", () => {
    const cache = new BuildCache();
    const key = buildKey(ks(), artifact, [{ a: "1" }]);
    cache.set("ns/app", key, { objects: [], fingerprint: "f" });
    expect(cache.get("ns/app", buildKey(ks(), artifact, [{ a: "1" }]))?.fingerprint).toBe("f");
  });

  it("renders again for a new artifact, a spec change or new substituteFrom values", () => {
    const base = buildKey(ks(), artifact, [{ a: "1" }]);
    expect(buildKey(ks(), { ...artifact, digest: "sha256:2" }, [{ a: "1" }])).not.toBe(base);
    expect(buildKey(ks({ path: "./other" }, 2), artifact, [{ a: "1" }])).not.toBe(base);
    expect(buildKey(ks(), artifact, [{ a: "2" }])).not.toBe(base);
  });

  it("never caches a render that decrypts", () => {
    expect(buildKey(ks({ decryption: { provider: "sops" } }), artifact, [])).toBeUndefined();
    const cache = new BuildCache();
    cache.set("ns/app", undefined, { objects: [], fingerprint: "f" });
    expect(cache.get("ns/app", undefined)).toBeUndefined();
  });
});
