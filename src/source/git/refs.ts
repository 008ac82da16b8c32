// Resolving a GitRepository's spec.ref to one commit with a single ref advertisement, and the revision
// string Flux reports for it. Precedence as Flux: commit > name > semver > tag > branch (default "master").
import { listServerRefs } from "isomorphic-git";
import semver from "semver";
import { formatAbsoluteRevision, formatRevision } from "../../api/revision.ts";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { type Transport, toGitError } from "./transport.ts";

/** The ref fields of a GitRepository (spec.ref). */
export interface GitRefSpec {
  branch?: string;
  tag?: string;
  semver?: string;
  name?: string;
  commit?: string;
}

/** Flux's default branch when spec.ref is empty. */
export const DEFAULT_BRANCH = "master";

/** How the commit was selected. */
export type RefKind = "branch" | "tag" | "semver" | "name" | "commit";

/** The commit a ref spec points at now. */
export interface ResolvedRef {
  kind: RefKind;
  /** The full ref name fetched ("refs/heads/main", "refs/tags/v1.2.3"); absent for a bare commit. */
  refName?: string;
  /** The commit id (a tag is peeled to its commit). */
  commit: string;
  /** The annotated tag object id, when the ref is an annotated tag. */
  tagObject?: string;
  /** Flux's revision string: "main@sha1:…", "v1.2.3@sha1:…", "refs/pull/1/head@sha1:…" or "sha1:…". */
  revision: string;
}

/** One advertised ref: its name, the object it points at, and for annotated tags the peeled commit. */
export interface AdvertisedRef {
  ref: string;
  oid: string;
  peeled?: string;
}

const HEX40 = /^[0-9a-f]{40}$/;

/** The revision string for a resolution (see ResolvedRef.revision). */
export function revisionFor(kind: RefKind, refName: string | undefined, commit: string): string {
  return kind === "name" ? formatAbsoluteRevision(refName, commit) : formatRevision(refName, commit);
}

/** Which ref name a spec asks the server about, or undefined when no round trip is needed (commit). */
export function wantedRef(spec: GitRefSpec | undefined): { kind: RefKind; prefix: string } | undefined {
  if (spec?.commit) return undefined;
  if (spec?.name) return { kind: "name", prefix: spec.name };
  if (spec?.semver) return { kind: "semver", prefix: "refs/tags/" };
  if (spec?.tag) return { kind: "tag", prefix: `refs/tags/${spec.tag}` };
  return { kind: "branch", prefix: `refs/heads/${spec?.branch || DEFAULT_BRANCH}` };
}

/** Parses a Flux (Masterminds) semver constraint into an npm semver range; commas mean "and". */
export function parseSemverRange(constraint: string): semver.Range {
  try {
    return new semver.Range(constraint.replace(/,/g, " ").trim() || "*");
  } catch (err) {
    throw new GitSourceError(GitErrorCode.InvalidRef, `invalid semver range '${constraint}'`, { cause: err });
  }
}

function tagVersion(tag: string): semver.SemVer | null {
  return semver.parse(tag.startsWith("v") || tag.startsWith("V") ? tag.slice(1) : tag);
}

/** The highest tag (by semver) matching the range among tag names; undefined when none matches. */
export function highestMatchingTag(tags: readonly string[], constraint: string): string | undefined {
  const range = parseSemverRange(constraint);
  let best: { tag: string; version: semver.SemVer } | undefined;
  for (const tag of [...tags].sort()) {
    const version = tagVersion(tag);
    if (!version || !range.test(version)) continue;
    if (!best || semver.gt(version, best.version)) best = { tag, version };
  }
  return best?.tag;
}

/** Picks the commit for a spec from the advertised refs (pure; see resolveRef). */
export function selectRef(spec: GitRefSpec | undefined, refs: readonly AdvertisedRef[]): ResolvedRef {
  if (spec?.commit) {
    const commit = spec.commit.toLowerCase();
    if (!HEX40.test(commit)) {
      throw new GitSourceError(
        GitErrorCode.InvalidRef,
        `invalid commit id '${spec.commit}' (40 hex digits expected)`,
      );
    }
    const refName = spec.branch ? `refs/heads/${spec.branch}` : undefined;
    const out: ResolvedRef = { kind: "commit", commit, revision: revisionFor("commit", refName, commit) };
    if (refName) out.refName = refName;
    return out;
  }
  const want = wantedRef(spec);
  if (!want) throw new Error("unreachable: no ref wanted");
  const byName = new Map<string, AdvertisedRef>();
  for (const r of refs) {
    if (r.ref.endsWith("^{}")) {
      const base = r.ref.slice(0, -3);
      const prev = byName.get(base);
      if (prev) prev.peeled = r.oid;
      else byName.set(base, { ref: base, oid: r.oid, peeled: r.oid });
    } else {
      const prev = byName.get(r.ref);
      byName.set(r.ref, { ...r, ...(prev?.peeled ? { peeled: prev.peeled } : {}) });
    }
  }
  if (byName.size === 0) {
    throw new GitSourceError(GitErrorCode.EmptyRepository, "remote repository is empty (no refs)");
  }
  let refName = want.prefix;
  if (want.kind === "semver") {
    const tags = [...byName.keys()].filter((r) => r.startsWith("refs/tags/")).map((r) => r.slice(10));
    const tag = highestMatchingTag(tags, spec?.semver ?? "*");
    if (tag === undefined) {
      throw new GitSourceError(GitErrorCode.NoMatchingTag, `no tag matches semver range '${spec?.semver}'`);
    }
    refName = `refs/tags/${tag}`;
  }
  const hit = byName.get(refName);
  if (!hit) {
    const what = want.kind === "branch" ? "branch" : want.kind === "tag" ? "tag" : "ref";
    const short = want.kind === "name" ? refName : refName.split("/").slice(2).join("/");
    throw new GitSourceError(GitErrorCode.RefNotFound, `${what} '${short}' not found on the remote`);
  }
  const commit = hit.peeled ?? hit.oid;
  const out: ResolvedRef = {
    kind: want.kind,
    refName,
    commit,
    revision: revisionFor(want.kind, refName, commit),
  };
  if (hit.peeled && hit.peeled !== hit.oid) out.tagObject = hit.oid;
  return out;
}

/**
 * Resolves spec against the remote with one ref advertisement (protocol v1: a single round trip over HTTP,
 * one exec over SSH). A bare commit needs no round trip.
 */
export async function resolveRef(transport: Transport, spec: GitRefSpec | undefined): Promise<ResolvedRef> {
  const want = wantedRef(spec);
  if (!want) return selectRef(spec, []);
  let refs: AdvertisedRef[];
  try {
    const listed = await listServerRefs({
      http: transport.http,
      url: transport.url,
      protocolVersion: 1,
      peelTags: true,
    });
    refs = listed.map((r) => ({ ref: r.ref, oid: r.oid, ...(r.peeled ? { peeled: r.peeled } : {}) }));
  } catch (err) {
    throw toGitError(err, transport, "listing refs of");
  }
  return selectRef(spec, refs);
}
