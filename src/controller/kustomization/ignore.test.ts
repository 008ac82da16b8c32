import { describe, expect, it } from "vitest";
import { parseKustomization } from "../../api/kustomization.ts";
import type { KubeObject } from "../../kube/object.ts";
import { ignoreRulesOf, onlyIgnoredChanged } from "./ignore.ts";

const ks = (ignore?: unknown) =>
  parseKustomization({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "flux-system" },
    spec: {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "repo" },
      ...(ignore ? { ignore } : {}),
    },
  });

const deploy = (replicas: number, image: string, rv: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "apps",
    resourceVersion: rv,
    generation: Number(rv),
    managedFields: [{ rv }],
  },
  spec: { replicas, template: { spec: { containers: [{ name: "app", image }] } } },
  status: { replicas },
});

describe("spec.ignore in the drift tracker", () => {
  const rules = ignoreRulesOf(ks([{ paths: ["/spec/replicas"], target: { kind: "Deployment" } }]));

  it("has no rules without spec.ignore", () => {
    expect(ignoreRulesOf(ks())).toBeUndefined();
    expect(ignoreRulesOf(ks([{ paths: [] }]))).toBeUndefined();
  });

  it("does not count an edit of only ignored fields as drift", () => {
    expect(onlyIgnoredChanged(deploy(2, "app:1", "1"), deploy(5, "app:1", "2"), rules)).toBe(true);
  });

  it("counts an edit that also touches other fields", () => {
    expect(onlyIgnoredChanged(deploy(2, "app:1", "1"), deploy(5, "app:2", "2"), rules)).toBe(false);
    expect(onlyIgnoredChanged(deploy(2, "app:1", "1"), deploy(2, "app:2", "2"), rules)).toBe(false);
  });

  it("leaves an update that changed no compared field to the other drift checks", () => {
    expect(onlyIgnoredChanged(deploy(2, "app:1", "1"), deploy(2, "app:1", "2"), rules)).toBe(false);
  });

  it("counts an edit of an object the rules do not select", () => {
    const cm = (v: string): KubeObject => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      spec: { replicas: v },
    });
    expect(onlyIgnoredChanged(cm("1"), cm("2"), rules)).toBe(false);
    expect(onlyIgnoredChanged(deploy(2, "app:1", "1"), deploy(5, "app:1", "2"), undefined)).toBe(false);
  });
});
