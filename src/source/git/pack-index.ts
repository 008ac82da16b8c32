// Indexing a downloaded pack (what `git index-pack` does) with Node's native zlib and hashes: one pass
// over the pack in order, each object inflated once, each delta resolved against a base kept in a
// bounded cache, and a version 2 .idx written that git and isomorphic-git both read. isomorphic-git's own
// indexer inflates with a JavaScript zlib, hashes through WebCrypto one promise per object and buffers the
// pack twice: on a 20,000-file tree it was most of the fetch's CPU time and memory.
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import {
  applyDelta,
  type GitObject,
  inflateObject,
  type ObjectType,
  type PackEntryHeader,
  packEntryHeader,
} from "./objects.ts";

/** A pack whose content is not a valid, complete pack. */
export class PackError extends Error {
  override name = "PackError";
}

/** Looks up an object outside the pack (the base of a thin pack's delta). */
export type ExternalObjects = (oid: string) => Promise<GitObject | undefined>;

/** Options of indexPack(). */
export interface IndexPackOptions {
  /** Bases of ref-deltas that are not in the pack (thin packs). */
  external?: ExternalObjects;
  /** Bytes of inflated objects kept for resolving deltas (default 64 MiB); evicted ones are re-read. */
  cacheBytes?: number;
}

/** The index of a pack. */
export interface PackIndex {
  /** The pack's checksum (its last 20 bytes), hex: the pack and index are named after it. */
  checksum: string;
  /** The .idx file's bytes (version 2). */
  idx: Buffer;
  /** Offsets in the pack by object id. */
  objects: Map<string, number>;
  /** The objects still held inflated when indexing ended (all of them when they fit the cache). */
  inflated: Map<string, GitObject>;
}

const TYPES: Record<number, ObjectType> = { 1: "commit", 2: "tree", 3: "blob", 4: "tag" };
const OFS_DELTA = 6;
const REF_DELTA = 7;

interface Entry extends PackEntryHeader {
  offset: number;
  /** Where the entry ends (the next one starts). */
  end: number;
  oid?: string;
  type?: ObjectType;
}

/** Byte-bounded cache of inflated objects by pack offset, oldest evicted first. */
class Resolved {
  private readonly map = new Map<number, GitObject>();
  private bytes = 0;
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(offset: number): GitObject | undefined {
    return this.map.get(offset);
  }

  set(offset: number, obj: GitObject): void {
    if (obj.data.length > this.limit) return;
    this.map.set(offset, obj);
    this.bytes += obj.data.length;
    for (const [key, old] of this.map) {
      if (this.bytes <= this.limit) break;
      this.map.delete(key);
      this.bytes -= old.data.length;
    }
  }
}

function objectId(type: ObjectType, data: Buffer): string {
  return createHash("sha1").update(`${type} ${data.length}\0`).update(data).digest("hex");
}

/** Indexes the pack: checks its checksum, computes every object's id and builds the .idx file. */
export async function indexPack(pack: Buffer, opts: IndexPackOptions = {}): Promise<PackIndex> {
  const indexer = new PackIndexer(opts);
  await indexer.push(pack);
  return (await indexer.finish()).index;
}

/**
 * Indexes a pack while it arrives: each push() parses the objects complete so far, so that indexing
 * overlaps the download; finish() resolves what is left and checks the pack's checksum.
 */
export class PackIndexer {
  private readonly opts: IndexPackOptions;
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  private readonly hash = createHash("sha1");
  private hashed = 0;
  private count = -1;
  private pos = 12;
  /** Do not try to inflate the next object again before this many bytes are there. */
  private retryAt = 0;
  private readonly entries: Entry[] = [];
  private readonly byOffset = new Map<number, Entry>();
  private readonly byOid = new Map<string, Entry>();
  private readonly pending: Entry[] = [];
  private readonly cache: Resolved;

