import { describe, expect, it } from "vitest";
import { GitRepositorySchema } from "./gitrepository.ts";
import { KustomizationSchema } from "./kustomization.ts";
import { dropNulls, unknownFields } from "./validation.ts";

describe("unknownFields", () => {
  it.each([
    ["a misspelt spec field", GitRepositorySchema, { spec: { intervall: "1m" } }, ["spec.intervall"]],
    ["a nested misspelling", GitRepositorySchema, { spec: { ref: { branc: "main" } } }, ["spec.ref.branc"]],
    [
      "a field inside a list item",
      GitRepositorySchema,
      { spec: { include: [{ repository: { name: "a" } }, { repository: { nam: "b" } }] } },
      ["spec.include[1].repository.nam"],
    ],
    [
      "a v1beta2-only field read as v1",
      GitRepositorySchema,
      { spec: { gitImplementation: "go-git" } },
      ["spec.gitImplementation"],
    ],
    ["a top-level extra", KustomizationSchema, { apiVersion: "v", kind: "K", extra: 1 }, ["extra"]],
    [
      "free-form maps",
      KustomizationSchema,
      { spec: { postBuild: { substitute: { ANY: "x" } }, commonMetadata: { labels: { a: "b" } } } },
      [],
    ],
    ["server metadata", KustomizationSchema, { metadata: { name: "a", managedFields: [] } }, []],
    ["null values, which the apiserver prunes", KustomizationSchema, { spec: { unknown: null } }, []],
  ])("reports %s", (_, schema, data, paths) => {
    expect(unknownFields(schema, data)).toEqual(paths);
  });
});

describe("dropNulls", () => {
  it("removes null properties at any depth but keeps list items", () => {
    expect(dropNulls({ a: null, b: { c: null, d: 1 }, e: [{ f: null }, 2] })).toEqual({
      b: { d: 1 },
      e: [{}, 2],
    });
  });
});
