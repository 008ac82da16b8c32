// Writes a seeded corpus of documents full of strings YAML and JSON writers must quote or escape, to check
// driftless' output against `sops -d` on more than hand-written cases. Used by regenerate.sh:
//   node test/sops/gen-corpus.ts <dir> [count=24] [seed]
// Each document is written as JSON, which is also valid YAML, so one input serves both formats.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir = "corpus", countArg = "24", seedArg = "24301"] = process.argv.slice(2);
const count = Number(countArg);

// A small deterministic PRNG (mulberry32), so regenerating gives the same plaintext.
let seed = Number(seedArg);
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const TRICKY = [
  "",
  " ",
  "plain words",
  "true",
  "False",
  "yes",
  "off",
  "y",
  "~",
  "null",
  "NULL",
  "<<",
  "0",
  "-0",
  "007",
  "0o17",
  "0x1f",
  "0b101",
  "1_000",
  "1e3",
  ".5",
  "+.inf",
  ".NaN",
  "12:30:45",
  "2024-02-29",
  "2024-02-29T12:00:00Z",
  "2024-02-29 12:00:00",
  "a: b",
  "a:b",
  "key:",
  "#hash",
  "a #b",
  "a#b",
  "- dash",
  "-dash",
  "--- doc",
  "... end",
  "? question",
  "?q",
  ": colon",
  "[bracket]",
  "{brace}",
  "a, b",
  "*star",
  "&amp",
  "!bang",
  "|pipe",
  ">gt",
  "'single'",
  '"double"',
  "%percent",
  "@at",
  "`tick`",
  "it's",
  "back\\slash",
  "tab\there",
  "trailing ",
  " leading",
  "line1\nline2",
  "line1\nline2\n",
  "line1\n\n",
  "\nleading newline",
  "trailing space \nnext",
  "space\n indented",
  "cr\r\nlf",
  "nel\u0085x",
  "ls\u2028ps\u2029",
  "nbsp\u00a0x",
  "bom\ufeffx",
  "bell\u0007",
  "esc\u001b",
  "null\u0000byte",
  "ümlaut",
  "日本語",
  "emoji 🚀 ok",
  "<html>&amp;</html>",
  "x".repeat(130),
  "word ".repeat(30).trim(),
];

function scalar(): unknown {
  const r = random();
  if (r < 0.55) return pick(TRICKY);
  if (r < 0.65) return Math.floor((random() - 0.5) * 2 ** 40);
  if (r < 0.75) return pick([0.5, 1.25, -3.75, 1e-7, 6.02e23, 1234567.5, 100000, 0.1, 2.5e-5]);
  if (r < 0.85) return random() < 0.5;
  if (r < 0.9) return null;
  return `${pick(TRICKY)}${pick(TRICKY)}`;
}

function key(): string {
  const k = pick(TRICKY)
    .replace(/[\n\r\u0085\u2028\u2029]/g, "")
    .slice(0, 40);
  return k === "" || k === "sops" ? `k${Math.floor(random() * 1000)}` : k;
}

function value(depth: number): unknown {
  const r = random();
  if (depth < 3 && r < 0.2) return mapping(depth + 1);
  if (depth < 3 && r < 0.35) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
  return scalar();
}

function mapping(depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = 1 + Math.floor(random() * 6);
  for (let i = 0; i < n; i++) out[`${key()}${i}`] = value(depth);
  return out;
}

mkdirSync(dir, { recursive: true });
for (let i = 0; i < count; i++) {
  const doc: Record<string, unknown> = { ...mapping(0), plain_unencrypted: scalar() };
  writeFileSync(join(dir, `corpus-${String(i).padStart(2, "0")}.json`), `${JSON.stringify(doc, null, 2)}\n`);
}
