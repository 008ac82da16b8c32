// Every auth mode of the git source against the real HTTP(S) and SSH servers: right credentials fetch the
// tree, wrong or missing ones fail with the code the reconciler turns into a reason.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitErrorCode } from "../../src/source/git/errors.ts";
import { run } from "../harness/git/exec.ts";
import {
  commitFiles,
  createRepo,
  type GitServers,
  type GitServersInfo,
  repoUrl,
  sshCommands,
  startGitServers,
} from "../harness/git/index.ts";
import { errorCode, poll, secrets } from "./git-helpers.ts";

let servers: GitServers;
let info: GitServersInfo;
let root: string;
let head: string;
let n = 0;

beforeAll(async () => {
  servers = await startGitServers();
  info = servers.info();
  root = mkdtempSync(join(tmpdir(), "driftless-source-"));
  await createRepo(info, "app");
  head = (await commitFiles(info, "app", { "deploy/app.yaml": "kind: ConfigMap\n" }, { branch: "main" })).sha;
}, 60_000);

afterAll(async () => {
  await servers?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

function name(): string {
  n += 1;
  return `obj-${n}`;
}

async function fetchesHead(url: string, secret?: Record<string, string>): Promise<void> {
  const res = await poll({ url, secret, ref: { branch: "main" }, root, name: name() });
  expect(res.ref.revision).toBe(`main@sha1:${head}`);
  expect(readFileSync(join(res.artifact?.dir ?? "", "deploy/app.yaml"), "utf8")).toBe("kind: ConfigMap\n");
}

describe("http", () => {
  it("fetches anonymously", async () => {
    await fetchesHead(repoUrl(info, "http-anon", "app"));
  });

  it("fetches with basic auth and fails without or with a wrong password", async () => {
    const url = repoUrl(info, "http-basic", "app");
    await fetchesHead(url, secrets(info).basic);
    expect(await errorCode(() => poll({ url, root, name: name(), ref: { branch: "main" } }))).toBe(
      GitErrorCode.AuthenticationFailed,
    );
    const wrong = { ...secrets(info).basic, password: "wrong" };
    expect(
      await errorCode(() => poll({ url, secret: wrong, root, name: name(), ref: { branch: "main" } })),
    ).toBe(GitErrorCode.AuthenticationFailed);
  });

  it("fetches with a bearer token and fails with a wrong one", async () => {
    const url = repoUrl(info, "http-bearer", "app");
    await fetchesHead(url, secrets(info).bearer);
    expect(
      await errorCode(() =>
        poll({ url, secret: { bearerToken: "nope" }, root, name: name(), ref: { branch: "main" } }),
      ),
    ).toBe(GitErrorCode.AuthenticationFailed);
  });

  it("reports a repository that does not exist", async () => {
    const url = repoUrl(info, "http-anon", "missing");
    expect(await errorCode(() => poll({ url, root, name: name() }))).toBe(GitErrorCode.RepositoryNotFound);
  });
});

describe("https", () => {
  it("fetches with the CA from ca.crt and fails without it", async () => {
    const url = repoUrl(info, "https-anon", "app");
    await fetchesHead(url, secrets(info).ca);
    expect(await errorCode(() => poll({ url, root, name: name(), ref: { branch: "main" } }))).toBe(
      GitErrorCode.Transport,
    );
  });

  it("fetches with basic auth over TLS", async () => {
    await fetchesHead(repoUrl(info, "https-basic", "app"), { ...secrets(info).ca, ...secrets(info).basic });
  });

  it("presents the client certificate from tls.crt/tls.key", async () => {
    const url = repoUrl(info, "https-mtls", "app");
    await fetchesHead(url, secrets(info).mtls);
    expect(
      await errorCode(() =>
        poll({ url, secret: secrets(info).ca, root, name: name(), ref: { branch: "main" } }),
      ),
    ).toBe(GitErrorCode.AuthenticationFailed);
  });
});

describe("ssh", () => {
  it("fetches with the identity and known_hosts, one exec session per step", async () => {
    const before = sshCommands(info, "app").length;
    await fetchesHead(repoUrl(info, "ssh", "app"), secrets(info).ssh);
    // One advertisement (reused by the fetch) and one upload-pack for the pack.
    expect(sshCommands(info, "app").length - before).toBe(2);
  });

  it("polls an unchanged branch with a single exec session", async () => {
    const url = repoUrl(info, "ssh", "app");
    const first = await poll({ url, secret: secrets(info).ssh, ref: { branch: "main" }, root, name: name() });
    const before = sshCommands(info, "app").length;
    const again = await poll({
      url,
      secret: secrets(info).ssh,
      ref: { branch: "main" },
      root,
      name: name(),
      lastRevision: first.ref.revision,
    });
    expect(again.fetched).toBe(false);
    expect(again.requests).toBe(1);
    expect(sshCommands(info, "app").length - before).toBe(1);
  });

  it("reports an unreachable ssh server as a transport failure", async () => {
    const url = `ssh://git@127.0.0.1:1/app.git`;
    const secret = { ...secrets(info).ssh, known_hosts: `[127.0.0.1]:1 ${info.ssh.hostPublicKey}` };
    expect(await errorCode(() => poll({ url, secret, root, name: name() }))).toBe(GitErrorCode.Transport);
  });

  it("fetches with a passphrase-protected identity", async () => {
    await fetchesHead(repoUrl(info, "ssh", "app"), {
      identity: readFileSync(info.ssh.encryptedClientKeyFile, "utf8"),
      password: info.ssh.encryptedClientKeyPassphrase,
      known_hosts: info.ssh.knownHostsLine,
    });
  });

  it("refuses a changed host key", async () => {
    const secret = { ...secrets(info).ssh, known_hosts: info.ssh.wrongKnownHostsLine };
    expect(
      await errorCode(() => poll({ url: repoUrl(info, "ssh", "app"), secret, root, name: name() })),
    ).toBe(GitErrorCode.HostKeyMismatch);
  });

  it("refuses a host missing from known_hosts (no trust on first use)", async () => {
    const other = info.ssh.knownHostsLine.replace(/^\S+/, "[example.invalid]:22");
    const secret = { ...secrets(info).ssh, known_hosts: other };
    expect(
      await errorCode(() => poll({ url: repoUrl(info, "ssh", "app"), secret, root, name: name() })),
    ).toBe(GitErrorCode.UnknownHostKey);
  });

  it("reports a key the server does not accept as an authentication failure", async () => {
    const secret = {
      ...secrets(info).ssh,
      identity: readFileSync(info.ssh.unauthorizedClientKeyFile, "utf8"),
    };
    expect(
      await errorCode(() => poll({ url: repoUrl(info, "ssh", "app"), secret, root, name: name() })),
    ).toBe(GitErrorCode.AuthenticationFailed);
  });

  it("fetches a commit that is no ref tip from a server that serves only tips by id", async () => {
    const dir = await createRepo(info, "tips-only");
    await run("git", ["-C", dir, "config", "uploadpack.allowAnySHA1InWant", "false"]);
    const old = await commitFiles(info, "tips-only", { "v.txt": "old" }, { branch: "main" });
    await commitFiles(info, "tips-only", { "v.txt": "new" }, { branch: "main" });
    const url = repoUrl(info, "ssh", "tips-only");
    for (const ref of [{ commit: old.sha }, { commit: old.sha, branch: "main" }]) {
      const res = await poll({ url, secret: secrets(info).ssh, ref, root, name: name() });
      expect(readFileSync(join(res.artifact?.dir ?? "", "v.txt"), "utf8")).toBe("old");
    }
  });

  it("reports a wrong passphrase as unusable auth", async () => {
    const secret = {
      identity: readFileSync(info.ssh.encryptedClientKeyFile, "utf8"),
      password: "wrong",
      known_hosts: info.ssh.knownHostsLine,
    };
    expect(
      await errorCode(() => poll({ url: repoUrl(info, "ssh", "app"), secret, root, name: name() })),
    ).toBe(GitErrorCode.InvalidAuth);
  });
});
