// `driftless build` of plain manifests never loads the `yaml` library; a stream only it reads does.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "driftless-yaml-lib-"));
  writeFileSync(path.join(dir, "kustomization.yaml"), "resources:\n- cm.yaml\nnamePrefix: p-\n");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Builds dir in a fresh Node process; prints the output and whether the yaml library was loaded.
function buildInChild(): { yaml: string; loaded: boolean } {
  const build = path.join(import.meta.dirname, "../build.ts");
  const script = `
    import { createRequire } from "node:module";
    import { build } from ${JSON.stringify(build)};
    const { yaml } = build(${JSON.stringify(dir)});
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("/node_modules/yaml/"));
    process.stdout.write(JSON.stringify({ yaml, loaded }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return JSON.parse(r.stdout) as { yaml: string; loaded: boolean };
}

describe("yamlLib", () => {
  it("is not loaded by a build whose files the line reader reads", () => {
    writeFileSync(
      path.join(dir, "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    );
    expect(buildInChild()).toEqual({
      yaml: "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: p-a\n",
      loaded: false,
    });
  });

  it("is loaded when a file needs the complete parser (an anchor)", () => {
    writeFileSync(
      path.join(dir, "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: &v v\n  l: *v\n",
    );
    expect(buildInChild()).toEqual({
      yaml: "apiVersion: v1\ndata:\n  k: v\n  l: v\nkind: ConfigMap\nmetadata:\n  name: p-a\n",
      loaded: true,
    });
  });
});
