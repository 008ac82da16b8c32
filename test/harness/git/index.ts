// Real git servers for tests: smart HTTP(S) through `git http-backend` and SSH through OpenSSH sshd, both on
// 127.0.0.1, sharing one root of bare repositories.
//
// startGitServers() runs in the process that owns the servers (vitest's global setup or the testenv CLI)
// and returns a GitServers handle. Test workers get only the JSON-serialisable GitServersInfo and use the
// functions below that take it: repositories are plain directories under info.root, and a small control
// listener (info.control) lets workers read request counts, inject faults and stop/start the HTTP listeners.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "./exec.ts";
import { GitHttpServer, type HttpFault, type HttpMode, type RecordedRequest } from "./http.ts";
import {
  type CommitOptions,
  type CommitResult,
  commitToRepo,
  createBareRepo,
  deleteRefInRepo,
  type FileContent,
  repoDir,
  tagInRepo,
  updateRefInRepo,
} from "./repos.ts";
import { GitSshServer, prepareSsh } from "./ssh.ts";
import { generateTls } from "./tls.ts";

export type { CommitOptions, CommitResult, FileContent, HttpFault, HttpMode, RecordedRequest };

/** Everything a test needs to reach the servers; JSON-serialisable (passed to vitest workers). */
export interface GitServersInfo {
  /** The directory holding the bare repositories ("<name>.git"). */
  root: string;
  /** Base URLs per auth mode over plain HTTP; a repository is `${base}/${name}.git`. */
  http: { anon: string; basic: string; bearer: string };
  /** Base URLs per auth mode over HTTPS (server certificate signed by tls.caFile). */
  https: { anon: string; basic: string; bearer: string; mtls: string };
  credentials: { username: string; password: string; bearerToken: string };
  tls: {
    caFile: string;
    caPem: string;
    /** A client certificate and key signed by the CA, accepted by the mtls prefix. */
    clientCertFile: string;
    clientKeyFile: string;
  };
  ssh: {
    host: string;
    port: number;
    user: string;
    /** Base URL; a repository is `${baseUrl}/${name}.git`. */
    baseUrl: string;
    clientKeyFile: string;
    clientPublicKey: string;
    /** An authorised client key protected by encryptedClientKeyPassphrase. */
    encryptedClientKeyFile: string;
    encryptedClientKeyPassphrase: string;
    /** A client key sshd does not accept. */
    unauthorizedClientKeyFile: string;
    hostPublicKey: string;
    /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…` */
    knownHostsLine: string;
    /** A known_hosts file holding knownHostsLine. */
    knownHostsFile: string;
    /** A known_hosts line for the same host with a different key (must be rejected). */
    wrongKnownHostsLine: string;
    wrongKnownHostsFile: string;
  };
  /** Base URL of the control listener (request log, faults, stop/start of the HTTP listeners). */
  control: string;
}

/** Options of startGitServers(). */
export interface GitServersOptions {
  /** Parent directory of the temporary directory (default: the OS temp dir). */
  tmpDir?: string;
  username?: string;
  password?: string;
  bearerToken?: string;
  /** Skip sshd (e.g. on a machine without openssh-server). */
  ssh?: boolean;
}

/** The running servers, owned by the process that started them. */
export interface GitServers {
  info(): GitServersInfo;
  http: GitHttpServer;
  ssh: GitSshServer | undefined;
  /** Stops every server and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Starts the HTTP(S), SSH and control listeners on free loopback ports with fresh keys and certificates. */
export async function startGitServers(opts: GitServersOptions = {}): Promise<GitServers> {
  const dir = mkdtempSync(join(opts.tmpDir ?? tmpdir(), "driftless-git-"));
  const root = join(dir, "repos");
  const cleanups: (() => Promise<void>)[] = [async () => rm(dir, { recursive: true, force: true })];
  // A process that exits without stop() still removes the keys and repositories it made.
  const onExit = (): void => rmSync(dir, { recursive: true, force: true });
  process.on("exit", onExit);
  const stop = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
    process.off("exit", onExit);
  };
  try {
    await mkdir(root);
    await mkdir(join(dir, "tls"));
    const tls = await generateTls(join(dir, "tls"));
    const credentials = {
      username: opts.username ?? "git-user",
      password: opts.password ?? "git-password",
      bearerToken: opts.bearerToken ?? "test-bearer-token",
    };
    const [httpPort, httpsPort, sshPort] = [await freePort(), await freePort(), await freePort()];
    const http = new GitHttpServer({ root, ...credentials, tls, httpPort, httpsPort });
    await http.start();
    cleanups.push(() => http.stop());

    const sshFiles = await prepareSsh({ root, dir: join(dir, "ssh"), port: sshPort });
    let ssh: GitSshServer | undefined;
    if (opts.ssh !== false) {
      ssh = new GitSshServer(sshFiles, sshPort);
      await ssh.start();
      const started = ssh;
      cleanups.push(() => started.stop());
    }
    const knownHostsLine = `[127.0.0.1]:${sshPort} ${sshFiles.hostPublicKey}`;
    const wrongKnownHostsLine = `[127.0.0.1]:${sshPort} ${sshFiles.wrongHostPublicKey}`;
    const knownHostsFile = join(sshFiles.dir, "known_hosts");
    const wrongKnownHostsFile = join(sshFiles.dir, "wrong_known_hosts");
    await writeFile(knownHostsFile, `${knownHostsLine}\n`);
    await writeFile(wrongKnownHostsFile, `${wrongKnownHostsLine}\n`);

    const control = createServer((req, res) => {
      handleControl(http, req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
    const controlPort = await freePort();
    await new Promise<void>((resolve) => control.listen(controlPort, "127.0.0.1", resolve));
    cleanups.push(() => closeServer(control));

    const user = userInfo().username;
    const httpBase = `http://127.0.0.1:${httpPort}`;
    const httpsBase = `https://127.0.0.1:${httpsPort}`;
    const info: GitServersInfo = {
      root,
      http: { anon: `${httpBase}/anon`, basic: `${httpBase}/basic`, bearer: `${httpBase}/bearer` },
      https: {
        anon: `${httpsBase}/anon`,
        basic: `${httpsBase}/basic`,
        bearer: `${httpsBase}/bearer`,
        mtls: `${httpsBase}/mtls`,
      },
      credentials,
      tls: {
        caFile: tls.caCert,
        caPem: readFileSync(tls.caCert, "utf8"),
        clientCertFile: tls.clientCert,
        clientKeyFile: tls.clientKey,
      },
      ssh: {
        host: "127.0.0.1",
        port: sshPort,
        user,
        baseUrl: `ssh://${user}@127.0.0.1:${sshPort}`,
        clientKeyFile: sshFiles.clientKey,
        clientPublicKey: sshFiles.clientPublicKey,
        encryptedClientKeyFile: sshFiles.encryptedClientKey,
        encryptedClientKeyPassphrase: sshFiles.clientKeyPassphrase,
        unauthorizedClientKeyFile: sshFiles.unauthorizedClientKey,
        hostPublicKey: sshFiles.hostPublicKey,
        knownHostsLine,
        knownHostsFile,
        wrongKnownHostsLine,
        wrongKnownHostsFile,
      },
      control: `http://127.0.0.1:${controlPort}`,
    };
    return { info: () => info, http, ssh, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function handleControl(http: GitHttpServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  const json = (value: unknown): void => {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(value));
  };
  switch (`${req.method} ${req.url}`) {
    case "GET /requests":
      return json(http.requests());
    case "DELETE /requests":
      http.resetRequests();
      return json({});
    case "POST /faults":
      http.addFault(JSON.parse(body) as HttpFault);
      return json({});
    case "DELETE /faults":
      http.clearFaults();
      return json({});
    case "POST /http/stop":
      await http.stop();
      return json({});
    case "POST /http/start":
      await http.start();
      return json({});
    default:
      res.writeHead(404).end();
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// ---- helpers for test workers: they only need the GitServersInfo ----

/** Transport and auth mode of a repository URL. */
export type RepoUrlMode =
  | `http-${keyof GitServersInfo["http"]}`
  | `https-${keyof GitServersInfo["https"]}`
  | "ssh";

/** The clone URL of a repository in the given mode, e.g. repoUrl(info, "http-basic", "app"). */
export function repoUrl(info: GitServersInfo, mode: RepoUrlMode, name: string): string {
  const file = name.endsWith(".git") ? name : `${name}.git`;
  if (mode === "ssh") return `${info.ssh.baseUrl}/${file}`;
  const [scheme, auth] = mode.split("-") as ["http" | "https", string];
  const bases: Record<string, string> = scheme === "http" ? info.http : info.https;
  const base = bases[auth];
  if (!base) throw new Error(`unknown mode ${mode}`);
  return `${base}/${file}`;
}

/** Creates an empty bare repository served by every server; returns its directory. */
export function createRepo(info: GitServersInfo, name: string, defaultBranch = "main"): Promise<string> {
  return createBareRepo(info.root, name, defaultBranch);
}

/** Commits a file tree (paths → contents) to a repository; returns the new commit's sha and branch. */
export function commitFiles(
  info: GitServersInfo,
  repo: string,
  files: Readonly<Record<string, FileContent>>,
  opts: CommitOptions = {},
): Promise<CommitResult> {
  return commitToRepo(repoDir(info.root, repo), files, opts);
}

/** Points a tag at a commit in a repository (annotated when message is given). */
export function tagCommit(
  info: GitServersInfo,
  repo: string,
  tag: string,
  commit: string,
  message?: string,
): Promise<void> {
  return tagInRepo(repoDir(info.root, repo), tag, commit, message);
}

/** Points any ref of a repository at a commit, e.g. "refs/pull/1/head". */
export function updateRef(info: GitServersInfo, repo: string, ref: string, commit: string): Promise<void> {
  return updateRefInRepo(repoDir(info.root, repo), ref, commit);
}

/** Deletes a ref of a repository. */
export function deleteRef(info: GitServersInfo, repo: string, ref: string): Promise<void> {
  return deleteRefInRepo(repoDir(info.root, repo), ref);
}

async function control(info: GitServersInfo, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${info.control}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  if (!res.ok) throw new Error(`git server control ${method} ${path}: ${res.status}`);
  return res.json();
}

/** The HTTP(S) requests seen since the last reset, optionally only those for one repository. */
export async function httpRequests(info: GitServersInfo, repo?: string): Promise<RecordedRequest[]> {
  const all = (await control(info, "GET", "/requests")) as RecordedRequest[];
  if (repo === undefined) return all;
  const file = repo.endsWith(".git") ? repo : `${repo}.git`;
  return all.filter((r) => r.repo === file);
}

/** Forgets the recorded HTTP(S) requests. */
export async function resetHttpRequests(info: GitServersInfo): Promise<void> {
  await control(info, "DELETE", "/requests");
}

/** Injects a fault into the next matching HTTP(S) request(s). */
export async function injectHttpFault(info: GitServersInfo, fault: HttpFault): Promise<void> {
  await control(info, "POST", "/faults", fault);
}

/** Removes pending HTTP faults. */
export async function clearHttpFaults(info: GitServersInfo): Promise<void> {
  await control(info, "DELETE", "/faults");
}

/** Stops the HTTP and HTTPS listeners (connections are cut); startHttp() brings them back on the same ports. */
export async function stopHttp(info: GitServersInfo): Promise<void> {
  await control(info, "POST", "/http/stop");
}

/** Starts the HTTP and HTTPS listeners again after stopHttp(). */
export async function startHttp(info: GitServersInfo): Promise<void> {
  await control(info, "POST", "/http/start");
}

/** One git command run through sshd. */
export interface SshCommand {
  service: "git-upload-pack" | "git-receive-pack";
  /** The repository path relative to the root, e.g. "app.git". */
  repo: string;
  /** GIT_PROTOCOL as sent by the client ("version=2"), or "". */
  protocol: string;
}

/** The git commands sshd ran so far, optionally only those for one repository. */
export function sshCommands(info: GitServersInfo, repo?: string): SshCommand[] {
  let text = "";
  try {
    text = readFileSync(join(info.root, "..", "ssh", "commands.log"), "utf8");
  } catch {
    return [];
  }
  const file = repo === undefined ? undefined : repo.endsWith(".git") ? repo : `${repo}.git`;
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => {
      const [service, path, protocol] = l.split(" ");
      return { service, repo: path ?? "", protocol: protocol ?? "" } as SshCommand;
    })
    .filter((c) => file === undefined || c.repo === file);
}
