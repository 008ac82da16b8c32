// SSH git server for tests: the real OpenSSH sshd on 127.0.0.1 with its own config, a generated ed25519 host
// key and key-only auth for generated client keys. A ForceCommand wrapper maps `git-upload-pack '/x.git'`
// (and receive-pack) onto the repository root and records each command, so tests can count SSH fetches.
import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { run } from "./exec.ts";

/** The absolute path of sshd (sshd refuses to run from a relative path). */
export const SSHD = "/usr/sbin/sshd";

/** Generated key material and files of the SSH server. */
export interface SshFiles {
  dir: string;
  hostKey: string;
  /** The host public key line ("ssh-ed25519 AAAA…"). */
  hostPublicKey: string;
  /** Another host key's public line that sshd does not use: known_hosts with it must be rejected. */
  wrongHostPublicKey: string;
  clientKey: string;
  clientPublicKey: string;
  /** A client key protected by clientKeyPassphrase, authorised as well. */
  encryptedClientKey: string;
  clientKeyPassphrase: string;
  /** A key that is not authorised. */
  unauthorizedClientKey: string;
  authorizedKeys: string;
  commandLog: string;
  config: string;
}

/** Options of GitSshServer. */
export interface GitSshServerOptions {
  root: string;
  dir: string;
  port: number;
}

async function keygen(path: string, comment: string, passphrase = ""): Promise<string> {
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", path]);
  return (await readFile(`${path}.pub`, "utf8")).trim();
}

function wrapperScript(root: string, log: string): string {
  // Runs as the login user for every SSH session. Only git's two pack commands with a plain repository
  // path are allowed; the path is taken relative to the test root.
  return `#!/bin/sh
set -eu
cmd="\${SSH_ORIGINAL_COMMAND:-}"
case "$cmd" in
  "git-upload-pack "*) svc=git-upload-pack ;;
  "git-receive-pack "*) svc=git-receive-pack ;;
  "git upload-pack "*) svc=git-upload-pack; cmd="git-upload-pack \${cmd#git upload-pack }" ;;
  "git receive-pack "*) svc=git-receive-pack; cmd="git-receive-pack \${cmd#git receive-pack }" ;;
  *) echo "driftless test sshd: only git-upload-pack and git-receive-pack are allowed" >&2; exit 1 ;;
esac
arg="\${cmd#"$svc "}"
path=$(printf '%s' "$arg" | sed -e "s/^'//" -e "s/'\\$//")
case "$path" in
  *..*|*"'"*|*" "*) echo "driftless test sshd: bad repository path" >&2; exit 1 ;;
esac
path="\${path#/}"
printf '%s %s %s\\n' "$svc" "$path" "\${GIT_PROTOCOL:-}" >> '${log}'
exec "$svc" '${root}'/"$path"
`;
}

/** Generates keys, config and the command wrapper for sshd into dir. */
export async function prepareSsh(opts: GitSshServerOptions): Promise<SshFiles> {
  const { dir, root, port } = opts;
  await mkdir(dir, { recursive: true });
  const hostKey = join(dir, "ssh_host_ed25519_key");
  const hostPublicKey = await keygen(hostKey, "driftless-test-host");
  const wrongHostPublicKey = await keygen(join(dir, "wrong_host_key"), "driftless-test-wrong-host");
  const clientKey = join(dir, "client_ed25519");
  const clientPublicKey = await keygen(clientKey, "driftless-test-client");
  const clientKeyPassphrase = "test passphrase";
  const encryptedClientKey = join(dir, "client_encrypted_ed25519");
  const encryptedPublic = await keygen(encryptedClientKey, "driftless-test-encrypted", clientKeyPassphrase);
  const unauthorizedClientKey = join(dir, "unauthorized_ed25519");
  await keygen(unauthorizedClientKey, "driftless-test-unauthorized");

  const authorizedKeys = join(dir, "authorized_keys");
  await writeFile(authorizedKeys, `${clientPublicKey}\n${encryptedPublic}\n`, { mode: 0o600 });
  const commandLog = join(dir, "commands.log");
  await writeFile(commandLog, "");
  await chmod(commandLog, 0o666);
  const wrapper = join(dir, "git-command.sh");
  await writeFile(wrapper, wrapperScript(root, commandLog), { mode: 0o755 });

  const config = join(dir, "sshd_config");
  await writeFile(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      "StrictModes no",
      "UsePAM no",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      // Tests run as root here; key-only root login keeps sshd usable for them.
      "PermitRootLogin prohibit-password",
      `AllowUsers ${userInfo().username}`,
      "AcceptEnv GIT_PROTOCOL",
      `ForceCommand ${wrapper}`,
      "PermitTTY no",
      "X11Forwarding no",
      "AllowTcpForwarding no",
      "AllowAgentForwarding no",
      "PrintMotd no",
      "PrintLastLog no",
      "MaxStartups 64:30:128",
      "LogLevel INFO",
      "",
    ].join("\n"),
  );
  return {
    dir,
    hostKey,
    hostPublicKey,
    wrongHostPublicKey,
    clientKey,
    clientPublicKey,
    encryptedClientKey,
    clientKeyPassphrase,
    unauthorizedClientKey,
    authorizedKeys,
    commandLog,
    config,
  };
}

/** A running sshd. */
export class GitSshServer {
  readonly port: number;
  private readonly files: SshFiles;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = "";

  constructor(files: SshFiles, port: number) {
    this.files = files;
    this.port = port;
  }

  /** Starts sshd in the foreground (-D) logging to stderr (-e) and waits for its banner. */
  async start(): Promise<void> {
    if (this.child) return;
    // The privilege separation directory must exist when sshd runs as root.
    await mkdir("/run/sshd", { recursive: true, mode: 0o755 }).catch(() => undefined);
    const child = spawn(SSHD, ["-D", "-e", "-f", this.files.config], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.child = child;
    const keep = (b: Buffer): void => {
      this.output = (this.output + b.toString("utf8")).slice(-8000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => child.on("close", () => resolve()));
    // If the owning process exits without stop() (a crash, a failed global setup), take sshd along.
    const onExit = (): void => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    process.on("exit", onExit);
    child.on("close", () => process.off("exit", onExit));
    child.on("close", () => {
      if (this.child === child) this.child = undefined;
    });
    const deadline = Date.now() + 10_000;
    while (!(await banner(this.port))) {
      if (!this.child) throw new Error(`sshd exited at start: ${this.output.trim()}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`sshd did not answer on port ${this.port}: ${this.output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops sshd and its process group. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), "SIGKILL");
      } catch {
        // already gone
      }
    }, 3000);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** The last lines sshd printed, for error messages. */
  log(): string {
    return this.output;
  }
}

function banner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("data", (b: Buffer) => done(b.toString("latin1").startsWith("SSH-")));
    socket.once("error", () => done(false));
  });
}
