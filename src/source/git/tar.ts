// A deterministic gzipped tarball of a file tree: entries in depth-first sorted order, directories (those
// holding files) and regular files only (symlinks are left out, as Flux does), owner 0:0 with no names, mtime 0, modes normalised to 0755
// for directories and executables and 0644 for other files. The same tree always gives the same bytes,
// hence the same sha256 digest, whether archived from a directory or from the files in memory.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

/** The digest and size of a written archive. */
export interface ArchiveResult {
  /** "sha256:<hex>" of the .tar.gz bytes. */
  digest: string;
  size: number;
  /** Regular files archived. */
  files: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** One tar header block (ustar). */
function header(name: string, size: number, mode: number, type: "0" | "5" | "x"): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  h.write(octal(mode, 8), 100, "latin1");
  h.write(octal(0, 8), 108, "latin1");
  h.write(octal(0, 8), 116, "latin1");
  h.write(octal(size, 12), 124, "latin1");
  h.write(octal(0, 12), 136, "latin1");
  h.write("        ", 148, "latin1");
  h.write(type, 156, "latin1");
  h.write("ustar\0", 257, "latin1");
  h.write("00", 263, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Header blocks for an entry, with a PAX record when the name does not fit ustar's 100 bytes. */
export function entryHeader(name: string, size: number, mode: number, type: "0" | "5"): Buffer[] {
  if (Buffer.byteLength(name) <= 100) return [header(name, size, mode, type)];
  const record = (len: number): string => `${len} path=${name}\n`;
  let len = Buffer.byteLength(record(0));
  while (Buffer.byteLength(record(len)) !== len) len = Buffer.byteLength(record(len));
  const pax = Buffer.from(record(len));
  const short = `PaxHeaders/${createHash("sha1").update(name).digest("hex")}`;
  return [header(short, pax.length, 0o644, "x"), pax, padding(pax.length), header(short, size, mode, type)];
}

/** A file to archive: its content, or a loader for it. Directories are derived from the paths. */
export interface TarEntry {
  /** Relative, "/"-separated path. */
  path: string;
  executable: boolean;
  data: Buffer | Uint8Array | (() => Promise<Buffer>);
}

/** Depth-first tree order: segment by segment, a directory before its contents. */
export function compareTreeOrder(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

async function* entries(files: readonly TarEntry[], counter: { files: number }): AsyncGenerator<Buffer> {
  const sorted = [...files].sort((a, b) => compareTreeOrder(a.path, b.path));
  const dirs = new Set<string>();
  for (const f of sorted) {
    const parts = f.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join("/");
      if (!dirs.has(d)) {
        dirs.add(d);
        yield* entryHeader(`${d}/`, 0, 0o755, "5");
      }
    }
    const data = typeof f.data === "function" ? await f.data() : f.data;
    yield* entryHeader(f.path, data.length, f.executable ? 0o755 : 0o644, "0");
    yield Buffer.from(data.buffer, data.byteOffset, data.length);
    yield padding(data.length);
    counter.files += 1;
  }
}

/** The regular files under dir (symlinks and other types are left out), with loaders for their content. */
export async function listFiles(dir: string): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const full = join(dir, path);
        const st = await lstat(full);
        out.push({ path, executable: (st.mode & 0o111) !== 0, data: () => readFile(full) });
      }
    }
  };
  await walk("");
  return out;
}

/** Writes the files as a deterministic .tar.gz to outFile and returns its digest. */
export async function archiveFiles(files: readonly TarEntry[], outFile: string): Promise<ArchiveResult> {
  const hash = createHash("sha256");
  let size = 0;
  const counter = { files: 0 };
  const tap = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  // Batch the many small header/padding buffers: stream overhead per chunk dominates otherwise.
  async function* all(): AsyncGenerator<Buffer> {
    let batch: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of entries(files, counter)) {
      batch.push(chunk);
      bytes += chunk.length;
      if (bytes >= 1 << 20) {
        yield Buffer.concat(batch);
        batch = [];
        bytes = 0;
      }
    }
    batch.push(Buffer.alloc(BLOCK * 2));
    yield Buffer.concat(batch);
  }
  await pipeline(
    Readable.from(all()),
    createGzip({ level: 6 }),
    tap,
    createWriteStream(outFile, { mode: 0o600 }),
  );
  return { digest: `sha256:${hash.digest("hex")}`, size, files: counter.files };
}

/** Writes the directory's regular files as a deterministic .tar.gz to outFile and returns its digest. */
export async function archiveDir(dir: string, outFile: string): Promise<ArchiveResult> {
  return archiveFiles(await listFiles(dir), outFile);
}
