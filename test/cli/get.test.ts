// `driftless get`: the table of GitRepositories and Kustomizations that `flux get all` prints.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import {
  createGitRepository,
  createKustomization,
  driftless,
  driftlessOnTty,
  writeStatus,
} from "./support.ts";

const REVISION = `main@sha1:${"a".repeat(40)}`;

describe("driftless get", () => {
  let ns = "";
  let empty = "";

  beforeAll(async () => {
    ns = await createNamespace("cli-get");
    empty = await createNamespace("cli-get-empty");
    await createGitRepository(ns, "repo");
    await createKustomization(ns, "apps");
    await createKustomization(ns, "broken");
    await createKustomization(ns, "fresh", { suspend: true });
    await writeStatus("GitRepository", ns, "repo", { ready: "True", revision: REVISION });
    await writeStatus("Kustomization", ns, "apps", { ready: "True", revision: REVISION });
    await writeStatus("Kustomization", ns, "broken", {
      ready: "False",
      reason: "BuildFailed",
      message: "kustomize build failed:\naccumulating resources",
    });
  });

  afterAll(async () => {
    await kubectl(["delete", "namespace", ns, empty, "--wait=false"]);
  });

  it("lists sources then Kustomizations of a namespace with revision, suspension, Ready, message and age", async () => {
    const r = await driftless(["get", "-n", ns]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+REVISION\s+SUSPENDED\s+READY\s+MESSAGE\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual([
      "gitrepository/repo",
      "kustomization/apps",
      "kustomization/broken",
      "kustomization/fresh",
    ]);
    expect(lines[1]).toMatch(
      new RegExp(
        `^gitrepository/repo\\s+${REVISION}\\s+False\\s+True\\s+stored artifact for revision '${REVISION}'\\s+\\d+s$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        `^kustomization/apps\\s+${REVISION}\\s+False\\s+True\\s+Applied revision: ${REVISION}\\s+\\d+s$`,
      ),
    );
    // A multi-line message stays on its row.
    expect(lines[3]).toMatch(
      /^kustomization\/broken\s+False\s+False\s+kustomize build failed: accumulating resources\s+\d+s$/,
    );
    expect(lines[4]).toMatch(/^kustomization\/fresh\s+True\s+Unknown\s+\d+s$/);
    // Columns line up: every row's READY starts where the header's does.
    const readyAt = (lines[0] ?? "").indexOf("READY");
    expect((lines[2] ?? "").slice(readyAt, readyAt + 4)).toBe("True");
  });

  it("prints plain text when piped and colours READY on a terminal", async () => {
    const piped = await driftless(["get", "-n", ns]);
    expect(piped.stdout).not.toContain("\x1b[");
    const tty = await driftlessOnTty(["get", "-n", ns]);
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toContain("\x1b[32mTrue\x1b[0m");
    expect(tty.stdout).toContain("\x1b[31mFalse\x1b[0m");
  });

  it("adds a NAMESPACE column across namespaces", async () => {
    const r = await driftless(["get", "-A"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+REVISION/);
    expect(r.stdout).toMatch(new RegExp(`^${ns}\\s+kustomization/apps\\s+${REVISION}`, "m"));
  });

  it("selects one kind", async () => {
    const ks = await driftless(["get", "ks", "-n", ns]);
    expect(ks.stdout).not.toContain("gitrepository/");
    expect(ks.stdout).toContain("kustomization/apps");
    const sources = await driftless(["get", "sources", "-n", ns]);
    expect(sources.stdout).toContain("gitrepository/repo");
    expect(sources.stdout).not.toContain("kustomization/");
  });

  it("says so on stderr and exits 0 when there is nothing", async () => {
    const r = await driftless(["get", "-n", empty]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`no GitRepositories or Kustomizations found in namespace ${empty}`);
  });

  it("exits 2 on a usage error or an unreachable cluster", async () => {
    expect((await driftless(["get", "helmreleases"])).code).toBe(2);
    expect((await driftless(["get", "--bogus"])).code).toBe(2);
    const r = await driftless(["get", "--kubeconfig", "/nonexistent/kubeconfig"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("✗");
  });
});
