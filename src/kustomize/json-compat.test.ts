import { describe, expect, it } from "vitest";
import { checkJsonCompatible } from "./json-compat.ts";
import { BuildError } from "./resource.ts";
import { parseYamlStream } from "./yaml/parse.ts";

function check(text: string): void {
  checkJsonCompatible(text, parseYamlStream(text, "f.yaml"), "f.yaml");
}

describe("checkJsonCompatible", () => {
  const refused: [string, string][] = [
    ["an integer key", "data:\n  8080: tcp\n"],
    ["a boolean key", "data:\n  true: x\n"],
    ["a null key", "data:\n  ~: x\n"],
    ["a date key", "data:\n  2001-01-01: x\n"],
    ["a float key in a flow map", "m: {a: 1, 1.5: x}\n"],
    ["a key in a list item", "items:\n- 80: http\n"],
    ["an infinite value", "spec:\n  x: .inf\n"],
    ["a NaN value", "spec:\n  x: .nan\n"],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}, naming the file`, () => {
      expect(() => check(text)).toThrow(BuildError);
      expect(() => check(text)).toThrow(/^f\.yaml: /);
    });
  }
  const accepted: [string, string][] = [
    ["quoted number keys", 'data:\n  "8080": tcp\n'],
    ["YAML 1.1 words as keys (strings for go-yaml v3)", "data:\n  yes: a\n  on: b\n"],
    ["number-like lines inside a block scalar", "data:\n  conf: |\n    8080: tcp\n    true: x\n"],
    ["'.inf' as text", 'spec:\n  x: ".inf"\n  y: a.inf\n'],
    [
      "ordinary manifests",
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n",
    ],
  ];
  for (const [what, text] of accepted) {
    it(`accepts ${what}`, () => {
      expect(() => check(text)).not.toThrow();
    });
  }
});
