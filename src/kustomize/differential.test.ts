// Differential test: random kustomization trees (seeded, beyond the recorded corpus) rendered by the
// real kustomize and by driftless must give the same bytes, or both be rejected. Skipped when the
// kustomize binary is not installed (test/tools/install.sh kustomize). Seed base: DIFF_SEED.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeCase, makeCase2, writeCase } from "../../test/kustomize/casegen.ts";
import { build } from "./build.ts";

const kustomize = path.join(homedir(), ".cache/driftless/bin/kustomize");
const available = existsSync(kustomize);
const base = 100_000 + (Number(process.env.DIFF_SEED) || Math.floor(Date.now() / 86_400_000) % 10_000) * 100;
const runs = 25;
const work = mkdtempSync(path.join(tmpdir(), "driftless-diff-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!available)("differential against kustomize", () => {
  for (let i = 0; i < runs; i++) {
    const seed = base + i;
    it(`renders random tree ${seed} as kustomize does`, () => {
      const c = i % 2 === 0 ? makeCase(seed) : makeCase2(seed);
      const dir = path.join(work, String(seed));
      writeCase(dir, c);
      const target = path.join(dir, "in", c.build);
      const oracle = spawnSync(kustomize, ["build", target], { encoding: "utf8" });
      if (oracle.status === 0) {
        expect(build(target).yaml).toBe(oracle.stdout);
      } else {
        expect(() => build(target), oracle.stderr).toThrow();
      }
    });
  }
});
