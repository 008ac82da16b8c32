// Plugin configs: only kustomize's builtin plugins run; any other config fails the build with an
// error naming the file it came from (kustomize with plugins disabled names only the kind).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BuildError, build } from "../build.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "driftless-plugins-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

function failure(): BuildError {
  try {
    build(root);
  } catch (e) {
    if (e instanceof BuildError) return e;
    throw e;
  }
  throw new Error("build succeeded");
}

const CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
const EXEC = "apiVersion: someteam.example.com/v1\nkind: SedTransformer\nmetadata:\n  name: sed\n";
const FUNCTION = [
  "apiVersion: example.com/v1",
  "kind: Generator",
  "metadata:",
  "  name: fn",
  "  annotations:",
  "    config.kubernetes.io/function: |",
  "      container:",
  "        image: example.com/fn:v1",
  "",
].join("\n");

describe("plugin configs", () => {
  const cases = [
    {
      name: "refuses an exec plugin config file, naming the file",
      files: { "kustomization.yaml": "resources: [cm.yaml]\ntransformers: [sed.yaml]\n", "sed.yaml": EXEC },
      file: "sed.yaml",
      kind: "SedTransformer",
    },
    {
      name: "refuses an inline KRM function generator, naming the kustomization file",
      files: {
        "kustomization.yaml": `resources: [cm.yaml]\ngenerators:\n- |\n${FUNCTION.replace(/^/gm, "  ")}`,
      },
      file: "kustomization.yaml",
      kind: "Generator",
    },
    {
      name: "refuses an external plugin listed by a kustomization directory of configs, naming its file",
      files: {
        "kustomization.yaml": "resources: [cm.yaml]\ntransformers: [plugins]\n",
        "plugins/kustomization.yaml": "resources: [sed.yaml]\n",
        "plugins/sed.yaml": EXEC,
      },
      file: "plugins/sed.yaml",
      kind: "SedTransformer",
    },
    {
      name: "refuses an external validator, naming the file",
      files: { "kustomization.yaml": "resources: [cm.yaml]\nvalidators: [v.yaml]\n", "v.yaml": EXEC },
      file: "v.yaml",
      kind: "SedTransformer",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      write("cm.yaml", CM);
      for (const [rel, text] of Object.entries(c.files)) write(rel, text);
      const e = failure();
      expect(e.message).toContain(path.join(root, c.file));
      expect(e.message).toContain(`unable to load external plugin '${c.kind}'`);
    });
  }

  it("runs a builtin transformer config from a file", () => {
    write("cm.yaml", CM);
    write("kustomization.yaml", "resources: [cm.yaml]\ntransformers: [prefix.yaml]\n");
    write(
      "prefix.yaml",
      "apiVersion: builtin\nkind: PrefixTransformer\nmetadata:\n  name: p\nprefix: x-\nfieldSpecs:\n- path: metadata/name\n",
    );
    expect(build(root).objects.map((o) => (o.metadata as { name: string }).name)).toEqual(["x-c"]);
  });
});
