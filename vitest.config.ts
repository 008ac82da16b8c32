import { defineConfig } from "vitest/config";

// Two projects: fast unit tests beside the source, and integration tests in test/ that share one
// real control plane and git servers started by the global setup (see test/harness/).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "bench/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/harness/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Test files share one apiserver and each starts controllers that watch every namespace: run the
          // files one after another so that no two controllers reconcile the same objects.
          fileParallelism: false,
        },
      },
    ],
  },
});
