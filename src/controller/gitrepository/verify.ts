// OpenPGP verification of a fetched commit and/or the annotated tag that points at it (spec.verify), with the
// public keys held in a Secret, as Flux's source-controller verifies them. Returns data; never logs.
import * as fs from "node:fs";
import git from "isomorphic-git";
import * as openpgp from "openpgp";

/** Why a verification failed, as Flux's condition reasons. */
export type VerifyFailureReason = "InvalidGitObject" | "InvalidTagSignature" | "InvalidCommitSignature";

/** A failed verification: the reason for SourceVerified=False and a message without secret material. */
export class VerificationError extends Error {
  override name = "VerificationError";
  readonly reason: VerifyFailureReason | "InvalidVerificationMode";

  constructor(reason: VerificationError["reason"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** What to verify. */
export interface VerifyOptions {
  /** The bare repository holding the fetched objects. */
  cacheDir: string;
  commit: string;
  /** The annotated tag object id when the ref was an annotated tag. */
  tagObject?: string;
  /** The tag name for messages. */
  tagName?: string;
  /** "HEAD" (or legacy "head"), "Tag" or "TagAndHEAD". */
  mode: string;
  /** Armored public key rings (every value of the verification Secret). */
  keyRings: readonly string[];
}

/** Verifies the signatures the mode asks for; resolves to Flux's success message or throws VerificationError. */
export async function verifySignatures(opts: VerifyOptions): Promise<string> {
  const keys = await readKeys(opts.keyRings);
  const lines: string[] = [];
  const verifyTag = opts.mode === "Tag" || opts.mode === "TagAndHEAD";
  const verifyHead = opts.mode !== "Tag";
  if (verifyTag) {
    if (!opts.tagName) {
      throw new VerificationError(
        "InvalidVerificationMode",
        "cannot verify tag object's signature if a tag reference is not specified",
      );
    }
    const tagLabel = `${opts.tagName}@${opts.tagObject ?? opts.commit}`;
    if (!opts.tagObject) {
      throw new VerificationError(
        "InvalidGitObject",
        `cannot verify signature of tag '${tagLabel}' since it is not signed`,
      );
    }
    const tag = await git.readTag({ fs, gitdir: opts.cacheDir, oid: opts.tagObject });
    if (!tag.tag.gpgsig) {
      throw new VerificationError(
        "InvalidGitObject",
        `cannot verify signature of tag '${tagLabel}' since it is not signed`,
      );
    }
    try {
      const keyId = await verifyDetached(tag.payload, tag.tag.gpgsig, keys);
      lines.push(`tag '${tagLabel}' with key '${keyId}'`);
    } catch (err) {
      throw new VerificationError(
        "InvalidTagSignature",
        `signature verification of tag '${tagLabel}' failed: ${messageOf(err)}`,
        { cause: err },
      );
    }
  }
  if (verifyHead) {
    try {
      const c = await git.readCommit({ fs, gitdir: opts.cacheDir, oid: opts.commit });
      if (!c.commit.gpgsig) throw new Error("unable to verify payload as the provided signature is empty");
      const keyId = await verifyDetached(c.payload, c.commit.gpgsig, keys);
      lines.push(`commit '${opts.commit}' with key '${keyId}'`);
    } catch (err) {
      throw new VerificationError(
        "InvalidCommitSignature",
        `signature verification of commit '${opts.commit}' failed: ${messageOf(err)}`,
        { cause: err },
      );
    }
  }
  return `verified signature of\n${lines.map((l) => `\t- ${l}`).join("\n")}`;
}

async function readKeys(keyRings: readonly string[]): Promise<openpgp.PublicKey[]> {
  const out: openpgp.PublicKey[] = [];
  for (const armoredKeys of keyRings) {
    try {
      out.push(...(await openpgp.readKeys({ armoredKeys })));
    } catch {
      // Values that are not key rings are skipped, as Flux skips keys it cannot read.
    }
  }
  if (out.length === 0) {
    throw new VerificationError("InvalidCommitSignature", "no PGP public keys found in the secret");
  }
  return out;
}

// Git signs the object's bytes without the signature header; gpg makes a binary detached signature.
async function verifyDetached(
  payload: string,
  armoredSignature: string,
  keys: openpgp.PublicKey[],
): Promise<string> {
  const signature = await openpgp.readSignature({ armoredSignature });
  const message = await openpgp.createMessage({ binary: Buffer.from(payload, "utf8") });
  const result = await openpgp.verify({ message, signature, verificationKeys: keys });
  const first = result.signatures[0];
  if (!first) throw new Error("no signature found");
  await first.verified;
  return first.keyID.toHex().toUpperCase();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
