// The git test servers against the real git CLI: every auth mode accepts the right credentials and refuses
// wrong or missing ones; the request log, fault injection and stop/start work as tests will rely on them.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../harness/git/exec.ts";
import {
  commitFiles,
  createRepo,
  type GitServers,
  type GitServersInfo,
  httpRequests,
  injectHttpFault,
  repoUrl,
  resetHttpRequests,
  sshCommands,
  startGitServers,
  startHttp,
  stopHttp,
} from "../harness/git/index.ts";

let servers: GitServers;
let info: GitServersInfo;
let work: string;
let head: string;
let n = 0;

/** Runs git with no user or system config and no prompts. */
function git(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return run("git", args, {
    allowFailure: true,
    env: {
      PATH: process.env.PATH,
      HOME: work,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
      ...env,
    },
  });
}

async function clone(url: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  n += 1;
  const dest = join(work, `clone-${n}`);
  const res = await git([...(opts.args ?? []), "clone", "--quiet", url, dest], opts.env);
  return { ...res, dest };
}

function sshCommand(key: string, knownHosts: string): string {
  return `ssh -i ${key} -o IdentitiesOnly=yes -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
}

beforeAll(async () => {
  servers = await startGitServers();
  info = servers.info();
  work = mkdtempSync(join(tmpdir(), "driftless-git-test-"));
  await createRepo(info, "app");
  head = (
    await commitFiles(
      info,
      "app",
      { "README.md": "hello\n", "deploy/app.yaml": "kind: ConfigMap\n" },
      { message: "init" },
    )
  ).sha;
}, 60_000);

afterAll(async () => {
  await servers?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("smart HTTP", () => {
  it("clones anonymously over protocol v2 and records the requests", async () => {
    await resetHttpRequests(info);
    const res = await clone(repoUrl(info, "http-anon", "app"));
    expect(res.code, res.stderr).toBe(0);
    expect(readFileSync(join(res.dest, "deploy/app.yaml"), "utf8")).toBe("kind: ConfigMap\n");
    expect((await git(["-C", res.dest, "rev-parse", "HEAD"])).stdout.trim()).toBe(head);
    const reqs = await httpRequests(info, "app");
    expect(reqs.map((r) => r.path)).toEqual(["info/refs", "git-upload-pack", "git-upload-pack"]);
    expect(reqs.every((r) => r.protocol === "version=2" && r.status === 200 && r.mode === "anon")).toBe(true);
  });

  it("clones with basic auth and refuses missing or wrong credentials", async () => {
    const { username, password } = info.credentials;
    const url = new URL(repoUrl(info, "http-basic", "app"));
    expect((await clone(url.toString())).code).not.toBe(0);
    url.username = username;
    url.password = "wrong";
    expect((await clone(url.toString())).code).not.toBe(0);
    url.password = password;
    const ok = await clone(url.toString());
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(ok.dest, "README.md"), "utf8")).toBe("hello\n");
  });

  it("clones with a bearer token and refuses a missing or wrong one", async () => {
    const url = repoUrl(info, "http-bearer", "app");
    expect((await clone(url)).code).not.toBe(0);
    expect((await clone(url, { args: ["-c", "http.extraHeader=Authorization: Bearer nope"] })).code).not.toBe(
      0,
    );
    const ok = await clone(url, {
      args: ["-c", `http.extraHeader=Authorization: Bearer ${info.credentials.bearerToken}`],
    });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("pushes over HTTP and the new commit is served", async () => {
    const { username, password } = info.credentials;
    const url = new URL(repoUrl(info, "http-basic", "app"));
    url.username = username;
    url.password = password;
    const res = await clone(url.toString());
    expect(res.code, res.stderr).toBe(0);
    const ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"];
    expect(
      (await git(["-C", res.dest, ...ident, "commit", "--allow-empty", "-m", "pushed", "-q"])).code,
    ).toBe(0);
    const push = await git(["-C", res.dest, "push", "-q", "origin", "HEAD:refs/heads/pushed"]);
    expect(push.code, push.stderr).toBe(0);
    const remote = await git(["ls-remote", repoUrl(info, "http-anon", "app"), "refs/heads/pushed"]);
    const local = await git(["-C", res.dest, "rev-parse", "HEAD"]);
    expect(remote.stdout.split("\t")[0]).toBe(local.stdout.trim());
  });
});

describe("HTTPS", () => {
  it("clones with the test CA and refuses the server without it", async () => {
    const url = repoUrl(info, "https-anon", "app");
    const refused = await clone(url, { env: { GIT_SSL_CAINFO: "/dev/null/none" } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/certificate|SSL/i);
    const ok = await clone(url, { args: ["-c", `http.sslCAInfo=${info.tls.caFile}`] });
    expect(ok.code, ok.stderr).toBe(0);
    const viaEnv = await clone(
      repoUrl(info, "https-basic", "app").replace("https://", "https://git-user:git-password@"),
      {
        env: { GIT_SSL_CAINFO: info.tls.caFile },
      },
    );
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
  });

  it("accepts a client certificate on the mtls prefix and refuses without one", async () => {
    const url = repoUrl(info, "https-mtls", "app");
    const ca = ["-c", `http.sslCAInfo=${info.tls.caFile}`];
    expect((await clone(url, { args: ca })).code).not.toBe(0);
    const ok = await clone(url, {
      args: [
        ...ca,
        "-c",
        `http.sslCert=${info.tls.clientCertFile}`,
        "-c",
        `http.sslKey=${info.tls.clientKeyFile}`,
      ],
    });
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe("SSH", () => {
  it("clones with the client key and known_hosts, and records the command", async () => {
    const before = sshCommands(info, "app").length;
    const ok = await clone(repoUrl(info, "ssh", "app"), {
      env: { GIT_SSH_COMMAND: sshCommand(info.ssh.clientKeyFile, info.ssh.knownHostsFile) },
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect((await git(["-C", ok.dest, "rev-parse", "HEAD"])).stdout.trim()).toBe(head);
    const cmds = sshCommands(info, "app");
    expect(cmds.length).toBe(before + 1);
    expect(cmds.at(-1)).toEqual({ service: "git-upload-pack", repo: "app.git", protocol: "version=2" });
    expect(info.ssh.knownHostsLine).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA\S+/);
  });

  it("refuses a changed host key", async () => {
    const res = await clone(repoUrl(info, "ssh", "app"), {
      env: { GIT_SSH_COMMAND: sshCommand(info.ssh.clientKeyFile, info.ssh.wrongKnownHostsFile) },
    });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/host key/i);
  });

  it("refuses a host missing from known_hosts and a key that is not authorised", async () => {
    const empty = join(work, "empty_known_hosts");
    const unknown = await clone(repoUrl(info, "ssh", "app"), {
      env: { GIT_SSH_COMMAND: sshCommand(info.ssh.clientKeyFile, empty) },
    });
    expect(unknown.code).not.toBe(0);
    const unauthorised = await clone(repoUrl(info, "ssh", "app"), {
      env: { GIT_SSH_COMMAND: sshCommand(info.ssh.unauthorizedClientKeyFile, info.ssh.knownHostsFile) },
    });
    expect(unauthorised.code).not.toBe(0);
    expect(unauthorised.stderr).toMatch(/permission denied/i);
  });
});

describe("repository helpers", () => {
  it("commits deletions, tags and a parentless commit on another branch", async () => {
    await createRepo(info, "helpers");
    const first = await commitFiles(info, "helpers", { "a.txt": "a", "b/c.txt": "c" }, { message: "one" });
    const second = await commitFiles(
      info,
      "helpers",
      { "d.txt": "d" },
      { deletions: ["a.txt"], tag: "v1.0.0" },
    );
    const annotated = await commitFiles(
      info,
      "helpers",
      { "e.txt": "e" },
      { tag: "v1.1.0", tagMessage: "release" },
    );
    const orphan = await commitFiles(info, "helpers", { "only.txt": "x" }, { branch: "other", parent: null });
    const refs = (await git(["ls-remote", repoUrl(info, "http-anon", "helpers")])).stdout;
    expect(refs).toContain(`${annotated.sha}\trefs/heads/main`);
    expect(refs).toContain(`${second.sha}\trefs/tags/v1.0.0`);
    expect(refs).toContain(`${annotated.tagSha}\trefs/tags/v1.1.0`);
    expect(refs).toContain(`${annotated.sha}\trefs/tags/v1.1.0^{}`);
    expect(refs).toContain(`${orphan.sha}\trefs/heads/other`);
    const tree = await git([
      "-C",
      join(info.root, "helpers.git"),
      "ls-tree",
      "-r",
      "--name-only",
      second.sha,
    ]);
    expect(tree.stdout.split("\n").filter(Boolean)).toEqual(["b/c.txt", "d.txt"]);
    const parents = await git([
      "-C",
      join(info.root, "helpers.git"),
      "rev-list",
      "--parents",
      "-n1",
      second.sha,
    ]);
    expect(parents.stdout.trim()).toBe(`${second.sha} ${first.sha}`);
    const orphanParents = await git([
      "-C",
      join(info.root, "helpers.git"),
      "rev-list",
      "--parents",
      "-n1",
      orphan.sha,
    ]);
    expect(orphanParents.stdout.trim()).toBe(orphan.sha);
  });
});

describe("faults", () => {
  it("cuts a response mid-way once, then serves again", async () => {
    await injectHttpFault(info, { repo: "app.git", path: "git-upload-pack", afterBytes: 100 });
    const cut = await clone(repoUrl(info, "http-anon", "app"));
    expect(cut.code).not.toBe(0);
    const ok = await clone(repoUrl(info, "http-anon", "app"));
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("stops and restarts the HTTP listeners on the same port", async () => {
    const url = repoUrl(info, "http-anon", "app");
    await stopHttp(info);
    const down = await git(["ls-remote", url]);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/connect|refused/i);
    await startHttp(info);
    const up = await git(["ls-remote", url, "refs/heads/main"]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain(head);
  });
});
