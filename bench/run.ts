// Runs every benchmark one after another, each in its own process, printing each one's output as it comes:
//   node bench/run.ts          modest sizes (a few minutes)
//   node bench/run.ts --full   the sizes the issues ask for and RESULTS.md records (much longer)
//   node bench/run.ts --only git,apply
// Benchmarks needing a tool that is not built (kustomize, sops, kube-apiserver, kubectl) fail on their
// own; the others still run, and the exit code is non-zero when any failed.
import { spawn } from "node:child_process";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { full: { type: "boolean", default: false }, only: { type: "string" } },
});
const here = import.meta.dirname;

interface Bench {
  name: string;
  script: string;
  modest: string[];
  full: string[];
}

const BENCHES: readonly Bench[] = [
  { name: "kustomize", script: "kustomize/bench.ts", modest: ["100"], full: ["100,300,500"] },
  { name: "sops", script: "sops/decrypt-secrets.ts", modest: ["100"], full: ["1000"] },
  {
    name: "git",
    script: "git/bench.ts",
    modest: ["--files", "2000", "--commits", "50", "--runs", "1", "--polls", "10"],
    full: ["--files", "20000", "--commits", "500", "--runs", "2", "--polls", "20"],
  },
  {
    name: "apply",
    script: "apply/bench.ts",
    modest: ["--apps", "50", "--drifts", "10", "--noops", "2"],
    full: ["--apps", "500", "--drifts", "20", "--noops", "3"],
  },
];

function runOne(bench: Bench): Promise<number> {
  const argv = [path.join(here, bench.script), ...(args.full ? bench.full : bench.modest)];
  process.stdout.write(`\n## ${bench.name}: node bench/${bench.script} ${argv.slice(1).join(" ")}\n\n`);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", (err) => {
      process.stderr.write(`${bench.name}: ${err.message}\n`);
      resolve(1);
    });
    child.on("close", (code) => {
      process.stdout.write(
        `\n(${bench.name}: exit ${code}, ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
      resolve(code ?? 1);
    });
  });
}

const only = args.only?.split(",");
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
if (only && selected.length !== only.length) {
  throw new Error(`unknown benchmark in --only; known: ${BENCHES.map((b) => b.name).join(", ")}`);
}
let failed = 0;
for (const bench of selected) if ((await runOne(bench)) !== 0) failed += 1;
process.exitCode = failed > 0 ? 1 : 0;
