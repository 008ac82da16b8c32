// A deterministic gzipped tarball of a directory: entries in sorted order, directories and regular files
// only (symlinks are left out, as Flux does), owner 0:0 with no names, mtime 0, modes normalised to 0755
// for directories and executables and 0644 for other files. The same tree always gives the same bytes,
// hence the same sha256 digest.
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

async function* entries(root: string, rel: string, counter: { files: number }): AsyncGenerator<Buffer> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const path = rel === "" ? name : `${rel}/${name}`;
    const st = await lstat(join(root, path));
    if (st.isDirectory()) {
      yield* entryHeader(`${path}/`, 0, 0o755, "5");
      yield* entries(root, path, counter);
    } else if (st.isFile()) {
      const data = await readFile(join(root, path));
      yield* entryHeader(path, data.length, st.mode & 0o111 ? 0o755 : 0o644, "0");
      yield data;
      yield padding(data.length);
      counter.files += 1;
    }
  }
}

/** Writes the directory as a deterministic .tar.gz to outFile and returns its digest. */
export async function archiveDir(dir: string, outFile: string): Promise<ArchiveResult> {
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
  async function* all(): AsyncGenerator<Buffer> {
    yield* entries(dir, "", counter);
    yield Buffer.alloc(BLOCK * 2);
  }
  await pipeline(
    Readable.from(all()),
    createGzip({ level: 6 }),
    tap,
    createWriteStream(outFile, { mode: 0o600 }),
  );
  return { digest: `sha256:${hash.digest("hex")}`, size, files: counter.files };
}
