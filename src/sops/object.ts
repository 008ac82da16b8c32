// Decrypts rendered Kubernetes objects: whole objects carrying a top-level `sops` block, and Secret
// `data`/`stringData` values that are themselves SOPS documents (e.g. from a secretGenerator file).

import {
  type DecryptOptions,
  decryptDocuments,
  decryptFile,
  detectEncryptedFormat,
  formatForPath,
  isEncrypted,
} from "./decrypt.ts";
import { SopsError } from "./errors.ts";
import type { KeySet } from "./keys.ts";
import { metadataNode, toPlain } from "./metadata.ts";
import type { MapNode, Node } from "./tree.ts";

/** The annotation that opts an object out of decryption, as in Flux. */
export const DECRYPT_ANNOTATION = "kustomize.toolkit.fluxcd.io/decrypt";

type Plain = Record<string, unknown>;

function asRecord(value: unknown): Plain | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Plain) : undefined;
}

/** Names an object as `Kind/namespace/name` for messages. */
export function objectName(obj: Plain): string {
  const meta = asRecord(obj.metadata);
  const ns = typeof meta?.namespace === "string" ? `${meta.namespace}/` : "";
  const name = typeof meta?.name === "string" ? meta.name : "<unnamed>";
  return `${typeof obj.kind === "string" ? obj.kind : "Object"}/${ns}${name}`;
}

/** Tells whether decryption is disabled on the object by `kustomize.toolkit.fluxcd.io/decrypt: disabled`. */
export function isDecryptionDisabled(obj: unknown): boolean {
  const annotations = asRecord(asRecord(asRecord(obj)?.metadata)?.annotations);
  const value = annotations?.[DECRYPT_ANNOTATION];
  return typeof value === "string" && value.toLowerCase() === "disabled";
}

function toNode(value: unknown): Node {
  if (value === null || value === undefined) return { t: "null" };
  if (typeof value === "string") return { t: "str", v: value };
  if (typeof value === "boolean") return { t: "bool", v: value };
  if (typeof value === "bigint") return { t: "int", v: value };
  if (typeof value === "number") {
    return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
      ? { t: "int", v: BigInt(value) }
      : { t: "float", v: value };
  }
  if (Array.isArray(value)) return { t: "seq", items: value.map(toNode) };
  if (value instanceof Date) return { t: "str", v: value.toISOString() };
  const record = asRecord(value);
  if (record) return toMap(record);
  throw new TypeError(`cannot decrypt a value of type ${typeof value}`);
}

function toMap(record: Plain): MapNode {
  return {
    t: "map",
    items: Object.entries(record).map(([key, v]) => ({ t: "pair", key, value: toNode(v) })),
  };
}

function fromNode(node: Node): unknown {
  switch (node.t) {
    case "map": {
      const out: Plain = {};
      for (const item of node.items) if (item.t === "pair") out[item.key] = fromNode(item.value);
      return out;
    }
    case "seq":
      return node.items.flatMap((i) => (i.t === "comment" ? [] : [fromNode(i)]));
    case "int":
      return Number(node.v);
    case "null":
      return null;
    default:
      return node.v;
  }
}

/** Options for {@link decryptObject}. */
export interface DecryptObjectOptions {
  /** See {@link DecryptOptions.verifyMac}; applies to the whole-object decryption (default true). */
  verifyMac?: boolean;
}

async function decryptWhole(obj: Plain, keys: KeySet, options: DecryptObjectOptions): Promise<Plain> {
  const name = objectName(obj);
  const doc = toMap(obj);
  const meta = metadataNode(doc);
  const body: MapNode = { t: "map", items: doc.items.filter((i) => !(i.t === "pair" && i.key === "sops")) };
  const [out] = await decryptDocuments(
    name,
    [body],
    meta ? toPlain(meta) : undefined,
    keys,
    options.verifyMac ?? true,
  );
  return fromNode(out ?? body) as Plain;
}

async function decryptSecretValues(obj: Plain, keys: KeySet): Promise<Plain> {
  const name = objectName(obj);
  const result: Plain = { ...obj };
  const data = asRecord(obj.data);
  if (data) {
    const out: Plain = { ...data };
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== "string") continue;
      const bytes = Buffer.from(value, "base64");
      // Not base64 at all: leave it for the API server to reject.
      if (bytes.toString("base64").replace(/=+$/, "") !== value.replace(/\s/g, "").replace(/=+$/, ""))
        continue;
      // The JSON marker also matches binary files, which SOPS stores as JSON.
      const format = detectEncryptedFormat(bytes);
      if (!format) continue;
      const plain = await decryptValueFile(`${name} data '${key}'`, bytes, keys, {
        format,
        outputFormat: formatForPath(key),
      });
      out[key] = Buffer.from(plain).toString("base64");
    }
    result.data = out;
  }
  const stringData = asRecord(obj.stringData);
  if (stringData) {
    const out: Plain = { ...stringData };
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value !== "string") continue;
      const format = detectEncryptedFormat(value);
      if (!format) continue;
      const plain = await decryptValueFile(`${name} stringData '${key}'`, value, keys, {
        format,
        outputFormat: formatForPath(key),
      });
      out[key] = Buffer.from(plain).toString("utf8");
    }
    result.stringData = out;
  }
  return result;
}

async function decryptValueFile(
  name: string,
  data: Uint8Array | string,
  keys: KeySet,
  options: DecryptOptions,
): Promise<Uint8Array> {
  try {
    return await decryptFile(name, data, keys, options);
  } catch (err) {
    if (err instanceof SopsError) throw err;
    throw new SopsError("Malformed", name, (err as Error).message);
  }
}

/**
 * Decrypts a rendered object: a whole object with a top-level `sops` block (any kind; its `apiVersion`,
 * `kind` and `metadata` are normally left plain by the encryption rules), then, for a Secret, every
 * `data`/`stringData` value that is itself a SOPS document, written in the format of the key's extension
 * (as Flux does). Returns the object unchanged when nothing is encrypted or decryption is disabled on it.
 */
export async function decryptObject(
  obj: Readonly<Plain>,
  keys: KeySet,
  options: DecryptObjectOptions = {},
): Promise<Plain> {
  if (isDecryptionDisabled(obj)) return { ...obj };
  let out: Plain = { ...obj };
  if (isEncrypted(out)) out = await decryptWhole(out, keys, options);
  if (out.kind === "Secret") out = await decryptSecretValues(out, keys);
  return out;
}
