// The line reader must agree with the complete parser on everything it reads, and leave every invalid
// or unusual stream to the other readers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { lineParse } from "./line-parse.ts";
import { parseYamlStreamComplete, rawMetadataText } from "./parse.ts";

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
  "- a\nb: c\n",
  "a:\n  b: 1\n   c: 2\n",
  "a: b\n  c: d\n",
  "a: 'x'y\n",
  'a: "x"y\n',
  "a: [b,, c]\n",
  "a: - b\n",
  "a: 'x'#c\n",
  "a: [b]#c\n",
  "a: |#c\n  x\n",
];

// Valid streams, each read exactly as the complete parser reads it (or left to the other readers).
const valid: readonly string[] = [
  "a: 1\nb: true\nc: null\nd: ~\ne:\nf: 1.5\ng: 0x1F\nh: 010\ni: 2001-12-14\nj: .inf\nk: -.5\n",
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: 'true'\n    b: true\n    c: 08\n    d: 1e3\n",
  "metadata:\n  annotations:\n    a: 1\n    b: yes\n    c: '1'\n    d: |\n      x\n    e: ~\n",
  "metadata:\n  labels:\n    a:\n      b: 1\n    c:\n    - 2\n    d: [3]\n",
  "metadata:\n  labels:\n    a:\n    b: # c\n    c: ''\n",
  "a:\n- 1\n- b\n-\n- c\n",
  "- - a\n",
  "a:\n  - x: 1\n    y: 2\n  -   z: 3\n      w: 4\n  - [a, 'b', \"c\", 4]\n  - []\n  - {}\n",
  "a: |\n  line 1\n    indented\n\n  line 3\n\nb: |-\n  x\n\n\nc: |+\n  y\n\n\nd: 1\n",
  "a: |\n  x\n# comment\nb: |\n    deep\n    text  \n",
  "- |\n  in a sequence\n- |-\n  stripped\n",
  "a: 'it''s'\nb: \"q\\\"d\\\\ \\n \\t \\/\"\nc: 'x' # c\nd: \"\" \n",
  "'quoted key': 1\n\"dq key\": 2\n1: one\n0x10: sixteen\nnull: n\ntrue: t\n2001-01-01: d\n",
  "a: b # comment\nc: d#not a comment\ne: http://x:80/y\nf: a:b\ng: -1\nh: --flag=x\n",
  "---\na: 1\n---\n---\n# only a comment\n---\n- b\n",
  "a: 1\n...\nb: 2\n",
  "--- a\n",
  "%YAML 1.2\n---\na: 1\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "? a\n: b\n",
  "<<: {a: 1}\n",
  "a: >\n  folded\n  text\n",
  "a: |2\n   x\n",
  "a: |\n\n  x\n",
  "a: |\n  x",
  "a: plain\n  continued\n",
  "a: 'multi\n  line'\n",
  'a: "\\u00e9"\n',
  "a: {b: c}\n",
  "a: [b, [c]]\n",
  "a: [b, ]\n",
  "a : b\n",
  "  a: 1\n",
  "scalar document\n",
  "a:\n  b:\n  c:\n    - d\n    -\n      e: f\n",
  "a:\n- b\nc: d\n- e\n",
  "a:\n  b: 1\n  - c\n",
  "a:\r\n  b: 1\r\n",
  "a: b\u0085c\n",
  "__proto__: 1\n",
  "a: 1\n---\nb: 2",
  "",
  "\n\n# nothing\n",
  'items:\n- name: a\n  env:\n  - name: X\n    value: "1"\n  args: ["--a", \'--b\', c]\n- name: b\n',
  "a:    \n  b: 1\n",
  "a: |\n  x\n  \n   \n",
  "a: |+\n  x\n  \n\nb: 1\n",
];

function complete(text: string): unknown[] | "error" {
  try {
    return parseYamlStreamComplete(text, "test.yaml");
  } catch {
    return "error";
  }
}

// The source texts kept for the labels and annotations of each document.
function rawOf(docs: unknown[] | "error"): unknown {
  if (docs === "error") return docs;
  return docs.map((d) => {
    const m = (d as { metadata?: { labels?: object; annotations?: object } }).metadata;
    return [m?.labels, m?.annotations].map((o) =>
      o === undefined || o === null ? undefined : rawMetadataText.get(o),
    );
  });
}

