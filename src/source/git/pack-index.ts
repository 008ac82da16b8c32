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
  /** Object ids by offset in the pack. */
  objects: Map<string, number>;
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
  if (pack.length < 32 || pack.toString("latin1", 0, 4) !== "PACK") throw new PackError("not a pack file");
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new PackError(`unsupported pack version ${version}`);
  const count = pack.readUInt32BE(8);
  const trailerAt = pack.length - 20;
  const checksum = pack.toString("hex", trailerAt);
  if (createHash("sha1").update(pack.subarray(0, trailerAt)).digest("hex") !== checksum) {
    throw new PackError("pack checksum mismatch (truncated or corrupt download)");
  }

  const entries: Entry[] = [];
  const byOffset = new Map<number, Entry>();
  const byOid = new Map<string, Entry>();
  const cache = new Resolved(opts.cacheBytes ?? 64 << 20);

  // Inflates the object at entry (resolving its delta chain), or undefined when a base is not known yet.
  const load = async (e: Entry, data?: Buffer): Promise<GitObject | undefined> => {
    const hit = cache.get(e.offset);
    if (hit) return hit;
    const raw = data ?? inflateObject(pack.subarray(e.dataAt, e.end), e.size).data;
    let obj: GitObject;
    if (e.kind === OFS_DELTA || e.kind === REF_DELTA) {
      let base: GitObject | undefined;
      if (e.kind === OFS_DELTA) {
        const b = byOffset.get(e.baseOffset ?? -1);
        if (!b) throw new PackError(`delta at ${e.offset} has no base object`);
        base = b.type ? await load(b) : undefined;
      } else {
        const oid = e.baseOid ?? "";
        const b = byOid.get(oid);
        base = b ? await load(b) : await opts.external?.(oid);
      }
      if (!base) return undefined;
      obj = { type: base.type, data: applyDelta(base.data, raw) };
    } else {
      const type = TYPES[e.kind];
      if (!type) throw new PackError(`unknown object type ${e.kind} at ${e.offset}`);
      obj = { type, data: raw };
    }
    cache.set(e.offset, obj);
    return obj;
  };
  const resolve = async (e: Entry, data?: Buffer): Promise<boolean> => {
    const obj = await load(e, data);
    if (!obj) return false;
    e.type = obj.type;
    e.oid = objectId(obj.type, obj.data);
    byOid.set(e.oid, e);
    return true;
  };

  const pending: Entry[] = [];
  let pos = 12;
  for (let i = 0; i < count; i++) {
    if (pos >= trailerAt) throw new PackError(`pack ends after ${i} of ${count} objects`);
    const offset = pos;
    let e: Entry;
    let data: Buffer;
    try {
      const head = packEntryHeader(pack, offset);
      const inflated = inflateObject(pack.subarray(head.dataAt, trailerAt), head.size);
      data = inflated.data;
      pos = head.dataAt + inflated.consumed;
      e = { ...head, offset, end: pos };
    } catch (err) {
      throw new PackError(`object at ${offset}: ${(err as Error).message}`);
    }
    entries.push(e);
    byOffset.set(offset, e);
    if (!(await resolve(e, data))) pending.push(e);
  }
  if (pos !== trailerAt) throw new PackError("pack has data after its last object");

  // Deltas whose base came later in the pack (or is such a delta itself): retry until nothing moves.
  let left = pending;
  while (left.length > 0) {
    const next: Entry[] = [];
    for (const e of left) if (!(await resolve(e))) next.push(e);
    if (next.length === left.length) throw new PackError(`pack has ${next.length} unresolved deltas`);
    left = next;
  }

  const objects = new Map<string, number>();
  for (const e of entries) objects.set(e.oid ?? "", e.offset);
  return { checksum, idx: buildIndex(pack, entries, checksum), objects };
}

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
