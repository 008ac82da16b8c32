// Benchmark: `driftless build` against `kustomize build` on seed-shaped monorepos.
//   node bench/kustomize/bench.ts [100,300,500]
// Prints a markdown table (wall time of each CLI, driftless in-process time, ratio, output equality).
// driftless figures are the median of three runs; kustomize runs once (it takes minutes at 500 apps).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { build } from "../../src/kustomize/build.ts";
import { writeMonorepo } from "./monorepo.ts";

const sizes = (process.argv[2] ?? "100,300,500").split(",").map(Number);
const kustomize = process.env.KUSTOMIZE ?? path.join(homedir(), ".cache/driftless/bin/kustomize");
const cli = path.join(import.meta.dirname, "../../src/cli/main.ts");
const entry = path.join(import.meta.dirname, "build-entry.ts");

interface Run {
  /** Wall time in ms. */
  ms: number;
  /** CPU time (user + system) in ms: steadier than wall time on a shared machine. */
  cpu: number;
  out: string;
}

// Runs a command under /usr/bin/time to get its CPU time as well as its wall time.
function time(cmd: string, args: string[]): Run {
  const t = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", cmd, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
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
  "| apps | objects | kustomize wall / CPU | driftless CLI wall / CPU | driftless command wall / CPU | in-process | speed-up wall / CPU | same bytes |",
);
rows.push("|---:|---:|---:|---:|---:|---:|---:|:---:|");
const inProcess: number[] = [];
for (const n of sizes) {
  const root = mkdtempSync(path.join(tmpdir(), "driftless-bench-"));
  try {
    const { production } = writeMonorepo(root, n);
    const median = (args: string[]): Run =>
      [0, 1, 2].map(() => time(process.execPath, args)).sort((a, b) => a.ms - b.ms)[1] ?? {
        ms: Number.NaN,
        cpu: Number.NaN,
        out: "",
      };
    const full = median([cli, "build", production]);
    const d = median([entry, production]);
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
    const same = existsSync(kustomize) ? (k.out === d.out && k.out === full.out ? "yes" : "NO") : "n/a";
    rows.push(
      `| ${n} | ${res.objects.length} | ${secs(k.ms)} / ${secs(k.cpu)} | ${secs(full.ms)} / ${secs(full.cpu)} | ${secs(d.ms)} / ${secs(d.cpu)} | ${secs(ip)} | ${(k.ms / d.ms).toFixed(1)}x / ${(k.cpu / d.cpu).toFixed(1)}x | ${same} |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
process.stdout.write(`${rows.join("\n")}\n`);
if (inProcess.length > 1) {
  const first = inProcess[0] ?? 1;
  const last = inProcess.at(-1) ?? 1;
  process.stdout.write(
    `\ndriftless in-process growth ${sizes[0]}→${sizes.at(-1)} apps: ${(last / first).toFixed(1)}x\n`,
  );
}
