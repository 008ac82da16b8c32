import { describe, expect, it } from "vitest";
import { parseYamlStream } from "./yaml/parse.ts";
import { applyYaml11Booleans } from "./yaml11-booleans.ts";

function read(text: string): unknown {
  return applyYaml11Booleans(text, parseYamlStream(text, "k.yaml")[0]);
}

describe("applyYaml11Booleans", () => {
  it("turns plain YAML 1.1 boolean words into booleans at any depth", () => {
    expect(read("a: yes\nb: [n, Off]\nc:\n  d: ON\n")).toEqual({
      a: true,
      b: [false, false],
      c: { d: true },
    });
  });
  it("leaves quoted words, other text and keys alone", () => {
    expect(read("a: 'yes'\nb: \"on\"\nc: yesterday\nno: 1\n")).toEqual({
      a: "yes",
      b: "on",
      c: "yesterday",
      no: 1,
    });
  });
  it("reads the document it is given when the stream has several", () => {
    const text = "a: 1\n---\nb: off\n";
    const second = parseYamlStream(text, "k.yaml")[1];
    expect(applyYaml11Booleans(text, second, 1)).toEqual({ b: false });
  });
  it("returns the value untouched when the text holds no such word", () => {
    const value = { a: "x" };
    expect(applyYaml11Booleans("a: x\n", value)).toBe(value);
  });
});
