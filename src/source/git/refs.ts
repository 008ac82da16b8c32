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

/**
 * The tags matching the range that share the highest precedence (semver ignores build metadata, and "v1.0.0"
 * equals "1.0.0"), in name order; empty when none matches.
 */
export function highestMatchingTags(tags: readonly string[], constraint: string): string[] {
  const range = parseSemverRange(constraint);
  let best: { tags: string[]; version: semver.SemVer } | undefined;
  for (const tag of [...tags].sort()) {
    const version = tagVersion(tag);
    if (!version || !range.test(version)) continue;
    const order = best ? semver.compare(version, best.version) : 1;
    if (!best || order > 0) best = { tags: [tag], version };
    else if (order === 0) best.tags.push(tag);
  }
  return best?.tags ?? [];
}

/**
 * The tag to follow among tags of equal precedence, as Flux sorts them: the one whose commit is newest
 * (committer time, from commitTimes; unknown counts as oldest). Flux leaves a tie on time to Go's map
 * order, which differs between polls; here the greatest name wins, so the revision cannot flap.
 */
export function pickAmongEqual(
  tags: readonly string[],
  commitOf: (tag: string) => string | undefined,
  commitTimes: ReadonlyMap<string, number> = new Map(),
): string | undefined {
  let best: { tag: string; time: number } | undefined;
  for (const tag of [...tags].sort()) {
    const commit = commitOf(tag);
    const time = (commit !== undefined ? commitTimes.get(commit) : undefined) ?? Number.NEGATIVE_INFINITY;
    if (!best || time >= best.time) best = { tag, time };
  }
  return best?.tag;
}

/** The highest tag (by semver) matching the range among tag names; undefined when none matches. */
export function highestMatchingTag(tags: readonly string[], constraint: string): string | undefined {
  return pickAmongEqual(highestMatchingTags(tags, constraint), () => undefined);
}

/** Options of selectRef() and resolveRef(). */
export interface SelectOptions {
  /** Committer times (ms since the epoch) of commits, to order semver tags of equal precedence. */
  commitTimes?: ReadonlyMap<string, number>;
}

// Advertised refs by name, with the peeled commit of annotated tags ("^{}" lines) folded in.
function advertisedByName(refs: readonly AdvertisedRef[]): Map<string, AdvertisedRef> {
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
  return byName;
}

/** Picks the commit for a spec from the advertised refs (pure; see resolveRef). */
export function selectRef(
  spec: GitRefSpec | undefined,
  refs: readonly AdvertisedRef[],
  opts: SelectOptions = {},
): ResolvedRef {
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
  const byName = advertisedByName(refs);
  if (byName.size === 0) {
    throw new GitSourceError(GitErrorCode.EmptyRepository, "remote repository is empty (no refs)");
  }
  let refName = want.prefix;
  if (want.kind === "semver") {
    const tags = [...byName.keys()].filter((r) => r.startsWith("refs/tags/")).map((r) => r.slice(10));
    const commitOf = (tag: string): string | undefined => {
      const r = byName.get(`refs/tags/${tag}`);
      return r?.peeled ?? r?.oid;
    };
    const tag = pickAmongEqual(highestMatchingTags(tags, spec?.semver ?? "*"), commitOf, opts.commitTimes);
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

/** Options of resolveRef(). */
export interface ResolveOptions {
  /**
   * The committer time (ms since the epoch) of a tag's commit, to order semver tags of equal precedence
   * as Flux does; called only when such tags point at different commits (it may need a fetch).
   */
  commitTime?: (ref: ResolvedRef) => Promise<number>;
}

/**
 * Resolves spec against the remote with one ref advertisement (protocol v1: a single round trip over HTTP,
 * one exec over SSH). A bare commit needs no round trip.
 */
export async function resolveRef(
  transport: Transport,
  spec: GitRefSpec | undefined,
  opts: ResolveOptions = {},
): Promise<ResolvedRef> {
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
  const commitTimes = opts.commitTime ? await tiedCommitTimes(spec, refs, opts.commitTime) : undefined;
  return selectRef(spec, refs, commitTimes ? { commitTimes } : {});
}

// The commit times of semver tags that tie at the highest precedence on different commits (else none).
async function tiedCommitTimes(
  spec: GitRefSpec | undefined,
  refs: readonly AdvertisedRef[],
  commitTime: (ref: ResolvedRef) => Promise<number>,
): Promise<Map<string, number> | undefined> {
  if (wantedRef(spec)?.kind !== "semver") return undefined;
  const byName = advertisedByName(refs);
  const tags = [...byName.keys()].filter((r) => r.startsWith("refs/tags/")).map((r) => r.slice(10));
  const tied = highestMatchingTags(tags, spec?.semver ?? "*");
  const candidates = tied.map((tag) => selectRef({ tag }, refs));
  if (new Set(candidates.map((c) => c.commit)).size < 2) return undefined;
  const times = new Map<string, number>();
  for (const c of candidates) {
    if (!times.has(c.commit)) times.set(c.commit, await commitTime(c));
  }
  return times;
}
