// spec.recurseSubmodules: submodules (and theirs) are fetched at the commits the gitlinks record and land in
// the artifact; the parent's credentials go along to the same host only; a new artifact comes when the
// parent's gitlink moves, not when the submodule merely gets a commit (Flux polls the parent's ref only).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../harness/git/exec.ts";
import { commitFiles, createRepo, type GitServersInfo, repoUrl } from "../harness/git/index.ts";
import {
  applyRepo,
  applySecret,
  artifactDir,
  condition,
  type Harness,
  patchSpec,
  requestReconcile,
  secretData,
  startSuite,
  statusOf,
  waitForStatus,
  waitNotReady,
  waitReady,
} from "./gitrepository-support.ts";

let h: Harness;
let info: GitServersInfo;
let ns: string;

/** Commits files and gitlinks (path → commit) on main with git fast-import; returns the commit. */
async function commitWithGitlinks(
  repo: string,
  files: Record<string, string>,
  gitlinks: Record<string, string>,
  message: string,
): Promise<string> {
  const dir = join(info.root, `${repo}.git`);
  const tip = await run("git", ["-C", dir, "rev-parse", "--verify", "--quiet", "refs/heads/main"], {
    allowFailure: true,
  });
  const ident = `Driftless Test <test@driftless.invalid> ${Math.floor(Date.now() / 1000)} +0000`;
  const parts: Buffer[] = [];
  const line = (s: string): void => {
    parts.push(Buffer.from(`${s}\n`));
  };
  const data = (s: string): void => {
    const b = Buffer.from(s);
    parts.push(Buffer.from(`data ${b.length}\n`), b, Buffer.from("\n"));
  };
  line("commit refs/heads/main");
  line(`author ${ident}`);
  line(`committer ${ident}`);
  data(`${message}\n`);
  if (tip.code === 0) line(`from ${tip.stdout.trim()}`);
  for (const [path, content] of Object.entries(files)) {
    line(`M 100644 inline ${path}`);
    data(content);
  }
  for (const [path, commit] of Object.entries(gitlinks)) line(`M 160000 ${commit} ${path}`);
  line("");
  line("done");
  await run("git", ["-C", dir, "fast-import", "--quiet", "--done"], { input: Buffer.concat(parts) });
  const { stdout } = await run("git", ["-C", dir, "rev-parse", "refs/heads/main"]);
  return stdout.trim();
}

function gitmodules(modules: Record<string, { path: string; url: string }>): string {
  return Object.entries(modules)
    .map(([name, m]) => `[submodule "${name}"]\n\tpath = ${m.path}\n\turl = ${m.url}\n`)
    .join("");
}

let libCommit: string;

beforeAll(async () => {
  ({ h, info, ns } = await startSuite("gitrepository-submodules", "gitrepo-submodules"));
  await applySecret(h, ns, "basic", secretData(info).basic);
  // leaf <- lib (as lib/leaf) <- parent (as vendor/lib), all behind basic auth, relative URLs.
  await createRepo(info, "sm-leaf");
  const leaf = await commitFiles(info, "sm-leaf", { "leaf.yaml": "leaf: 1\n" });
  await createRepo(info, "sm-lib");
  libCommit = await commitWithGitlinks(
    "sm-lib",
    { ".gitmodules": gitmodules({ leaf: { path: "leaf", url: "../sm-leaf.git" } }), "lib.yaml": "lib: 1\n" },
    { leaf: leaf.sha },
    "lib v1",
  );
  await createRepo(info, "sm-parent");
  await commitWithGitlinks(
    "sm-parent",
    {
      ".gitmodules": gitmodules({ lib: { path: "vendor/lib", url: "../sm-lib.git" } }),
      "app.yaml": "app: 1\n",
    },
    { "vendor/lib": libCommit },
    "parent v1",
  );
});

afterAll(async () => {
  await h?.close();
});

function dirOf(name: string): string {
  return artifactDir(h, ns, name);
}

