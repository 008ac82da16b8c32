// spec.sparseCheckout: only the listed directories go into the artifact, a changed list rebuilds it from the
// cached commit, and a directory the commit does not have fails the fetch as Flux does.
import { existsSync } from "node:fs";
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
  ({ h, info, ns } = await startSuite("gitrepository-sparse", "gitrepo-sparse"));
  await createRepo(info, "sparse-app");
  await commitFiles(info, "sparse-app", {
    "README.md": "# readme\n",
    "apps/podinfo/deploy.yaml": "kind: Deployment\n",
    "apps/podinfo/.sourceignore": "*.txt\n",
    "apps/podinfo/notes.txt": "ignored\n",
    "charts/app/Chart.yaml": "name: app\n",
    "infra/ns.yaml": "kind: Namespace\n",
  });
});

afterAll(async () => {
  await h?.close();
});

function dirOf(name: string): string {
  return artifactDir(h, ns, name);
}

describe("sparseCheckout", () => {
  it("puts only the listed directories in the artifact and records observedSparseCheckout", async () => {
    await applyRepo(h, ns, "sparse", {
      url: repoUrl(info, "http-anon", "sparse-app"),
      ref: { branch: "main" },
      sparseCheckout: ["./apps", "infra/"],
    });
    const s = statusOf(await waitReady(h, ns, "sparse"));
    expect(s.observedSparseCheckout).toEqual(["./apps", "infra/"]);
    const dir = dirOf("sparse");
    expect(existsSync(join(dir, "apps/podinfo/deploy.yaml"))).toBe(true);
    expect(existsSync(join(dir, "infra/ns.yaml"))).toBe(true);
    expect(existsSync(join(dir, "apps/podinfo/notes.txt"))).toBe(false);
    expect(existsSync(join(dir, "charts"))).toBe(false);
    expect(existsSync(join(dir, "README.md"))).toBe(false);
  });

  it("builds a new artifact from the cached commit when the list changes", async () => {
    const before = statusOf(await waitReady(h, ns, "sparse"));
    await resetHttpRequests(info);
    await patchSpec(h, ns, "sparse", { sparseCheckout: ["charts"] });
    const after = statusOf(
      await waitForStatus(
        h,
        ns,
        "sparse",
        (s) => s.observedSparseCheckout?.[0] === "charts" && condition(s, "Ready")?.status === "True",
        "new sparse list observed",
      ),
    );
    expect(after.artifact?.revision).toBe(before.artifact?.revision);
    expect(after.artifact?.digest).not.toBe(before.artifact?.digest);
    expect(existsSync(join(dirOf("sparse"), "charts/app/Chart.yaml"))).toBe(true);
    expect(existsSync(join(dirOf("sparse"), "apps"))).toBe(false);
    const posts = (await httpRequests(info, "sparse-app")).filter((r) => r.method === "POST");
    expect(posts).toEqual([]);
  });

  it("fails with FetchFailed and keeps the last artifact when a directory does not exist", async () => {
    const good = statusOf(await waitReady(h, ns, "sparse"));
    await patchSpec(h, ns, "sparse", { sparseCheckout: ["charts", "missing/"] });
    const s = statusOf(await waitNotReady(h, ns, "sparse", "GitOperationFailed"));
    const failed = condition(s, "FetchFailed");
    expect(failed).toMatchObject({ status: "True", reason: "GitOperationFailed" });
    expect(failed?.message).toContain("sparse checkout dir 'missing/' does not exist in repository");
    expect(s.artifact?.digest).toBe(good.artifact?.digest);
    expect(s.observedSparseCheckout).toEqual(["charts"]);
    expect(existsSync(join(dirOf("sparse"), "charts/app/Chart.yaml"))).toBe(true);
  });

  it("checks out the whole tree again when the list is removed", async () => {
    await patchSpec(h, ns, "sparse", { sparseCheckout: null });
    const s = statusOf(
      await waitForStatus(
        h,
        ns,
        "sparse",
        (st) => st.observedSparseCheckout === undefined && condition(st, "Ready")?.status === "True",
        "sparse checkout removed",
      ),
    );
    expect(condition(s, "FetchFailed")).toBeUndefined();
    expect(existsSync(join(dirOf("sparse"), "README.md"))).toBe(true);
    expect(existsSync(join(dirOf("sparse"), "apps/podinfo/deploy.yaml"))).toBe(true);
  });
});
