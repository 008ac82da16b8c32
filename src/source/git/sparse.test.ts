import { describe, expect, it } from "vitest";
import { missingSparseDir, sparseFilter } from "./sparse.ts";
import type { TreeFile } from "./tree.ts";

const files: TreeFile[] = [
  "README.md",
  ".sourceignore",
  "apps/a.yaml",
  "apps2/b.yaml",
  "infra/base/c.yaml",
  "infra/d.yaml",
].map((path) => ({ path, oid: "0".repeat(40), mode: "100644" }));
const paths = (dirs: string[]): string[] => sparseFilter(dirs)(files).map((f) => f.path);

describe("sparse checkout", () => {
  it.each([
    ["one directory", ["apps/"], ["apps/a.yaml"]],
    ["a leading ./ is trimmed", ["./infra/base"], ["infra/base/c.yaml"]],
    ["a plain prefix, as go-git matches it", ["apps"], ["apps/a.yaml", "apps2/b.yaml"]],
    ["several directories", ["apps/", "infra/"], ["apps/a.yaml", "infra/base/c.yaml", "infra/d.yaml"]],
  ])("keeps %s", (_name, dirs, expected) => {
    expect(paths(dirs)).toEqual(expected);
  });

  it.each([
    ["every directory exists", ["apps", "infra/base/"], undefined],
    ["a directory is missing", ["apps", "charts"], "charts"],
    ["only a longer name matches the prefix", ["infra/bas"], "infra/bas"],
    ["a file counts as present", ["README.md"], undefined],
  ])("reports the missing directory when %s", (_name, dirs, missing) => {
    expect(missingSparseDir(files, dirs)).toBe(missing);
  });
});
