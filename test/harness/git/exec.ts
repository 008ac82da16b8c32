// Small process helpers for the git test servers: run a command to completion, find a free port.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** The result of a finished command. */
export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options for run(). */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Uint8Array;
  /** Resolve with the non-zero code instead of rejecting. */
  allowFailure?: boolean;
  timeoutMs?: number;
}

/** Runs a command to completion; rejects on a non-zero exit unless allowFailure. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.stdin.on("error", () => {
      // the command may exit before reading all of its input; its exit code tells what happened
    });
    child.on("close", (code, signal) => {
      const result = {
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code: code ?? (signal ? 128 : 1),
      };
      if (result.code !== 0 && !opts.allowFailure) {
        reject(new Error(`${cmd} ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`));
        return;
      }
      resolve(result);
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
