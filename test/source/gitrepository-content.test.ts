// What goes into the artifact: `.sourceignore` files and spec.ignore (changing it rebuilds the artifact from
// the cached commit, without a download), and spec.include copying another GitRepository's artifact in.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commitFiles,
  createRepo,
  type GitServersInfo,
  httpRequests,
  repoUrl,
  resetHttpRequests,
} from "../harness/git/index.ts";
import {
  applyRepo,
  artifactDir,
  condition,
  type Harness,
  patchSpec,
  requestReconcile,
  startSuite,
  statusOf,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-content", "gitrepo-content"));
  await createRepo(info, "content-app");
  await commitFiles(info, "content-app", {
    ".sourceignore": "*.md\n",
    "README.md": "# readme\n",
    "deploy/app.yaml": "kind: ConfigMap\n",
    "deploy/notes.md": "notes\n",
    "docs/guide.txt": "guide\n",
    "logo.png": "png",
  });
  await createRepo(info, "content-lib");
  await commitFiles(info, "content-lib", { "base/lib.yaml": "kind: Secret\n", "other/x.yaml": "x: 1\n" });
});

afterAll(async () => {
  await h?.close();
});

function dirOf(name: string): string {
  return artifactDir(h, ns, name);
}

describe("ignore rules", () => {
  it("leaves out what .sourceignore lists, and VCS files", async () => {
    await applyRepo(h, ns, "ignored", {
      url: repoUrl(info, "http-anon", "content-app"),
      ref: { branch: "main" },
    });
    await waitReady(h, ns, "ignored");
    const dir = dirOf("ignored");
    expect(existsSync(join(dir, "deploy/app.yaml"))).toBe(true);
    expect(existsSync(join(dir, "README.md"))).toBe(false);
    expect(existsSync(join(dir, "deploy/notes.md"))).toBe(false);
    expect(existsSync(join(dir, ".git"))).toBe(false);
  });

  it("applies spec.ignore, and a changed spec.ignore rebuilds the artifact without downloading again", async () => {
    await applyRepo(h, ns, "spec-ignore", {
      url: repoUrl(info, "http-anon", "content-app"),
      ref: { branch: "main" },
      ignore: "docs/\n",
    });
    const first = statusOf(await waitReady(h, ns, "spec-ignore"));
    expect(first.observedIgnore).toBe("docs/\n");
    expect(existsSync(join(dirOf("spec-ignore"), "docs/guide.txt"))).toBe(false);
    expect(existsSync(join(dirOf("spec-ignore"), "deploy/app.yaml"))).toBe(true);

    await resetHttpRequests(info);
    await patchSpec(h, ns, "spec-ignore", { ignore: "deploy/\n" });
    const second = statusOf(
      await waitForStatus(
        h,
        ns,
        "spec-ignore",
        (s) => s.observedIgnore === "deploy/\n",
        "new ignore observed",
      ),
    );
    expect(second.artifact?.revision).toBe(first.artifact?.revision);
    expect(second.artifact?.digest).not.toBe(first.artifact?.digest);
    expect(existsSync(join(dirOf("spec-ignore"), "docs/guide.txt"))).toBe(true);
    expect(existsSync(join(dirOf("spec-ignore"), "deploy/app.yaml"))).toBe(false);
    const posts = (await httpRequests(info, "content-app")).filter((r) => r.method === "POST");
    expect(posts).toEqual([]);
  });
});

describe("include", () => {
  it("copies another GitRepository's artifact into a sub-path", async () => {
    await applyRepo(h, ns, "lib", {
      url: repoUrl(info, "http-anon", "content-lib"),
      ref: { branch: "main" },
    });
    await applyRepo(h, ns, "with-lib", {
      url: repoUrl(info, "http-anon", "content-app"),
      ref: { branch: "main" },
      include: [{ repository: { name: "lib" }, fromPath: "base", toPath: "vendor/lib" }],
    });
    const s = statusOf(await waitReady(h, ns, "with-lib"));
    const lib = statusOf(await waitReady(h, ns, "lib"));
    expect(readFileSync(join(dirOf("with-lib"), "vendor/lib/lib.yaml"), "utf8")).toBe("kind: Secret\n");
    expect(existsSync(join(dirOf("with-lib"), "vendor/lib/other"))).toBe(false);
    expect(s.includedArtifacts?.map((a) => a.digest)).toEqual([lib.artifact?.digest]);
    expect(s.observedInclude).toEqual([
      { repository: { name: "lib" }, fromPath: "base", toPath: "vendor/lib" },
    ]);
  });

  it("rebuilds when the included repository gets a new artifact", async () => {
    await commitFiles(info, "content-lib", { "base/lib.yaml": "kind: Secret\nv: 2\n" });
    await requestReconcile(h, ns, "lib");
    await waitForStatus(
      h,
      ns,
      "with-lib",
      () =>
        existsSync(join(dirOf("with-lib"), "vendor/lib/lib.yaml")) &&
        readFileSync(join(dirOf("with-lib"), "vendor/lib/lib.yaml"), "utf8").includes("v: 2"),
      "included update",
      20_000,
    );
  });

  it("waits with IncludeUnavailable while the included repository does not exist", async () => {
    await applyRepo(h, ns, "with-missing", {
      url: repoUrl(info, "http-anon", "content-app"),
      ref: { branch: "main" },
      include: [{ repository: { name: "missing" } }],
    });
    const s = statusOf(await waitNotReady(h, ns, "with-missing", "NotFound"));
    expect(condition(s, "IncludeUnavailable")).toMatchObject({ status: "True", reason: "NotFound" });
    await applyRepo(h, ns, "missing", {
      url: repoUrl(info, "http-anon", "content-lib"),
      ref: { branch: "main" },
    });
    await waitReady(h, ns, "with-missing");
    expect(existsSync(join(dirOf("with-missing"), "missing/base/lib.yaml"))).toBe(true);
  });
});
