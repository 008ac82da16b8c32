// `npm run testenv -- up|down|status`: the test bed from the command line. `up` starts it in a
// background process and prints the kubeconfig path and git URLs; `down` stops everything.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { startTestEnv, type TestEnvInfo } from "./testenv.ts";

interface State {
  readonly pid: number;
  readonly pids: number[];
  readonly info: TestEnvInfo;
}

const stateDir = join(process.env.DRIFTLESS_CACHE ?? join(homedir(), ".cache", "driftless"), "testenv");
const stateFile = join(stateDir, "state.json");
const errorFile = join(stateDir, "error.txt");
const logFile = join(stateDir, "testenv.log");

function readState(): State | undefined {
  try {
    return JSON.parse(readFileSync(stateFile, "utf8")) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function print(info: TestEnvInfo): void {
  const lines = [
    `kubeconfig: ${info.kubeconfig}`,
    `server:     ${info.server}`,
    `tools:      ${info.binDir}`,
  ];
  const g = info.git;
  lines.push(
    `git root:   ${g.root} (bare repos: <name>.git)`,
    `git http:   ${g.http.anon}/<repo>.git (anonymous), ${g.http.basic}/<repo>.git (user ${g.credentials.username})`,
    `git https:  ${g.https.anon}/<repo>.git (CA ${g.tls.caFile})`,
    `git ssh:    ${g.ssh.baseUrl}/<repo>.git (key ${g.ssh.clientKeyFile})`,
  );
  lines.push("", `export KUBECONFIG=${info.kubeconfig}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

async function up(): Promise<number> {
  const existing = readState();
  if (existing && alive(existing.pid)) {
    print(existing.info);
    return 0;
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(stateFile, { force: true });
  rmSync(errorFile, { force: true });
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, [import.meta.filename, "serve"], {
    detached: true,
    stdio: ["ignore", log, log],
    env: process.env,
  });
  child.unref();
  process.stderr.write(`starting the test bed (log: ${logFile}) …\n`);
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    const s = readState();
    if (s) {
      print(s.info);
      return 0;
    }
    if (existsSync(errorFile)) {
      process.stderr.write(`test bed failed to start:\n${readFileSync(errorFile, "utf8")}\n`);
      return 1;
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  process.stderr.write(`test bed did not start; see ${logFile}\n`);
  return 1;
}

async function serve(): Promise<number> {
  let env: Awaited<ReturnType<typeof startTestEnv>>;
  try {
    env = await startTestEnv();
  } catch (err) {
    writeFileSync(errorFile, err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
  const state: State = { pid: process.pid, pids: env.controlPlane.pids, info: env.info() };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await env.stop();
  rmSync(stateFile, { force: true });
  return 0;
}

async function down(): Promise<number> {
  const s = readState();
  if (!s) {
    process.stdout.write("the test bed is not running\n");
    return 0;
  }
  if (alive(s.pid)) process.kill(s.pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while (alive(s.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  // A supervisor that died or hung must not leave its children running.
  for (const pid of [s.pid, ...s.pids]) {
    try {
      process.kill(pid === s.pid ? pid : -pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  rmSync(stateFile, { force: true });
  if (s.info.dir) rmSync(s.info.dir, { recursive: true, force: true });
  process.stdout.write("the test bed is stopped\n");
  return 0;
}

async function status(): Promise<number> {
  const s = readState();
  if (s && alive(s.pid)) {
    print(s.info);
    return 0;
  }
  process.stdout.write("the test bed is not running\n");
  return 1;
}

const commands: Record<string, () => Promise<number>> = { up, down, serve, status };
const cmd = commands[process.argv[2] ?? ""];
if (cmd === undefined) {
  process.stderr.write("usage: npm run testenv -- up|down|status\n");
  process.exitCode = 2;
} else {
  process.exitCode = await cmd();
}
