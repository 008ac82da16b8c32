// Long-running child processes of the test bed: started in their own process group, output to a log
// file, stopped with SIGTERM then SIGKILL so nothing is left behind.
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** A child process of the test bed with its log file. */
export class ManagedProcess {
  readonly name: string;
  readonly logPath: string;
  private child: ChildProcess;
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined = undefined;

  constructor(name: string, cmd: string, args: readonly string[], logPath: string, env?: NodeJS.ProcessEnv) {
    this.name = name;
    this.logPath = logPath;
    // The log file is the child's own stdout/stderr, so it keeps running if this process exits first.
    const log = openSync(logPath, "a");
    this.child = spawn(cmd, args, { stdio: ["ignore", log, log], detached: true, env: env ?? process.env });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      });
      this.child.on("error", () => {
        this.exitCode = -1;
        resolve(-1);
      });
    });
  }

  /** The OS process id (the process group id too, since it was started detached). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Whether the process has exited. */
  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** The last lines of its log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** Stops the process group: SIGTERM, then SIGKILL after graceMs. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.hasExited) return;
    const kill = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-this.pid, sig);
      } catch {
        // already gone
      }
    };
    kill("SIGTERM");
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Kills the process group at once. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    try {
      process.kill(-this.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }
}
