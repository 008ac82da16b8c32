// spec.verify against commits and tags signed with OpenPGP in the test (written into the served repository
// with git hash-object): a good signature gives SourceVerified=True and an artifact; an unsigned commit, a
// signature by an unknown key or an unsigned tag gives SourceVerified=False and no new artifact.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as openpgp from "openpgp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createRepo, type GitServersInfo, repoUrl } from "../harness/git/index.ts";
import {
  applyRepo,
  applySecret,
  condition,
  type Harness,
  patchSpec,
  startSuite,
  statusOf,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;
let trusted: { privateKey: openpgp.PrivateKey; publicKey: string };
let stranger: { privateKey: openpgp.PrivateKey; publicKey: string };

async function newKey(name: string): Promise<{ privateKey: openpgp.PrivateKey; publicKey: string }> {
  const k = await openpgp.generateKey({
    type: "ecc",
    curve: "curve25519Legacy",
    userIDs: [{ name, email: `${name}@example.com` }],
    format: "armored",
  });
  return { privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateKey }), publicKey: k.publicKey };
}

function git(repo: string, args: string[], input?: string): string {
  return execFileSync("git", args, { cwd: join(info.root, `${repo}.git`), input, encoding: "utf8" }).trim();
}

async function detachedSignature(payload: string, key: openpgp.PrivateKey): Promise<string> {
  const message = await openpgp.createMessage({ binary: Buffer.from(payload, "utf8") });
  return String(await openpgp.sign({ message, signingKeys: key, detached: true, format: "armored" }));
}

/** Re-writes the branch tip as a commit signed by key; returns its sha. */
async function signTip(repo: string, key: openpgp.PrivateKey): Promise<string> {
  const raw = git(repo, ["cat-file", "commit", "main"]);
  const split = raw.indexOf("\n\n");
  const headers = raw.slice(0, split);
  const message = raw.slice(split + 2);
  const payload = `${headers}\n\n${message}\n`;
  const sig = (await detachedSignature(payload, key)).trim().replace(/\r/g, "");
  const signed = `${headers}\ngpgsig ${sig.split("\n").join("\n ")}\n\n${message}\n`;
  const sha = git(repo, ["hash-object", "-t", "commit", "-w", "--stdin"], signed);
  git(repo, ["update-ref", "refs/heads/main", sha]);
  return sha;
}

/** Makes an annotated tag of commit signed by key. */
async function signedTag(repo: string, tag: string, commit: string, key: openpgp.PrivateKey): Promise<void> {
  const payload = `object ${commit}\ntype commit\ntag ${tag}\ntagger T <t@example.com> 1700000000 +0000\n\nrelease\n`;
  const sig = (await detachedSignature(payload, key)).trim().replace(/\r/g, "");
  const sha = git(repo, ["hash-object", "-t", "tag", "-w", "--stdin"], `${payload}${sig}\n`);
  git(repo, ["update-ref", `refs/tags/${tag}`, sha]);
}

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-verify", "gitrepo-verify"));
  trusted = await newKey("trusted");
  stranger = await newKey("stranger");
  await applySecret(h, ns, "pgp-keys", { "trusted.asc": trusted.publicKey });
});

afterAll(async () => {
  await h?.close();
});

describe("commit verification", () => {
  it("verifies a commit signed by a trusted key", async () => {
    await createRepo(info, "verify-good");
    await commitFiles(info, "verify-good", { "a.yaml": "a: 1\n" });
    const sha = await signTip("verify-good", trusted.privateKey);
    await applyRepo(h, ns, "good", {
      url: repoUrl(info, "http-anon", "verify-good"),
      ref: { branch: "main" },
      verify: { mode: "HEAD", secretRef: { name: "pgp-keys" } },
    });
    const s = statusOf(await waitReady(h, ns, "good"));
    expect(s.artifact?.revision).toBe(`main@sha1:${sha}`);
    expect(condition(s, "SourceVerified")).toMatchObject({ status: "True", reason: "Succeeded" });
    expect(condition(s, "SourceVerified")?.message).toContain(`commit '${sha}'`);
    expect(s.sourceVerificationMode).toBe("HEAD");
  });

  it("refuses an unsigned commit and keeps the last verified artifact", async () => {
    const good = statusOf(await waitReady(h, ns, "good")).artifact;
    await commitFiles(info, "verify-good", { "a.yaml": "a: 2\n" }, { message: "unsigned" });
    await patchSpec(h, ns, "good", { interval: "1s" });
    const s = statusOf(await waitNotReady(h, ns, "good", "InvalidCommitSignature"));
    expect(condition(s, "SourceVerified")).toMatchObject({
      status: "False",
      reason: "InvalidCommitSignature",
    });
    expect(s.artifact).toEqual(good);
    expect(h.registry.getArtifact({ kind: "GitRepository", namespace: ns, name: "good" })?.digest).toBe(
      good?.digest,
    );
    await patchSpec(h, ns, "good", { interval: "1h" });
  });

  it("refuses a commit signed by an unknown key", async () => {
    await createRepo(info, "verify-stranger");
    await commitFiles(info, "verify-stranger", { "a.yaml": "a: 1\n" });
    await signTip("verify-stranger", stranger.privateKey);
    await applyRepo(h, ns, "stranger", {
      url: repoUrl(info, "http-anon", "verify-stranger"),
      ref: { branch: "main" },
      verify: { mode: "HEAD", secretRef: { name: "pgp-keys" } },
    });
    const s = statusOf(await waitNotReady(h, ns, "stranger", "InvalidCommitSignature"));
    expect(s.artifact).toBeUndefined();
  });
});

describe("tag verification", () => {
  it("verifies a signed tag (Tag) and refuses an unsigned one", async () => {
    await createRepo(info, "verify-tag");
    const c = await commitFiles(
      info,
      "verify-tag",
      { "a.yaml": "a: 1\n" },
      { tag: "v0.1.0", tagMessage: "plain" },
    );
    await signedTag("verify-tag", "v1.0.0", c.sha, trusted.privateKey);
    await applyRepo(h, ns, "tag", {
      url: repoUrl(info, "http-anon", "verify-tag"),
      ref: { tag: "v1.0.0" },
      verify: { mode: "Tag", secretRef: { name: "pgp-keys" } },
    });
    const s = statusOf(await waitReady(h, ns, "tag"));
    expect(condition(s, "SourceVerified")?.message).toContain("tag 'v1.0.0@");
    expect(s.sourceVerificationMode).toBe("Tag");

    await applyRepo(h, ns, "plain-tag", {
      url: repoUrl(info, "http-anon", "verify-tag"),
      ref: { tag: "v0.1.0" },
      verify: { mode: "Tag", secretRef: { name: "pgp-keys" } },
    });
    await waitNotReady(h, ns, "plain-tag", "InvalidGitObject");
  });

  it("needs both signatures with TagAndHEAD", async () => {
    await applyRepo(h, ns, "tag-and-head", {
      url: repoUrl(info, "http-anon", "verify-tag"),
      ref: { tag: "v1.0.0" },
      verify: { mode: "TagAndHEAD", secretRef: { name: "pgp-keys" } },
    });
    const s = statusOf(
      await waitForStatus(
        h,
        ns,
        "tag-and-head",
        (st) => condition(st, "SourceVerified") !== undefined,
        "verified",
      ),
    );
    // The tag is signed, the commit is not.
    expect(condition(s, "SourceVerified")).toMatchObject({
      status: "False",
      reason: "InvalidCommitSignature",
    });
    expect(s.artifact).toBeUndefined();
  });
});
