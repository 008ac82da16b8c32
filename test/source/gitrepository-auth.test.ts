// Every auth mode of spec.secretRef against the real HTTP(S) and SSH servers: right credentials give an
// artifact, wrong or missing ones Ready=False with Flux's reason, and no secret value ever reaches the status
// or the events.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createRepo, type GitServersInfo, repoUrl, sshCommands } from "../harness/git/index.ts";
import {
  applyRepo,
  applySecret,
  condition,
  eventsFor,
  getRepo,
  type Harness,
  secretData,
  startSuite,
  statusOf,
  waitForEvent,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;
let head: string;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-auth", "gitrepo-auth"));
  await createRepo(info, "auth-app");
  head = (await commitFiles(info, "auth-app", { "app.yaml": "kind: ConfigMap\n" })).sha;
});

afterAll(async () => {
  await h?.close();
});

async function readyWith(name: string, url: string, data?: Record<string, string>): Promise<void> {
  if (data) await applySecret(h, ns, `${name}-auth`, data);
  await applyRepo(h, ns, name, {
    url,
    ref: { branch: "main" },
    ...(data ? { secretRef: { name: `${name}-auth` } } : {}),
  });
  const s = statusOf(await waitReady(h, ns, name));
  expect(s.artifact?.revision).toBe(`main@sha1:${head}`);
}

/** Asserts no value of the secret appears in the object or its events. */
async function leaksNothing(name: string, data: Record<string, string>): Promise<void> {
  const text = JSON.stringify(await getRepo(h, ns, name)) + JSON.stringify(await eventsFor(h, ns, name));
  for (const value of Object.values(data)) expect(text).not.toContain(value);
}