describe("line YAML reader", () => {
  it.each(invalid)("leaves invalid %j to the other readers", (text) => {
    const docs = parseAllDocuments(text, { schema: "failsafe", uniqueKeys: true });
    expect((Array.isArray(docs) ? docs : [docs]).some((d) => d.errors.length > 0)).toBe(true);
    expect(lineParse(text, 1e6)).toBeUndefined();
  });

  it.each(valid)("reads %j as the complete parser does, or leaves it", (text) => {
    const fast = lineParse(text, 1e6);
    if (fast === undefined) return;
    const want = complete(text);
    expect(fast).toStrictEqual(want);
    expect(rawOf(fast)).toStrictEqual(rawOf(want));
  });

  it("reads the common shapes itself rather than leaving them to the slower readers", () => {
    const handled = valid.filter((t) => lineParse(t, 1e6) !== undefined);
    expect(handled).toEqual(
      expect.arrayContaining([0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 35, 44].map((i) => valid[i])),
    );
  });

  it("keeps the source text of non-string label and annotation values", () => {
    const [doc] = lineParse(valid[2] ?? "", 1e6) ?? [];
    const annotations = (doc as { metadata: { annotations: object } }).metadata.annotations;
    expect(rawMetadataText.get(annotations)).toEqual(
      new Map([
        ["a", "1"],
        ["e", "~"],
      ]),
    );
  });

  it("gives up when a document has more nodes than allowed", () => {
    expect(lineParse("a:\n- 1\n- 2\n- 3\n", 3)).toBeUndefined();
    expect(lineParse("a:\n- 1\n- 2\n- 3\n", 100)).toEqual([{ a: [1, 2, 3] }]);
  });

  it("reads generated documents exactly as the complete parser, or leaves them", () => {
    // Random block documents built from awkward keys and scalars, nested with odd indentation.
    let seed = 1;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
    const scalars = [
      ...[
        "a",
        "b c",
        "1",
        "0x1F",
        "010",
        "1e3",
        "-1",
        "--x",
        "true",
        "yes",
        "null",
        "~",
        "",
        "'q'",
        "'it''s'",
      ],
      ...['"d"', '"e\\"s"', '"\\n"', "a:b", "a: b", "a #c", "a#b", "[x]", "[]", "{}", "[a, b]", "['a', 1]"],
      ...["{a: b}", "|", "|-", "|+", ">", "&a x", "*a", "!t x", "- x", "-", "?", ": x", "2001-01-01", ".5"],
      ...["-.inf", "%x", "@x", "`x", ",x", "x,y", "x]", "1:2", "http://x:1/y", "a  ", " # c", "#c"],
    ];
    const keys = ["a", "b", "metadata", "labels", "1", "true", "'k'", '"k k"', "a b", "-k", "k:", "<<", "a#"];
    const gen = (depth: number, indent: number, out: string[]): void => {
      const seq = rnd() < 0.3;
      const pad = " ".repeat(indent);
      for (let i = 1 + Math.floor(rnd() * 3); i > 0; i--) {
        const r = rnd();
        if (depth > 0 && r < 0.35) {
          out.push(seq ? `${pad}-` : `${pad}${pick(keys)}:`);
          gen(depth - 1, indent + pick([2, 2, 2, 0, 1, 3, 4]), out);
        } else if (depth > 0 && seq && r < 0.5) {
          out.push(`${pad}- ${pick(keys)}: ${pick(scalars)}`);
          if (rnd() < 0.6) out.push(`${pad}  ${pick(keys)}: ${pick(scalars)}`);
        } else {
          const v = pick(scalars);
          out.push(seq ? `${pad}- ${v}` : `${pad}${pick(keys)}: ${v}`);
          if (v.startsWith("|") || v.startsWith(">")) {
            for (let j = 1 + Math.floor(rnd() * 3); j > 0; j--) {
              out.push(
                rnd() < 0.2
                  ? pick(["", " ".repeat(indent + 2), " ".repeat(indent + 5)])
                  : `${" ".repeat(indent + pick([2, 2, 4, 1]))}${pick(["x", "y  ", "# not", "- z"])}`,
              );
            }
          }
        }
        if (rnd() < 0.1) out.push(pick(["", "# c", `${pad}# c`, "---", "  "]));
      }
    };
    let read = 0;
    for (let i = 0; i < 4000; i++) {
      const out: string[] = [];
      if (rnd() < 0.2) {
        out.push("metadata:", "  labels:");
        gen(1, 4, out);
      } else gen(3, 0, out);
      const text = out.join("\n") + (rnd() < 0.9 ? "\n" : "");
      const fast = lineParse(text, 1e6);
      if (fast === undefined) continue;
      read++;
      const want = complete(text);
      if (!isDeepStrictEqual(fast, want) || !isDeepStrictEqual(rawOf(fast), rawOf(want)))
        expect.fail(`line reader differs on ${JSON.stringify(text)}`);
    }
    expect(read).toBeGreaterThan(1000);
  });

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
      const fast = lineParse(text, 1e6);
      if (fast === undefined) continue;
      compared++;
      const want = complete(text);
      if (!isDeepStrictEqual(fast, want)) expect.fail(`line reader differs on ${f}`);
      if (!isDeepStrictEqual(rawOf(fast), rawOf(want)))
        expect.fail(`line reader keeps other raw text on ${f}`);
    }
    expect(compared).toBeGreaterThan(1000);
  }, 120_000);
});
