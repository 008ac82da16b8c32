import { describe, expect, it } from "vitest";
import { BuildError } from "../resource.ts";
import { OpenApiState, resourceSchema, schemaClusterScoped, withOpenApiState } from "./state.ts";

const widgetSchema = JSON.stringify({
  definitions: {
    "com.example.v1.Widget": {
      type: "object",
      properties: { spec: { $ref: "#/definitions/com.example.v1.WidgetSpec" } },
      "x-kubernetes-group-version-kind": [{ group: "example.com", kind: "Widget", version: "v1" }],
    },
    "com.example.v1.WidgetSpec": {
      type: "object",
      properties: {
        ports: {
          type: "array",
          "x-kubernetes-patch-strategy": "merge",
          "x-kubernetes-patch-merge-key": "name",
          "x-kubernetes-list-map-keys": ["name", "protocol"],
          items: { type: "object" },
        },
        byRef: { $ref: "#/definitions/com.example.v1.Ports", "x-kubernetes-patch-strategy": "retainKeys" },
        beside: {
          $ref: "#/definitions/com.example.v1.Plain",
          type: "array",
          "x-kubernetes-patch-strategy": "merge",
        },
        zones: { type: "object", additionalProperties: { $ref: "#/definitions/com.example.v1.Ports" } },
        odd: { type: "array", "x-kubernetes-patch-strategy": 3 },
      },
    },
    "com.example.v1.Ports": {
      type: "array",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-patch-merge-key": "port",
      items: { type: "object" },
    },
    "com.example.v1.Plain": { type: "object" },
    "io.k8s.api.apps.v1.Deployment": {
      type: "object",
      "x-kubernetes-group-version-kind": [{ group: "apps", kind: "Deployment", version: "v1" }],
    },
  },
  paths: {
    "/apis/example.com/v1/widgets": {
      get: { "x-kubernetes-group-version-kind": { group: "example.com", kind: "Widget", version: "v1" } },
    },
    "/apis/example.com/v1/gadgets": {
      get: { "x-kubernetes-group-version-kind": { group: "example.com", kind: "Gadget", version: "v1" } },
    },
    "/apis/example.com/v1/namespaces/{namespace}/gadgets": {
      get: { "x-kubernetes-group-version-kind": { group: "example.com", kind: "Gadget", version: "v1" } },
    },
  },
});

const custom = { field: { path: "schema.json" }, text: widgetSchema, file: "schema.json" };

function containers(state: OpenApiState): string | undefined {
  return state
    .resource("apps/v1", "Deployment")
    ?.field("spec")
    ?.field("template")
    ?.field("spec")
    ?.field("containers")?.keys[0];
}

describe("openapi schema state", () => {
  it("uses the built-in Kubernetes schema by default", () => {
    const state = new OpenApiState();
    expect(containers(state)).toBe("name");
    expect(state.resource("example.com/v1", "Widget")).toBeUndefined();
  });

  it("replaces the built-in schema with a custom one set before anything is parsed", () => {
    const state = new OpenApiState();
    state.set(custom, true);
    expect(containers(state)).toBeUndefined();
    const spec = state.resource("example.com/v1", "Widget")?.field("spec");
    expect(spec?.field("ports")?.keys).toEqual(["name", "protocol"]);
  });

  it("adds a custom schema over the built-in one parsed earlier", () => {
    const state = new OpenApiState();
    expect(containers(state)).toBe("name");
    state.set(custom, false);
    // The custom Deployment (no fields) now wins over the built-in one.
    expect(containers(state)).toBeUndefined();
    expect(state.resource("example.com/v1", "Widget")).toBeDefined();
  });

  it("adds the put-off built-in schema over a custom one after a scope check on an unknown type", () => {
    const state = new OpenApiState();
    state.noteType("example.com/v1", "Widget");
    state.set(custom, false);
    expect(containers(state)).toBe("name");
    expect(state.resource("example.com/v1", "Widget")).toBeDefined();
  });

  it("does not put off the built-in schema for types with a precomputed scope", () => {
    const state = new OpenApiState();
    state.noteType("apps/v1", "Deployment");
    state.set(custom, false);
    expect(containers(state)).toBeUndefined();
  });

  it("lets only the first setting of a nested kustomization count", () => {
    const state = new OpenApiState();
    state.set({ field: { version: "v1.21.2" } }, false);
    state.set(custom, false);
    expect(state.resource("example.com/v1", "Widget")).toBeUndefined();
    state.set(custom, true);
    expect(state.resource("example.com/v1", "Widget")).toBeDefined();
  });

  it("refuses a version that is not built in and a version given with a path", () => {
    expect(() => new OpenApiState().set({ field: { version: "v1.14.1" } }, true)).toThrow(BuildError);
    expect(() =>
      new OpenApiState().set({ ...custom, field: { path: "schema.json", version: "v1.21.2" } }, true),
    ).toThrow("cannot use both");
  });

  it("fails on a broken custom schema only when a merge or scope check needs it", () => {
    const state = new OpenApiState();
    state.set(
      { field: { path: "bad.json" }, text: '{"definitions": {"x": {"type": 5}}}', file: "bad.json" },
      true,
    );
    state.noteType("v1", "ConfigMap");
    expect(() => state.resource("v1", "ConfigMap")).toThrow(BuildError);
    const other = new OpenApiState();
    other.set({ field: { path: "bad.json" }, text: "[1, 2]", file: "bad.json" }, true);
    expect(() => other.noteType("example.com/v1", "Widget")).toThrow(BuildError);
  });

  it("follows references, additional properties and definitions that are lists", () => {
    const state = new OpenApiState();
    state.set(custom, true);
    const spec = state.resource("example.com/v1", "Widget")?.field("spec");
    // Extensions beside a $ref are dropped: the referenced definition's own ones count.
    expect(spec?.field("byRef")?.strategy).toBe("merge");
    expect(spec?.field("byRef")?.keys).toEqual(["port"]);
    expect(spec?.field("beside")?.strategy).toBe("");
    expect(spec?.field("zones")?.field("east")?.keys).toEqual(["port"]);
    expect(() => spec?.field("odd")?.strategy).toThrow(BuildError);
  });

  it("reads cluster-scoped custom types from the custom schema's paths", () => {
    const state = new OpenApiState();
    state.set(custom, true);
    withOpenApiState(state, () => {
      expect(schemaClusterScoped("example.com/v1", "Widget")).toBe(true);
      expect(schemaClusterScoped("example.com/v1", "Gadget")).toBe(false);
      expect(schemaClusterScoped("example.com/v1", "Other")).toBe(false);
      expect(schemaClusterScoped("v1", "Namespace")).toBeUndefined();
    });
    expect(schemaClusterScoped("example.com/v1", "Widget")).toBeUndefined();
  });

  it("merges kustomize's own Kustomization kind's generators by name", () => {
    const k = resourceSchema("kustomize.config.k8s.io/v1beta1", "Kustomization");
    expect(k?.field("configMapGenerator")?.keys).toEqual(["name"]);
  });
});
