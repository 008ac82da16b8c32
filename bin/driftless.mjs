#!/usr/bin/env node
// The `driftless` command. driftless needs Node >= 22.19 (its sources run with Node's type stripping);
// when started by an older system Node, re-run under the Node 22 that the project installs (npm package node@22).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
const dist = join(root, "dist", "cli", "main.js");
const entry = existsSync(dist) ? dist : join(root, "src", "cli", "main.ts");

if (major > 22 || (major === 22 && minor >= 19)) {
  await import(entry);
} else {
  const node22 = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(node22)) {
    process.stderr.write(
      `driftless: needs Node >= 22.19 (this is ${process.version}); run npm install first\n`,
    );
    process.exit(2);
  }
  const r = spawnSync(node22, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
