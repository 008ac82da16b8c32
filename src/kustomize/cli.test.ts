// `driftless build`: output formats, exit codes, and errors that name the file without a stack trace.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildCommand } from "../cli/build.ts";

let root: string;
let out: string;
let err: string;

function write(rel: string, text: string): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "driftless-cli-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n";

describe("driftless build", () => {
  it("prints the YAML stream and exits 0", async () => {
    write("kustomization.yaml", "resources: [cm.yaml]\nnamePrefix: p-\n");
    write("cm.yaml", cm);
    expect(await buildCommand.run([root])).toBe(0);
    expect(out).toBe("apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: p-cm\n");
  });

  it("prints JSON with --output json", async () => {
    write("kustomization.yaml", "resources: [cm.yaml]\n");
    write("cm.yaml", cm);
    expect(await buildCommand.run([root, "--output", "json"])).toBe(0);
    expect(JSON.parse(out)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm" },
      data: { k: "v" },
    });
  });

  it("exits 1 with a one-line error naming the file and field, no stack trace", async () => {
    write("kustomization.yaml", "resources: [cm.yaml]\nnamePrefx: p-\n");
    write("cm.yaml", cm);
    expect(await buildCommand.run([root])).toBe(1);
    expect(err).toContain(path.join(root, "kustomization.yaml"));
    expect(err).toContain('unknown field "namePrefx"');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("exits 1 naming a missing resource file", async () => {
    write("kustomization.yaml", "resources: [missing.yaml]\n");
    expect(await buildCommand.run([root])).toBe(1);
    expect(err).toContain("missing.yaml");
  });

  it("exits 2 on a bad flag", async () => {
    expect(await buildCommand.run([root, "--output", "xml"])).toBe(2);
    expect(err).toContain("--output must be yaml or json");
  });

  it("renders a Flux Kustomization manifest with --kustomization", async () => {
    write("apps/cm.yaml", cm);
    write(
      "ks.yaml",
      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n  path: ./apps\n  targetNamespace: team\n",
    );
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(await buildCommand.run(["--kustomization", "ks.yaml"])).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(out).toBe(
      "apiVersion: v1\ndata:\n  k: v\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: team\n",
    );
  });
});
