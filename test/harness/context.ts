// What integration tests use to reach the shared test bed started by the global setup.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { runKubectl } from "./controlplane.ts";
import type { TestEnvInfo } from "./testenv.ts";

/** The running test bed's info (kubeconfig path, apiserver URL, tool dir, git servers). */
export function testEnv(): TestEnvInfo {
  return inject("testenv");
}

/** Runs kubectl against the test bed as admin; never throws on a non-zero exit. */
export function kubectl(
  args: readonly string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKubectl(testEnv().kubeconfig, args, input);
}

/** Creates a fresh namespace named after prefix and returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  const r = await kubectl(["create", "namespace", name]);
  if (r.code !== 0) throw new Error(`create namespace ${name}: ${r.stderr}`);
  return name;
}
