import { describe, expect, it } from "vitest";
import { GitErrorCode, GitSourceError } from "../../source/git/errors.ts";
import { fetchFailure } from "./failure.ts";
import { includesChanged, secureJoin } from "./include.ts";
import { shortMessage } from "./source.ts";
import { GitRepositoryStatusBuilder } from "./status.ts";

const NOW = () => new Date("2026-11-27T03:00:00.123Z");
const STORED = "stored artifact for revision 'main@sha1:abc'";

type Cond = [type: string, status: "True" | "False" | "Unknown", reason: string, message: string];

function builder(conditions: Cond[]): GitRepositoryStatusBuilder {
  const b = new GitRepositoryStatusBuilder({}, 3, NOW);
  for (const [type, status, reason, message] of conditions) b.mark(type, status, reason, message);
  return b;
}

describe("Ready summary", () => {
  const cases: { name: string; conditions: Cond[]; ready: [string, string, string] }[] = [
    {
      name: "a stored artifact makes Ready True",
      conditions: [["ArtifactInStorage", "True", "Succeeded", STORED]],
      ready: ["True", "Succeeded", STORED],
    },
    {
      name: "a fetch failure wins over the stored artifact",
      conditions: [
        ["ArtifactInStorage", "True", "Succeeded", STORED],
        ["FetchFailed", "True", "GitOperationFailed", "failed to checkout"],
        ["Reconciling", "True", "ProgressingWithRetry", "reconciliation in progress"],
      ],
      ready: ["False", "GitOperationFailed", "failed to checkout"],
    },
    {
      name: "a storage failure comes before a fetch failure",
      conditions: [
        ["FetchFailed", "True", "GitOperationFailed", "fetch"],
        ["StorageOperationFailed", "True", "ArchiveOperationFailed", "archive"],
      ],
      ready: ["False", "ArchiveOperationFailed", "archive"],
    },
    {
      name: "a failed verification always wins",
      conditions: [
        ["ArtifactInStorage", "True", "Succeeded", STORED],
        ["SourceVerified", "False", "InvalidCommitSignature", "bad signature"],
      ],
      ready: ["False", "InvalidCommitSignature", "bad signature"],
    },
    {
      name: "a passed verification does not turn Ready False",
      conditions: [
        ["ArtifactInStorage", "True", "Succeeded", STORED],
        ["SourceVerified", "True", "Succeeded", "verified"],
      ],
      ready: ["True", "Succeeded", STORED],
    },
    {
      name: "reconciling without an artifact is not ready",
      conditions: [["Reconciling", "True", "Progressing", "building artifact"]],
      ready: ["False", "Progressing", "building artifact"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const b = builder(c.conditions);
      b.summarize();
      const ready = b.get("Ready");
      expect([ready?.status, ready?.reason, ready?.message]).toEqual(c.ready);
      expect(b.status.conditions?.[0]?.type).toBe("Ready");
      expect(ready?.observedGeneration).toBe(3);
      expect(ready?.lastTransitionTime).toBe("2026-11-27T03:00:00Z");
    });
  }

  it("turns Reconciling into ProgressingWithRetry on a failure and drops it on success", () => {
    const b = builder([["FetchFailed", "True", "GitOperationFailed", "x"]]);
    b.progressing("reconciliation in progress");
    b.finish("retry");
    expect(b.get("Reconciling")?.reason).toBe("ProgressingWithRetry");
    b.clear("FetchFailed");
    b.mark("ArtifactInStorage", "True", "Succeeded", STORED);
    b.finish("success");
    expect(b.get("Reconciling")).toBeUndefined();
    expect(b.get("Ready")?.status).toBe("True");
  });

  it("marks Stalled with the failure's reason", () => {
    const b = builder([["FetchFailed", "True", "URLInvalid", "bad url"]]);
    b.finish("stalled", { reason: "URLInvalid", message: "bad url" });
    expect(b.get("Stalled")).toMatchObject({ status: "True", reason: "URLInvalid" });
    expect(b.get("Ready")).toMatchObject({ status: "False", reason: "URLInvalid" });
  });

  it("keeps a False Ready while progressing unless drift is seen", () => {
    const b = builder([["Ready", "False", "GitOperationFailed", "x"]]);
    b.progressing("reconciliation in progress");
    expect(b.get("Ready")?.status).toBe("False");
    b.progressing("building artifact: new upstream revision 'main@sha1:abc'", true);
    expect(b.get("Ready")).toMatchObject({ status: "Unknown", reason: "Progressing" });
  });
});

describe("fetchFailure", () => {
  const cases: [GitErrorCode, string, string][] = [
    [GitErrorCode.AuthenticationFailed, "GitOperationFailed", "retry"],
    [GitErrorCode.RefNotFound, "GitOperationFailed", "retry"],
    [GitErrorCode.UnknownHostKey, "GitOperationFailed", "retry"],
    [GitErrorCode.EmptyRepository, "EmptyGitRepository", "retry"],
    [GitErrorCode.InvalidAuth, "AuthenticationFailed", "retry"],
    [GitErrorCode.InvalidUrl, "URLInvalid", "stalled"],
  ];
  for (const [code, reason, kind] of cases) {
    it(`maps ${code} to ${reason} (${kind})`, () => {
      const f = fetchFailure(new GitSourceError(code, "boom"));
      expect([f.reason, f.kind, f.condition]).toEqual([reason, kind, "FetchFailed"]);
    });
  }
});

describe("helpers", () => {
  it("shortens commit subjects as Flux does", () => {
    expect(shortMessage("fix: a thing\n\nbody")).toBe("fix: a thing");
    expect(shortMessage("x".repeat(60))).toBe(`${"x".repeat(50)}...`);
  });

  it("joins include paths without leaving the root", () => {
    expect(secureJoin("/a/b", "c/d")).toBe("/a/b/c/d");
    expect(secureJoin("/a/b", "../../etc")).toBe("/a/b/etc");
    expect(secureJoin("/a/b", "")).toBe("/a/b");
  });

  it("sees include changes in config and in included digests", () => {
    const obj = {
      spec: { include: [{ repository: { name: "lib" } }] },
      status: {
        observedInclude: [{ repository: { name: "lib" }, toPath: "lib" }],
        includedArtifacts: [{ digest: "sha256:1" }],
      },
    } as unknown as Parameters<typeof includesChanged>[0];
    const inc = (digest: string) => [
      { include: { repository: { name: "lib" } }, artifact: { digest } as never, dir: "/x" },
    ];
    expect(includesChanged(obj, inc("sha256:1"))).toBe(false);
    expect(includesChanged(obj, inc("sha256:2"))).toBe(true);
  });
});
