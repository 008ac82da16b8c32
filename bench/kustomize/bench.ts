// Benchmark: `driftless build` against `kustomize build` on seed-shaped monorepos.
//   node bench/kustomize/bench.ts [100,300,500] [--no-dist]
// Prints a markdown table (wall and CPU time of each CLI, driftless in-process time, ratio, output equality).
// "driftless" is the command users run, bin/driftless.mjs, which runs the compiled dist/ when it is
// current: the benchmark first runs `npm run build` (unless --no-dist) and says which code ran.
// "from sources" is the same command forced onto the TypeScript sources (Node's type stripping).
// driftless figures are the median of three runs; kustomize runs once (it takes minutes at 500 apps).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { build } from "../../src/kustomize/build.ts";
import { writeMonorepo } from "./monorepo.ts";

const args = process.argv.slice(2);
const sizes = (args.find((a) => !a.startsWith("--")) ?? "100,300,500").split(",").map(Number);
const kustomize = process.env.KUSTOMIZE ?? path.join(homedir(), ".cache/driftless/bin/kustomize");
const repo = path.join(import.meta.dirname, "../..");
const cli = path.join(repo, "bin/driftless.mjs");

// Compiles dist/ so that bin/driftless.mjs runs it; a failed build leaves no stamp, and the sources run.
function buildDist(): string {
  if (args.includes("--no-dist")) return "sources (--no-dist)";
  const r = spawnSync("npm", ["run", "-s", "build"], { cwd: repo, encoding: "utf8" });
  const stamp = path.join(repo, "dist/.build-stamp");
  if (r.status !== 0 || !existsSync(stamp)) {
    process.stderr.write(`npm run build failed; driftless runs from sources\n${r.stdout}${r.stderr}\n`);
    return "sources (dist build failed)";
  }
  return `dist/ built ${statSync(stamp).mtime.toISOString()}`;
}
const ran = buildDist();
process.stderr.write(`driftless runs ${ran}\n`);

interface Run {
  /** Wall time in ms. */
  ms: number;
  /** CPU time (user + system) in ms: steadier than wall time on a shared machine. */
  cpu: number;
  out: string;
}

// Runs a command under /usr/bin/time to get its CPU time as well as its wall time.
function time(cmd: string, argv: string[], env: Record<string, string> = {}): Run {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", cmd, ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, ...env },
  });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const last = r.stderr.trim().split("\n").at(-1) ?? "";
  const [user = "0", sys = "0"] = last.split(" ");
  return { ms, cpu: (Number(user) + Number(sys)) * 1000, out: r.stdout };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

const rows: string[] = [];
rows.push(
  "| apps | objects | kustomize wall / CPU | driftless wall / CPU | from sources wall / CPU | in-process | speed-up wall / CPU | same bytes |",
);
rows.push("|---:|---:|---:|---:|---:|---:|---:|:---:|");
const inProcess: number[] = [];
for (const n of sizes) {
  const root = mkdtempSync(path.join(tmpdir(), "driftless-bench-"));
  try {
    const { production } = writeMonorepo(root, n);
    const median = (argv: string[], env: Record<string, string> = {}): Run =>
      [0, 1, 2].map(() => time(process.execPath, argv, env)).sort((a, b) => a.ms - b.ms)[1] ?? {
        ms: Number.NaN,
        cpu: Number.NaN,
        out: "",
      };
    const d = median([cli, "build", production]);
    const src = median([cli, "build", production], { DRIFTLESS_FROM_SOURCES: "1" });
    const inProc = [0, 1, 2].map(() => {
      const t0 = performance.now();
      const r = build(production);
      return { ms: performance.now() - t0, r };
    });
    const mid = inProc.sort((a, b) => a.ms - b.ms)[1];
    if (mid === undefined) throw new Error("no runs");
    const ip = mid.ms;
    const res = mid.r;
    inProcess.push(ip);
    let k: Run = { ms: Number.NaN, cpu: Number.NaN, out: "" };
    if (existsSync(kustomize)) k = time(kustomize, ["build", production]);
    const same = existsSync(kustomize) ? (k.out === d.out && k.out === src.out ? "yes" : "NO") : "n/a";
    rows.push(
      `| ${n} | ${res.objects.length} | ${secs(k.ms)} / ${secs(k.cpu)} | ${secs(d.ms)} / ${secs(d.cpu)} | ${secs(src.ms)} / ${secs(src.cpu)} | ${secs(ip)} | ${(k.ms / d.ms).toFixed(1)}x / ${(k.cpu / d.cpu).toFixed(1)}x | ${same} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
// bin/driftless.mjs falls back to the sources when any of them changed after the build (others at work).
const stale = spawnSync(
  "find",
  ["src", "-newer", "dist/.build-stamp", "-not", "-name", "*.test.ts", "-print", "-quit"],
  { cwd: repo, encoding: "utf8" },
);
const ranNow =
  ran.startsWith("dist/") && stale.stdout.trim() !== "" ? `${ran}, but the sources changed since` : ran;
process.stdout.write(`driftless ran ${ranNow}\n\n${rows.join("\n")}\n`);
if (inProcess.length > 1) {
  const first = inProcess[0] ?? 1;
  const last = inProcess.at(-1) ?? 1;
  process.stdout.write(
    `\ndriftless in-process growth ${sizes[0]}→${sizes.at(-1)} apps: ${(last / first).toFixed(1)}x\n`,
  );
}
