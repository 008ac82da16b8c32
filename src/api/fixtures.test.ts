// The manifests in test/api/testdata: the seed's gotk-sync.yaml (and its v1 copy) parse, and every file in
// invalid/ is rejected on the field and with the message its header names. The integration test
// test/api/crds.test.ts feeds the same files to the apiserver.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { safeParseToolkitObject } from "./toolkit.ts";

const testdata = new URL("../../test/api/testdata/", import.meta.url);

function documents(file: URL): unknown[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as unknown);
}

function header(text: string, key: string): string {
  const m = new RegExp(`^# ${key}: (.*)$`, "m").exec(text);
  if (m?.[1] === undefined) throw new Error(`no "# ${key}:" header`);
  return m[1];
}

describe("seed manifests", () => {
  it.each(["gotk-sync.yaml", "gotk-sync-v1.yaml"])("%s parses, with Flux's defaults", (file) => {
    const [repoDoc, ksDoc] = documents(new URL(file, testdata));
    const repo = safeParseToolkitObject(repoDoc);
    const ks = safeParseToolkitObject(ksDoc);
    expect(repo?.success ? repo.data : repo).toMatchObject({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "my-gitops-repo", namespace: "flux-system" },
      spec: {
        interval: "1m",
        timeout: "60s",
        url: "ssh://git@github.com/your-org/your-gitops-repo.git",
        ref: { branch: "main" },
        secretRef: { name: "git-ssh-key" },
      },
      status: { observedGeneration: -1 },
    });
    expect(ks?.success ? ks.data : ks).toMatchObject({
      kind: "Kustomization",
      spec: {
        interval: "10m",
        path: "./apps/overlays/production",
        sourceRef: { kind: "GitRepository", name: "my-gitops-repo" },
        prune: true,
        wait: true,
        force: false,
      },
    });
  });
});

describe("invalid manifests", () => {
  const dir = new URL("invalid/", testdata);
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));

  it("exist", () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)("%s is rejected on the named field", (file) => {
    const text = readFileSync(new URL(file, dir), "utf8");
    const [doc] = documents(new URL(file, dir));
    const r = safeParseToolkitObject(doc);
    expect(r).toBeDefined();
    expect(r?.success).toBe(false);
    if (r !== undefined && !r.success) {
      expect(r.issues).toContainEqual({
        path: header(text, "field"),
        message: expect.stringContaining(header(text, "message")),
      });
    }
  });
});
