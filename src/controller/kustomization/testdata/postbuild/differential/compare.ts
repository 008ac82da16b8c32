// Differential test of driftless' postBuild against Flux's code (flux.go): random expressions and random
// objects go through both; every difference is printed. See README.md. Not part of the test suite: it
// needs Go and Flux's modules.
import { execFileSync } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import { EnvsubstError, expandToBuffer } from "../../../envsubst/expand.ts";
import { PostBuildError, substituteObjects } from "../../../postbuild.ts";
import { toGoYaml } from "../../../goyaml/emit.ts";

const [binary = "./flux", seedArg = "1", countArg = "20000"] = process.argv.slice(2);
let seed = Number(seedArg);
// mulberry32: the low bits of a plain LCG are too regular for picking among few options.
function rand(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
const count = Number(countArg);

function runFlux(lines: readonly unknown[]): Array<{ out?: unknown; err?: string; yaml?: string }> {
  const input = `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
  const output = execFileSync(binary, { input, maxBuffer: 1 << 30 }).toString().trim().split("\n");
  return output.map((line) => JSON.parse(line));
}

// ---- expressions ----
const textVars: Record<string, string> = { a: "abc.def/ghi", b: "", c: "Hello World", n: "-3", m: "2", é: "ünï", u: "😀é" };
const pieces = ["$", "{", "}", "${", "${a", "${b", "${c", "${x", "${n", ":", "=", "-", "?", "+", "#", "%", "/", "\\"];
pieces.push(",", "^", "a", "b", "1", " ", "*", ".", "[", "]", "!", "é", "😀", "\n", "'", '"', "m", "$$");
const ops = [":=", ":-", "=", ":?", ":+", "#", "##", "%", "%%", "/", "//", "/#", "/%", ":", ",", ",,", "^", "^^", ""];
const argPieces = ["*", ".", "a", "b", "c", "/", "\\/", "[a-c]", "[^a]", "?", "1", "-2", "2", "0", ":", "${a}"];
argPieces.push("${n}", "${m}", "é", "😀", "ü", " ", "d", "[", "]", "\\");

function expression(): string {
  if (rand(2) === 0) {
    let t = "";
    for (let j = 0; j < 1 + rand(12); j++) t += pick(pieces);
    return t;
  }
  const arg = (): string => Array.from({ length: rand(4) }, () => pick(argPieces)).join("");
  const op = pick(ops);
  const name = pick(["a", "b", "c", "x", "n", "m", "#a", "é", "u"]);
  const second = op.startsWith("/") || op === ":" ? `${pick(["/", ":"])}${arg()}` : "";
  return `p\${${name}${op}${arg()}${rand(2) ? second : ""}}s`;
}

function compareExpressions(): void {
  const cases = Array.from({ length: count }, () => ({ text: expression(), vars: textVars, strict: rand(4) === 0 }));
  const answers = runFlux(cases);
  let differ = 0;
  for (const [i, c] of cases.entries()) {
    const flux = answers[i] ?? {};
    let ours: { out?: string; err?: string };
    try {
      const lookup = (name: string) => ({
        value: textVars[name] ?? "",
        exists: c.strict ? Object.hasOwn(textVars, name) : true,
      });
      ours = { out: expandToBuffer(c.text, lookup).toString("base64") };
    } catch (e) {
      if (!(e instanceof EnvsubstError)) throw e;
      ours = { err: e.message };
    }
    // Flux panics on a negative substring length; driftless fails with an error.
    if (flux.err?.startsWith("panic") && ours.err !== undefined) continue;
    if (JSON.stringify(flux) !== JSON.stringify(ours) && differ++ < 10) {
      console.log("expression", JSON.stringify(c.text), "flux:", JSON.stringify(flux), "ours:", JSON.stringify(ours));
    }
  }
  console.log(`${cases.length} expressions, ${differ} differ`);
}

// ---- objects ----
const values = ["3", "true", "yes", "on", "1.0", "", "a b", "x: y", "'", '"', "[1,2]", "{a: 1}", "#c", "  lead"];
values.push("0777", "0x1F", "-", "- item", "null", "~", "é", "1e3", "a\\b", "2026-01-01", "1:20", ".5", "+1");
values.push("1_000", "0o17", "0b101", "NaN", ".inf", "Y", "n", "off", "&anchor", "*alias", "%", "@", "`", "|");
const fragments = ["${v1}", "${v2}", "${v3:=dflt}", "$${v1}", "$HOME", " ", ": ", " #", "'", '"', "x", "\n", "\t"];
fragments.push("-", "[", "{", "}", "]", ",", "&", "*", "!", "?", "|", ">", "%", "@", "`", "yes", "1", "é", "...");
fragments.push("😀", "\r", "\ufeff", "  ", "\n\n", " \n", "\n ", "0", "a0", "${v1} ${v2}", "- ", "? ", "---", "\\");
fragments.push("word word word word word word word word ", "\u00a0", "\u0007");
const keys = ["a0", "a00", "a1", "a01", "b", "B", "_x", "1", "10", "9", "é", "x".repeat(130), "a\nb"];

function text(): string {
  if (rand(3) === 0) return pick(values);
  let s = "";
  for (let i = 0; i < 1 + rand(6); i++) s += pick(fragments);
  if (rand(20) === 0) s = `${s} ${"word ".repeat(25)}${s}`;
  return s;
}

function value(depth: number): unknown {
  const r = rand(10);
  if (depth > 4 || r < 5) return text();
  if (r === 6) return rand(100);
  if (r === 7) return rand(5) === 0 ? [] : [value(depth + 1), value(depth + 1), rand(3) ? text() : [text(), [text()]]];
  if (r === 8) return pick([null, true, false, 1.5, -3, 1e-7, 123456789.25, {}]);
  const o: Record<string, unknown> = {};
  for (let i = 0; i < 1 + rand(5); i++) {
    o[rand(3) === 0 ? text() : rand(2) ? `k${rand(12)}` : pick(keys)] = value(depth + 1);
  }
  return o;
}

function compareObjects(): void {
  const cases = Array.from({ length: Math.ceil(count / 5) }, () => ({
    obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "n" }, data: value(0) },
    vars: { v1: pick(values), v2: pick(values), v3: rand(2) ? pick(values) : "" },
  }));
  const answers = runFlux(cases);
  let differ = 0;
  let texts = 0;
  for (const [i, c] of cases.entries()) {
    const flux = answers[i] ?? {};
    if (flux.yaml !== undefined && toGoYaml(c.obj) !== flux.yaml && texts++ < 5) {
      console.log("yaml text", JSON.stringify(c.obj), "\n  flux:", JSON.stringify(flux.yaml));
      console.log("  ours:", JSON.stringify(toGoYaml(c.obj)));
    }
    let ours: { out?: unknown; err?: string };
    try {
      ours = { out: substituteObjects([c.obj], { substitute: c.vars })[0] };
    } catch (e) {
      if (!(e instanceof PostBuildError)) throw e;
      ours = { err: e.message };
    }
    const same = flux.err !== undefined ? ours.err !== undefined : isDeepStrictEqual(flux.out, ours.out);
    if (!same && differ++ < 10) {
      console.log("object", JSON.stringify(c), "\n  flux:", JSON.stringify(flux.out ?? flux.err));
      console.log("  ours:", JSON.stringify(ours.out ?? ours.err));
    }
  }
  console.log(`${cases.length} objects, ${differ} differ, ${texts} YAML texts differ`);
}

compareExpressions();
compareObjects();
