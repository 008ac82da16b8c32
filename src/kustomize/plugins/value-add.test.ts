// ValueAddTransformer's file path insertion (filePathPosition), as kustomize's valueadd filter does it.
import { describe, expect, it } from "vitest";
import { insertPathPart } from "./value-add.ts";

describe("insertPathPart", () => {
  const cases: [path: string, pos: number, want: string][] = [
    ["", 0, "V"],
    ["/", 0, "/V"],
    ["pie", 0, "V/pie"],
    ["/pie", 0, "/V/pie"],
    ["raw", 1, "raw/V"],
    ["/raw", 1, "/raw/V"],
    ["a/nice/warm/pie", 3, "a/nice/warm/V/pie"],
    ["/a/nice/warm/pie", 3, "/a/nice/warm/V/pie"],
    ["a/b", 99, "a/b/V"],
    ["a/b", -4, "V/a/b"],
  ];
  for (const [p, pos, want] of cases) {
    it(`inserts at ${pos} into '${p}' giving '${want}'`, () => {
      expect(insertPathPart(p, pos, "V")).toBe(want);
    });
  }

  it("leaves the path alone when the value is empty", () => {
    expect(insertPathPart("a/b", 1, "")).toBe("a/b");
  });
});
