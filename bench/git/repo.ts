// Generates a large repository for the git benchmark with one `git fast-import` run: a first commit with
// every file, then commits that each edit a few files, then `git repack -a -d` as a server would hold it.
// Contents come from a seeded generator, so every run builds the same repository.
import { spawn } from "node:child_process";
import { run } from "../../test/harness/git/exec.ts";

/** Shape of the generated repository. */
export interface RepoShape {
  files: number;
  commits: number;
  /** Files edited by each commit after the first (default 40). */
  editsPerCommit?: number;
}

// xorshift32: deterministic, fast, good enough to keep zlib from compressing the files to nothing.
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = ["alpha", "beta", "gamma", "delta", "replicas", "image", "port", "env", "name", "value"];

function filePath(i: number): string {
  const dir = Math.floor(i / 100);
  return `apps/team${String(Math.floor(dir / 20)).padStart(3, "0")}/svc${String(dir).padStart(4, "0")}/res${String(i).padStart(5, "0")}.yaml`;
}

// A ConfigMap-like YAML file of about 700 bytes, part random.
function fileContent(i: number, version: number, next: () => number): string {
  const lines = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: res${i}`,
    `  labels: { app: svc${Math.floor(i / 100)}, version: "${version}" }`,
    "data:",
  ];
  for (let k = 0; k < 12; k++) {
    const word = WORDS[next() % WORDS.length] ?? "x";
    lines.push(`  ${word}${k}: "${next().toString(16)}${next().toString(36)}"`);
  }
  return `${lines.join("\n")}\n`;
}

/** Fills the (empty, bare) repository at dir on branch; returns the tip commit. */
export async function generateRepo(dir: string, branch: string, shape: RepoShape): Promise<string> {
  const next = rng(0x5eed);
  const edits = shape.editsPerCommit ?? 40;
  const child = spawn("git", ["-C", dir, "fast-import", "--quiet", "--done"], {
    stdio: ["pipe", "ignore", "pipe"],
  });
  const errors: Buffer[] = [];
  child.stderr.on("data", (b: Buffer) => errors.push(b));
  const exited = new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
  // Respect back-pressure: the stream is a few tens of megabytes.
  const write = async (s: string): Promise<void> => {
    if (!child.stdin.write(s)) await new Promise<void>((r) => child.stdin.once("drain", () => r()));
  };
  const data = (s: string): string => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const time = 1_700_000_000;
  for (let c = 0; c < shape.commits; c++) {
    const ident = `Bench <bench@driftless.invalid> ${time + c * 60} +0000`;
    const header = `commit refs/heads/${branch}\nauthor ${ident}\ncommitter ${ident}\n${data(`commit ${c}\n`)}`;
    const paths = c === 0 ? Array.from({ length: shape.files }, (_, i) => i) : [];
    if (c > 0) for (let k = 0; k < edits; k++) paths.push(next() % shape.files);
    await write(header);
    for (const i of paths) {
      await write(`M 100644 inline ${filePath(i)}\n${data(fileContent(i, c, next))}`);
    }
    await write("\n");
  }
  await write("done\n");
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`git fast-import exited ${code}: ${Buffer.concat(errors).toString()}`);
  await run("git", ["-C", dir, "repack", "-a", "-d", "-q"], { timeoutMs: 600_000 });
  const { stdout } = await run("git", ["-C", dir, "rev-parse", `refs/heads/${branch}`]);
  return stdout.trim();
}
