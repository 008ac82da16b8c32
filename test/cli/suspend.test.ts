// `driftless suspend` and `driftless resume`: spec.suspend patched as flux suspend/resume do; resume also asks
// for a reconcile and waits for its outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, kubectl } from "../harness/context.ts";
import { jsonpath } from "../harness/wait.ts";
import { createGitRepository, createKustomization, driftless, FakeController } from "./support.ts";

const REVISION = `main@sha1:${"c".repeat(40)}`;

describe("driftless suspend and resume", () => {
  let ns = "";
  let fake: FakeController;

  beforeAll(async () => {
    ns = await createNamespace("cli-suspend");
    await createGitRepository(ns, "repo");
    await createKustomization(ns, "apps");
    await createKustomization(ns, "broken", { suspend: true });
    fake = new FakeController(ns).start();
    fake.outcomes.set("GitRepository/repo", { ready: "True", revision: REVISION });
    fake.outcomes.set("Kustomization/apps", { ready: "True", revision: REVISION });
    fake.outcomes.set("Kustomization/broken", {
      ready: "False",
      reason: "BuildFailed",
      message: "no kustomization.yaml",
    });
  });

  afterAll(async () => {
    await fake?.stop();
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("suspends a Kustomization (spec.suspend: true) and get shows it", async () => {
    const r = await driftless(["suspend", "ks", "apps", "-n", ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`✔ Kustomization ${ns}/apps suspended\n`);
    expect(await jsonpath(["ks/apps", "-n", ns], "{.spec.suspend}")).toBe("true");
    const get = await driftless(["get", "ks", "-n", ns]);
    expect(get.stdout).toMatch(/^kustomization\/apps\s+True\s+/m);
  });

  it("suspends a source with `source git`", async () => {
    const r = await driftless(["suspend", "source", "git", "repo", "-n", ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(await jsonpath(["gitrepository/repo", "-n", ns], "{.spec.suspend}")).toBe("true");
  });

  it("resumes: clears spec.suspend, requests a reconcile and exits 0 once Ready", async () => {
    const r = await driftless(["resume", "ks", "apps", "-n", ns]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(`✔ Kustomization ${ns}/apps reconciled: applied revision ${REVISION}\n`);
    expect(await jsonpath(["ks/apps", "-n", ns], "{.spec.suspend}")).toBe("false");
    const requested = await jsonpath(
      ["ks/apps", "-n", ns],
      "{.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
    );
    expect(await jsonpath(["ks/apps", "-n", ns], "{.status.lastHandledReconcileAt}")).toBe(requested);
  });

  it("resumes a source", async () => {
    const r = await driftless(["resume", "source", "git", "repo", "-n", ns]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`fetched revision ${REVISION}`);
  });

  it("exits 1 when the resumed object fails", async () => {
    const r = await driftless(["resume", "ks", "broken", "-n", ns]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ Kustomization");
    expect(r.stdout).toContain("BuildFailed: no kustomization.yaml");
  });

  it("exits 2 for a missing object", async () => {
    const s = await driftless(["suspend", "ks", "nope", "-n", ns]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("not found");
    expect((await driftless(["resume", "ks", "nope", "-n", ns])).code).toBe(2);
  });
});
