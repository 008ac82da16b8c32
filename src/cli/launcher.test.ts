// bin/driftless.mjs runs dist/ only when it was built from the current sources, and the sources otherwise.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const LAUNCHER = path.join(import.meta.dirname, "../../bin/driftless.mjs");

let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

// Lets the clock move on, so that what is written next has later modification and change times.
function later(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
}

function setTimes(rel: string, seconds: number): void {
  utimesSync(path.join(root, rel), seconds, seconds);
}

function run(node = process.execPath): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(node, [path.join(root, "bin/driftless.mjs"), "version"], {
    encoding: "utf8",
    env: { ...process.env, NODE_COMPILE_CACHE: path.join(root, "compile-cache") },
  });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "driftless-launcher-"));
  mkdirSync(path.join(root, "bin"));
  copyFileSync(LAUNCHER, path.join(root, "bin/driftless.mjs"));
  for (const f of ["package.json", "tsconfig.json", "tsconfig.build.json"]) write(f, "{}\n");
  write(
    "src/cli/main.ts",
    `const from: string = "sources";\nprocess.stdout.write(from + " " + process.argv[2]);\n`,
  );
  write("src/kustomize/build.ts", "export const a = 1;\n");
  write("src/kustomize/build.test.ts", "export const b = 1;\n");
  later();
  // As npm run build: the stamp first, then the compiled files.
  write("dist/.build-stamp", "");
  write("dist/cli/main.js", `process.stdout.write("dist " + process.argv[2]);\n`);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("bin/driftless.mjs", () => {
  it("runs dist when it was built after every source was written", () => {
    expect(run()).toMatchObject({ stdout: "dist version", status: 0 });
  });

  it("runs the sources when dist is missing", () => {
    rmSync(path.join(root, "dist"), { recursive: true });
    expect(run()).toMatchObject({ stdout: "sources version", status: 0 });
  });

  it("runs the sources when a source file changed after the build", () => {
    later();
    write("src/kustomize/build.ts", "export const a = 2;\n");
    expect(run().stdout).toBe("sources version");
  });

  it("runs the sources when a source was copied in after the build with an older modification time", () => {
    const old = Date.now() / 1000 - 3600;
    later();
    write("src/kustomize/build.ts", "export const a = 2;\n");
    setTimes("src/kustomize/build.ts", old);
    expect(run().stdout).toBe("sources version");
  });

  it("runs the sources when a source changed in the same instant as the build stamp", () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    setTimes("dist/.build-stamp", future);
    setTimes("src/kustomize/build.ts", future);
    expect(run().stdout).toBe("sources version");
    setTimes("src/kustomize/build.ts", future - 1);
    expect(run().stdout).toBe("dist version");
  });

  it("runs the sources when a source file was removed after the build", () => {
    later();
    unlinkSync(path.join(root, "src/kustomize/build.ts"));
    expect(run().stdout).toBe("sources version");
  });

  it("runs the sources when the compiler settings changed after the build", () => {
    later();
    write("tsconfig.json", '{"compilerOptions":{}}\n');
    expect(run().stdout).toBe("sources version");
  });

  it("runs the sources when the build did not finish (no stamp)", () => {
    unlinkSync(path.join(root, "dist/.build-stamp"));
    expect(run().stdout).toBe("sources version");
  });

  it("keeps running dist when only a test file changed", () => {
    later();
    write("src/kustomize/build.test.ts", "export const b = 2;\n");
    expect(run().stdout).toBe("dist version");
  });

  it("runs dist when there are no sources (the container image)", () => {
    rmSync(path.join(root, "src"), { recursive: true });
    unlinkSync(path.join(root, "dist/.build-stamp"));
    expect(run().stdout).toBe("dist version");
  });

  const systemNode = "/usr/bin/node";
  const old =
    spawnSync(systemNode, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout?.trim() ?? "";
  const [major = 0, minor = 0] = old.split(".").map(Number);
  it.skipIf(old === "" || major > 22 || (major === 22 && minor >= 19))(
    "re-runs itself under the project's Node 22 when started by an older Node, with the same choice",
    () => {
      mkdirSync(path.join(root, "node_modules/node/bin"), { recursive: true });
      symlinkSync(process.execPath, path.join(root, "node_modules/node/bin/node"));
      expect(run(systemNode)).toMatchObject({ stdout: "dist version", status: 0 });
      later();
      write("src/kustomize/build.ts", "export const a = 2;\n");
      expect(run(systemNode)).toMatchObject({ stdout: "sources version", status: 0 });
    },
  );
});
