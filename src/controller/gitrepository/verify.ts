// OpenPGP verification of a fetched commit and/or the annotated tag that points at it (spec.verify), with the
// public keys held in a Secret, as Flux's source-controller verifies them; never logs.
import * as fs from "node:fs";
import git from "isomorphic-git";
import * as openpgp from "openpgp";
import { ConditionStatus, ConditionType, Reason } from "../../api/condition.ts";
import type { GitRepository } from "../../api/gitrepository.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import type { ResolvedRef } from "../../source/git/refs.ts";
import { ReconcileFailure } from "./failure.ts";
import { readSecretData } from "./source.ts";
import type { GitRepositoryStatusBuilder } from "./status.ts";

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

/**
 * The verification phase: with spec.verify, the signatures the mode asks for must check out against the
 * keys of spec.verify.secretRef before an artifact is built (SourceVerified True/False); without it, any
 * earlier verification is forgotten.
 */
export async function verifySource(
  client: KubeClient,
  obj: GitRepository,
  st: GitRepositoryStatusBuilder,
  cacheDir: string,
  ref: Pick<ResolvedRef, "commit" | "tagObject" | "refName">,
): Promise<void> {
  const verify = obj.spec.verify;
  if (!verify) {
    delete st.status.sourceVerificationMode;
    st.clear(ConditionType.SourceVerified);
    return;
  }
  const fail = (reason: string, message: string, kind: "retry" | "stalled", cause: unknown): never => {
    st.mark(ConditionType.SourceVerified, ConditionStatus.False, reason, message);
    throw new ReconcileFailure({ kind, condition: ConditionType.SourceVerified, reason, message }, { cause });
  };
  let keyRings: string[] = [];
  try {
    const data = await readSecretData(client, obj.metadata.namespace ?? "", verify.secretRef.name);
    keyRings = Object.values(data).map((v) => Buffer.from(v).toString("utf8"));
  } catch (err) {
    const why = isNotFound(err) ? `secrets "${verify.secretRef.name}" not found` : (err as Error).message;
    fail(Reason.VerificationError, `public keys secret error: ${why}`, "retry", err);
  }
  const mode = verificationMode(obj);
  const tagName = ref.refName?.startsWith("refs/tags/") ? ref.refName.slice("refs/tags/".length) : undefined;
  try {
    const message = await verifySignatures({
      cacheDir,
      commit: ref.commit,
      mode: mode ?? "HEAD",
      keyRings,
      ...(ref.tagObject ? { tagObject: ref.tagObject } : {}),
      ...(tagName ? { tagName } : {}),
    });
    if (mode) st.status.sourceVerificationMode = mode;
    st.mark(ConditionType.SourceVerified, ConditionStatus.True, Reason.Succeeded, message);
  } catch (err) {
    if (!(err instanceof VerificationError)) throw err;
    fail(err.reason, err.message, err.reason === "InvalidVerificationMode" ? "stalled" : "retry", err);
  }
}

/** spec.verify.mode with the legacy "head" spelled "HEAD"; undefined without spec.verify. */
export function verificationMode(obj: GitRepository): string | undefined {
  const mode = obj.spec.verify?.mode;
  return mode === "head" ? "HEAD" : mode;
}
