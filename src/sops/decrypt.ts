// Decrypts SOPS documents (YAML, JSON, dotenv, binary) and rendered Kubernetes objects, verifying the MAC.

import { SopsError } from "./errors.ts";
import { DotenvShapeError, emitDotenv, parseDotenv } from "./formats/dotenv.ts";
import { emitJson, JsonShapeError, parseJson } from "./formats/json.ts";
import { emitYaml } from "./formats/yaml-emit.ts";
import { parseYaml, YamlShapeError } from "./formats/yaml-parse.ts";
import { type KeySet, recoverDataKey } from "./keys.ts";
import { interpretMetadata, metadataNode, sopsMetadataSchema, toPlain } from "./metadata.ts";
import type { MapNode } from "./tree.ts";
import { decryptStoredMac, decryptTree, WalkError } from "./walk.ts";

/** The file formats SOPS encrypts. INI is recognised but not supported. */
export type SopsFormat = "yaml" | "json" | "dotenv" | "binary" | "ini";

/** Options for {@link decryptFile} and {@link decryptObject}. */
export interface DecryptOptions {
  /** Input format; by default from the name's extension as SOPS does (`.yaml`/`.yml`, `.json`, `.env`, `.ini`, else binary). */
  format?: SopsFormat;
  /** Output format; defaults to the input format. */
  outputFormat?: SopsFormat;
  /**
   * Verify the MAC (default true). Only turn it off for documents that were changed on purpose after
   * encryption (e.g. an object whose metadata kustomize transformed): verify those on the file in Git.
   */
  verifyMac?: boolean;
}

/** Bytes that appear in an encrypted document of each format (the MAC line), as Flux detects them. */
const MARKERS: readonly [SopsFormat, string][] = [
  ["yaml", "mac: ENC["],
  ["json", '"mac": "ENC['],
  ["dotenv", "sops_mac=ENC["],
  ["ini", "[sops]"],
];

/** The SOPS format for a file name, as `sops` picks it (Flux also reads `.dockerconfigjson` as JSON). */
export function formatForPath(name: string): SopsFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json") || lower.endsWith(".dockerconfigjson")) return "json";
  if (lower.endsWith(".env")) return "dotenv";
  if (lower.endsWith(".ini")) return "ini";
  return "binary";
}

/** Detects an encrypted document by its MAC marker; returns its format, or undefined when it is plain. */
export function detectEncryptedFormat(data: Uint8Array | string): SopsFormat | undefined {
  const s = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
  for (const [format, marker] of MARKERS) if (s.includes(marker)) return format;
  return undefined;
}

/** Tells whether a parsed object is a SOPS-encrypted document: a top-level `sops` block with a `mac`. */
export function isEncrypted(doc: unknown): boolean {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return false;
  const sops = (doc as Record<string, unknown>).sops;
  if (typeof sops !== "object" || sops === null) return false;
  const mac = (sops as Record<string, unknown>).mac;
  return typeof mac === "string" && mac !== "";
}

function loadError(file: string, err: unknown): SopsError {
  if (err instanceof SopsError) return err;
  if (err instanceof YamlShapeError || err instanceof JsonShapeError || err instanceof DotenvShapeError) {
    return new SopsError("Malformed", file, `cannot parse the document (truncated?): ${err.message}`);
  }
  return new SopsError("Malformed", file, `cannot parse the document: ${(err as Error).message}`);
}

interface Loaded {
  docs: MapNode[];
  metadata: unknown;
}

function load(file: string, text: string, format: SopsFormat): Loaded {
  try {
    switch (format) {
      case "yaml": {
        const docs = parseYaml(text);
        // SOPS reads the metadata from the first document and drops `sops` from every document.
        const first = docs[0];
        const meta = first ? metadataNode(first) : undefined;
        const stripped = docs.map((d) => ({
          ...d,
          items: d.items.filter((i) => !(i.t === "pair" && i.key === "sops")),
        }));
        return { docs: stripped, metadata: meta ? toPlain(meta) : undefined };
      }
      case "json":
      case "binary": {
        const doc = parseJson(text);
        const meta = metadataNode(doc);
        return {
          docs: [{ ...doc, items: doc.items.filter((i) => !(i.t === "pair" && i.key === "sops")) }],
          metadata: meta ? toPlain(meta) : undefined,
        };
      }
      case "dotenv": {
        const { doc, metadata } = parseDotenv(text);
        return { docs: [doc], metadata };
      }
      case "ini":
        throw new SopsError("Unsupported", file, "INI files are not supported");
    }
  } catch (err) {
    throw loadError(file, err);
  }
}

