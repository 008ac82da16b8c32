// Writes the generated part of the conformance corpus (cases/gen-*): seeded random combinations of
// resources, layouts and kustomization features. Re-run it, then record.ts, to refresh them:
//   node test/kustomize/generate-cases.ts [count] && node test/kustomize/record.ts gen-
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { makeCase, makeCase2, writeCase } from "./casegen.ts";

const casesDir = path.join(import.meta.dirname, "cases");
const count = Number(process.argv[2] ?? "360");

for (const name of readdirSync(casesDir)) {
  if (name.startsWith("gen-") || name.startsWith("gen2-"))
    rmSync(path.join(casesDir, name), { recursive: true });
}
for (let seed = 1; seed <= count; seed++) {
  const c = makeCase(seed);
  writeCase(path.join(casesDir, c.name), c);
}
const count2 = Number(process.argv[3] ?? "100");
for (let seed = 1; seed <= count2; seed++) {
  const c = makeCase2(seed);
  writeCase(path.join(casesDir, c.name), c);
}
process.stdout.write(`wrote ${count} + ${count2} generated cases to ${casesDir}\n`);
