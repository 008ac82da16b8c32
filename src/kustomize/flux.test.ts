// Flux's additions: the generated kustomization, the spec overrides kustomize-controller applies,
// commonMetadata, and confinement to the source root.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BuildError, build } from "./build.ts";
import { scanManifests } from "./flux.ts";

let root: string;

function write(rel: string, text: string): void {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
}

const cm = (name: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "driftless-flux-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("Flux kustomization generator", () => {
  it("lists YAML manifests below the directory in lexical order and takes kustomized sub-directories whole", () => {
    write("app/b.yaml", cm("b"));
    write("app/a/z.yml", cm("z"));
    write("app/k/kustomization.yaml", "resources: [x.yaml]\n");
    write("app/k/x.yaml", cm("x"));
    write("app/k/unlisted.yaml", cm("unlisted"));
    write("app/readme.md", "# not a manifest\n");
    expect(scanManifests(path.join(root, "app"))).toEqual(["./a/z.yml", "./b.yaml", "./k"]);
  });

  it("refuses a directory holding YAML that is not Kubernetes objects", () => {
    write("app/values.yaml", "replicaCount: 3\n");
    expect(() => build(path.join(root, "app"), { fluxSpec: {}, root })).toThrow(
      /failed to decode Kubernetes YAML/,
    );
  });

  it("does not follow symlinked directories and refuses manifests linked from outside the root", () => {
    write("app/cm.yaml", cm("c"));
    symlinkSync(path.join(root, "app"), path.join(root, "app/loop"));
    expect(scanManifests(path.join(root, "app"), { confineTo: root })).toEqual(["./cm.yaml"]);
    const outside = mkdtempSync(path.join(tmpdir(), "driftless-outside-"));
    try {
      writeFileSync(path.join(outside, "x.yaml"), cm("stolen"));
      symlinkSync(path.join(outside, "x.yaml"), path.join(root, "app/x.yaml"));
      expect(() => build(path.join(root, "app"), { fluxSpec: {}, root })).toThrow(/not in or below/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("renders an empty directory to no objects", () => {
    mkdirSync(path.join(root, "empty"));
    expect(build(path.join(root, "empty"), { fluxSpec: {}, root }).objects).toEqual([]);
  });
});

describe("Flux spec overrides", () => {
  it("sets commonMetadata labels and annotations on every object after the build, selectors untouched", () => {
    write(
      "app/dep.yaml",
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    keep: me\nspec:\n  selector:\n    matchLabels:\n      app: web\n",
    );
    const { objects, yaml } = build(path.join(root, "app"), {
      root,
      fluxSpec: { commonMetadata: { labels: { team: "a" }, annotations: { owner: "ops" } } },
    });
    expect(objects[0]?.metadata).toEqual({
      name: "web",
      labels: { keep: "me", team: "a" },
      annotations: { owner: "ops" },
    });
    expect(yaml).toContain("matchLabels:\n      app: web\n");
  });

  it("replaces the kustomization's buildMetadata with the spec's when the spec lists any", () => {
    write("app/kustomization.yaml", "resources: [cm.yaml]\nbuildMetadata: [managedByLabel]\n");
    write("app/cm.yaml", cm("a"));
    const own = build(path.join(root, "app"), { root, fluxSpec: { buildMetadata: [] } });
    expect(own.objects[0]?.metadata).toMatchObject({
      labels: { "app.kubernetes.io/managed-by": expect.any(String) },
    });
    const spec = build(path.join(root, "app"), { root, fluxSpec: { buildMetadata: ["originAnnotations"] } });
    expect(spec.objects[0]?.metadata).toEqual({
      name: "a",
      annotations: { "config.kubernetes.io/origin": "path: cm.yaml\n" },
    });
  });

  it("skips missing components only when ignoreMissingComponents is set", () => {
    write("app/cm.yaml", cm("c"));
    const dir = path.join(root, "app");
    expect(() => build(dir, { root, fluxSpec: { components: ["../nope"] } })).toThrow(BuildError);
    expect(
      build(dir, { root, fluxSpec: { components: ["../nope"], ignoreMissingComponents: true } }).objects,
    ).toHaveLength(1);
  });

  it("refuses component paths that are not local and relative", () => {
    write("app/cm.yaml", cm("c"));
    expect(() => build(path.join(root, "app"), { root, fluxSpec: { components: ["/etc"] } })).toThrow(
      /must be local and relative/,
    );
  });

  it("refuses an invalid spec with the field named", () => {
    write("app/cm.yaml", cm("c"));
    expect(() => build(path.join(root, "app"), { root, fluxSpec: { images: [{ newTag: "1" }] } })).toThrow(
      /images\.0\.name/,
    );
  });
});

describe("confinement to the source root", () => {
  it("lets a kustomization read files outside its directory but inside the root, as Flux does", () => {
    write("shared/cm.yaml", cm("shared"));
    write("app/kustomization.yaml", "resources: [../shared/cm.yaml]\n");
    expect(() => build(path.join(root, "app"))).toThrow(/not in or below/);
    expect(build(path.join(root, "app"), { root, fluxSpec: {} }).objects).toHaveLength(1);
  });

  it("refuses a symlink that leaves the root", () => {
    const outside = mkdtempSync(path.join(tmpdir(), "driftless-outside-"));
    try {
      writeFileSync(path.join(outside, "secret.yaml"), cm("stolen"));
      write("app/kustomization.yaml", "resources: [link.yaml]\n");
      symlinkSync(path.join(outside, "secret.yaml"), path.join(root, "app/link.yaml"));
      expect(() => build(path.join(root, "app"), { root, fluxSpec: {} })).toThrow(/not in or below/);
      expect(() => build(path.join(root, "app"))).toThrow(/not in or below/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("refuses a base outside the root", () => {
    write("app/kustomization.yaml", "resources: [../../]\n");
    expect(() => build(path.join(root, "app"), { root, fluxSpec: {} })).toThrow(BuildError);
  });
});
