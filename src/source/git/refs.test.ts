import { describe, expect, it } from "vitest";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import { type AdvertisedRef, highestMatchingTag, selectRef } from "./refs.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const T = "1".repeat(40);

const refs: AdvertisedRef[] = [
  { ref: "HEAD", oid: A },
  { ref: "refs/heads/master", oid: A },
  { ref: "refs/heads/main", oid: B },
  { ref: "refs/tags/v1.0.0", oid: B },
  { ref: "refs/tags/v1.2.0", oid: T, peeled: C },
  { ref: "refs/tags/v2.0.0-rc.1", oid: A },
  { ref: "refs/tags/not-semver", oid: A },
  { ref: "refs/pull/1/head", oid: C },
];

function failure(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GitSourceError ? err.code : "other";
  }
  return undefined;
}

describe("selectRef", () => {
  it.each([
    ["no ref: the master branch", undefined, "refs/heads/master", A, `master@sha1:${A}`],
    ["branch", { branch: "main" }, "refs/heads/main", B, `main@sha1:${B}`],
    ["lightweight tag", { tag: "v1.0.0" }, "refs/tags/v1.0.0", B, `v1.0.0@sha1:${B}`],
    ["annotated tag, peeled", { tag: "v1.2.0" }, "refs/tags/v1.2.0", C, `v1.2.0@sha1:${C}`],
    ["semver: highest match", { semver: ">=1.0.0 <2.0.0" }, "refs/tags/v1.2.0", C, `v1.2.0@sha1:${C}`],
    [
      "semver with a Masterminds comma",
      { semver: ">= 1.0.0, < 1.1.0" },
      "refs/tags/v1.0.0",
      B,
      `v1.0.0@sha1:${B}`,
    ],
    [
      "name: full ref in the revision",
      { name: "refs/pull/1/head" },
      "refs/pull/1/head",
      C,
      `refs/pull/1/head@sha1:${C}`,
    ],
    ["tag wins over branch", { branch: "main", tag: "v1.2.0" }, "refs/tags/v1.2.0", C, `v1.2.0@sha1:${C}`],
    ["semver wins over tag", { tag: "v1.0.0", semver: "1.2.x" }, "refs/tags/v1.2.0", C, `v1.2.0@sha1:${C}`],
    [
      "name wins over semver",
      { semver: "*", name: "refs/heads/main" },
      "refs/heads/main",
      B,
      `refs/heads/main@sha1:${B}`,
    ],
    ["commit alone", { commit: C }, undefined, C, `sha1:${C}`],
    ["commit with branch", { commit: C, branch: "main" }, "refs/heads/main", C, `main@sha1:${C}`],
    ["commit wins over name", { commit: C, name: "refs/heads/main" }, undefined, C, `sha1:${C}`],
  ])("%s", (_name, spec, refName, commit, revision) => {
    const r = selectRef(spec, refs);
    expect(r.refName).toBe(refName);
    expect(r.commit).toBe(commit);
    expect(r.revision).toBe(revision);
  });

  it("records the tag object of an annotated tag", () => {
    expect(selectRef({ tag: "v1.2.0" }, refs).tagObject).toBe(T);
    expect(selectRef({ tag: "v1.0.0" }, refs).tagObject).toBeUndefined();
  });

  it("peels tags from ^{} entries of a v1 advertisement", () => {
    const r = selectRef({ tag: "v3" }, [
      { ref: "refs/tags/v3", oid: T },
      { ref: "refs/tags/v3^{}", oid: C },
    ]);
    expect(r.commit).toBe(C);
    expect(r.tagObject).toBe(T);
  });

  it.each([
    ["a missing branch", { branch: "nope" }, GitErrorCode.RefNotFound],
    ["a missing tag", { tag: "v9" }, GitErrorCode.RefNotFound],
    ["a missing ref name", { name: "refs/pull/2/head" }, GitErrorCode.RefNotFound],
    ["no tag in the semver range", { semver: ">=3.0.0" }, GitErrorCode.NoMatchingTag],
    ["an invalid semver range", { semver: "not a range!" }, GitErrorCode.InvalidRef],
    ["a short commit id", { commit: "abc123" }, GitErrorCode.InvalidRef],
  ])("fails on %s", (_name, spec, code) => {
    expect(failure(() => selectRef(spec, refs))).toBe(code);
  });

  it("fails on an empty repository", () => {
    expect(failure(() => selectRef({ branch: "main" }, []))).toBe(GitErrorCode.EmptyRepository);
  });
});

describe("highestMatchingTag", () => {
  it("skips prereleases unless the range asks for them, and tags that are not versions", () => {
    const tags = ["v1.0.0", "1.1.0", "v2.0.0-rc.1", "latest"];
    expect(highestMatchingTag(tags, "*")).toBe("1.1.0");
    expect(highestMatchingTag(tags, ">=2.0.0-rc.0")).toBe("v2.0.0-rc.1");
    expect(highestMatchingTag(tags, "~1.0")).toBe("v1.0.0");
  });
});
