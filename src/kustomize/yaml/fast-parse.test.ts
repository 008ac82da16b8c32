// The fast reader must agree with the complete parser, and leave every invalid stream to it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { fastParse } from "./fast-parse.ts";
import { parseYamlStreamComplete } from "./parse.ts";

const invalid = [
  "a: b: c\n",
  "a:\n  - b\n c: d\n",
  "a: [b, c\n",
  "a:\n\tb: c\n",
  "a:\n  b: c\n d: e\n",
  "a: b\n- c\n",
  "a: 'x\n",
  "a: b\na: c\n",
  "a: {b: c\n",
];

describe("fast YAML reader", () => {
  it.each(invalid)("leaves invalid %j to the complete parser", (text) => {
    const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true });
    expect((Array.isArray(docs) ? docs : [docs]).some((d) => d.errors.length > 0)).toBe(true);
    expect(fastParse(text, 1e6)).toBeUndefined();
  });

  it.each(["a: &x 1\nb: *x\n", "a: !!str 1\n", "? a\n: b\n", "<<: {a: 1}\n", "%YAML 1.2\n---\na: b\n"])(
    "leaves anchors, tags, explicit keys, merge keys and directives (%j) to the complete parser",
    (text) => {
      expect(fastParse(text, 1e6)).toBeUndefined();
    },
  );

  it("reads every YAML file of the conformance corpus exactly as the complete parser", () => {
    const root = path.join(import.meta.dirname, "../../../test/kustomize/cases");
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(n)) files.push(p);
      }
    };
    walk(root);
    let compared = 0;
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      const fast = fastParse(text, 1e6);
      if (fast === undefined) continue;
      compared++;
      if (!isDeepStrictEqual(fast, parseYamlStreamComplete(text, f)))
        expect.fail(`fast reader differs on ${f}`);
    }
    expect(compared).toBeGreaterThan(1000);
  }, 120_000);
});
