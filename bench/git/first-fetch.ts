// Child process of the git benchmark: a GitRepository's first fetch as the source controller does it
// (resolve the ref, fetchRevision: shallow fetch into an empty cache and the commit subject, then
// buildArtifact: read the tree, write it while
// archiving it, store the artifact), in a fresh process so that its peak memory is its own.
//   node bench/git/first-fetch.ts <url> <storage root> [reconciler|disk]
// "reconciler" calls the GitRepository reconciler's buildArtifact (src/controller/gitrepository/source.ts);
// "disk" writes the tree first and archives it by reading it back from disk, as the reconciler did before
// it archived from memory (and still does with spec.include), for comparison.
// Prints one JSON line: phase times and CPU, requests, files, artifact digest and revision, max RSS.
import { join } from "node:path";
import type { Artifact, ArtifactLocation } from "../../src/source/git/artifact.ts";

// With DRIFTLESS_BENCH_DIST=1 the modules come from the compiled dist/ (what the container runs: no type
// stripping at start-up), else from the TypeScript sources.
const fromDist = process.env.DRIFTLESS_BENCH_DIST === "1";
const load = <T>(module: string): Promise<T> =>
  import(fromDist ? `../../dist/${module}.js` : `../../src/${module}.ts`) as Promise<T>;
const { buildArtifact, fetchRevision } = await load<
  typeof import("../../src/controller/gitrepository/source.ts")
>("controller/gitrepository/source");
const { stagedTree, stagingDir, storeArtifact } =
  await load<typeof import("../../src/source/git/artifact.ts")>("source/git/artifact");
const { resolveRef } = await load<typeof import("../../src/source/git/refs.ts")>("source/git/refs");
const { openTransport } =
  await load<typeof import("../../src/source/git/transport.ts")>("source/git/transport");
const { writeTree } = await load<typeof import("../../src/source/git/tree.ts")>("source/git/tree");

const [url, root, mode = "reconciler"] = process.argv.slice(2);
if (!url || !root || (mode !== "reconciler" && mode !== "disk")) {
  throw new Error("usage: first-fetch.ts <url> <storage root> [reconciler|disk]");
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
const maxRss = (): number => process.resourceUsage().maxRSS;
// Start-up (Node, module loading and type stripping) until here, then per phase.
const startupCpu = (process.cpuUsage().user + process.cpuUsage().system) / 1000;
cpu();
const startupRss = maxRss();

const t0 = performance.now();
const transport = openTransport(url, undefined);
const resolved = await resolveRef(transport, { branch: "main" });
const t1 = performance.now();
const c1 = cpu();
const m1 = maxRss();
// As the reconciler: the shallow fetch, then the commit's subject for the NewArtifact event.
const { ref } = await fetchRevision(transport, cacheDir, resolved);
const t2 = performance.now();
const c2 = cpu();
const m2 = maxRss();
transport.close();

async function fromDisk(): Promise<Artifact> {
  const staging = await stagingDir(loc);
  await writeTree({ cacheDir, commit: ref.commit, dir: stagedTree(staging) });
  return storeArtifact(loc, staging, ref.revision);
}
const artifact =
  mode === "reconciler"
    ? await buildArtifact({ loc, cacheDir, ref, ignore: undefined, includes: [] })
    : await fromDisk();
const t3 = performance.now();
const c3 = cpu();
const m3 = maxRss();

process.stdout.write(
  `${JSON.stringify({
    resolveMs: t1 - t0,
    fetchMs: t2 - t1,
    artifactMs: t3 - t2,
    totalMs: t3 - t0,
    cpuMs: { startup: startupCpu, resolve: c1, fetch: c2, artifact: c3 },
    maxRssKbAfter: { startup: startupRss, resolve: m1, fetch: m2, artifact: m3 },
    requests: transport.requests,
    files: artifact.files,
    digest: artifact.digest,
    revision: artifact.revision,
    tarballBytes: artifact.size,
    maxRssKb: maxRss(),
  })}\n`,
);
