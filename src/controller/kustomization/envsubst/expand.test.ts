// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is envsubst input, not a template literal.
import { describe, expect, it } from "vitest";
import { EnvsubstError, type EnvsubstErrorCode, expand, type Lookup } from "./expand.ts";

const vars: Record<string, string> = {
  name: "podInfo",
  upper: "PODINFO",
  empty: "",
  file: "app.config.yaml",
  path: "/srv/www/static/index.html",
  image: "ghcr.io/org/app",
  fallback: "blue",
  unicode: "été",
  negative: "-10",
};

const lenient: Lookup = (name) => ({ value: vars[name] ?? "", exists: true });
const strict: Lookup = (name) => ({ value: vars[name] ?? "", exists: Object.hasOwn(vars, name) });

describe("expand", () => {
  it.each([
    ["leaves plain text alone", "replicas: 3", "replicas: 3"],
    ["expands a braced variable", "app: ${name}", "app: podInfo"],
    ["does not expand $var without braces", "echo $name", "echo $name"],
    ["expands an unset variable to nothing", "x${missing}y", "xy"],
    ["turns $${var} into a literal ${var}", "$${name}", "${name}"],
    ["turns $$ into $ anywhere outside expressions", "cost: $$5", "cost: $5"],
    ["keeps a lone $ at the end", "price$", "price$"],
    ["collapses only pairs of dollars", "$$$", "$$"],
    [
      "handles escapes mixed with expressions",
      "${name}$${x$${name}$name${name}",
      "podInfo${x${name}$namepodInfo",
    ],
    ["keeps backslashes outside expressions", "\\\\path ${name}", "\\\\path podInfo"],
    ["uses := default when unset", "${missing:=dev}", "dev"],
    ["uses := default when empty", "${empty:=dev}", "dev"],
    ["ignores the default when set", "${name:=dev}", "podInfo"],
    ["uses :- default", "${missing:-dev}", "dev"],
    ["uses = default", "${missing=dev}", "dev"],
    ["treats :? and :+ as defaults too", "${missing:?oops}/${missing:+alt}", "oops/alt"],
    ["expands nested defaults", "${missing:=${fallback}-green}", "blue-green"],
    ["expands several nested defaults", "${missing=a${fallback}b${name}c}", "abluebpodInfoc"],
    ["keeps an escape in a default literally", "${missing:=$$x}", "$$x"],
    ["measures length in bytes", "${#name}/${#unicode}", "7/5"],
    ["upper-cases the first character", "${name^}", "PodInfo"],
    ["upper-cases everything", "${name^^}", "PODINFO"],
    ["lower-cases the first character", "${upper,}", "pODINFO"],
    ["lower-cases everything", "${upper,,}", "podinfo"],
    ["takes a substring from an offset", "${path:5}", "www/static/index.html"],
    ["takes a substring with a length", "${path:5:3}", "www"],
    ["counts a negative offset from the end", "${path:${negative}}", "index.html"],
    ["takes a space before a negative offset as no number", "${path: -10}", "/srv/www/static/index.html"],
    ["returns the value when the offset is not a number", "${path:x}", "/srv/www/static/index.html"],
    ["returns nothing past the end", "${name:20}", ""],
    ["strips the shortest prefix match", "${file#*.}", "config.yaml"],
    ["strips the longest prefix match", "${file##*.}", "yaml"],
    ["strips the shortest suffix match", "${file%.*}", "app.config"],
    ["strips the longest suffix match", "${file%%.*}", "app"],
    ["strips with a character class", "${file#[a-c]pp}", ".config.yaml"],
    ["replaces the first match", "${image/o/0}", "ghcr.i0/org/app"],
    ["replaces every match", "${image//o/0}", "ghcr.i0/0rg/app"],
    ["replaces an escaped slash", "${image//\\//-}", "ghcr.io-org-app"],
    ["replaces a prefix", "${image/#ghcr.io/quay.io}", "quay.io/org/app"],
    ["leaves the value when the prefix does not match", "${image/#docker.io/quay.io}", "ghcr.io/org/app"],
    ["replaces a suffix", "${file/%yaml/json}", "app.config.json"],
    ["deletes with an empty replacement", "${file/./}", "appconfig.yaml"],
    ["expands several expressions on a line", "${name}:${missing:=latest}", "podInfo:latest"],
  ])("%s", (_, input, want) => {
    expect(expand(input, lenient)).toBe(want);
  });

  it.each<[string, string, EnvsubstErrorCode, string]>([
    ["an unclosed expression", "a: ${name", "MissingClosingBrace", "missing closing brace"],
    ["an operator it does not know", "${name-default}", "MissingClosingBrace", "missing closing brace"],
    ["an empty name", "${}", "ParseVariableName", "unable to parse variable name"],
    ["a name starting with a space", "${ name}", "ParseVariableName", "unable to parse variable name"],
    ["a lone ${ at the end", "x ${", "ParseVariableName", "unable to parse variable name"],
    ["an empty offset", "${name:}", "ParseFuncSubstitution", "unable to parse substitution within function"],
    [
      "an unclosed default",
      "${name:=x",
      "ParseFuncSubstitution",
      "unable to parse substitution within function",
    ],
    ["a replacement without its slash", "${name/x}", "BadSubstitution", "bad substitution"],
    ["a dangling colon", "${name:", "BadSubstitution", "bad substitution"],
  ])("rejects %s", (_, input, code, message) => {
    const error = (() => {
      try {
        expand(input, lenient);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnvsubstError);
    expect((error as EnvsubstError).code).toBe(code);
    expect((error as EnvsubstError).message).toBe(message);
  });

  describe("in strict mode", () => {
    it.each([
      "${missing}",
      "${#missing}",
      "${missing^^}",
      "${missing:1}",
      "${missing/a/b}",
      "${missing%%.*}",
    ])("fails on %s when the variable is unset", (input) => {
      expect(() => expand(input, strict)).toThrow('variable not set (strict mode): "missing"');
    });

    it.each([
      ["${missing:=x}", "x"],
      ["${missing:-x}", "x"],
      ["${missing=x}", "x"],
      ["${empty}", ""],
      ["$${missing}", "${missing}"],
    ])("accepts %s", (input, want) => {
      expect(expand(input, strict)).toBe(want);
    });

    it("fails on an unset variable inside a default even when the default is not used", () => {
      expect(() => expand("${name:=${missing}}", strict)).toThrow(EnvsubstError);
    });
  });
});

describe("expand on a negative substring length", () => {
  it("fails where Flux's code panics", () => {
    expect(() => expand("${path:2:${negative}}", lenient)).toThrow("negative substring length");
  });

  it("returns nothing when the offset is already past the end", () => {
    expect(expand("${name:20:${negative}}", lenient)).toBe("");
  });
});
