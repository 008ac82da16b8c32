import { describe, expect, it } from "vitest";
import { GitErrorCode, GitSourceError } from "./errors.ts";
import {
  type AdvertisedRef,
  highestMatchingTag,
  highestMatchingTags,
  type ResolvedRef,
  resolveRef,
  selectRef,
} from "./refs.ts";
import type { Transport } from "./transport.ts";

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

describe("semver tags of equal precedence", () => {
  const D = "d".repeat(40);
  const tied: AdvertisedRef[] = [
    { ref: "refs/heads/main", oid: A },
    { ref: "refs/tags/1.0.0", oid: B },
    { ref: "refs/tags/v1.0.0", oid: C },
    { ref: "refs/tags/v1.0.0+build.2", oid: D },
    { ref: "refs/tags/v0.9.0", oid: A },
  ];

  it("groups tags whose versions differ only by a v prefix or build metadata", () => {
    expect(highestMatchingTags(["v1.0.0", "1.0.0", "v1.0.0+build.2", "v0.9.0"], "*")).toEqual([
      "1.0.0",
      "v1.0.0",
      "v1.0.0+build.2",
    ]);
  });

  it.each([
    [
      "the tag on the newest commit wins",
      new Map([
        [B, 3],
        [C, 1],
        [D, 2],
      ]),
      "refs/tags/1.0.0",
      B,
    ],
    [
      "build metadata does not rank: only the commit time",
      new Map([
        [B, 1],
        [C, 2],
        [D, 3],
      ]),
      "refs/tags/v1.0.0+build.2",
      D,
    ],
    [
      "equal commit times: the greatest name, the same on every poll",
      new Map([
        [B, 5],
        [C, 5],
        [D, 1],
      ]),
      "refs/tags/v1.0.0",
      C,
    ],
    ["no commit times known: the greatest name", new Map<string, number>(), "refs/tags/v1.0.0+build.2", D],
  ])("%s", (_name, commitTimes, refName, commit) => {
    const r = selectRef({ semver: ">=1.0.0" }, tied, { commitTimes });
    expect(r.refName).toBe(refName);
    expect(r.commit).toBe(commit);
  });

  it("picks one of two tags on the same commit deterministically", () => {
    const same: AdvertisedRef[] = [
      { ref: "refs/tags/1.0.0", oid: B },
      { ref: "refs/tags/v1.0.0", oid: B },
    ];
    expect(selectRef({ semver: "1.x" }, same).revision).toBe(`v1.0.0@sha1:${B}`);
    expect(selectRef({ semver: "1.x" }, [...same].reverse()).revision).toBe(`v1.0.0@sha1:${B}`);
  });
});

describe("resolveRef with semver ties", () => {
  const transport = (refs: string): Transport => ({
    kind: "http",
    url: "http://git.invalid/repo.git",
    displayUrl: "http://git.invalid/repo.git",
    requests: 0,
    close: () => undefined,
    http: {
      async request() {
        const lines = [
          "# service=git-upload-pack\n",
          null,
          ...refs
            .split("\n")
            .filter(Boolean)
            .map((l) => `${l}\n`),
          null,
        ];
        const body = Buffer.concat(
          lines.map((l) =>
            l === null
              ? Buffer.from("0000")
              : Buffer.from(`${(l.length + 4).toString(16).padStart(4, "0")}${l}`),
          ),
        );
        async function* once(): AsyncIterableIterator<Uint8Array> {
          yield body;
        }
        return {
          url: "",
          method: "GET",
          statusCode: 200,
          statusMessage: "OK",
          headers: { "content-type": "application/x-git-upload-pack-advertisement" },
          body: once(),
        };
      },
    },
  });

  it("asks for commit times only when tied tags point at different commits", async () => {
    const asked: string[] = [];
    const commitTime = async (r: ResolvedRef): Promise<number> => {
      asked.push(r.refName ?? "");
      return r.commit === B ? 10 : 5;
    };
    const different = transport(`${C} refs/tags/v1.0.0\0multi_ack\n${B} refs/tags/1.0.0`);
    const r = await resolveRef(different, { semver: "1.x" }, { commitTime });
    expect(r.refName).toBe("refs/tags/1.0.0");
    expect(asked.sort()).toEqual(["refs/tags/1.0.0", "refs/tags/v1.0.0"]);

    asked.length = 0;
    const same = transport(`${B} refs/tags/v1.0.0\0multi_ack\n${B} refs/tags/1.0.0\n${A} refs/tags/v0.1.0`);
    expect((await resolveRef(same, { semver: "*" }, { commitTime })).refName).toBe("refs/tags/v1.0.0");
    expect(asked).toEqual([]);
  });
});
