// The README's demo in its non-interactive mode is an end-to-end test of its own: every step checked.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";

it("runs the README demo (--ci): every step passes and nothing is left running", () => {
  const root = resolve(import.meta.dirname, "..", "..");
  const r = spawnSync(process.execPath, [resolve(root, "demo", "main.ts"), "--ci"], {
    cwd: root,
    encoding: "utf8",
    timeout: 420_000,
  });
  process.stdout.write(r.stdout);
  expect(r.stdout).toMatch(/^demo: all \d+ steps passed$/m);
  expect(r.stdout).not.toMatch(/^FAIL/m);
  expect(r.status, r.stderr).toBe(0);
  // The demo's work dir (driftless's storage and log) is gone, and no process still uses it.
  const work = /log (\/\S+)\/driftless\.log/.exec(r.stdout)?.[1];
  expect(work).toBeDefined();
  expect(existsSync(work ?? "")).toBe(false);
  const ps = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
  expect(ps.split("\n").filter((l) => l.includes(work ?? "<none>"))).toEqual([]);
}, 450_000);
