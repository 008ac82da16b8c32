// Child process of the git benchmark: a GitRepository's first fetch as the source controller does it
// (resolve the ref, shallow fetch into an empty cache, write the tree, archive and store the artifact),
// in a fresh process so that its peak memory is its own.
//   node bench/git/first-fetch.ts <url> <storage root> [controller|entries]
// "controller" archives the tree from disk as the GitRepository reconciler does today (source.ts
// buildArtifact); "entries" hands writeTree's in-memory files to storeArtifact instead.
// Prints one JSON line: phase times, requests, files, artifact digest and revision, max RSS.
import { join } from "node:path";
import {
  type ArtifactLocation,
  stagedTree,
  stagingDir,
  storeArtifact,
} from "../../src/source/git/artifact.ts";
import { fetchCommit } from "../../src/source/git/fetch.ts";
import { resolveRef } from "../../src/source/git/refs.ts";
import { openTransport } from "../../src/source/git/transport.ts";
import { writeTree } from "../../src/source/git/tree.ts";

const [url, root, mode = "controller"] = process.argv.slice(2);
if (!url || !root || (mode !== "controller" && mode !== "entries")) {
  throw new Error("usage: first-fetch.ts <url> <storage root> [controller|entries]");
}

const loc: ArtifactLocation = { root, kind: "gitrepository", namespace: "bench", name: "big" };
const cacheDir = join(root, "gitcache", "bench", "big");
// CPU (user + system, milliseconds) of this process since the last call: the phases' own cost, which
// wall time on a shared machine does not show.
let lastCpu = process.cpuUsage();
const cpu = (): number => {
  const d = process.cpuUsage(lastCpu);
  lastCpu = process.cpuUsage();
  return (d.user + d.system) / 1000;
};
const t0 = performance.now();
cpu();
const transport = openTransport(url, undefined);
const resolved = await resolveRef(transport, { branch: "main" });
const t1 = performance.now();
const c1 = cpu();
const m1 = process.resourceUsage().maxRSS;
const { ref } = await fetchCommit({ transport, cacheDir, ref: resolved });
const t2 = performance.now();
const c2 = cpu();
const m2 = process.resourceUsage().maxRSS;
transport.close();
const staging = await stagingDir(loc);
const tree = await writeTree({ cacheDir, commit: ref.commit, dir: stagedTree(staging) });
const t3 = performance.now();
const c3 = cpu();
const m3 = process.resourceUsage().maxRSS;
const artifact = await storeArtifact(
  loc,
  staging,
  ref.revision,
  mode === "entries" ? { entries: tree.entries } : {},
);
const t4 = performance.now();
const c4 = cpu();
const m4 = process.resourceUsage().maxRSS;
process.stdout.write(
  `${JSON.stringify({
    resolveMs: t1 - t0,
    fetchMs: t2 - t1,
    writeTreeMs: t3 - t2,
    archiveMs: t4 - t3,
    totalMs: t4 - t0,
    cpuMs: { resolve: c1, fetch: c2, writeTree: c3, archive: c4 },
    maxRssKbAfter: { resolve: m1, fetch: m2, writeTree: m3, archive: m4 },
    requests: transport.requests,
    files: tree.files,
    digest: artifact.digest,
    revision: artifact.revision,
    tarballBytes: artifact.size,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
