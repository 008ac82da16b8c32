// The emitter prints what go-yaml v2 prints for kustomize (expectations taken from kustomize v5.8.1).
import { describe, expect, it } from "vitest";
import { emitYaml, emitYamlStream } from "./emit.ts";
import { compareKeys } from "./key-order.ts";
import { parseYamlStream } from "./parse.ts";

describe("go-yaml v2 output", () => {
  it.each([
    ["yes", '"yes"'],
    ["0644", '"0644"'],
    ["1:20", '"1:20"'],
    ["2020-01-01", '"2020-01-01"'],
    ["2020-13-01", "2020-13-01"],
    ["", '""'],
    [" lead", "' lead'"],
    ["a: b", "'a: b'"],
    ["a\tb", '"a\\tb"'],
    ["it's", "it's"],
    ["#x", "'#x'"],
    ["- x", "'- x'"],
    ["-x", "-x"],
    ["é ✓ 😀", '"é ✓ \\U0001F600"'],
  ])("quotes %j as %s", (value, printed) => {
    expect(emitYaml({ v: value })).toBe(`v: ${printed}\n`);
  });

  it("prints numbers as Go's JSON round trip does", () => {
    expect(emitYaml({ a: 1, b: 1.5, c: 1234567.5, d: 1e-7, e: 12345678901234567890n })).toBe(
      "a: 1\nb: 1.5\nc: 1.2345675e+06\nd: 1e-07\ne: 12345678901234567890\n",
    );
  });

  it("orders keys with digit runs compared as numbers and symbols before letters", () => {
    const keys = ["a10", "a.b", "Zb", "a2", "10", "_a", "A_b", "9", "a-b", "0"];
    expect([...keys].sort(compareKeys)).toEqual([
      "_a",
      "0",
      "9",
      "10",
      "A_b",
      "Zb",
      "a-b",
      "a.b",
      "a2",
      "a10",
    ]);
  });

  it("folds long plain strings after column 80 and keeps block literals", () => {
    const long =
      "this is a very long annotation value that should exceed the eighty character limit of the emitter";
    expect(emitYaml({ metadata: { annotations: { long } } })).toBe(
      "metadata:\n  annotations:\n    long: this is a very long annotation value that should exceed the eighty character\n      limit of the emitter\n",
    );
    expect(emitYaml({ m: "line1\n\nline2\n", x: "x" })).toBe("m: |\n  line1\n\n  line2\nx: x\n");
  });

  it("does not indent sequences under mapping keys and writes empty collections inline", () => {
    expect(emitYaml({ l: [{ a: 1, b: [] }, ["x", "y"]], m: {} })).toBe(
      'l:\n- a: 1\n  b: []\n- - x\n  - "y"\nm: {}\n',
    );
  });

  it("separates documents with ---", () => {
    expect(emitYamlStream([{ a: 1 }, { b: 2 }])).toBe("a: 1\n---\nb: 2\n");
  });

  it("reads plain scalars as go-yaml v3 does", () => {
    expect(
      parseYamlStream("o: 0644\nh: 0x1F\nu: 1_000\nf: 1.0\ny: yes\nt: ~\nd: 2020-01-01\n", "x.yaml"),
    ).toEqual([{ o: 420, h: 31, u: 1000, f: 1, y: "yes", t: null, d: "2020-01-01T00:00:00Z" }]);
  });
});
