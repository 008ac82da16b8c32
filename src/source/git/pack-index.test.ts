import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectStore } from "./objects.ts";
import { indexPack, PackError, PackIndexer } from "./pack-index.ts";

let dir: string;
let base: string;
let tip: string;
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};
const git = (...args: string[]): string =>
  execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env }).trim();

// A pack of the given revisions from `git pack-objects` (extra flags select delta encodings).
function packOf(revs: string, ...flags: string[]): Buffer {
  return execFileSync("git", ["-C", dir, "pack-objects", "--stdout", "-q", ...flags], { input: revs, env });
}

// The .idx that `git index-pack` writes for the pack.
function gitIndex(pack: Buffer, name: string): Buffer {
  const file = join(dir, `${name}.pack`);
  writeFileSync(file, pack);
  execFileSync("git", ["index-pack", "-o", join(dir, `${name}.idx`), file], { env });
  return readFileSync(join(dir, `${name}.idx`));
}

// Objects git stores as deltas in the pack indexed as name (from `git verify-pack -s`).
function deltas(name: string): number {
  const out = execFileSync("git", ["verify-pack", "-s", join(dir, `${name}.idx`)], { encoding: "utf8", env });
  return [...out.matchAll(/chain length = \d+: (\d+) objects?/g)].reduce((n, m) => n + Number(m[1]), 0);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "driftless-pack-index-"));
  git("init", "-q", "-b", "main");
  // Versions of the same large files make pack-objects store deltas, some of them chained.
  for (let i = 0; i < 8; i++) {
    for (let f = 0; f < 4; f++) {
      const lines = Array.from({ length: 300 }, (_, n) => `key${n}: value ${n * f} ${n === i * 7 ? i : ""}`);
      writeFileSync(join(dir, `file${f}.yaml`), `${lines.join("\n")}\n`);
    }
    writeFileSync(join(dir, `small${i}.txt`), `small ${i}\n`);
    git("add", "-A");
    git("commit", "-q", "-m", `commit ${i}`);
    if (i === 5) base = git("rev-parse", "HEAD");
  }
  tip = git("rev-parse", "HEAD");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("indexPack", () => {
  it("writes the same .idx as git index-pack for a pack with offset deltas", async () => {
    const pack = packOf(`${tip}\n`, "--revs", "--delta-base-offset");
    const index = await indexPack(pack);
    expect(index.idx.equals(gitIndex(pack, "ofs"))).toBe(true);
    expect(deltas("ofs")).toBeGreaterThan(10);
    expect(index.checksum).toBe(pack.toString("hex", pack.length - 20));
    expect(index.objects.size).toBe(git("rev-list", "--objects", tip).split("\n").length);
  });

  it("writes the same .idx as git index-pack for a pack with ref deltas", async () => {
    const pack = packOf(`${tip}\n`, "--revs", "--no-reuse-delta");
    const index = await indexPack(pack);
    expect(index.idx.equals(gitIndex(pack, "ref"))).toBe(true);
    expect(deltas("ref")).toBeGreaterThan(10);
  });

  it("resolves a thin pack's deltas against objects outside it", async () => {
    const pack = packOf(`${tip}\n^${base}\n`, "--revs", "--thin", "--no-reuse-delta");
    await expect(indexPack(pack)).rejects.toThrow(PackError);
    const store = await ObjectStore.open(join(dir, ".git"));
    const index = await indexPack(pack, { external: (oid) => store.read(oid) });
    const expected = git("rev-list", "--objects", tip, `^${base}`)
      .split("\n")
      .map((l) => l.slice(0, 40))
      .sort();
    expect([...index.objects.keys()].sort()).toEqual(expected);
  });

  it("resolves deltas against small caches by reading bases again", async () => {
    const pack = packOf(`${tip}\n`, "--revs", "--delta-base-offset");
    const index = await indexPack(pack, { cacheBytes: 1024 });
    expect(index.idx.equals(gitIndex(pack, "small-cache"))).toBe(true);
  });

  it.each([1, 7, 4096])(
    "indexes a pack that arrives in chunks of %i bytes as git index-pack does",
    async (size) => {
      const pack = packOf(`${tip}\n`, "--revs", "--delta-base-offset");
      const indexer = new PackIndexer();
      for (let at = 0; at < pack.length; at += size) await indexer.push(pack.subarray(at, at + size));
      const { index, pack: whole } = await indexer.finish();
      expect(whole.equals(pack)).toBe(true);
      expect(index.idx.equals(gitIndex(pack, `chunks-${size}`))).toBe(true);
      expect(index.inflated.size).toBe(index.objects.size);
    },
  );

  it.each([
    ["truncated", (p: Buffer) => p.subarray(0, p.length - 100)],
    ["with a flipped byte", (p: Buffer) => Buffer.from(p).fill(p[200] === 0 ? 1 : 0, 200, 201)],
    ["empty", () => Buffer.alloc(0)],
  ])("refuses a pack %s", async (_name, damage) => {
    const pack = packOf(`${tip}\n`, "--revs");
    await expect(indexPack(damage(pack))).rejects.toThrow(PackError);
  });
});
