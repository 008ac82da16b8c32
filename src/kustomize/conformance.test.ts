// Conformance with kustomize: every case under test/kustomize/cases is built and compared byte for
// byte with the output the real kustomize recorded (test/kustomize/record.ts); cases kustomize
// rejects must be rejected too. Needs neither kustomize nor a control plane.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BuildError, type BuildResult, build } from "./build.ts";
import { buildKustomization } from "./flux.ts";

const casesDir = path.join(import.meta.dirname, "../../test/kustomize/cases");
const cases = existsSync(casesDir) ? readdirSync(casesDir).sort() : [];

// A Flux case renders in/flux.yaml's Kustomization; the others build a directory.
function render(name: string): BuildResult {
  const inDir = path.join(casesDir, name, "in");
  const flux = path.join(inDir, "flux.yaml");
  if (existsSync(flux)) return buildKustomization(readFileSync(flux, "utf8"), { cwd: inDir, file: flux });
  return build(target(name));
}

function target(name: string): string {
  const dir = path.join(casesDir, name);
  const buildFile = path.join(dir, "build.txt");
  const rel = existsSync(buildFile) ? readFileSync(buildFile, "utf8").trim() : ".";
  return path.join(dir, "in", rel);
}

describe("kustomize conformance", () => {
  it("has a corpus", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const name of cases) {
    const dir = path.join(casesDir, name);
    const expectedFile = path.join(dir, "expected.yaml");
    const errorFile = path.join(dir, "expected-error.txt");
    if (existsSync(expectedFile)) {
      it(`renders ${name} as kustomize does`, () => {
        expect(render(name).yaml).toBe(readFileSync(expectedFile, "utf8"));
      });
    } else if (existsSync(errorFile)) {
      it(`rejects ${name} as kustomize does`, () => {
        expect(() => render(name)).toThrow(BuildError);
      });
    }
  }
});
