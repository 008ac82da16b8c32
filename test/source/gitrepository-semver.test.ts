// spec.ref.semver with tags of equal precedence (a "v" prefix or build metadata apart): the tag whose commit
// is newest wins, as Flux sorts them, whatever the tag names; the choice is stable across polls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitFiles, createRepo, type GitServersInfo, repoUrl, tagCommit } from "../harness/git/index.ts";
import {
  applyRepo,
  type Harness,
  requestReconcile,
  startSuite,
  statusOf,
  waitForStatus,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;
const commits: Record<string, string> = {};

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-semver", "gitrepo-semver"));
  await createRepo(info, "semver-ties");
  const t = 1_700_000_000;
  const c = async (name: string, time: number): Promise<void> => {
    commits[name] = (await commitFiles(info, "semver-ties", { "v.txt": `${name}\n` }, { time })).sha;
  };
  await c("old", t);
  await c("new", t + 100);
  await c("build-new", t + 300);
  await c("build-old", t + 200);
  // By name alone "v1.0.0" and "v1.1.0+b" would win: the commit times must decide.
  await tagCommit(info, "semver-ties", "v1.0.0", commits.old ?? "");
  await tagCommit(info, "semver-ties", "1.0.0", commits.new ?? "", "annotated 1.0.0");
  await tagCommit(info, "semver-ties", "v1.1.0+b", commits["build-old"] ?? "");
  await tagCommit(info, "semver-ties", "v1.1.0+a", commits["build-new"] ?? "");
});

afterAll(async () => {
  await h?.close();
});

describe("semver tags of equal precedence", () => {
  it("follows the tag on the newer commit, v prefix or not", async () => {
    await applyRepo(h, ns, "v-prefix", {
      url: repoUrl(info, "http-anon", "semver-ties"),
      ref: { semver: "1.0.x" },
    });
    const s = statusOf(await waitReady(h, ns, "v-prefix"));
    expect(s.artifact?.revision).toBe(`1.0.0@sha1:${commits.new}`);
  });

  it("ranks build metadata by commit time only, and keeps the choice on the next poll", async () => {
    await applyRepo(h, ns, "build-metadata", {
      url: repoUrl(info, "http-anon", "semver-ties"),
      ref: { semver: ">=1.1.0" },
    });
    const s = statusOf(await waitReady(h, ns, "build-metadata"));
    expect(s.artifact?.revision).toBe(`v1.1.0+a@sha1:${commits["build-new"]}`);
    const handled = await requestReconcile(h, ns, "build-metadata");
    const again = statusOf(
      await waitForStatus(
        h,
        ns,
        "build-metadata",
        (st) => st.lastHandledReconcileAt === handled,
        "poll handled",
      ),
    );
    expect(again.artifact).toEqual(s.artifact);
  });
});
