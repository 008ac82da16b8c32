import { describe, expect, it } from "vitest";
import { unifiedDiff } from "./unified-diff.ts";

describe("unifiedDiff", () => {
  it.each([
    ["equal texts give nothing", "a\nb\n", "a\nb\n", ""],
    [
      "one changed line with context",
      "a\nb\nc\nd\ne\n",
      "a\nb\nC\nd\ne\n",
      "--- a\n+++ b\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n",
    ],
    ["everything added", "", "x\ny\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n"],
    ["everything removed", "x\n", "", "--- a\n+++ b\n@@ -1,1 +0,0 @@\n-x\n"],
  ])("%s", (_name, a, b, expected) => {
    expect(unifiedDiff(a, b)).toBe(expected);
  });

  it("splits distant changes into hunks with their own line numbers", () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const b = a.replace("l2\n", "L2\n").replace("l17\n", "");
    expect(unifiedDiff(a, b, { from: "live", to: "merged", context: 1 })).toBe(
      "--- live\n+++ merged\n@@ -2,3 +2,3 @@\n l1\n-l2\n+L2\n l3\n@@ -17,3 +17,2 @@\n l16\n-l17\n l18\n",
    );
  });
});
