// Rendering is bounded: alias bombs and oversized files are refused, not expanded.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BuildError, build } from "./build.ts";
import { parseYamlStream, YamlError } from "./yaml/parse.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "driftless-safety-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const bomb = [
  "a: &a [x, x, x, x, x, x, x, x, x, x]",
  "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
  "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
  "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
  "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
  "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
  "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]",
].join("\n");

describe("render safety", () => {
  it("refuses a document whose aliases expand past the node budget", () => {
    expect(() => parseYamlStream(bomb, "bomb.yaml")).toThrow(YamlError);
    expect(() => parseYamlStream(bomb, "bomb.yaml", { maxNodes: 100 })).toThrow(
      /too many alias expansions|too large/,
    );
  });

  it("expands a few aliases within the budget", () => {
    expect(parseYamlStream("a: &x {k: v}\nb: *x\n", "ok.yaml")).toEqual([{ a: { k: "v" }, b: { k: "v" } }]);
  });

  it("refuses resource files over the size limit", () => {
    writeFileSync(path.join(root, "kustomization.yaml"), "resources: [big.yaml]\n");
    writeFileSync(
      path.join(root, "big.yaml"),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  x: "${"a".repeat(2048)}"\n`,
    );
    expect(() => build(root, { maxFileBytes: 1024 })).toThrow(BuildError);
    expect(() => build(root, { maxFileBytes: 1024 })).toThrow(/larger than 1024 bytes/);
    expect(build(root).objects).toHaveLength(1);
  });

  it("refuses remote resources without touching the network", () => {
    writeFileSync(
      path.join(root, "kustomization.yaml"),
      "resources:\n- https://github.com/example/repo//deploy?ref=main\n",
    );
    expect(() => build(root)).toThrow(/remote resources are not supported/);
  });
});
