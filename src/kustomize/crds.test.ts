import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCrdConfig } from "./crds.ts";
import { Loader } from "./loader.ts";
import { BuildError } from "./resource.ts";

const dir = mkdtempSync(path.join(tmpdir(), "crds-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(name: string, content: unknown): ReturnType<typeof loadCrdConfig> {
  writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  return loadCrdConfig(new Loader(dir, {}), [name]);
}

const resource = (spec: unknown): unknown => ({
  Schema: { properties: { apiVersion: {}, kind: {}, metadata: {}, spec } },
});

describe("crds", () => {
  it("derives field specs of the kind named by the type name's last part", () => {
    const cfg = load("defs.json", {
      "example.com/v1.Widget": resource({ $ref: "example.com/v1.WidgetSpec" }),
      "example.com/v1.WidgetSpec": {
        Schema: {
          properties: {
            selector: { "x-kubernetes-label-selector": "" },
            notes: { "x-kubernetes-annotation": "" },
            alias: { "x-kubernetes-identity": "" },
            ignored: { "x-kubernetes-identity": true },
            secretRef: {
              "x-kubernetes-object-ref-api-version": "v1",
              "x-kubernetes-object-ref-kind": "Secret",
            },
          },
        },
      },
    });
    expect(cfg.commonLabels).toEqual([{ kind: "Widget", path: "spec/selector" }]);
    expect(cfg.commonAnnotations).toEqual([{ kind: "Widget", path: "spec/notes" }]);
    expect(cfg.namePrefix).toEqual([{ kind: "Widget", path: "spec/alias" }]);
    expect(cfg.nameSuffix).toEqual([]);
    expect(cfg.nameReference).toEqual([
      { version: "v1", kind: "Secret", referrers: [{ kind: "Widget", path: "spec/secretRef/name" }] },
    ]);
  });

  it("reads YAML definitions and Go's case-insensitive field names", () => {
    const cfg = load(
      "defs.yaml",
      [
        "example.com/v1.Gadget:",
        "  schema:",
        "    properties:",
        "      apiVersion: {}",
        "      kind: {}",
        "      metadata: {}",
        "      target:",
        "        x-kubernetes-object-ref-api-version: v1",
        "        x-kubernetes-object-ref-kind: ConfigMap",
        "        x-kubernetes-object-ref-name-key: configName",
        "",
      ].join("\n"),
    );
    expect(cfg.nameReference).toEqual([
      { version: "v1", kind: "ConfigMap", referrers: [{ kind: "Gadget", path: "target/configName" }] },
    ]);
  });

  it("refuses a type that refers to itself instead of recursing forever", () => {
    expect(() =>
      load("loop.json", {
        "example.com/v1.Loop": resource({ $ref: "example.com/v1.Loop" }),
      }),
    ).toThrow(BuildError);
  });

  it("refuses Kubernetes CRD manifests and empty files", () => {
    expect(() =>
      load("crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"),
    ).toThrow(/unable to parse open API definition/);
    expect(() => load("empty.json", "")).toThrow(BuildError);
  });
});
