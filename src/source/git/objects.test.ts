import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyDelta,
  commitMessage,
  keepIndexedPack,
  ObjectStore,
  objectHeader,
  parseTree,
} from "./objects.ts";
import { indexPack } from "./pack-index.ts";

let dir: string;
const git = (...args: string[]): string =>
  execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  }).trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "driftless-objects-"));
  git("init", "-q", "-b", "main");
  // Similar versions of one file make git store deltas in the pack.
  for (let i = 0; i < 5; i++) {
    writeFileSync(join(dir, "big.yaml"), `${"line of yaml content\n".repeat(200)}version: ${i}\n`);
    writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
    git("add", "-A");
    git("commit", "-q", "-m", `commit ${i}`);
  }
  git("tag", "-a", "v1", "-m", "tag");
  git("gc", "-q", "--aggressive");
  writeFileSync(join(dir, "loose.txt"), "loose\n");
  git("add", "loose.txt");
  git("commit", "-q", "-m", "loose");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("ObjectStore", () => {
  it("reads every object of a packed repository, deltas included, as git cat-file does", async () => {
    const store = await ObjectStore.open(join(dir, ".git"));
    const oids = git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)").split(
      "\n",
    );
    expect(oids.length).toBeGreaterThan(20);
    for (const line of oids) {
      const [oid, type] = line.split(" ") as [string, string];
      const obj = await store.get(oid);
      expect(obj.type).toBe(type);
      const expected = execFileSync("git", ["-C", dir, "cat-file", type, oid]);
      expect(obj.data.equals(expected)).toBe(true);
    }
  });

  it("parses trees, commit headers and tag headers", async () => {
    const store = await ObjectStore.open(join(dir, ".git"));
    const head = git("rev-parse", "HEAD");
    const commit = await store.get(head, "commit");
    const tree = objectHeader(commit.data, "tree") ?? "";
    expect(tree).toBe(git("rev-parse", "HEAD^{tree}"));
    const entries = parseTree((await store.get(tree, "tree")).data);
    expect(entries.map((e) => e.name)).toEqual([
      "big.yaml",
      "f0.txt",
      "f1.txt",
      "f2.txt",
      "f3.txt",
      "f4.txt",
      "loose.txt",
    ]);
    expect(entries[0]?.mode).toBe("100644");
    const tag = await store.get(git("rev-parse", "v1"), "tag");
    expect(objectHeader(tag.data, "object")).toBe(git("rev-parse", "HEAD~1"));
  });

  it("takes a pack just indexed from memory, inflated objects included, until the hand-over expires", async () => {
    const packDir = join(dir, ".git", "objects", "pack");
    const packFile = join(packDir, readdirSync(packDir).find((f) => f.endsWith(".pack")) ?? "");
    const data = readFileSync(packFile);
    const index = await indexPack(data);
    const head = git("rev-parse", "HEAD~1");
    expect(index.inflated.get(head)?.type).toBe("commit");
    // A marked copy of the commit proves which source the store read.
    const marked = { type: "commit" as const, data: Buffer.from("handed over") };
    keepIndexedPack(packFile, { data, offsets: index.objects, objects: new Map([[head, marked]]) }, 50);
    expect((await (await ObjectStore.open(join(dir, ".git"))).get(head)).data.toString()).toBe("handed over");
    await new Promise((r) => setTimeout(r, 100));
    const fromDisk = await (await ObjectStore.open(join(dir, ".git"))).get(head);
    expect(fromDisk.data.equals(execFileSync("git", ["-C", dir, "cat-file", "commit", head]))).toBe(true);
  });

  it("returns undefined for an object it does not hold", async () => {
    const store = await ObjectStore.open(join(dir, ".git"));
    expect(await store.read("0".repeat(40))).toBeUndefined();
  });
});

describe("applyDelta", () => {
  it("copies from the base and inserts literal bytes", () => {
    const base = Buffer.from("hello world");
    // source size 11, target size 11; copy offset 0 size 6 ("hello "), insert "there"
    const delta = Buffer.from([11, 11, 0x90, 6, 5, ...Buffer.from("there")]);
    expect(applyDelta(base, delta).toString()).toBe("hello there");
  });

  it("rejects a delta for another base", () => {
    expect(() => applyDelta(Buffer.from("x"), Buffer.from([5, 1, 1, 0x41]))).toThrow(/base size/);
  });
});

describe("commitMessage", () => {
  it("returns what follows the headers, multi-line signature headers included", () => {
    const commit = Buffer.from(
      "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n" +
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nSubject line\n\nBody\n",
    );
    expect(commitMessage(commit)).toBe("Subject line\n\nBody\n");
    expect(commitMessage(Buffer.from("tree x\n"))).toBe("");
  });
});
