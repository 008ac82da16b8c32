// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${…}" here is envsubst input, not a template literal.
import { describe, expect, it } from "vitest";
import { PostBuildError, substituteObjects } from "./postbuild.ts";

function configMap(
  data: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: "apps", ...metadata },
    data,
  };
}

function substituteOne(
  obj: unknown,
  vars: Parameters<typeof substituteObjects>[1],
  options?: Parameters<typeof substituteObjects>[2],
): unknown {
  return substituteObjects([obj], vars, options)[0];
}

describe("substituteObjects", () => {
  it.each<
    [string, Record<string, unknown>, Parameters<typeof substituteObjects>[1], Record<string, unknown>]
  >([
    [
      "substitutes inline variables",
      { env: "${cluster_env}" },
      { substitute: { cluster_env: "prod" } },
      { env: "prod" },
    ],
    [
      "takes later substituteFrom maps over earlier ones",
      { region: "${region}", zone: "${zone}" },
      { from: [{ region: "eu-west-1", zone: "a" }, { region: "eu-central-1" }] },
      { region: "eu-central-1", zone: "a" },
    ],
    [
      "takes inline variables over substituteFrom",
      { region: "${region}" },
      { substitute: { region: "us-east-1" }, from: [{ region: "eu-central-1" }] },
      { region: "us-east-1" },
    ],
    [
      "removes newlines from values",
      { token: "${token}" },
      { from: [{ token: "abc\ndef\n" }] },
      { token: "abcdef" },
    ],
    [
      "uses defaults for unset variables",
      { env: "${cluster_env:=dev}" },
      { substitute: { other: "x" } },
      { env: "dev" },
    ],
    [
      "empties unset variables without a default",
      { env: "a${unset}b" },
      { substitute: { other: "x" } },
      { env: "ab" },
    ],
    [
      "keeps $var and turns $${var} into ${var}",
      { script: "echo $HOME ${user}\necho $${PATH}\n" },
      { substitute: { user: "flux" } },
      { script: "echo $HOME flux\necho ${PATH}\n" },
    ],
    [
      "makes a number of an unquoted substitution",
      { replicas: "${replicas}" },
      { substitute: { replicas: "3" } },
      { replicas: 3 },
    ],
    [
      "makes a boolean of true",
      { enabled: "${enabled}" },
      { substitute: { enabled: "true" } },
      { enabled: true },
    ],
    [
      "reads yes as a boolean, as YAML 1.1 does",
      { enabled: "${enabled}" },
      { substitute: { enabled: "yes" } },
      { enabled: true },
    ],
    [
      "makes a string with a quote variable",
      { id: "${quote}${id}${quote}" },
      { substitute: { quote: '"', id: "123" } },
      { id: "123" },
    ],
    ["makes null of an empty value", { label: "${empty}" }, { substitute: { empty: "" } }, { label: null }],
    [
      "keeps strings that only look like other types",
      { on: "on", octal: "0755", date: "2026-01-01", time: "1:20", version: "1.10" },
      { substitute: { x: "y" } },
      { on: "on", octal: "0755", date: "2026-01-01", time: "1:20", version: "1.10" },
    ],
    [
      "substitutes inside a quoted scalar",
      { greeting: "hello: ${who}" },
      { substitute: { who: "world" } },
      { greeting: "hello: world" },
    ],
  ])("%s", (_, data, vars, want) => {
    expect(substituteOne(configMap(data), vars)).toEqual(configMap(want));
  });

  it("substitutes keys as well as values", () => {
    const obj = configMap({ "${key}": "v" });
    expect(substituteOne(obj, { substitute: { key: "name" } })).toEqual(configMap({ name: "v" }));
  });

  it("substitutes in metadata and nested lists", () => {
    const obj = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web-${env}", namespace: "apps", labels: { env: "${env}" } },
      spec: {
        template: { spec: { containers: [{ name: "web", image: "ghcr.io/org/web:${tag:=latest}" }] } },
      },
    };
    expect(substituteOne(obj, { substitute: { env: "prod" } })).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web-prod", namespace: "apps", labels: { env: "prod" } },
      spec: { template: { spec: { containers: [{ name: "web", image: "ghcr.io/org/web:latest" }] } } },
    });
  });

  it("changes nothing when no variable is set, not even defaults or escapes", () => {
    const obj = configMap({ env: "${cluster_env:=dev}", literal: "$${x}" });
    expect(substituteOne(obj, {})).toBe(obj);
    expect(substituteOne(obj, { substitute: {}, from: [{}] })).toBe(obj);
  });

  it("returns objects without any $ as they are", () => {
    const obj = configMap({ on: "on", n: "0777", list: [1, "two"] });
    expect(substituteOne(obj, { substitute: { env: "prod" } })).toBe(obj);
  });

  it("applies defaults without variables when asked to always substitute", () => {
    const obj = configMap({ env: "${cluster_env:=dev}", literal: "$${x}" });
    expect(substituteOne(obj, {}, { always: true })).toEqual(configMap({ env: "dev", literal: "${x}" }));
  });

  it.each([
    ["labelled", { labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }],
    ["annotated", { annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }],
  ])("skips objects %s substitute: disabled", (_, metadata) => {
    const obj = configMap({ env: "${env}" }, metadata);
    const other = configMap({ env: "${env}" }, { name: "other" });
    const [skipped, substituted] = substituteObjects([obj, other], { substitute: { env: "prod" } });
    expect(skipped).toBe(obj);
    expect(substituted).toEqual(configMap({ env: "prod" }, { name: "other" }));
  });

  it("does not skip objects whose opt-out has another value", () => {
    const obj = configMap(
      { env: "${env}" },
      { annotations: { "kustomize.toolkit.fluxcd.io/substitute": "enabled" } },
    );
    expect(substituteOne(obj, { substitute: { env: "prod" } })).toMatchObject({ data: { env: "prod" } });
  });

  it("does not modify its input", () => {
    const obj = configMap({ env: "${env}" });
    substituteOne(obj, { substitute: { env: "prod" } });
    expect(obj).toEqual(configMap({ env: "${env}" }));
  });

  describe("errors", () => {
    function failure(
      objects: unknown[],
      vars: Parameters<typeof substituteObjects>[1],
      strict = false,
    ): PostBuildError {
      try {
        substituteObjects(objects, vars, { strict });
      } catch (error) {
        if (error instanceof PostBuildError) return error;
        throw error;
      }
      throw new Error("substitution did not fail");
    }

    it("rejects an invalid variable name, naming the object", () => {
      const error = failure([configMap({ a: "b" })], { substitute: { "cluster-env": "prod" } });
      expect(error.code).toBe("InvalidVarName");
      expect(error.object).toBe("ConfigMap/apps/settings");
      expect(error.message).toContain("'cluster-env' var name is invalid");
    });

    it.each(["1abc", "a.b", "été", ""])("rejects the variable name %j", (name) => {
      expect(failure([configMap({})], { substitute: { [name]: "x" } }).code).toBe("InvalidVarName");
    });

    it("reports a malformed expression with the object that holds it", () => {
      const good = configMap({ a: "${env}" }, { name: "good" });
      const bad = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps-${env" } };
      const error = failure([good, bad], { substitute: { env: "prod" } });
      expect(error.code).toBe("MissingClosingBrace");
      expect(error.object).toBe("Namespace/apps-${env");
      expect(error.message).toBe(
        "variable substitution failed for 'Namespace/apps-${env': missing closing brace",
      );
    });

    it("fails on an unset variable in strict mode", () => {
      const error = failure([configMap({ env: "${cluster_env}" })], { substitute: { other: "x" } }, true);
      expect(error.code).toBe("VariableNotSet");
      expect(error.message).toContain('variable not set (strict mode): "cluster_env"');
    });

    it("accepts empty and defaulted variables in strict mode", () => {
      const obj = configMap({ a: "${empty}", b: "${unset:=x}" });
      const out = substituteObjects([obj], { substitute: { empty: "" } }, { strict: true });
      expect(out).toEqual([configMap({ a: null, b: "x" })]);
    });

    it.each([
      ["null", { "${k}": "v" }, { k: "null" }],
      ["a list", { "${k}": "v" }, { k: "[a, b]" }],
    ])("refuses a key that becomes %s, as Flux's JSON conversion does", (_, data, substitute) => {
      const error = failure([configMap(data)], { substitute });
      expect(error.code).toBe("InvalidResult");
      expect(error.message).toContain("unsupported map key");
    });

    it.each([
      ["an anchor name go-yaml refuses", { a: "${v}" }, { v: "&bad.name x" }],
      ["a value that closes a single-quoted scalar early", { a: "x: ${v}", b: "y: z" }, { v: "'" }],
      ["a value that escapes a double quote", { a: "x\t${v}", b: "y" }, { v: "\\" }],
    ])("fails on %s, as Flux does", (_, data, substitute) => {
      expect(failure([configMap(data)], { substitute }).code).toBe("InvalidResult");
    });

    it("refuses an alias bomb smuggled in through a value", () => {
      const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"];
      for (let i = 1; i < 8; i++)
        laughs.push(
          `${"abcdefgh"[i]}: &${"abcdefgh"[i]} [${Array(9)
            .fill(`*${"abcdefgh"[i - 1]}`)
            .join(", ")}]`,
        );
      const error = failure([configMap({ bomb: "${value}" })], {
        substitute: { value: `{${laughs.join(", ")}}` },
      });
      expect(error.code).toBe("InvalidResult");
    });

    it("reports a substitution that breaks the YAML", () => {
      const error = failure([configMap({ a: "${value}" })], { substitute: { value: "[unclosed" } });
      expect(error.code).toBe("InvalidResult");
      expect(error.object).toBe("ConfigMap/apps/settings");
    });
  });
});

describe("substituteObjects on multi-byte characters", () => {
  it("counts offsets in bytes, as Flux does", () => {
    const obj = configMap({ a: "${word:2}" });
    expect(substituteObjects([obj], { substitute: { word: "éa" } })).toEqual([configMap({ a: "a" })]);
  });

  it("fails when an offset splits a character", () => {
    const obj = configMap({ a: "${word:1}" });
    expect(() => substituteObjects([obj], { substitute: { word: "éa" } })).toThrow(/invalid UTF-8/);
  });
});
