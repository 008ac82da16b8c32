import { describe, expect, it } from "vitest";
import { emitYaml, formatFloatYaml } from "./yaml-emit.ts";
import { parseYaml } from "./yaml-parse.ts";

describe("formatFloatYaml writes floats as go-yaml does", () => {
  it.each([
    [1, "1"],
    [0.75, "0.75"],
    [100000, "100000"],
    [1234567, "1.234567e+06"],
    [1.5e21, "1.5e+21"],
    [0.0001, "0.0001"],
    [0.00001234, "1.234e-05"],
    [-2.5, "-2.5"],
    [Number.POSITIVE_INFINITY, ".inf"],
    [Number.NaN, ".nan"],
  ])("%d as %s", (value, text) => {
    expect(formatFloatYaml(value)).toBe(text);
  });
});

describe("emitYaml quotes strings as go-yaml does", () => {
  it.each([
    ["plain", "plain"],
    ["", '""'],
    ["true", '"true"'],
    ["no", '"no"'],
    ["123", '"123"'],
    ["1e3", '"1e3"'],
    ["0x1F", '"0x1F"'],
    ["2024-01-02", '"2024-01-02"'],
    ["12:30", '"12:30"'],
    ["a: b", "'a: b'"],
    ["#x", "'#x'"],
    ["- x", "'- x'"],
    [" lead", "' lead'"],
    ["it's", "it's"],
    ["tab\there", '"tab\\there"'],
    ["rocket 🚀", '"rocket \\U0001F680"'],
    ["a\nb", "|-\n    a\n    b"],
    ["a\nb\n", "|\n    a\n    b"],
  ])("%j as %s", (value, text) => {
    const out = emitYaml([{ t: "map", items: [{ t: "pair", key: "k", value: { t: "str", v: value } }] }]);
    expect(out).toBe(`k: ${text}\n`);
    expect(parseYaml(out)).toEqual([
      { t: "map", items: [{ t: "pair", key: "k", value: { t: "str", v: value } }] },
    ]);
  });

  it("indents nested blocks by four, and mappings in sequence items past the dash", () => {
    const text = "a:\n    b:\n        - x: 1\n          w:\n            - z\n        - - nested\n";
    expect(emitYaml(parseYaml(text))).toBe(text);
  });
});