  constructor(opts: IndexPackOptions = {}) {
    this.opts = opts;
    this.cache = new Resolved(opts.cacheBytes ?? 64 << 20);
  }

  /** Adds the next bytes of the pack and indexes the objects they complete. */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.len + chunk.length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + chunk.length));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
    // The last 20 bytes may be the trailer, which is not hashed.
    if (this.len - 20 > this.hashed) {
      this.hash.update(this.buf.subarray(this.hashed, this.len - 20));
      this.hashed = this.len - 20;
    }
    if (this.len >= this.retryAt) await this.parse(false);
  }

  /** Indexes the rest; returns the index and the whole pack. */
  async finish(): Promise<{ index: PackIndex; pack: Buffer }> {
    // Trim the doubling's spare room: the pack may be kept in memory for a while.
    if (this.buf.length > this.len * 1.25) this.buf = Buffer.from(this.buf.subarray(0, this.len));
    const pack = this.buf.subarray(0, this.len);
    if (this.len < 32 || pack.toString("latin1", 0, 4) !== "PACK") throw new PackError("not a pack file");
    const checksum = pack.toString("hex", this.len - 20);
    if (this.hash.digest("hex") !== checksum) {
      throw new PackError("pack checksum mismatch (truncated or corrupt download)");
    }
    await this.parse(true);
    if (this.pos !== this.len - 20) throw new PackError("pack has data after its last object");
    // Deltas whose base came later in the pack (or is such a delta itself): retry until nothing moves.
    let left = this.pending;
    while (left.length > 0) {
      const next: Entry[] = [];
      for (const e of left) if (!(await this.resolve(e))) next.push(e);
      if (next.length === left.length) throw new PackError(`pack has ${next.length} unresolved deltas`);
      left = next;
    }
    const objects = new Map<string, number>();
    const inflated = new Map<string, GitObject>();
    for (const e of this.entries) {
      objects.set(e.oid ?? "", e.offset);
      const obj = this.cache.get(e.offset);
      if (obj) inflated.set(e.oid ?? "", obj);
    }
    return { index: { checksum, idx: buildIndex(pack, this.entries, checksum), objects, inflated }, pack };
  }

  // Parses the objects that are complete; at the end (final) anything incomplete is an error.
  private async parse(final: boolean): Promise<void> {
    const buf = this.buf;
    if (this.count < 0) {
      if (this.len < 12) {
        if (final) throw new PackError("not a pack file");
        return;
      }
      if (buf.toString("latin1", 0, 4) !== "PACK") throw new PackError("not a pack file");
      const version = buf.readUInt32BE(4);
      if (version !== 2 && version !== 3) throw new PackError(`unsupported pack version ${version}`);
      this.count = buf.readUInt32BE(8);
    }
    // The trailer is known only at the end; until then any byte may belong to an object.
    const limit = final ? this.len - 20 : this.len;
    while (this.entries.length < this.count) {
      const offset = this.pos;
      let e: Entry;
      let data: Buffer;
      try {
        // A header is at most 10 size bytes plus a 20-byte base id.
        if (!final && limit - offset < 32) throw new Incomplete();
        const head = packEntryHeader(buf, offset);
        if (head.dataAt >= limit) throw new Incomplete();
        const inflated = inflateObject(buf.subarray(head.dataAt, limit), head.size);
        data = inflated.data;
        this.pos = head.dataAt + inflated.consumed;
        e = { ...head, offset, end: this.pos };
      } catch (err) {
        if (!final) {
          // Most likely cut off by the chunk: try again once the data beyond it has doubled.
          this.retryAt = this.len + Math.max(64 << 10, this.len - offset);
          return;
        }
        if (err instanceof Incomplete || offset >= limit) {
          throw new PackError(`pack ends after ${this.entries.length} of ${this.count} objects`);
        }
        throw new PackError(`object at ${offset}: ${(err as Error).message}`);
      }
      this.entries.push(e);
      this.byOffset.set(offset, e);
      if (!(await this.resolve(e, data))) this.pending.push(e);
    }
  }

  // Inflates the object at entry (resolving its delta chain), or undefined when a base is not known yet.
  private async load(e: Entry, data?: Buffer): Promise<GitObject | undefined> {
    const hit = this.cache.get(e.offset);
    if (hit) return hit;
    const raw = data ?? inflateObject(this.buf.subarray(e.dataAt, e.end), e.size).data;
    let obj: GitObject;
    if (e.kind === OFS_DELTA || e.kind === REF_DELTA) {
      let base: GitObject | undefined;
      if (e.kind === OFS_DELTA) {
        const b = this.byOffset.get(e.baseOffset ?? -1);
        if (!b) throw new PackError(`delta at ${e.offset} has no base object`);
        base = b.type ? await this.load(b) : undefined;
      } else {
        const oid = e.baseOid ?? "";
        const b = this.byOid.get(oid);
        base = b ? await this.load(b) : await this.opts.external?.(oid);
      }
      if (!base) return undefined;
      obj = { type: base.type, data: applyDelta(base.data, raw) };
    } else {
      const type = TYPES[e.kind];
      if (!type) throw new PackError(`unknown object type ${e.kind} at ${e.offset}`);
      obj = { type, data: raw };
    }
    this.cache.set(e.offset, obj);
    return obj;
  }

  private async resolve(e: Entry, data?: Buffer): Promise<boolean> {
    const obj = await this.load(e, data);
    if (!obj) return false;
    e.type = obj.type;
    e.oid = objectId(obj.type, obj.data);
    this.byOid.set(e.oid, e);
    return true;
  }
}

