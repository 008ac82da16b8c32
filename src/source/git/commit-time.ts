// Committer times of tag commits, for ordering semver tags of equal precedence as Flux does (it clones every
// tag and compares the commits' committer times). Only the tied tags are fetched, shallowly, into the cache.
import * as fs from "node:fs";
import git from "isomorphic-git";
import { fetchCommit } from "./fetch.ts";
import type { ResolvedRef } from "./refs.ts";
import type { Transport } from "./transport.ts";

/** A commitTime function for resolveRef() that fetches each asked-for tag into cacheDir (once). */
export function fetchedCommitTime(
  transport: Transport,
  cacheDir: string,
): (ref: ResolvedRef) => Promise<number> {
  return async (ref) => {
    const { ref: fetched } = await fetchCommit({ transport, cacheDir, ref });
    const { commit } = await git.readCommit({ fs, gitdir: cacheDir, oid: fetched.commit });
    return commit.committer.timestamp * 1000;
  };
}
