// Benchmark of the GitRepository source against the real `git http-backend` server of the test harness:
//   node bench/git/bench.ts [--files 20000] [--commits 500] [--runs 2] [--polls 20] [--disk] [--work DIR] [--dist]
// --dist runs the child on the compiled dist/ (`npm run build` first), as the container image does, which
// leaves out the TypeScript type stripping of every module at start-up.
// (a) a first fetch (ref, shallow fetch, tree, artifact as the reconciler's buildArtifact makes it) in a
//     child process against `git clone --depth 1 --single-branch` of the same repository, alternating,
//     with peak memory; --disk adds a run that archives the tree by reading it back from disk;
// (b) no-change polls (ref advertisement compared with the stored artifact): round trips and time.
// Clones and artifacts go under --work (default: the OS temp dir). Prints markdown tables.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { readArtifact } from "../../src/source/git/artifact.ts";
import { resolveRef } from "../../src/source/git/refs.ts";
import { openTransport } from "../../src/source/git/transport.ts";
import { run } from "../../test/harness/git/exec.ts";
import {
  createRepo,
  type GitServersInfo,
  httpRequests as harnessRequests,
  resetHttpRequests as harnessReset,
  repoUrl,
  startGitServers,
} from "../../test/harness/git/index.ts";
import { generateRepo } from "./repo.ts";

const { values: args } = parseArgs({
  options: {
    files: { type: "string", default: "20000" },
    commits: { type: "string", default: "500" },
    runs: { type: "string", default: "2" },
    polls: { type: "string", default: "20" },
    disk: { type: "boolean", default: false },
    work: { type: "string" },
    dist: { type: "boolean", default: false },
  },
});
if (args.dist) {
  const built = spawnSync("npm", ["run", "-s", "build"], {
    cwd: path.join(import.meta.dirname, "..", ".."),
    encoding: "utf8",
  });
  if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stdout}${built.stderr}`);
}
const childEnv = { ...process.env, DRIFTLESS_BENCH_DIST: args.dist ? "1" : "0" };
const files = Number(args.files);
const commits = Number(args.commits);
const runs = Number(args.runs);
const polls = Number(args.polls);
const TIME = "/usr/bin/time";
const childScript = path.join(import.meta.dirname, "first-fetch.ts");

// The control listener closes idle keep-alive connections during long child runs: retry once on a reset.
async function retried<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch {
    return fn();
  }
}
const httpRequests = (info: GitServersInfo, repo: string) => retried(() => harnessRequests(info, repo));
const resetHttpRequests = (info: GitServersInfo) => retried(() => harnessReset(info));

interface Timed {
  ms: number;
  stdout: string;
  /** Peak RSS of the process and its children in KiB (from GNU time), or NaN without it. */
  maxRssKb: number;
  /** User + system CPU seconds of the process and its children (from GNU time), or NaN without it. */
  cpuS: number;
}

// Runs a command under GNU time (when installed) for its peak memory; wall time measured here.
function timed(cmd: string, argv: readonly string[], env?: NodeJS.ProcessEnv): Promise<Timed> {
  const useTime = existsSync(TIME);
  const [bin, binArgs] = useTime ? [TIME, ["-f", "@@rss %M %U %S", cmd, ...argv]] : [cmd, [...argv]];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, binArgs, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${stderr}`));
      const rss = /@@rss (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({
        ms,
        stdout: Buffer.concat(out).toString(),
        maxRssKb: rss ? Number(rss[1]) : Number.NaN,
        cpuS: rss ? Number(rss[2]) + Number(rss[3]) : Number.NaN,
      });
    });
  });
}

interface ChildReport {
  resolveMs: number;
  fetchMs: number;
  artifactMs: number;
  totalMs: number;
  cpuMs: { startup: number; resolve: number; fetch: number; artifact: number };
  requests: number;
  files: number;
  digest: string;
  revision: string;
  tarballBytes: number;
  maxRssKb: number;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb: number): string => (Number.isNaN(kb) ? "n/a" : `${Math.round(kb / 1024)} MB`);
