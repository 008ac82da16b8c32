// A read-only git object store over a repository's pack files (version 2 .idx + .pack) and loose objects,
// for writing trees quickly: each pack is read into memory once, objects are inflated on demand, and
// delta bases are memoised, so a 20,000-file tree costs one pass instead of one lookup chain per blob
// (isomorphic-git's readObject re-resolves delta chains and probes for loose files on every call).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { inflateSync } from "node:zlib";

/** A git object's type. */
export type ObjectType = "commit" | "tree" | "blob" | "tag";

/** An object's type and content. */
export interface GitObject {
  type: ObjectType;
  data: Buffer;
}

/** One entry of a tree object. */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

const TYPES: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };

/** A pack in memory: its bytes, its index, and objects already inflated from it (if any). */
export interface LoadedPack {
  data: Buffer;
  offsets: Map<string, number>;
  objects?: ReadonlyMap<string, GitObject>;
}
type Pack = LoadedPack;

// Packs indexed by this process a moment ago, with the objects the indexer still holds inflated: the
// tree written right after a fetch reads them from here instead of reading and inflating them again.
const recentPacks = new Map<string, { pack: LoadedPack; timer: NodeJS.Timeout }>();

/** Hands a just-indexed pack (by its .pack path) to the ObjectStores opened within ttlMs. */
export function keepIndexedPack(packFile: string, pack: LoadedPack, ttlMs = 10_000): void {
  const old = recentPacks.get(packFile);
  if (old) clearTimeout(old.timer);
  const timer = setTimeout(() => recentPacks.delete(packFile), ttlMs);
  timer.unref();
  recentPacks.set(packFile, { pack, timer });
}

/** Parses a version 2 pack index into oid → offset. */
export function parsePackIndex(idx: Buffer): Map<string, number> {
  if (idx.readUInt32BE(0) !== 0xff744f63 || idx.readUInt32BE(4) !== 2) {
    throw new Error("unsupported pack index (version 2 expected)");
  }
  const count = idx.readUInt32BE(8 + 255 * 4);
  const oidsAt = 8 + 256 * 4;
  const offsetsAt = oidsAt + count * 20 + count * 4;
  const largeAt = offsetsAt + count * 4;
  const out = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const oid = idx.toString("hex", oidsAt + i * 20, oidsAt + i * 20 + 20);
    let offset = idx.readUInt32BE(offsetsAt + i * 4);
    if (offset & 0x80000000) offset = Number(idx.readBigUInt64BE(largeAt + (offset & 0x7fffffff) * 8));
    out.set(oid, offset);
  }
  return out;
}

/** Applies a git delta to its base. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    let b: number;
    do {
      b = delta[pos++] ?? 0;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return value;
  };
  const srcSize = varint();
  if (srcSize !== base.length) throw new Error("delta base size mismatch");
  const out = Buffer.alloc(varint());
  let at = 0;
  while (pos < delta.length) {
    const op = delta[pos++] ?? 0;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += (delta[pos++] ?? 0) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) size += (delta[pos++] ?? 0) << (8 * i);
      if (size === 0) size = 0x10000;
      base.copy(out, at, offset, offset + size);
      at += size;
    } else if (op > 0) {
      delta.copy(out, at, pos, pos + op);
      at += op;
      pos += op;
    } else {
      throw new Error("invalid delta opcode 0");
    }
  }
  if (at !== out.length) throw new Error("delta result size mismatch");
  return out;
}

/** The message of a commit object (what follows the headers' blank line). */
export function commitMessage(data: Buffer): string {
  const text = data.toString("utf8");
  const at = text.indexOf("\n\n");
  return at < 0 ? "" : text.slice(at + 2);
}

/** Reads objects from a repository's packs and loose objects. */
export class ObjectStore {
  private readonly gitdir: string;
  private readonly packs: Pack[];
  private readonly memo = new Map<string, GitObject>();

  private constructor(gitdir: string, packs: Pack[]) {
    this.gitdir = gitdir;
    this.packs = packs;
  }

  /** Loads every pack of gitdir (objects/pack/*.idx with its .pack) into memory. */
  static async open(gitdir: string): Promise<ObjectStore> {
    const dir = join(gitdir, "objects", "pack");
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch {
      // no packs yet
    }
    const packs: Pack[] = [];
    for (const n of names.filter((f) => f.endsWith(".idx")).sort()) {
      const packFile = join(dir, n.replace(/\.idx$/, ".pack"));
      const kept = recentPacks.get(packFile);
      if (kept) {
        packs.push(kept.pack);
        continue;
      }
      try {
        const idx = await readFile(join(dir, n));
        const data = await readFile(packFile);
        packs.push({ data, offsets: parsePackIndex(idx) });
      } catch {
        // an index without its pack (an interrupted write) holds nothing usable
      }
    }
    return new ObjectStore(gitdir, packs);
  }

