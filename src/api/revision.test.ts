import { describe, expect, it } from "vitest";
import {
  formatAbsoluteRevision,
  formatRevision,
  hashDigest,
  parseRevision,
  revisionCommit,
  revisionDigest,
  revisionPointer,
  sameRevisionDigest,
  transformLegacyRevision,
} from "./revision.ts";

const SHA = "5394cb7f48332b2de7c17dd8b8384bbc84b7e738";
const OTHER = "a0c14dc8580a23f79bc654faa79c4f62b46c2c22";

describe("formatRevision", () => {
  it.each([
    ["refs/heads/main", `main@sha1:${SHA}`],
    ["refs/heads/feature/x", `feature/x@sha1:${SHA}`],
    ["refs/tags/v1.2.3", `v1.2.3@sha1:${SHA}`],
    ["refs/pull/1/head", `1/head@sha1:${SHA}`],
    ["HEAD", `sha1:${SHA}`],
    ["", `sha1:${SHA}`],
    [undefined, `sha1:${SHA}`],
  ])("gives %s the short pointer Flux writes", (ref, revision) => {
    expect(formatRevision(ref, SHA)).toBe(revision);
  });

  it.each([
    ["refs/pull/1/head", `refs/pull/1/head@sha1:${SHA}`],
    ["refs/heads/main", `refs/heads/main@sha1:${SHA}`],
    [undefined, `sha1:${SHA}`],
  ])("keeps the full name %s for spec.ref.name", (ref, revision) => {
    expect(formatAbsoluteRevision(ref, SHA)).toBe(revision);
  });

  it("marks hashes of other lengths as unknown, as Flux does", () => {
    expect(hashDigest("abc")).toBe("<unknown>:abc");
    expect(hashDigest("")).toBe("");
  });
});

describe("parseRevision", () => {
  it.each([
    [`main@sha1:${SHA}`, "main", "sha1", SHA],
    [`v1.2.3@sha1:${SHA}`, "v1.2.3", "sha1", SHA],
    [`refs/pull/1/head@sha1:${SHA}`, "refs/pull/1/head", "sha1", SHA],
    [`feature/branch@sha1:${SHA}`, "feature/branch", "sha1", SHA],
    [`sha1:${SHA}`, "", "sha1", SHA],
    // Pre-2.0 forms.
    [`main/${SHA}`, "main", "", SHA],
    [`feature/branch/${SHA}`, "feature/branch", "", SHA],
    [`HEAD/${SHA}`, "", "", SHA],
    [SHA, "", "", SHA],
    ["", "", "", ""],
  ])("splits %j", (revision, pointer, algorithm, hash) => {
    expect(parseRevision(revision)).toEqual({ pointer, algorithm, hash });
    expect(revisionPointer(revision)).toBe(pointer);
    expect(revisionCommit(revision)).toBe(hash);
  });

  it.each([
    ["refs/heads/main", false],
    ["refs/tags/v1.2.3", false],
    ["refs/pull/1/head", true],
    [undefined, false],
  ])("round-trips a revision formatted for %s", (ref, absolute) => {
    const revision = absolute ? formatAbsoluteRevision(ref, SHA) : formatRevision(ref, SHA);
    expect(formatRevision(undefined, parseRevision(revision).hash)).toBe(`sha1:${SHA}`);
    expect(revisionDigest(revision)).toBe(`sha1:${SHA}`);
  });
});

describe("sameRevisionDigest", () => {
  it.each([
    [`main@sha1:${SHA}`, `sha1:${SHA}`, true],
    [`main@sha1:${SHA}`, `v1.0.0@sha1:${SHA}`, true],
    [`main@sha1:${SHA}`, `main/${SHA}`, true],
    [`main@sha1:${SHA}`, `main@sha1:${OTHER}`, false],
    [`sha1:${SHA}`, `sha256:${SHA}`, false],
    ["", "", false],
  ])("%j and %j name the same commit: %s", (a, b, same) => {
    expect(sameRevisionDigest(a, b)).toBe(same);
  });
});

describe("transformLegacyRevision", () => {
  it.each([
    [`main/${SHA}`, `main@sha1:${SHA}`],
    [`feature/branch/${SHA}`, `feature/branch@sha1:${SHA}`],
    [`HEAD/${SHA}`, `sha1:${SHA}`],
    [SHA, `sha1:${SHA}`],
    [`main@sha1:${SHA}`, `main@sha1:${SHA}`],
    ["", ""],
  ])("rewrites %j", (legacy, current) => {
    expect(transformLegacyRevision(legacy)).toBe(current);
  });
});
