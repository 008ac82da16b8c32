#!/usr/bin/env node
// The `driftless` command. driftless needs Node >= 22.19 (its sources run with Node's type stripping);
// when started by an older system Node, re-run under the Node 22 that the project installs (npm package node@22).
//
// Start-up: it runs the compiled JavaScript in dist/ (`npm run build`) when that is current, since
// stripping the types of every TypeScript module costs more than the build of a small kustomization.
// "Current" means the build stamp (written just before tsc read the sources) is newer than every file
// and directory under src/ and the compiler settings, by both modification and status-change time (the
// latter also moves when a file is copied in with an old modification time, cp -p or tar); otherwise, or
// without a stamp, it runs the sources, so it never runs stale code. Without src/ (the container image)
// dist/ is all there is. DRIFTLESS_FROM_SOURCES=1 runs the sources regardless (the benchmark compares).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import module from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [major, minor] = process.versions.node.split(".").map(Number);
const entry = chooseEntry();

// Whether a file or directory changed at or after the stamp's time (a missing one counts as changed).
function changedAt(p, stampMs) {
  const st = statSync(p, { throwIfNoEntry: false });
  return st === undefined || st.mtimeMs >= stampMs || st.ctimeMs >= stampMs;
}

// Whether anything under dir (recursively; test files aside) changed at or after the stamp's time.
function changedSince(dir, stampMs) {
  if (changedAt(dir, stampMs)) return true;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return true;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (changedSince(p, stampMs)) return true;
    } else if (!e.name.endsWith(".test.ts") && changedAt(p, stampMs)) {
      return true;
    }
  }
  return false;
}

function chooseEntry() {
  const sources = join(root, "src", "cli", "main.ts");
  const compiled = join(root, "dist", "cli", "main.js");
  if (!existsSync(compiled)) return sources;
  if (!existsSync(join(root, "src"))) return compiled;
  if (process.env.DRIFTLESS_FROM_SOURCES === "1") return sources;
  const stamp = statSync(join(root, "dist", ".build-stamp"), { throwIfNoEntry: false });
  if (stamp === undefined) return sources;
  for (const f of ["package.json", "tsconfig.json", "tsconfig.build.json"]) {
    if (changedAt(join(root, f), stamp.mtimeMs)) return sources;
  }
  return changedSince(join(root, "src"), stamp.mtimeMs) ? sources : compiled;
}

if (major > 22 || (major === 22 && minor >= 19)) {
  // V8's code cache for the compiled modules (under the OS temp directory, or $NODE_COMPILE_CACHE);
  // when the directory is not writable Node carries on without it.
  if (entry.endsWith(".js")) module.enableCompileCache?.();
  await import(entry);
} else {
  const node22 = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(node22)) {
    process.stderr.write(
      `driftless: needs Node >= 22.19 (this is ${process.version}); run npm install first\n`,
    );
    process.exit(2);
  }
  const r = spawnSync(node22, [join(root, "bin", "driftless.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}