/** Thrown inside parse() when the object is not complete yet. */
class Incomplete extends Error {}

/** A version 2 pack index of the entries (all resolved). */
function buildIndex(pack: Buffer, entries: readonly Entry[], checksum: string): Buffer {
  const sorted = [...entries].sort((a, b) => ((a.oid ?? "") < (b.oid ?? "") ? -1 : 1));
  const n = sorted.length;
  const large = sorted.filter((e) => e.offset >= 0x80000000);
  const size = 8 + 256 * 4 + n * (20 + 4 + 4) + large.length * 8 + 40;
  const out = Buffer.alloc(size);
  out.writeUInt32BE(0xff744f63, 0);
  out.writeUInt32BE(2, 4);
  const fanout = new Uint32Array(256);
  for (const e of sorted) {
    const first = Number.parseInt((e.oid ?? "").slice(0, 2), 16);
    fanout[first] = (fanout[first] ?? 0) + 1;
  }
  let total = 0;
  for (let i = 0; i < 256; i++) {
    total += fanout[i] ?? 0;
    out.writeUInt32BE(total, 8 + i * 4);
  }
  const oidsAt = 8 + 256 * 4;
  const crcsAt = oidsAt + n * 20;
  const offsetsAt = crcsAt + n * 4;
  const largeAt = offsetsAt + n * 4;
  let nextLarge = 0;
  sorted.forEach((e, i) => {
    out.write(e.oid ?? "", oidsAt + i * 20, "hex");
    out.writeUInt32BE(crc32(pack.subarray(e.offset, e.end)), crcsAt + i * 4);
    if (e.offset < 0x80000000) out.writeUInt32BE(e.offset, offsetsAt + i * 4);
    else {
      out.writeUInt32BE((0x80000000 | nextLarge) >>> 0, offsetsAt + i * 4);
      out.writeBigUInt64BE(BigInt(e.offset), largeAt + nextLarge * 8);
      nextLarge += 1;
    }
  });
  const checksumAt = largeAt + nextLarge * 8;
  out.write(checksum, checksumAt, "hex");
  createHash("sha1")
    .update(out.subarray(0, checksumAt + 20))
    .digest()
    .copy(out, checksumAt + 20);
  return out;
}
