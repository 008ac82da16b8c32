// Re-records the expected output of every conformance case with the real kustomize (the oracle):
//   node test/kustomize/record.ts [case-name-substring]
// Each case is test/kustomize/cases/<name>/ with the input tree in in/ (built at in/<build.txt> when that
// file exists) and the oracle's answer in expected.yaml, or expected-error.txt when kustomize rejects it.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

const casesDir = path.join(import.meta.dirname, "cases");
const kustomize = process.env.KUSTOMIZE ?? path.join(homedir(), ".cache/driftless/bin/kustomize");
const filter = process.argv[2] ?? "";

if (!existsSync(kustomize)) {
  process.stderr.write(`kustomize not found at ${kustomize}; run test/tools/install.sh kustomize\n`);
  process.exit(2);
}

let ok = 0;
let rejected = 0;
for (const name of readdirSync(casesDir).sort()) {
  if (!name.includes(filter)) continue;
  const dir = path.join(casesDir, name);
  const buildFile = path.join(dir, "build.txt");
  const rel = existsSync(buildFile) ? readFileSync(buildFile, "utf8").trim() : ".";
  const target = path.join(dir, "in", rel);
  const res = spawnSync(kustomize, ["build", target], { encoding: "utf8" });
  rmSync(path.join(dir, "expected.yaml"), { force: true });
  rmSync(path.join(dir, "expected-error.txt"), { force: true });
  if (res.status === 0) {
    writeFileSync(path.join(dir, "expected.yaml"), res.stdout);
    ok++;
  } else {
    writeFileSync(path.join(dir, "expected-error.txt"), res.stderr.replaceAll(dir, "<case>"));
    rejected++;
  }
}
process.stdout.write(`recorded ${ok} outputs and ${rejected} rejections\n`);
