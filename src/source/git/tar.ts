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

/** Writes a ustar header block into the (zeroed) 512 bytes of buf at `at`. */
function writeHeader(
  buf: Buffer,
  at: number,
  name: string,
  size: number,
  mode: number,
  type: "0" | "5" | "x",
): void {
  buf.write(name, at, 100, "utf8");
  buf.write(octal(mode, 8), at + 100, "latin1");
  buf.write(octal(0, 8), at + 108, "latin1");
  buf.write(octal(0, 8), at + 116, "latin1");
  buf.write(octal(size, 12), at + 124, "latin1");
  buf.write(octal(0, 12), at + 136, "latin1");
  buf.write("        ", at + 148, "latin1");
  buf.write(type, at + 156, "latin1");
  buf.write("ustar\0", at + 257, "latin1");
  buf.write("00", at + 263, "latin1");
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += buf[i] ?? 0;
  buf.write(`${sum.toString(8).padStart(6, "0")}\0 `, at + 148, "latin1");
}

/** One tar header block (ustar). */
function header(name: string, size: number, mode: number, type: "0" | "5" | "x"): Buffer {
  const h = Buffer.alloc(BLOCK);
  writeHeader(h, 0, name, size, mode, type);
  return h;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

// The PAX record of a name longer than ustar's 100 bytes, and the short name its headers carry.
function paxRecord(name: string): { pax: Buffer; short: string } {
  const record = (len: number): string => `${len} path=${name}\n`;
  let len = Buffer.byteLength(record(0));
  while (Buffer.byteLength(record(len)) !== len) len = Buffer.byteLength(record(len));
  return {
    pax: Buffer.from(record(len)),
    short: `PaxHeaders/${createHash("sha1").update(name).digest("hex")}`,
  };
}

/** Header blocks for an entry, with a PAX record when the name does not fit ustar's 100 bytes. */
export function entryHeader(name: string, size: number, mode: number, type: "0" | "5"): Buffer[] {
  if (Buffer.byteLength(name) <= 100) return [header(name, size, mode, type)];
  const { pax, short } = paxRecord(name);
  return [header(short, pax.length, 0o644, "x"), pax, padding(pax.length), header(short, size, mode, type)];
}

const CHUNK = 1 << 20;

/**
 * Lays tar blocks out in zeroed 1 MiB chunks: headers are written in place, small files copied, padding
 * is the zeros already there, and files of a quarter chunk or more are passed on without a copy. One
 * allocation per chunk instead of a header, a data view and a padding buffer per file.
 */
class TarBlocks {
  private buf = Buffer.alloc(CHUNK);
  private at = 0;
  private ready: Buffer[] = [];

  entry(name: string, data: Buffer | Uint8Array | undefined, mode: number, type: "0" | "5"): void {
    const size = data?.length ?? 0;
    if (Buffer.byteLength(name) <= 100) this.header(name, size, mode, type);
    else {
      const { pax, short } = paxRecord(name);
      this.header(short, pax.length, 0o644, "x");
      this.data(pax);
      this.header(short, size, mode, type);
    }
    if (data) this.data(data);
  }

  /** The chunks completed so far. */
  take(): Buffer[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /** Everything left, with the two zero blocks that end an archive. */
  end(): Buffer[] {
    this.room(2 * BLOCK);
    this.at += 2 * BLOCK;
    this.ready.push(this.buf.subarray(0, this.at));
    return this.take();
  }

  private header(name: string, size: number, mode: number, type: "0" | "5" | "x"): void {
    this.room(BLOCK);
    writeHeader(this.buf, this.at, name, size, mode, type);
    this.at += BLOCK;
  }

  private data(data: Buffer | Uint8Array): void {
    const padded = Math.ceil(data.length / BLOCK) * BLOCK;
    if (data.length >= CHUNK / 4) {
      if (this.at > 0) this.ready.push(this.buf.subarray(0, this.at));
      this.buf = Buffer.alloc(CHUNK);
      this.at = 0;
      this.ready.push(Buffer.from(data.buffer, data.byteOffset, data.length));
      this.at = padded - data.length;
      return;
    }
    this.room(padded);
    this.buf.set(data, this.at);
    this.at += padded;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.ready.push(this.buf.subarray(0, this.at));
    this.buf = Buffer.alloc(CHUNK);
    this.at = 0;
  }
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

/**
 * Sorts files in compareTreeOrder() without splitting paths on every comparison: with "/" mapped to the
 * lowest character, plain string order is segment-by-segment order with a directory before its contents.
 */
export function sortTreeOrder<T extends { path: string }>(files: readonly T[]): T[] {
  const keyed = files.map((f) => ({ f, key: f.path.replaceAll("/", "\0") }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.f);
}

// The archive's bytes in chunks: entries in tree order, each directory before its first file.
async function* chunks(files: readonly TarEntry[], counter: { files: number }): AsyncGenerator<Buffer> {
  const dirs = new Set<string>();
  const blocks = new TarBlocks();
  let lastDir = "";
  for (const f of sortTreeOrder(files)) {
    const slash = f.path.lastIndexOf("/");
    const dir = slash < 0 ? "" : f.path.slice(0, slash);
    if (dir !== lastDir) {
      for (let at = f.path.indexOf("/"); at >= 0; at = f.path.indexOf("/", at + 1)) {
        const d = f.path.slice(0, at);
        if (!dirs.has(d)) {
          dirs.add(d);
          blocks.entry(`${d}/`, undefined, 0o755, "5");
        }
      }
      lastDir = dir;
    }
    const data = typeof f.data === "function" ? await f.data() : f.data;
    blocks.entry(f.path, data, f.executable ? 0o755 : 0o644, "0");
    counter.files += 1;
    yield* blocks.take();
  }
  yield* blocks.end();
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
  await pipeline(
    Readable.from(chunks(files, counter)),
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
