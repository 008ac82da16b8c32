// Key sources for SOPS decryption: age identities and OpenPGP private keys loaded from a Secret's entries,
// and recovery of a document's data key from its key groups (Shamir-combined when there are several).

import { armor, Decrypter, identityToRecipient } from "age-encryption";
import { type PrivateKey, decrypt as pgpDecrypt, readMessage, readPrivateKeys } from "openpgp";
import { SopsError } from "./errors.ts";
import type { MasterKey, SopsMetadata } from "./metadata.ts";
import { combineShares } from "./shamir.ts";

/** An age identity (X25519 or post-quantum hybrid) and the recipient it decrypts for. */
export interface AgeKey {
  identity: string;
  recipient: string;
  /** Built once: parsing an identity costs a scalar multiplication, so decrypters are reused. */
  decrypter: Decrypter;
  /** Where it came from, e.g. the Secret entry name; used in messages, never the key itself. */
  source: string;
}

/** An unlocked OpenPGP private key and the fingerprints (primary and subkeys) it answers to. */
export interface PgpKey {
  key: PrivateKey;
  fingerprints: string[];
  source: string;
}

/** The keys one decryption may use. Build with {@link loadKeySet}; immutable once built. */
export interface KeySet {
  readonly age: readonly AgeKey[];
  readonly pgp: readonly PgpKey[];
  /** Data keys already recovered, by encrypted-key text: a reconcile decrypts the same files again. */
  readonly cache: Map<string, Uint8Array>;
}

/** Secret entries named `*.agekey` hold age identities, one a line (as in Flux). */
export const AGE_KEY_SUFFIX = ".agekey";
/** Secret entries named `*.asc` hold armored OpenPGP private keys (as in Flux). */
export const PGP_KEY_SUFFIX = ".asc";
const CACHE_LIMIT = 4096;

/** An empty key set: decrypting with it fails with code NoKey. */
export function emptyKeySet(): KeySet {
  return { age: [], pgp: [], cache: new Map() };
}

/** Options for {@link loadKeySet}. */
export interface LoadKeySetOptions {
  /** Names the Secret in error messages, e.g. `flux-system/sops-keys`. */
  source?: string;
  /** Only read `.agekey` entries (the controller-wide fallback secret, as Flux's `--sops-age-secret`). */
  ageOnly?: boolean;
}

function text(value: Uint8Array | string): string {
  return typeof value === "string" ? value : Buffer.from(value).toString("utf8");
}

async function parseAgeIdentities(entry: string, content: string): Promise<AgeKey[]> {
  const keys: AgeKey[] = [];
  const lines = content.split(/\r?\n/);
  for (const [n, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/i.test(line)) {
      throw new Error(`line ${n + 1} is not an age identity (AGE-SECRET-KEY-1… or AGE-SECRET-KEY-PQ-1…)`);
    }
    const identity = line.toUpperCase();
    let recipient: string;
    try {
      recipient = await identityToRecipient(identity);
    } catch {
      throw new Error(`line ${n + 1} is not a valid age identity`);
    }
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    keys.push({ identity, recipient, decrypter, source: entry });
  }
  if (keys.length === 0) throw new Error("no age identity found");
  return keys;
}

async function parsePgpKeys(entry: string, content: string): Promise<PgpKey[]> {
  let keys: PrivateKey[];
  try {
    keys = await readPrivateKeys({ armoredKeys: content });
  } catch {
    throw new Error("not an armored OpenPGP private key");
  }
  return keys.map((key) => {
    if (!key.isDecrypted()) throw new Error("the OpenPGP private key is protected by a passphrase");
    const fingerprints = [key.getFingerprint(), ...key.getSubkeys().map((s) => s.getFingerprint())].map((f) =>
      f.toUpperCase(),
    );
    return { key, fingerprints, source: entry };
  });
}

/**
 * Loads the decryption keys from the entries of a Secret (`spec.decryption.secretRef`): `*.agekey` entries
 * hold age identities one a line, `*.asc` entries armored OpenPGP private keys. Other entries are ignored.
 * Throws SopsError (Malformed) naming the entry when one cannot be read.
 */
export async function loadKeySet(
  entries: Readonly<Record<string, Uint8Array | string>>,
  options: LoadKeySetOptions = {},
): Promise<KeySet> {
  const source = options.source ?? "decryption secret";
  const set = emptyKeySet();
  const age: AgeKey[] = [];
  const pgp: PgpKey[] = [];
  for (const name of Object.keys(entries).sort()) {
    const value = entries[name];
    if (value === undefined) continue;
    try {
      if (name.endsWith(AGE_KEY_SUFFIX)) age.push(...(await parseAgeIdentities(name, text(value))));
      else if (name.endsWith(PGP_KEY_SUFFIX) && !options.ageOnly)
        pgp.push(...(await parsePgpKeys(name, text(value))));
    } catch (err) {
      throw new SopsError("Malformed", source, `entry '${name}': ${(err as Error).message}`);
    }
  }
  return { ...set, age, pgp };
}

