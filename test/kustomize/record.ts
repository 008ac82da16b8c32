// Re-records the expected output of every conformance case with the real kustomize (the oracle):
//   node test/kustomize/record.ts [case-name-substring]
// Each case is test/kustomize/cases/<name>/ with the input tree in in/ (built at in/<build.txt> when that
// file exists) and the oracle's answer in expected.yaml, or expected-error.txt when kustomize rejects it.
// A Flux case has in/flux.yaml (a Flux Kustomization) and in/oracle/kustomization.yaml, the file Flux's
// generator writes into spec.path: the oracle renders a copy of the tree with that file in place.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
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
  let target = path.join(dir, "in", rel);
  let scratch: string | undefined;
  const fluxOracle = path.join(dir, "in", "oracle", "kustomization.yaml");
  if (existsSync(fluxOracle)) {
    scratch = mkdtempSync(path.join(tmpdir(), "record-flux-"));
    cpSync(path.join(dir, "in"), scratch, { recursive: true });
    const spec = /^\s+path: (.+)$/m.exec(readFileSync(path.join(dir, "in", "flux.yaml"), "utf8"))?.[1] ?? ".";
    target = path.join(scratch, spec.trim());
    for (const n of ["kustomization.yaml", "kustomization.yml", "Kustomization"])
      rmSync(path.join(target, n), { force: true });
    cpSync(fluxOracle, path.join(target, "kustomization.yaml"));
  }
  const res = spawnSync(kustomize, ["build", target], { encoding: "utf8" });
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
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