describe("http(s) auth", () => {
  it("fetches anonymously", async () => {
    await readyWith("anon", repoUrl(info, "http-anon", "auth-app"));
  });

  it("fetches with basic auth", async () => {
    await readyWith("basic", repoUrl(info, "http-basic", "auth-app"), secretData(info).basic);
  });

  it("fails with a wrong password: GitOperationFailed, a Warning event, no secret in sight", async () => {
    const data = { username: info.credentials.username, password: "not-the-password-123" };
    await applySecret(h, ns, "wrong-auth", data);
    await applyRepo(h, ns, "wrong", {
      url: repoUrl(info, "http-basic", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "wrong-auth" },
    });
    const s = statusOf(await waitNotReady(h, ns, "wrong", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toContain("authentication failed");
    expect((await waitForEvent(h, ns, "wrong", "GitOperationFailed")).type).toBe("Warning");
    await leaksNothing("wrong", data);
  });

  it("fails without credentials on a server that needs them", async () => {
    await applyRepo(h, ns, "nocreds", {
      url: repoUrl(info, "http-basic", "auth-app"),
      ref: { branch: "main" },
    });
    await waitNotReady(h, ns, "nocreds", "GitOperationFailed");
  });

  it("reports a missing secret as AuthenticationFailed", async () => {
    await applyRepo(h, ns, "nosecret", {
      url: repoUrl(info, "http-basic", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "does-not-exist" },
    });
    const s = statusOf(await waitNotReady(h, ns, "nosecret", "AuthenticationFailed"));
    expect(condition(s, "FetchFailed")?.message).toBe(
      `failed to get secret '${ns}/does-not-exist': secrets "does-not-exist" not found`,
    );
  });

  it("recovers once the missing secret is created", async () => {
    await applySecret(h, ns, "does-not-exist", secretData(info).basic);
    await waitReady(h, ns, "nosecret", 20_000);
  });

  it("reports an unusable secret as AuthenticationFailed", async () => {
    await applySecret(h, ns, "badsecret", { password: "only-a-password-456" });
    await applyRepo(h, ns, "badsecret", {
      url: repoUrl(info, "http-basic", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "badsecret" },
    });
    const s = statusOf(await waitNotReady(h, ns, "badsecret", "AuthenticationFailed"));
    expect(condition(s, "FetchFailed")?.message).toMatch(/^failed to configure authentication options: /);
    await leaksNothing("badsecret", { password: "only-a-password-456" });
  });

  it("never shows a password written into the URL", async () => {
    const url = repoUrl(info, "http-basic", "auth-app").replace("://", "://someone:url-password-321@");
    await applyRepo(h, ns, "urlcreds", {
      url: url.replace(/\/[^/]+\.git$/, "/missing.git"),
      ref: { branch: "main" },
    });
    await waitNotReady(h, ns, "urlcreds", "GitOperationFailed");
    const events = await eventsFor(h, ns, "urlcreds");
    expect(events.length).toBeGreaterThan(0);
    const text = JSON.stringify(statusOf(await getRepo(h, ns, "urlcreds"))) + JSON.stringify(events);
    expect(text).not.toContain("url-password-321");
  });

  it("fetches with a bearer token and fails with a wrong one", async () => {
    await readyWith("bearer", repoUrl(info, "http-bearer", "auth-app"), secretData(info).bearer);
    await applySecret(h, ns, "badbearer-auth", { bearerToken: "wrong-token-789" });
    await applyRepo(h, ns, "badbearer", {
      url: repoUrl(info, "http-bearer", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "badbearer-auth" },
    });
    await waitNotReady(h, ns, "badbearer", "GitOperationFailed");
    await leaksNothing("badbearer", { bearerToken: "wrong-token-789" });
  });

  it("fetches over HTTPS trusting ca.crt, and fails without it", async () => {
    await readyWith("https", repoUrl(info, "https-anon", "auth-app"), secretData(info).ca);
    await applyRepo(h, ns, "https-noca", {
      url: repoUrl(info, "https-anon", "auth-app"),
      ref: { branch: "main" },
    });
    await waitNotReady(h, ns, "https-noca", "GitOperationFailed");
  });

  it("accepts the older caFile key", async () => {
    await readyWith("cafile", repoUrl(info, "https-anon", "auth-app"), { caFile: info.tls.caPem });
  });

  it("fetches with a client certificate (mTLS)", async () => {
    await readyWith("mtls", repoUrl(info, "https-mtls", "auth-app"), secretData(info).mtls);
  });

  it("fetches with basic auth over HTTPS", async () => {
    await readyWith("https-basic", repoUrl(info, "https-basic", "auth-app"), {
      ...secretData(info).basic,
      ...secretData(info).ca,
    });
  });
});

describe("ssh auth", () => {
  it("fetches with identity and known_hosts", async () => {
    await readyWith("ssh", repoUrl(info, "ssh", "auth-app"), secretData(info).ssh);
    expect(sshCommands(info, "auth-app").some((c) => c.service === "git-upload-pack")).toBe(true);
  });

  it("fetches with a passphrase-protected identity", async () => {
    await readyWith("ssh-pass", repoUrl(info, "ssh", "auth-app"), {
      identity: readFileSync(info.ssh.encryptedClientKeyFile, "utf8"),
      password: info.ssh.encryptedClientKeyPassphrase,
      known_hosts: info.ssh.knownHostsLine,
    });
  });

  it("rejects a host key that known_hosts does not list", async () => {
    const data = { ...secretData(info).ssh, known_hosts: info.ssh.wrongKnownHostsLine };
    await applySecret(h, ns, "ssh-wronghost", data);
    await applyRepo(h, ns, "ssh-wronghost", {
      url: repoUrl(info, "ssh", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "ssh-wronghost" },
    });
    const s = statusOf(await waitNotReady(h, ns, "ssh-wronghost", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toMatch(/host key/i);
    expect(s.artifact).toBeUndefined();
    await leaksNothing("ssh-wronghost", { identity: data.identity });
  });

  it("rejects a host that known_hosts does not list at all", async () => {
    const otherHost = info.ssh.knownHostsLine.replace(/^\S+/, "[127.0.0.2]:22");
    await applySecret(h, ns, "ssh-unknownhost", { ...secretData(info).ssh, known_hosts: otherHost });
    await applyRepo(h, ns, "ssh-unknownhost", {
      url: repoUrl(info, "ssh", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "ssh-unknownhost" },
    });
    const s = statusOf(await waitNotReady(h, ns, "ssh-unknownhost", "GitOperationFailed"));
    expect(condition(s, "FetchFailed")?.message).toMatch(/host/i);
  });

  it("rejects a key the server does not accept", async () => {
    await applySecret(h, ns, "ssh-badkey", {
      identity: readFileSync(info.ssh.unauthorizedClientKeyFile, "utf8"),
      known_hosts: info.ssh.knownHostsLine,
    });
    await applyRepo(h, ns, "ssh-badkey", {
      url: repoUrl(info, "ssh", "auth-app"),
      ref: { branch: "main" },
      secretRef: { name: "ssh-badkey" },
    });
    await waitNotReady(h, ns, "ssh-badkey", "GitOperationFailed");
  });

  it("needs a secret for an ssh URL", async () => {
    await applyRepo(h, ns, "ssh-nosecret", {
      url: repoUrl(info, "ssh", "auth-app"),
      ref: { branch: "main" },
    });
    await waitNotReady(h, ns, "ssh-nosecret", "AuthenticationFailed");
  });
});
