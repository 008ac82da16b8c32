// Where the test tools built by test/tools/install.sh live, and a check that they are there.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The directory holding etcd, kube-apiserver, kubectl, … (cached outside the repo, by version). */
export function toolsBinDir(): string {
  const cache = process.env.DRIFTLESS_CACHE ?? join(homedir(), ".cache", "driftless");
  return join(cache, "bin");
}

/** Returns the absolute path of a test tool, or throws saying how to build it. */
export function toolPath(name: string): string {
  const p = join(toolsBinDir(), name);
  if (!existsSync(p)) {
    throw new Error(
      `test tool ${name} not found at ${p}: run \`npm run tools\` (test/tools/install.sh) first`,
    );
  }
  return p;
}