describe("recurseSubmodules", () => {
  it("leaves submodules out by default", async () => {
    await applyRepo(h, ns, "no-recurse", {
      url: repoUrl(info, "http-basic", "sm-parent"),
      ref: { branch: "main" },
      secretRef: { name: "basic" },
    });
    const s = statusOf(await waitReady(h, ns, "no-recurse"));
    expect(s.observedRecurseSubmodules).toBeUndefined();
    expect(existsSync(join(dirOf("no-recurse"), "app.yaml"))).toBe(true);
    expect(existsSync(join(dirOf("no-recurse"), "vendor/lib/lib.yaml"))).toBe(false);
  });

  it("puts submodules and their submodules in the artifact, fetched with the parent's credentials", async () => {
    await applyRepo(h, ns, "recurse", {
      url: repoUrl(info, "http-basic", "sm-parent"),
      ref: { branch: "main" },
      secretRef: { name: "basic" },
      recurseSubmodules: true,
    });
    const s = statusOf(await waitReady(h, ns, "recurse"));
    expect(s.observedRecurseSubmodules).toBe(true);
    const dir = dirOf("recurse");
    expect(readFileSync(join(dir, "app.yaml"), "utf8")).toBe("app: 1\n");
    expect(readFileSync(join(dir, "vendor/lib/lib.yaml"), "utf8")).toBe("lib: 1\n");
    expect(readFileSync(join(dir, "vendor/lib/leaf/leaf.yaml"), "utf8")).toBe("leaf: 1\n");
  });

  it("rebuilds the artifact without a new commit when recurseSubmodules is switched on", async () => {
    const before = statusOf(await waitReady(h, ns, "no-recurse"));
    await patchSpec(h, ns, "no-recurse", { recurseSubmodules: true });
    const after = statusOf(
      await waitForStatus(
        h,
        ns,
        "no-recurse",
        (st) => st.observedRecurseSubmodules === true && condition(st, "Ready")?.status === "True",
        "submodules observed",
      ),
    );
    expect(after.artifact?.revision).toBe(before.artifact?.revision);
    expect(after.artifact?.digest).not.toBe(before.artifact?.digest);
    expect(existsSync(join(dirOf("no-recurse"), "vendor/lib/leaf/leaf.yaml"))).toBe(true);
  });

  it("keeps the artifact when only the submodule moves, and builds a new one when the gitlink moves", async () => {
    const first = statusOf(await waitReady(h, ns, "recurse"));
    const lib2 = await commitWithGitlinks("sm-lib", { "lib.yaml": "lib: 2\n" }, {}, "lib v2");
    const handled = await requestReconcile(h, ns, "recurse");
    const polled = statusOf(
      await waitForStatus(h, ns, "recurse", (st) => st.lastHandledReconcileAt === handled, "poll handled"),
    );
    expect(polled.artifact?.digest).toBe(first.artifact?.digest);
    expect(readFileSync(join(dirOf("recurse"), "vendor/lib/lib.yaml"), "utf8")).toBe("lib: 1\n");

    await commitWithGitlinks("sm-parent", {}, { "vendor/lib": lib2 }, "bump lib");
    await requestReconcile(h, ns, "recurse");
    const moved = statusOf(
      await waitForStatus(
        h,
        ns,
        "recurse",
        (st) =>
          st.artifact?.revision !== first.artifact?.revision && condition(st, "Ready")?.status === "True",
        "new artifact after the gitlink moved",
      ),
    );
    expect(moved.artifact?.digest).not.toBe(first.artifact?.digest);
    expect(readFileSync(join(dirOf("recurse"), "vendor/lib/lib.yaml"), "utf8")).toBe("lib: 2\n");
    expect(existsSync(join(dirOf("recurse"), "vendor/lib/leaf/leaf.yaml"))).toBe(true);
  });

  it("fetches submodules over ssh with the parent's key", async () => {
    await applySecret(h, ns, "ssh", secretData(info).ssh);
    await applyRepo(h, ns, "recurse-ssh", {
      url: repoUrl(info, "ssh", "sm-parent"),
      ref: { branch: "main" },
      secretRef: { name: "ssh" },
      recurseSubmodules: true,
    });
    await waitReady(h, ns, "recurse-ssh");
    expect(existsSync(join(dirOf("recurse-ssh"), "vendor/lib/lib.yaml"))).toBe(true);
    expect(existsSync(join(dirOf("recurse-ssh"), "vendor/lib/leaf/leaf.yaml"))).toBe(true);
  });

  it("does not send the parent's credentials to another host", async () => {
    // localhost and 127.0.0.1 reach the same server but are different hosts: the submodule is fetched
    // anonymously and the basic-auth prefix refuses it.
    const port = new URL(info.http.basic).port;
    await createRepo(info, "sm-foreign");
    const lib = await commitFiles(info, "sm-lib", { "lib.yaml": "lib: 3\n" });
    await commitWithGitlinks(
      "sm-foreign",
      {
        ".gitmodules": gitmodules({
          other: { path: "other", url: `http://localhost:${port}/basic/sm-lib.git` },
        }),
      },
      { other: lib.sha },
      "foreign submodule",
    );
    await applyRepo(h, ns, "foreign", {
      url: repoUrl(info, "http-basic", "sm-foreign"),
      ref: { branch: "main" },
      secretRef: { name: "basic" },
      recurseSubmodules: true,
    });
    const s = statusOf(await waitNotReady(h, ns, "foreign", "GitOperationFailed"));
    const message = condition(s, "FetchFailed")?.message ?? "";
    expect(message).toContain("submodule 'other'");
    expect(message).toContain("authentication failed");
  });
});
