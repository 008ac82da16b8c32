// Benchmark: decrypt N SOPS-encrypted Secrets with driftless (one process, one key set) and with `sops -d`
// (one process per file, as a script over the files would) in the same run, and print the ratio.
//   npx node bench/sops/decrypt-secrets.ts [count=1000]
// Needs sops (test/tools/install.sh sops). Encrypting the inputs spawns sops once per file and is not timed.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decryptFile, loadKeySet } from "../../src/sops/index.ts";

const run = promisify(execFile);
const count = Number(process.argv[2] ?? 1000);
const root = new URL("../..", import.meta.url).pathname;
const bin = (await run("bash", [join(root, "test/tools/install.sh"), "--print-dir"])).stdout.trim();
const sops = join(bin, "sops");
const keyFile = join(root, "test/sops/testdata/keys/age.agekey");
const keyText = readFileSync(keyFile, "utf8");
const recipient = /^# public key: (\S+)/m.exec(keyText)?.[1];
if (!recipient) throw new Error("no recipient in the test age key");

function secret(i: number): string {
  return [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    `    name: app-${i}`,
    "    namespace: bench",
    "    labels:",
    `        app: app-${i}`,
    "type: Opaque",
    "stringData:",
    `    username: user-${i}`,
    `    password: ${"p".repeat(24)}-${i}`,
    "    config.yaml: |",
    "        database:",
    `          host: db-${i}.internal`,
    "          port: 5432",
    "data:",
    `    token: ${Buffer.from(`token-${i}-${"x".repeat(32)}`).toString("base64")}`,
    "",
  ].join("\n");
}

/** Runs tasks with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

const dir = mkdtempSync(join(tmpdir(), "driftless-sops-bench-"));
try {
  const env = { ...process.env, SOPS_AGE_KEY_FILE: keyFile };
  const files = Array.from({ length: count }, (_, i) => join(dir, `secret-${i}.yaml`));
  const parallel = cpus().length;
  process.stderr.write(`encrypting ${count} Secrets with sops (not timed)…\n`);
  await pool(files, parallel, async (file) => {
    const i = Number(/secret-(\d+)/.exec(file)?.[1]);
    writeFileSync(`${file}.plain.yaml`, secret(i));
    const { stdout } = await run(
      sops,
      ["encrypt", "--age", recipient, "--encrypted-regex", "^(data|stringData)$", `${file}.plain.yaml`],
      { env },
    );
    writeFileSync(file, stdout);
  });
  const inputs = files.map((f) => readFileSync(f));

  // driftless: one key set (as one reconcile), every file decrypted and its MAC verified.
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const keys = await loadKeySet({ "age.agekey": keyText });
  const ours: Buffer[] = [];
  for (const [i, data] of inputs.entries())
    ours.push(Buffer.from(await decryptFile(`secret-${i}.yaml`, data, keys)));
  const oursMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const oursCpuMs = (cpu.user + cpu.system) / 1000;

  // The same key set again: data keys are cached, as in the next reconcile of unchanged files.
  const t1 = performance.now();
  for (const [i, data] of inputs.entries()) await decryptFile(`secret-${i}.yaml`, data, keys);
  const warmMs = performance.now() - t1;

  // sops -d, one process per file from a shell loop; `times` reports the CPU time of the sops processes.
  const loop = 'for f; do "$SOPS" decrypt "$f" > "$f.out"; done; times';
  const t2 = performance.now();
  const { stdout: times } = await run("bash", ["-c", loop, "bench", ...files], {
    env: { ...env, SOPS: sops },
  });
  const sopsMs = performance.now() - t2;
  const cpuLine = times.trim().split("\n")[1] ?? "";
  const sopsCpuMs = [...cpuLine.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
    0,
  );
  // And with one sops process per core at a time.
  const t3 = performance.now();
  await pool(files, parallel, async (file) => {
    await run(sops, ["decrypt", file], { env, encoding: "buffer" });
  });
  const sopsParallelMs = performance.now() - t3;

  const theirs = files.map((f) => readFileSync(`${f}.out`));
  const mismatches = ours.filter((b, i) => !b.equals(theirs[i] ?? Buffer.alloc(0))).length;
  const rss = process.memoryUsage().rss / 1024 / 1024;
  const line = (label: string, ms: number, cpuMs?: number): string =>
    `${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${(ms / count).toFixed(2).padStart(6)} ms/file` +
    (cpuMs === undefined ? "" : `  CPU ${(cpuMs / 1000).toFixed(2)} s`);
  console.log(
    `SOPS decryption of ${count} encrypted Secrets (age, encrypted_regex data|stringData, MAC verified)`,
  );
  console.log(`load average at start ${loadavg()[0]?.toFixed(1)} on ${parallel} cores`);
  console.log(line("driftless decryptFile, cold key set", oursMs, oursCpuMs));
  console.log(line("driftless decryptFile, data keys cached", warmMs));
  console.log(line("sops -d, one process per file", sopsMs, sopsCpuMs));
  console.log(line(`sops -d, ${parallel} processes in parallel`, sopsParallelMs));
  console.log(
    `ratio sops -d / driftless (cold): wall ${(sopsMs / oursMs).toFixed(1)}x sequential, ${(sopsParallelMs / oursMs).toFixed(1)}x parallel; CPU ${(sopsCpuMs / oursCpuMs).toFixed(1)}x`,
  );
  console.log(
    `outputs byte-identical to sops -d: ${count - mismatches}/${count}; driftless process RSS ${rss.toFixed(0)} MB`,
  );
  if (mismatches > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
