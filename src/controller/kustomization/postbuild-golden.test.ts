// Cases whose expected results were recorded from Flux's own code (see the testdata headers).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { EnvsubstError, expand } from "./envsubst/expand.ts";
import { toGoYaml } from "./goyaml/emit.ts";
import { PostBuildError, substituteObjects } from "./postbuild.ts";

const testdata = join(import.meta.dirname, "testdata", "postbuild");
const read = (file: string): unknown => parse(readFileSync(join(testdata, file), "utf8"));

const EnvsubstCases = z.object({
  vars: z.record(z.string(), z.string()),
  cases: z.array(
    z.object({
      input: z.string(),
      strict: z.boolean().optional(),
      output: z.string().optional(),
      error: z.string().optional(),
    }),
  ),
});

const ObjectCases = z.object({
  cases: z.array(
    z.object({
      name: z.string(),
      vars: z.record(z.string(), z.string()),
      object: z.record(z.string(), z.unknown()),
      output: z.record(z.string(), z.unknown()).optional(),
      error: z.literal(true).optional(),
    }),
  ),
});

const YamlCases = z.object({
  cases: z.array(z.object({ name: z.string(), object: z.record(z.string(), z.unknown()), yaml: z.string() })),
});

describe("toGoYaml writes the text Flux writes", () => {
  const { cases } = YamlCases.parse(read("yaml.yaml"));
  it.each(cases)("$name", ({ object, yaml }) => {
    expect(toGoYaml(object)).toBe(yaml);
  });
});

describe("expand matches Flux's envsubst", () => {
  const { vars, cases } = EnvsubstCases.parse(read("envsubst.yaml"));
  it.each(cases)("$input (strict: $strict)", ({ input, strict, output, error }) => {
    const lookup = (name: string) => ({
      value: vars[name] ?? "",
      exists: strict ? Object.hasOwn(vars, name) : true,
    });
    if (error !== undefined) {
      expect(() => expand(input, lookup)).toThrow(EnvsubstError);
      expect(() => expand(input, lookup)).toThrow(error);
    } else {
      expect(expand(input, lookup)).toBe(output);
    }
  });
});

describe("substituteObjects matches Flux's postBuild", () => {
  const { cases } = ObjectCases.parse(read("objects.yaml"));
  it.each(cases)("$name", ({ vars, object, output, error }) => {
    if (error) {
      expect(() => substituteObjects([object], { substitute: vars })).toThrow(PostBuildError);
    } else {
      expect(substituteObjects([object], { substitute: vars })).toEqual([output]);
    }
  });
});