function emit(file: string, docs: MapNode[], format: SopsFormat): string | Uint8Array {
  const first = docs[0] ?? { t: "map", items: [] };
  try {
    switch (format) {
      case "yaml":
        return emitYaml(docs);
      case "json":
        return emitJson(first);
      case "dotenv":
        return emitDotenv(first);
      case "binary": {
        const data = first.items.find((i) => i.t === "pair" && i.key === "data");
        if (data?.t !== "pair" || data.value.t !== "str") {
          throw new SopsError("Malformed", file, "a binary document needs a string 'data' entry");
        }
        return data.value.raw ?? data.value.v;
      }
      case "ini":
        throw new SopsError("Unsupported", file, "INI output is not supported");
    }
  } catch (err) {
    if (err instanceof SopsError) throw err;
    throw new SopsError(
      "Unsupported",
      file,
      `cannot write the decrypted document as ${format}: ${(err as Error).message}`,
    );
  }
}

/** Decrypts already-parsed documents with their metadata; verifies the MAC unless told not to. */
export async function decryptDocuments(
  file: string,
  docs: MapNode[],
  metadata: unknown,
  keys: KeySet,
  verifyMac = true,
): Promise<MapNode[]> {
  if (metadata === undefined) {
    throw new SopsError("Malformed", file, "no sops metadata found (not encrypted, or truncated)");
  }
  const parsed = sopsMetadataSchema.safeParse(metadata);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `sops.${i.path.join(".")}`).join(", ");
    throw new SopsError("Malformed", file, `invalid or incomplete sops metadata (truncated?) at ${where}`);
  }
  const meta = interpretMetadata(parsed.data);
  if (typeof meta === "string") throw new SopsError("Malformed", file, meta);
  const dataKey = await recoverDataKey(meta, keys, file);

  let storedMac: string;
  try {
    storedMac = decryptStoredMac(meta.mac, dataKey, meta.lastModified);
  } catch {
    storedMac = "";
    if (verifyMac) {
      throw new SopsError(
        "MacMismatch",
        file,
        "MAC mismatch: the stored MAC cannot be decrypted (MAC or lastmodified altered)",
      );
    }
  }
  let result: ReturnType<typeof decryptTree>;
  try {
    result = decryptTree(docs, dataKey, meta.rules);
  } catch (err) {
    if (err instanceof WalkError) {
      const code = err.failure === "type" ? "Malformed" : "MacMismatch";
      const prefix = code === "MacMismatch" ? "MAC mismatch: " : "";
      throw new SopsError(code, file, `${prefix}${err.message}`);
    }
    throw err;
  }
  if (verifyMac && storedMac !== result.mac) {
    throw new SopsError(
      "MacMismatch",
      file,
      storedMac === ""
        ? "MAC mismatch: the file has no MAC"
        : "MAC mismatch: the content does not match the stored MAC (altered after encryption)",
    );
  }
  return result.docs;
}

/**
 * Decrypts a SOPS-encrypted file (as `sops -d` would) and returns the plaintext bytes in the output format.
 * `name` picks the format by extension unless `options.format` is given, and names the file in errors.
 */
export async function decryptFile(
  name: string,
  data: Uint8Array | string,
  keys: KeySet,
  options: DecryptOptions = {},
): Promise<Uint8Array> {
  const format = options.format ?? formatForPath(name);
  const text = typeof data === "string" ? data : Buffer.from(data).toString("utf8");
  try {
    const loaded = load(name, text, format);
    const docs = await decryptDocuments(name, loaded.docs, loaded.metadata, keys, options.verifyMac ?? true);
    const out = emit(name, docs, options.outputFormat ?? format);
    return typeof out === "string" ? Buffer.from(out, "utf8") : Buffer.from(out);
  } catch (err) {
    // Hostile input can still exhaust the stack (deep nesting): report it like any unreadable file.
    if (err instanceof SopsError) throw err;
    throw new SopsError("Malformed", name, `cannot process the document: ${(err as Error).name}`, {
      cause: err,
    });
  }
}

/**
 * Decrypts a file only if it carries the SOPS marker of its format, as Flux does for the files that
 * generators and patches read; returns the bytes unchanged (and `decrypted: false`) otherwise.
 */
export async function decryptIfEncrypted(
  name: string,
  data: Uint8Array,
  keys: KeySet,
  options: DecryptOptions = {},
): Promise<{ data: Uint8Array; decrypted: boolean }> {
  const format = options.format ?? formatForPath(name);
  const marker = MARKERS.find(([f]) => f === (format === "binary" ? "json" : format))?.[1];
  if (marker === undefined || !Buffer.from(data).includes(marker)) return { data, decrypted: false };
  return { data: await decryptFile(name, data, keys, options), decrypted: true };
}
