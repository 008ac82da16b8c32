// vitest global setup for the integration project: one test bed for the whole run, torn down at the end.
import type { TestProject } from "vitest/node";
import { startTestEnv, type TestEnvInfo } from "./testenv.ts";

declare module "vitest" {
  export interface ProvidedContext {
    testenv: TestEnvInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const env = await startTestEnv();
  project.provide("testenv", env.info());
  process.stderr.write(`[testenv] up in ${Date.now() - started} ms: ${env.info().server}\n`);
  return async () => {
    await env.stop();
  };
}
