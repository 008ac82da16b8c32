// The loader's load restrictions hold through symlinked files and directories, with its cached real paths.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Loader } from "./loader.ts";
import { BuildError } from "./resource.ts";

let tmp: string;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
  writeFileSync(path.join(tmp, rel), text);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BuildError) return e.message.replaceAll(tmp, "<tmp>");
    throw e;
  }
  return "no error";
}

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(path.join(tmpdir(), "driftless-loader-")));
  write("root/app/a.yaml", "a: 1\n");
  write("root/app/sub/b.yaml", "b: 2\n");
  write("outside/c.yaml", "c: 3\n");
  symlinkSync(path.join(tmp, "root/app/sub"), path.join(tmp, "root/app/inside-link"));
  symlinkSync(path.join(tmp, "outside"), path.join(tmp, "root/app/outside-link"));
  symlinkSync(path.join(tmp, "root"), path.join(tmp, "root-link"));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe("Loader", () => {
  it("reads files in its root, also through a symlinked directory that stays inside", () => {
    const ldr = new Loader(path.join(tmp, "root/app"), {});
    expect(ldr.read("a.yaml")).toBe("a: 1\n");
    expect(ldr.read("sub/b.yaml")).toBe("b: 2\n");
    expect(ldr.read("inside-link/b.yaml")).toBe("b: 2\n");
    expect(ldr.readBytes("inside-link/b.yaml").toString()).toBe("b: 2\n");
  });

  it("refuses a file whose directory is a symlink leading out of the root", () => {
    const ldr = new Loader(path.join(tmp, "root/app"), {});
    expect(refusal(() => ldr.read("outside-link/c.yaml"))).toBe(
      "security; file '<tmp>/root/app/outside-link/c.yaml' is not in or below '<tmp>/root/app'",
    );
    expect(refusal(() => ldr.readBytes("outside-link/c.yaml"))).toMatch(/^security; file/);
  });

  it("allows that file without load restrictions, but not outside confineTo", () => {
    const free = new Loader(path.join(tmp, "root/app"), { loadRestrictions: "none" });
    expect(free.read("outside-link/c.yaml")).toBe("c: 3\n");
    const confined = new Loader(path.join(tmp, "root/app"), {
      loadRestrictions: "none",
      confineTo: path.join(tmp, "root"),
    });
    expect(refusal(() => confined.read("outside-link/c.yaml"))).toBe(
      "security; path '<tmp>/root/app/outside-link/c.yaml' is not in or below '<tmp>/root'",
    );
  });

  it("resolves a root reached through a symlinked parent to its real directory", () => {
    const options = {};
    const ldr = new Loader(path.join(tmp, "root-link/app"), options);
    expect(ldr.realRoot).toBe(path.join(tmp, "root/app"));
    expect(ldr.read("a.yaml")).toBe("a: 1\n");
    // A second loader of the same build shares the cached real paths.
    expect(ldr.child(path.join(tmp, "root-link/app/sub")).read("b.yaml")).toBe("b: 2\n");
    expect(refusal(() => ldr.child(path.join(tmp, "root-link/app/sub")).read("../a.yaml"))).toMatch(
      /^security; file '<tmp>\/root-link\/app\/a.yaml' is not in or below '<tmp>\/root\/app\/sub'$/,
    );
  });

  it("tells files from directories, following symbolic links", () => {
    symlinkSync(path.join(tmp, "root/app/a.yaml"), path.join(tmp, "root/app/file-link.yaml"));
    symlinkSync(path.join(tmp, "root/app/gone.yaml"), path.join(tmp, "root/app/dangling.yaml"));
    const ldr = new Loader(path.join(tmp, "root/app"), {});
    const kind = (rel: string): string => ldr.kindOf(path.join(tmp, "root/app", rel));
    expect(["a.yaml", "sub", "inside-link", "file-link.yaml", "dangling.yaml", "missing"].map(kind)).toEqual([
      "file",
      "dir",
      "dir",
      "file",
      "none",
      "none",
    ]);
    // Asked again in the same build, and then read: the answers hold.
    expect(kind("file-link.yaml")).toBe("file");
    expect(ldr.read("file-link.yaml")).toBe("a: 1\n");
    expect(refusal(() => ldr.read("dangling.yaml"))).toMatch(/^evalsymlink failure/);
  });

  it("refuses missing files, directories and files over the size limit", () => {
    const ldr = new Loader(path.join(tmp, "root/app"), { maxFileBytes: 4 });
    expect(refusal(() => ldr.read("missing.yaml"))).toMatch(
      /^evalsymlink failure on '<tmp>\/root\/app\/missing.yaml'/,
    );
    expect(refusal(() => ldr.read("sub"))).toBe("'<tmp>/root/app/sub' is a directory, not a file");
    expect(refusal(() => ldr.read("a.yaml"))).toBe("file '<tmp>/root/app/a.yaml' is larger than 4 bytes");
    expect(refusal(() => new Loader(path.join(tmp, "nowhere"), {}))).toBe(
      "must build at directory: '<tmp>/nowhere': file does not exist",
    );
  });
});
