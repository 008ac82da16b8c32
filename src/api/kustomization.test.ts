import { describe, expect, it } from "vitest";
import {
  deletionPolicy,
  intervalMs,
  type Kustomization,
  parseKustomization,
  retryIntervalMs,
  safeParseKustomization,
  substituteStrategy,
  timeoutMs,
} from "./kustomization.ts";

const minimal = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "apps", namespace: "flux-system" },
  spec: { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "repo" } },
};

function withSpec(spec: Record<string, unknown>): unknown {
  return { ...minimal, spec: { ...minimal.spec, ...spec } };
}

describe("Kustomization v1", () => {
  it("applies the CRD defaults: force false, substituteFrom optional false, status.observedGeneration -1", () => {
    const ks = parseKustomization(
      withSpec({ postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] } }),
    );
    expect(ks.spec.force).toBe(false);
    expect(ks.spec.postBuild?.substituteFrom?.[0]?.optional).toBe(false);
    expect(ks.status).toEqual({ observedGeneration: -1 });
  });

  it("reports Flux's effective values for unset fields", () => {
    const ks = parseKustomization(minimal);
    expect(deletionPolicy(ks)).toBe("MirrorPrune");
    expect(substituteStrategy(ks)).toBe("WithVariables");
    expect(intervalMs(ks)).toBe(600_000);
    expect(retryIntervalMs(ks)).toBe(600_000);
  });

  it.each([
    ["10m", undefined, 570_000],
    ["1m", undefined, 30_000],
    ["10s", undefined, 30_000],
    ["10m", "2m", 120_000],
    ["10m", "5s", 30_000],
  ])("with interval %s and timeout %s allows %d ms, as Flux's GetTimeout", (interval, timeout, ms) => {
    const ks = parseKustomization(withSpec(timeout === undefined ? { interval } : { interval, timeout }));
    expect(timeoutMs(ks)).toBe(ms);
  });

  it("uses retryInterval for retries when set", () => {
    expect(retryIntervalMs(parseKustomization(withSpec({ retryInterval: "30s" })))).toBe(30_000);
  });

  it.each([
    [
      "every spec field Flux's v1 API has",
      {
        path: "./apps/overlays/production",
        retryInterval: "1m",
        timeout: "5m",
        deletionPolicy: "WaitForTermination",
        suspend: false,
        force: true,
        wait: true,
        targetNamespace: "prod",
        namePrefix: "p-",
        nameSuffix: "-s",
        commonMetadata: { labels: { team: "a" }, annotations: { note: "b" } },
        components: ["../components/tls"],
        ignoreMissingComponents: true,
        buildMetadata: ["originAnnotations", "transformerAnnotations"],
        patches: [
          {
            patch: "- op: add\n  path: /x\n  value: 1",
            target: { kind: "Deployment", labelSelector: "app=web" },
          },
        ],
        images: [{ name: "nginx", newName: "registry/nginx", newTag: "1.27", digest: "sha256:abc" }],
        postBuild: {
          substituteStrategy: "Always",
          substitute: { cluster: "prod" },
          substituteFrom: [{ kind: "Secret", name: "vars", optional: true }],
        },
        dependsOn: [{ name: "infra", namespace: "flux-system", readyExpr: "status.ready" }],
        healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "prod" }],
        healthCheckExprs: [
          {
            apiVersion: "example.com/v1",
            kind: "Thing",
            current: "true",
            inProgress: "false",
            failed: "false",
          },
        ],
        ignore: [{ paths: ["/spec/replicas"], target: { kind: "Deployment" } }],
        decryption: { provider: "sops", secretRef: { name: "sops-age" }, serviceAccountName: "kms" },
        serviceAccountName: "applier",
        kubeConfig: { secretRef: { name: "remote", key: "value" } },
      },
    ],
    [
      "a source in another namespace",
      {
        sourceRef: {
          kind: "GitRepository",
          name: "r",
          namespace: "other",
          apiVersion: "source.toolkit.fluxcd.io/v1",
        },
      },
    ],
    ["each source kind", { sourceRef: { kind: "OCIRepository", name: "r" } }],
    ["a Bucket source", { sourceRef: { kind: "Bucket", name: "r" } }],
    ["an ExternalArtifact source", { sourceRef: { kind: "ExternalArtifact", name: "r" } }],
    ["a kubeConfig by ConfigMap", { kubeConfig: { configMapRef: { name: "cluster" } } }],
    ["prune false", { prune: false }],
    ["a 63-character targetNamespace", { targetNamespace: "n".repeat(63) }],
  ])("accepts %s", (_, spec) => {
    const r = safeParseKustomization(withSpec(spec));
    expect(r.success ? [] : r.issues).toEqual([]);
  });

  it.each([
    [
      "a HelmRepository source",
      { sourceRef: { kind: "HelmRepository", name: "r" } },
      "spec.sourceRef.kind",
      "Unsupported value",
    ],
    [
      "a sourceRef without name",
      { sourceRef: { kind: "GitRepository" } },
      "spec.sourceRef.name",
      "Required value",
    ],
    ["a malformed interval", { interval: "ten minutes" }, "spec.interval", "should match"],
    ["a malformed retryInterval", { retryInterval: "30" }, "spec.retryInterval", "should match"],
    ["a malformed timeout", { timeout: "-1m" }, "spec.timeout", "should match"],
    [
      "an unknown deletionPolicy",
      { deletionPolicy: "Keep" },
      "spec.deletionPolicy",
      'Unsupported value: "Keep"',
    ],
    [
      "an empty targetNamespace",
      { targetNamespace: "" },
      "spec.targetNamespace",
      "should be at least 1 chars long",
    ],
    [
      "a 64-character targetNamespace",
      { targetNamespace: "n".repeat(64) },
      "spec.targetNamespace",
      "may not be more than 63",
    ],
    ["an empty namePrefix", { namePrefix: "" }, "spec.namePrefix", "at least 1"],
    [
      "a 201-character nameSuffix",
      { nameSuffix: "s".repeat(201) },
      "spec.nameSuffix",
      "may not be more than 200",
    ],
    [
      "an unknown buildMetadata option",
      { buildMetadata: ["all"] },
      "spec.buildMetadata[0]",
      "Unsupported value",
    ],
    [
      "a patch without patch",
      { patches: [{ target: { kind: "X" } }] },
      "spec.patches[0].patch",
      "Required value",
    ],
    ["an image without name", { images: [{ newTag: "1" }] }, "spec.images[0].name", "Required value"],
    [
      "an unknown decryption provider",
      { decryption: { provider: "vault" } },
      "spec.decryption.provider",
      "Unsupported value",
    ],
    [
      "substituteFrom of a Namespace",
      { postBuild: { substituteFrom: [{ kind: "Namespace", name: "n" }] } },
      "spec.postBuild.substituteFrom[0].kind",
      "Unsupported value",
    ],
    [
      "substituteFrom with an empty name",
      { postBuild: { substituteFrom: [{ kind: "Secret", name: "" }] } },
      "spec.postBuild.substituteFrom[0].name",
      "at least 1",
    ],
    [
      "an unknown substituteStrategy",
      { postBuild: { substituteStrategy: "Never" } },
      "spec.postBuild.substituteStrategy",
      "Unsupported value",
    ],
    [
      "a dependsOn without name",
      { dependsOn: [{ namespace: "x" }] },
      "spec.dependsOn[0].name",
      "Required value",
    ],
    [
      "a healthCheck without kind",
      { healthChecks: [{ name: "x" }] },
      "spec.healthChecks[0].kind",
      "Required value",
    ],
    [
      "a healthCheckExpr without current",
      { healthCheckExprs: [{ apiVersion: "v1" }] },
      "spec.healthCheckExprs[0].current",
      "Required value",
    ],
    [
      "an ignore rule without paths",
      { ignore: [{ target: { kind: "X" } }] },
      "spec.ignore[0].paths",
      "Required value",
    ],
    [
      "a kubeConfig with both refs",
      { kubeConfig: { configMapRef: { name: "a" }, secretRef: { name: "b" } } },
      "spec.kubeConfig",
      "exactly one of",
    ],
    ["an empty kubeConfig", { kubeConfig: {} }, "spec.kubeConfig", "exactly one of"],
    ["prune as a string", { prune: "yes" }, "spec.prune", "must be of type boolean"],
  ])("rejects %s", (_, spec, path, message) => {
    const r = safeParseKustomization(withSpec(spec));
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it.each(["interval", "prune", "sourceRef"])("requires spec.%s", (field) => {
    const spec: Record<string, unknown> = { ...minimal.spec };
    delete spec[field];
    const r = safeParseKustomization({ ...minimal, spec });
    expect(r.success ? [] : r.issues).toContainEqual({ path: `spec.${field}`, message: "Required value" });
  });

  it("parses a status with inventory and history", () => {
    const status: Kustomization["status"] = {
      observedGeneration: 1,
      lastAppliedRevision: "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738",
      lastAttemptedRevision: "main@sha1:5394cb7f48332b2de7c17dd8b8384bbc84b7e738",
      inventory: { entries: [{ id: "prod_web_apps_Deployment", v: "v1" }] },
      history: [
        {
          digest: "sha256:abc",
          firstReconciled: "2026-11-27T00:00:00Z",
          lastReconciled: "2026-11-27T00:10:00Z",
          lastReconciledDuration: "1.2s",
          lastReconciledStatus: "ReconciliationSucceeded",
          totalReconciliations: 2,
        },
      ],
    };
    expect(parseKustomization({ ...minimal, status }).status).toEqual(status);
    const bad = { ...minimal, status: { inventory: { entries: [{ id: "x" }] } } };
    expect(safeParseKustomization(bad).success).toBe(false);
  });
});