  /** The object, or undefined when this store does not hold it. */
  async read(oid: string): Promise<GitObject | undefined> {
    const hit = this.memo.get(oid);
    if (hit) return hit;
    for (const pack of this.packs) {
      const offset = pack.offsets.get(oid);
      if (offset !== undefined) return pack.objects?.get(oid) ?? this.readPacked(pack, offset, oid);
    }
    return this.readLoose(oid);
  }

  /** The object; throws when it is missing or not of the expected type. */
  async get(oid: string, type?: ObjectType): Promise<GitObject> {
    const obj = await this.read(oid);
    if (!obj) throw new Error(`object ${oid} not found`);
    if (type && obj.type !== type) throw new Error(`object ${oid} is a ${obj.type}, not a ${type}`);
    return obj;
  }

  private async readLoose(oid: string): Promise<GitObject | undefined> {
    let raw: Buffer;
    try {
      raw = inflateSync(await readFile(join(this.gitdir, "objects", oid.slice(0, 2), oid.slice(2))));
    } catch {
      return undefined;
    }
    const nul = raw.indexOf(0);
    const type = raw.subarray(0, raw.indexOf(0x20)).toString("latin1") as ObjectType;
    return { type, data: raw.subarray(nul + 1) };
  }

  private async readPacked(pack: Pack, offset: number, oid?: string): Promise<GitObject> {
    const key = oid ?? `@${this.packs.indexOf(pack)}:${offset}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const head = packEntryHeader(pack.data, offset);
    const raw = inflateObject(pack.data.subarray(head.dataAt), head.size).data;
    let obj: GitObject;
    if (head.baseOffset !== undefined) {
      const base = await this.readPacked(pack, head.baseOffset);
      obj = { type: base.type, data: applyDelta(base.data, raw) };
    } else if (head.baseOid !== undefined) {
      const base = await this.get(head.baseOid);
      obj = { type: base.type, data: applyDelta(base.data, raw) };
    } else {
      const type = TYPES[head.kind];
      if (!type) throw new Error(`unknown pack object type ${head.kind} at ${offset}`);
      obj = { type, data: raw };
    }
    // Trees and delta bases are read again; blobs that are nobody's base are not worth keeping.
    if (obj.type !== "blob" || oid === undefined) this.memo.set(key, obj);
    return obj;
  }
}

/** The header of a pack entry: its kind (1–4 objects, 6 ofs-delta, 7 ref-delta), size and delta base. */
export interface PackEntryHeader {
  kind: number;
  /** Inflated size (of the object, or of the delta). */
  size: number;
  /** Where the compressed data starts. */
  dataAt: number;
  baseOffset?: number;
  baseOid?: string;
}

/** Parses the header of the pack entry at offset. */
export function packEntryHeader(pack: Buffer, offset: number): PackEntryHeader {
  let pos = offset;
  let b = pack[pos++] ?? 0;
  const kind = (b >> 4) & 7;
  let size = b & 0x0f;
  for (let shift = 4; b & 0x80; shift += 7) {
    b = pack[pos++] ?? 0;
    size += (b & 0x7f) * 2 ** shift;
  }
  if (kind === 6) {
    b = pack[pos++] ?? 0;
    let back = b & 0x7f;
    while (b & 0x80) {
      b = pack[pos++] ?? 0;
      back = (back + 1) * 128 + (b & 0x7f);
    }
    return { kind, size, dataAt: pos, baseOffset: offset - back };
  }
  if (kind === 7) return { kind, size, dataAt: pos + 20, baseOid: pack.toString("hex", pos, pos + 20) };
  return { kind, size, dataAt: pos };
}

/**
 * Inflates a zlib stream of known size from the start of input (which may go on past it) into a buffer
 * of exactly that size, and says how many input bytes it took. Node's default 16 KiB output chunk would
 * otherwise stay allocated behind every small object.
 */
export function inflateObject(input: Buffer, size: number): { data: Buffer; consumed: number } {
  const res = inflateSync(input, { info: true, chunkSize: Math.max(64, size + 1) }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  if (res.buffer.length !== size) throw new Error(`inflated ${res.buffer.length} bytes, expected ${size}`);
  return { data: res.buffer, consumed: res.engine.bytesWritten };
}

/** Parses a tree object's entries. */
export function parseTree(data: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > data.length) throw new Error("malformed tree object");
    out.push({
      mode: data.toString("latin1", pos, space).padStart(6, "0"),
      name: data.toString("utf8", space + 1, nul),
      oid: data.toString("hex", nul + 1, nul + 21),
    });
    pos = nul + 21;
  }
  return out;
}

/** The value of a header line ("tree", "object", …) of a commit or tag object. */
export function objectHeader(data: Buffer, name: string): string | undefined {
  const end = data.indexOf("\n\n");
  const head = data.toString("utf8", 0, end < 0 ? data.length : end);
  for (const line of head.split("\n")) if (line.startsWith(`${name} `)) return line.slice(name.length + 1);
  return undefined;
}
