// Revision strings as Flux's source-controller writes them into artifacts and Kustomization status:
// "<named pointer>@<algorithm>:<hash>" ("main@sha1:…", "v1.2.3@sha1:…", "refs/pull/1/head@sha1:…") or just
// "<algorithm>:<hash>" for a bare commit. Parsing also takes the pre-Flux-2.0 forms ("main/<hash>", "<hash>").

/** The algorithm name Flux gives a 40-hex Git object id. */
export const SHA1 = "sha1";
/** What Flux writes as the algorithm of a hash it cannot classify. */
export const UNKNOWN_ALGORITHM = "<unknown>";

/** A revision split into its parts. */
export interface Revision {
  /** Branch, tag or reference name; empty for a bare commit. */
  readonly pointer: string;
  /** Hash algorithm, e.g. "sha1"; empty for legacy strings that carry none. */
  readonly algorithm: string;
  /** The commit hash. */
  readonly hash: string;
}

/** The algorithm of a Git hash, judged by its length as Flux does. */
export function hashAlgorithm(hash: string): string {
  return hash.length === 40 ? SHA1 : UNKNOWN_ALGORITHM;
}

/** "<algorithm>:<hash>", or "" for an empty hash. */
export function hashDigest(hash: string): string {
  return hash === "" ? "" : `${hashAlgorithm(hash)}:${hash}`;
}

/**
 * The revision Flux reports for a commit reached through `reference` (a full ref name such as
 * "refs/heads/main" or "refs/tags/v1.2.3"): the ref with its first two segments dropped, then "@" and the
 * digest. Without a reference of at least three segments the revision is the bare digest.
 */
export function formatRevision(reference: string | undefined, hash: string): string {
  const parts = (reference ?? "").split("/");
  if (parts.length >= 3) return `${parts.slice(2).join("/")}@${hashDigest(hash)}`;
  return hashDigest(hash);
}

/**
 * The revision Flux reports when the GitRepository selects its ref by `spec.ref.name`: the full reference
 * name, "@" and the digest ("refs/pull/1/head@sha1:…"); the bare digest without a reference.
 */
export function formatAbsoluteRevision(reference: string | undefined, hash: string): string {
  return reference ? `${reference}@${hashDigest(hash)}` : hashDigest(hash);
}

/** Splits a revision into pointer, algorithm and hash (see the file comment for accepted forms). */
export function parseRevision(revision: string): Revision {
  return { pointer: revisionPointer(revision), ...revisionHash(revision) };
}

/** The named pointer of a revision ("main", "refs/pull/1/head"), or "" when there is none. */
export function revisionPointer(revision: string): string {
  const at = revision.lastIndexOf("@");
  if (at !== -1) return revision.slice(0, at);
  const slash = revision.lastIndexOf("/");
  if (slash !== -1) {
    const pointer = revision.slice(0, slash);
    if (pointer !== "HEAD") return pointer;
  }
  return "";
}

function revisionHash(revision: string): { algorithm: string; hash: string } {
  if (revision === "") return { algorithm: "", hash: "" };
  const colon = revision.lastIndexOf(":");
  if (colon !== -1) {
    const at = revision.lastIndexOf("@", colon);
    return { algorithm: revision.slice(at + 1, colon), hash: revision.slice(colon + 1) };
  }
  const slash = revision.lastIndexOf("/");
  return { algorithm: "", hash: slash === -1 ? revision : revision.slice(slash + 1) };
}

/** The "<algorithm>:<hash>" part of a revision; legacy forms get the algorithm their hash implies. */
export function revisionDigest(revision: string): string {
  const { algorithm, hash } = revisionHash(revision);
  if (hash === "") return "";
  return `${algorithm === "" ? hashAlgorithm(hash) : algorithm}:${hash}`;
}

/** The commit hash of a revision. */
export function revisionCommit(revision: string): string {
  return revisionHash(revision).hash;
}

/**
 * Whether two revisions name the same commit, ignoring how it was reached (branch, tag, bare) and the
 * legacy-versus-current format.
 */
export function sameRevisionDigest(a: string, b: string): boolean {
  const da = revisionDigest(a);
  return da !== "" && da === revisionDigest(b);
}

/**
 * Rewrites a pre-Flux-2.0 revision ("main/<hash>", "HEAD/<hash>", "<hash>") into the current format; strings
 * already containing ":" are returned unchanged.
 */
export function transformLegacyRevision(revision: string): string {
  if (revision === "" || revision.includes(":")) return revision;
  const pointer = revisionPointer(revision);
  const digest = hashDigest(revisionHash(revision).hash);
  return pointer === "" ? digest : `${pointer}@${digest}`;
}
