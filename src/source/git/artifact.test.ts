import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ArtifactLocation,
  garbageCollect,
  objectDir,
  readArtifact,
  stagedTree,
  stagingDir,
  storeArtifact,
} from "./artifact.ts";
import { archiveDir, archiveFiles, compareTreeOrder, sortTreeOrder } from "./tar.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "driftless-artifact-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeTree(dir: string, files: Record<string, string>, mtime: number): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
    utimesSync(join(dir, path), mtime, mtime);
  }
}

const longName = `${"deep/".repeat(30)}file.yaml`;
const files = { "b.yaml": "b", "a/x.yaml": "x", "a/y.sh": "#!/bin/sh\n", [longName]: "long" };

describe("archiveFiles", () => {
  // Pinned: artifacts stored before a change to the archiver must keep their digest for the same tree
  // (a new digest would make every GitRepository publish a new artifact). Covers nested directories,
  // executables, empty and block-sized files, a PAX long name, non-ASCII names, a file larger than the
  // archiver's batches and enough small files to span several batches.
  it("keeps the digest of a fixed tree byte for byte", async () => {
    const big = Buffer.alloc(3 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const entries = [
      { path: "b.yaml", executable: false, data: Buffer.from("b: 1\n") },
      { path: "a/x.yaml", executable: false, data: Buffer.from("x") },
      { path: "a/run.sh", executable: true, data: Buffer.from("#!/bin/sh\necho hi\n") },
      { path: "a/empty", executable: false, data: Buffer.alloc(0) },
      { path: "a/exact.bin", executable: false, data: Buffer.alloc(512, 1) },
      { path: longName, executable: false, data: Buffer.from("long") },
      { path: "ünï/cödé.yaml", executable: false, data: Buffer.from("unicode") },
      { path: "z/big.bin", executable: false, data: big },
      ...Array.from({ length: 3000 }, (_, i) => ({
        path: `many/d${i % 7}/f${i}.yaml`,
        executable: i % 5 === 0,
        data: Buffer.from(`n: ${i}\n`.repeat(i % 40)),
      })),
    ];
    const result = await archiveFiles(entries, join(root, "golden.tar.gz"));
    expect(result.digest).toBe("sha256:58e95fc78ad6fa9e3408a1164ea38f11b61404cf96245064e03d4e162afbd8ec");
    expect(result.files).toBe(entries.length);
  });
});

describe("sortTreeOrder", () => {
  it("orders paths as compareTreeOrder does", () => {
    const names = ["a", "a-b", "a.b", "a0", "A", "b", "é", "z~", ".x"];
    const paths: string[] = [];
    for (const x of names) for (const y of names) paths.push(`${x}/${y}`, `${x}/${y}/${x}`, `${x}${y}`);
    const reversed = [...new Set(paths)].reverse().map((path) => ({ path }));
    const expected = [...reversed].sort((a, b) => compareTreeOrder(a.path, b.path));
    expect(sortTreeOrder(reversed).map((f) => f.path)).toEqual(expected.map((f) => f.path));
  });
});

describe("archiveDir", () => {
  it("gives the same digest for the same tree regardless of mtimes, order of creation and umask bits", async () => {
    const one = join(root, "one");
    const two = join(root, "two");
    writeTree(one, files, 1_000_000);
    writeTree(two, Object.fromEntries(Object.entries(files).reverse()), 2_000_000);
    chmodSync(join(one, "b.yaml"), 0o600);
    const a = await archiveDir(one, join(root, "one.tar.gz"));
    const b = await archiveDir(two, join(root, "two.tar.gz"));
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(a.digest).toBe(b.digest);
    expect(a.files).toBe(4);
    writeFileSync(join(two, "b.yaml"), "changed");
    expect((await archiveDir(two, join(root, "three.tar.gz"))).digest).not.toBe(a.digest);
  });

  it("gives the same digest archiving from memory as from the directory", async () => {
    const dir = join(root, "m");
    writeTree(dir, files, 1_000_000);
    chmodSync(join(dir, "a/y.sh"), 0o755);
    const fromDisk = await archiveDir(dir, join(root, "disk.tar.gz"));
    const entries = Object.entries(files).map(([path, content]) => ({
      path,
      executable: path.endsWith(".sh"),
      data: Buffer.from(content),
    }));
    expect((await archiveFiles(entries, join(root, "mem.tar.gz"))).digest).toBe(fromDisk.digest);
  });

  it("writes a tarball that tar reads back: sorted, root-owned, epoch mtimes, normalised modes, long names", async () => {
    const dir = join(root, "t");
    writeTree(dir, files, 1_000_000);
    chmodSync(join(dir, "a/y.sh"), 0o700);
    symlinkSync("b.yaml", join(dir, "link"));
    await archiveDir(dir, join(root, "t.tar.gz"));
    const listing = execFileSync("tar", ["-tvzf", join(root, "t.tar.gz"), "--numeric-owner"], {
      encoding: "utf8",
    });
    const lines = listing.trim().split("\n");
    expect(lines[0]).toMatch(/^drwxr-xr-x 0\/0\s+0 1970-01-01 00:00 a\/$/);
    expect(lines[1]).toMatch(/^-rw-r--r-- 0\/0\s+1 1970-01-01 00:00 a\/x\.yaml$/);
    expect(lines[2]).toMatch(/^-rwxr-xr-x 0\/0\s+10 1970-01-01 00:00 a\/y\.sh$/);
    expect(listing).toContain(longName);
    expect(listing).not.toContain("link");
    const out = join(root, "out");
    mkdirSync(out);
    execFileSync("tar", ["-xzf", join(root, "t.tar.gz"), "-C", out]);
    expect(readdirSync(join(out, "a")).sort()).toEqual(["x.yaml", "y.sh"]);
    expect(existsSync(join(out, longName))).toBe(true);
  });
});

describe("artifact storage", () => {
  const loc = (): ArtifactLocation => ({ root, kind: "gitrepository", namespace: "ns", name: "app" });

  async function store(content: string, revision: string, when: Date) {
    const staging = await stagingDir(loc());
    writeTree(stagedTree(staging), { "app.yaml": content }, 1);
    return storeArtifact(loc(), staging, revision, { now: when });
  }

  it("stores tree, tarball and metadata under the digest and removes the staging directory", async () => {
    const a = await store("one", "main@sha1:1", new Date("2026-01-01T00:00:00.123Z"));
    expect(a.path).toBe(`gitrepository/ns/app/${a.digest.slice(7)}.tar.gz`);
    expect(a.lastUpdateTime).toBe("2026-01-01T00:00:00Z");
    expect(existsSync(join(a.dir, "app.yaml"))).toBe(true);
    expect(readdirSync(objectDir(loc())).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    expect(await readArtifact(loc(), a.digest)).toEqual(a);
    const again = await store("one", "main@sha1:1", new Date());
    expect(again.digest).toBe(a.digest);
  });

  it("keeps the newest artifacts and the current one, removing the rest and stale staging dirs", async () => {
    const made = [];
    for (let i = 0; i < 4; i++) {
      const a = await store(`v${i}`, `main@sha1:${i}`, new Date());
      const meta = join(objectDir(loc()), `${a.digest.slice(7)}.json`);
      utimesSync(meta, 1000 + i, 1000 + i);
      made.push(a);
    }
    const stale = await stagingDir(loc());
    utimesSync(stale, 1, 1);
    const removed = await garbageCollect(loc(), { keep: 2, current: [made[0]?.digest ?? ""] });
    expect(removed).toEqual([made[1]?.digest]);
    expect(existsSync(stale)).toBe(false);
    expect(await readArtifact(loc(), made[0]?.digest ?? "")).toBeDefined();
    expect(await readArtifact(loc(), made[3]?.digest ?? "")).toBeDefined();
    expect(await readArtifact(loc(), made[2]?.digest ?? "")).toBeDefined();
    expect(await readArtifact(loc(), made[1]?.digest ?? "")).toBeUndefined();
    expect(existsSync(join(objectDir(loc()), made[1]?.digest.slice(7) ?? "x"))).toBe(false);
  });
});
