// A Kustomization controller in the test process with a stand-in source (the bed of
// test/harness/kustomization-bed.ts on the shared test control plane): the test writes a tree, publishes it as
// a GitRepository's artifact and sets that GitRepository's status, as the source controller would. The bed's
// kubectl helpers are also here as plain functions against the test bed.
import type { ArtifactRegistry } from "../../src/controller/kustomization/artifacts.ts";
import type { KustomizationController } from "../../src/controller/kustomization/setup.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { kubectl, testEnv } from "../harness/context.ts";
import { type ConditionView, ksCommands, startKsBed } from "../harness/kustomization-bed.ts";

/** A running Kustomization controller and its stand-in source. */
export interface Bed {
  readonly client: KubeClient;
  readonly registry: ArtifactRegistry;
  readonly controller: KustomizationController;
  /** Publishes files as revision `main@sha1:<random>` of GitRepository ns/name; returns the revision. */
  publish(namespace: string, name: string, files: Record<string, string>): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a Kustomization controller against the test bed. */
export function startBed(options: { driftMode?: "revert" | "detect" } = {}): Promise<Bed> {
  return startKsBed({
    kubeconfig: testEnv().kubeconfig,
    ...(options.driftMode ? { driftMode: options.driftMode } : {}),
  });
}

const admin = ksCommands(kubectl);

/** A Kustomization manifest. */
export function kustomization(namespace: string, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace },
    spec: {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "repo" },
      path: "./",
      ...spec,
    },
  });
}

/** A ConfigMap manifest in YAML. */
export function configMap(name: string, namespace: string, data: Record<string, string>): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
${Object.entries(data)
  .map(([k, v]) => `  ${k}: "${v}"`)
  .join("\n")}
`;
}

/** Applies a manifest with kubectl as admin; throws on failure. */
export function applyManifest(manifest: string): Promise<void> {
  return admin.apply(manifest);
}

/** One condition of Kustomization ns/name (type, status, reason, message), or undefined. */
export function condition(namespace: string, name: string, type: string): Promise<ConditionView | undefined> {
  return admin.condition(namespace, name, type);
}

/** Waits until the Kustomization's Ready condition has the reason (and returns the condition). */
export function waitForReason(
  namespace: string,
  name: string,
  reason: string,
  timeoutMs = 60_000,
): Promise<ConditionView> {
  return admin.waitForReason(namespace, name, reason, timeoutMs);
}

/** Waits until the Kustomization is Ready on revision rev. */
export function waitForRevision(
  namespace: string,
  name: string,
  rev: string,
  timeoutMs = 60_000,
): Promise<void> {
  return admin.waitForRevision(namespace, name, rev, timeoutMs);
}

/** Whether an object exists. */
export async function exists(args: readonly string[]): Promise<boolean> {
  return (await kubectl(["get", ...args])).code === 0;
}