const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const servers = await startGitServers({ ssh: false });
const info = servers.info();
const work = mkdtempSync(path.join(args.work ?? tmpdir(), "gitsource-benchmark-"));
try {
  const repo = "big";
  const dir = await createRepo(info, repo);
  const g0 = performance.now();
  const tip = await generateRepo(dir, "main", { files, commits });
  const { stdout: packSize } = await run("du", ["-sk", path.join(dir, "objects")]);
  process.stderr.write(
    `generated ${files} files, ${commits} commits (${packSize.split("\t")[0]} KiB of objects) in ${s(performance.now() - g0)}; tip ${tip}\n`,
  );
  const url = repoUrl(info, "http-anon", repo);

  const fetchRows: string[] = [
    "| run | driftless artifact | git clone --depth 1 (CPU) | git RSS | driftless process (CPU) | in-process: resolve / fetch / artifact = total | CPU start-up / fetch / artifact | driftless RSS | requests (git / driftless) | wall ratio, process (in-process) | CPU ratio |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  let last: { root: string; report: ChildReport } | undefined;
  for (let r = 1; r <= runs; r++) {
    const cloneDir = path.join(work, `clone-${r}`);
    await resetHttpRequests(info);
    const git = await timed("git", [
      "clone",
      "--quiet",
      "--depth",
      "1",
      "--single-branch",
      "--branch",
      "main",
      url,
      cloneDir,
    ]);
    const gitRequests = (await httpRequests(info, repo)).length;
    const listed = await run("git", ["-C", cloneDir, "ls-files"]);
    const gitFiles = listed.stdout.split("\n").filter((l) => l !== "").length;
    rmSync(cloneDir, { recursive: true, force: true });

    for (const mode of args.disk ? (["reconciler", "disk"] as const) : (["reconciler"] as const)) {
      const root = path.join(work, `storage-${r}-${mode}`);
      await resetHttpRequests(info);
      const d = await timed(process.execPath, [childScript, url, root, mode], childEnv);
      const report = JSON.parse(d.stdout) as ChildReport;
      if (report.files !== gitFiles) {
        throw new Error(`driftless wrote ${report.files} files, git checked out ${gitFiles}`);
      }
      if (!report.revision.endsWith(tip))
        throw new Error(`driftless fetched ${report.revision}, tip is ${tip}`);
      const dRequests = (await httpRequests(info, repo)).length;
      const rss = Number.isNaN(d.maxRssKb) ? report.maxRssKb : d.maxRssKb;
      const c = report.cpuMs;
      fetchRows.push(
        `| ${r} | ${mode === "reconciler" ? "buildArtifact (from memory)" : "tarball read back from disk"} | ${s(git.ms)} (${git.cpuS.toFixed(2)} s) | ${mb(git.maxRssKb)} | ${s(d.ms)} (${d.cpuS.toFixed(2)} s) | ${s(report.resolveMs)} / ${s(report.fetchMs)} / ${s(report.artifactMs)} = ${s(report.totalMs)} | ${s(c.startup)} / ${s(c.fetch)} / ${s(c.artifact)} | ${mb(rss)} | ${gitRequests} / ${dRequests} | ${(d.ms / git.ms).toFixed(2)}x (${(report.totalMs / git.ms).toFixed(2)}x) | ${(d.cpuS / git.cpuS).toFixed(1)}x |`,
      );
      process.stderr.write(`${fetchRows.at(-1)}\n`);
      if (last) rmSync(last.root, { recursive: true, force: true });
      last = { root, report };
    }
  }

  // No-change polls against the artifact the last first fetch stored, as the reconciler does an interval
  // reconcile: read the stored artifact, one ref advertisement, compare revisions.
  if (!last) throw new Error("no run");
  const loc = { root: last.root, kind: "gitrepository", namespace: "bench", name: "big" };
  const times: number[] = [];
  const roundTrips: number[] = [];
  for (let p = 0; p < polls; p++) {
    await resetHttpRequests(info);
    const t0 = performance.now();
    const transport = openTransport(url, undefined);
    const stored = await readArtifact(loc, last.report.digest);
    const resolved = await resolveRef(transport, { branch: "main" });
    transport.close();
    const ms = performance.now() - t0;
    if (stored?.revision !== resolved.revision) throw new Error(`poll saw a change: ${resolved.revision}`);
    times.push(ms);
    roundTrips.push((await httpRequests(info, repo)).length);
  }
  const pollRows = [
    "| polls | server requests per poll | p50 | p90 | max |",
    "|---:|---:|---:|---:|---:|",
    `| ${polls} | ${Math.min(...roundTrips)}–${Math.max(...roundTrips)} | ${quantile(times, 0.5).toFixed(1)} ms | ${quantile(times, 0.9).toFixed(1)} ms | ${Math.max(...times).toFixed(1)} ms |`,
  ];
  process.stdout.write(
    `First fetch: ${files} files, ${commits} commits (tarball ${Math.round(last.report.tarballBytes / 1024)} KiB)\n\n${fetchRows.join("\n")}\n\nNo-change poll\n\n${pollRows.join("\n")}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
  await servers.stop();
}