/** Combines key sets, e.g. a Kustomization's own keys and a fallback. */
export function mergeKeySets(...sets: readonly KeySet[]): KeySet {
  return {
    age: sets.flatMap((s) => s.age),
    pgp: sets.flatMap((s) => s.pgp),
    cache: new Map(),
  };
}

function describe(key: MasterKey): string {
  switch (key.type) {
    case "age":
      return `age ${key.recipient}`;
    case "pgp":
      return `pgp ${key.fingerprint}`;
    case "other":
      return key.kind;
  }
}

async function decryptAge(keys: KeySet, mk: MasterKey & { type: "age" }): Promise<Uint8Array | undefined> {
  // Try the identity the file names first: with many identities, trying each costs a key agreement.
  const candidates = [
    ...keys.age.filter((k) => k.recipient === mk.recipient),
    ...keys.age.filter((k) => k.recipient !== mk.recipient),
  ];
  let file: Uint8Array;
  try {
    file = armor.decode(mk.enc.trim());
  } catch {
    // Not armored: SOPS always armors, but a binary age file is still an age file.
    file = new TextEncoder().encode(mk.enc);
  }
  for (const k of candidates) {
    try {
      return await k.decrypter.decrypt(file, "uint8array");
    } catch {
      // Not this identity; try the rest.
    }
  }
  return undefined;
}

async function decryptPgp(keys: KeySet, mk: MasterKey & { type: "pgp" }): Promise<Uint8Array | undefined> {
  if (keys.pgp.length === 0) return undefined;
  const fp = mk.fingerprint.toUpperCase();
  const matching = keys.pgp.filter((k) => k.fingerprints.some((f) => f.endsWith(fp) || fp.endsWith(f)));
  const candidates = matching.length > 0 ? matching : keys.pgp;
  let message: Awaited<ReturnType<typeof readMessage>>;
  try {
    message = await readMessage({ armoredMessage: mk.enc });
  } catch {
    return undefined;
  }
  try {
    const { data } = await pgpDecrypt({
      message,
      decryptionKeys: candidates.map((k) => k.key),
      format: "binary",
    });
    return data instanceof Uint8Array ? data : undefined;
  } catch {
    return undefined;
  }
}

async function decryptMasterKey(keys: KeySet, mk: MasterKey): Promise<Uint8Array | undefined> {
  if (mk.type === "other") return undefined;
  const cached = keys.cache.get(mk.enc);
  if (cached) return cached;
  const part = mk.type === "age" ? await decryptAge(keys, mk) : await decryptPgp(keys, mk);
  if (part) {
    if (keys.cache.size >= CACHE_LIMIT) keys.cache.clear();
    keys.cache.set(mk.enc, part);
  }
  return part;
}

/**
 * Recovers the 32-byte data key of a document: one key group gives it directly; several give Shamir shares,
 * of which `shamir_threshold` must be recovered. Throws SopsError NoKey, WrongKey, Unsupported or Malformed.
 */
export async function recoverDataKey(meta: SopsMetadata, keys: KeySet, file: string): Promise<Uint8Array> {
  const all = meta.keyGroups.flat();
  const wanted = all.map(describe).join(", ");
  if (all.every((k) => k.type === "other")) {
    throw new SopsError(
      "Unsupported",
      file,
      `the data key is encrypted only for ${wanted}; driftless decrypts with age and OpenPGP keys only`,
    );
  }
  if (keys.age.length === 0 && keys.pgp.length === 0) {
    throw new SopsError(
      "NoKey",
      file,
      `no decryption keys are configured; the file is encrypted for ${wanted}`,
    );
  }
  const parts: Uint8Array[] = [];
  for (const group of meta.keyGroups) {
    for (const mk of group) {
      const part = await decryptMasterKey(keys, mk);
      if (part) {
        parts.push(part);
        break;
      }
    }
  }
  let dataKey: Uint8Array;
  if (meta.keyGroups.length > 1) {
    const threshold = meta.shamirThreshold > 0 ? meta.shamirThreshold : meta.keyGroups.length;
    if (parts.length < threshold) {
      throw new SopsError(
        "WrongKey",
        file,
        `the configured keys unlock ${parts.length} of ${meta.keyGroups.length} key groups, ${threshold} needed; the file is encrypted for ${wanted}`,
      );
    }
    try {
      dataKey = combineShares(parts);
    } catch (err) {
      throw new SopsError(
        "Malformed",
        file,
        `cannot combine the key group shares: ${(err as Error).message}`,
      );
    }
  } else {
    const part = parts[0];
    if (!part) {
      throw new SopsError(
        "WrongKey",
        file,
        `none of the configured keys can decrypt the data key; the file is encrypted for ${wanted}`,
      );
    }
    dataKey = part;
  }
  if (dataKey.length !== 32) {
    throw new SopsError("WrongKey", file, `the recovered data key is ${dataKey.length} bytes, not 32`);
  }
  return dataKey;
}
