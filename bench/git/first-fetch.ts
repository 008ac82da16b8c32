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
const t0 = performance.now();
const transport = openTransport(url, undefined);
const resolved = await resolveRef(transport, { branch: "main" });
const t1 = performance.now();
const { ref } = await fetchCommit({ transport, cacheDir, ref: resolved });
const t2 = performance.now();
transport.close();
const staging = await stagingDir(loc);
const tree = await writeTree({ cacheDir, commit: ref.commit, dir: stagedTree(staging) });
const t3 = performance.now();
const artifact = await storeArtifact(
  loc,
  staging,
  ref.revision,
  mode === "entries" ? { entries: tree.entries } : {},
);
const t4 = performance.now();
process.stdout.write(
  `${JSON.stringify({
    resolveMs: t1 - t0,
    fetchMs: t2 - t1,
    writeTreeMs: t3 - t2,
    archiveMs: t4 - t3,
    totalMs: t4 - t0,
    requests: transport.requests,
    files: tree.files,
    digest: artifact.digest,
    revision: artifact.revision,
    tarballBytes: artifact.size,
    maxRssKb: process.resourceUsage().maxRSS,
  })}\n`,
);
