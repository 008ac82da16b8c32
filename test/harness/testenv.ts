// The whole test bed in one place: a control plane and the git servers, started together and
// described by one JSON-serialisable info object that test workers and the `testenv` CLI share.
import { type ControlPlane, type ControlPlaneInfo, ControlPlane as CP } from "./controlplane.ts";
import { type GitServersInfo, startGitServers } from "./git/index.ts";
import { toolsBinDir } from "./tools.ts";

/** What tests get from the global setup through vitest's inject("testenv"). */
export interface TestEnvInfo extends ControlPlaneInfo {
  /** Directory of the Go-built test tools (kubectl, kustomize, sops, …). */
  readonly binDir: string;
  /** The git servers (see test/harness/git/). */
  readonly git: GitServersInfo;
}

/** A running test bed. */
export interface TestEnv {
  readonly controlPlane: ControlPlane;
  info(): TestEnvInfo;
  stop(): Promise<void>;
}

/** Starts the control plane (full mode unless DRIFTLESS_TEST_MODE=basic) and the git servers. */
export async function startTestEnv(options: { full?: boolean } = {}): Promise<TestEnv> {
  const full = options.full ?? process.env.DRIFTLESS_TEST_MODE !== "basic";
  const [cp, gs] = await Promise.allSettled([CP.start({ full }), startGitServers()]);
  if (cp.status === "rejected" || gs.status === "rejected") {
    // Whichever started must not outlive the failure.
    if (cp.status === "fulfilled") await cp.value.stop();
    if (gs.status === "fulfilled") await gs.value.stop();
    throw cp.status === "rejected" ? cp.reason : (gs as PromiseRejectedResult).reason;
  }
  const controlPlane = cp.value;
  const git = gs.value;
  return {
    controlPlane,
    info: () => ({ ...controlPlane.info(), binDir: toolsBinDir(), git: git.info() }),
    stop: async () => {
      await git.stop();
      await controlPlane.stop();
    },
  };
}
