import { z } from "zod";
import type { MapNode, Node } from "./tree.ts";

const ageKey = z.object({ recipient: z.string().default(""), enc: z.string().default("") });
const pgpKey = z.object({
  fp: z.string().default(""),
  enc: z.string().default(""),
  created_at: z.string().optional(),
});
const otherKeys = z.array(z.unknown()).nullish();

const keyGroup = z.object({
  age: z.array(ageKey).nullish(),
  pgp: z.array(pgpKey).nullish(),
  kms: otherKeys,
  gcp_kms: otherKeys,
  azure_kv: otherKeys,
  hc_vault: otherKeys,
});

const threshold = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^[0-9]+$/)
    .transform(Number),
]);
const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

/** The `sops` metadata block of an encrypted document, as SOPS writes it in every format. */
export const sopsMetadataSchema = z.object({
  ...keyGroup.shape,
  key_groups: z.array(keyGroup).nullish(),
  shamir_threshold: threshold.nullish(),
  lastmodified: z.string(),
  mac: z.string(),
  version: z.string().optional(),
  unencrypted_suffix: z.string().nullish(),
  encrypted_suffix: z.string().nullish(),
  unencrypted_regex: z.string().nullish(),
  encrypted_regex: z.string().nullish(),
  unencrypted_comment_regex: z.string().nullish(),
  encrypted_comment_regex: z.string().nullish(),
  mac_only_encrypted: flag.nullish(),
});

/** The raw metadata block after schema validation. */
export type SopsMetadataRaw = z.infer<typeof sopsMetadataSchema>;

/** One master key that holds (a share of) the data key. */
export type MasterKey =
  | { type: "age"; recipient: string; enc: string }
  | { type: "pgp"; fingerprint: string; enc: string }
  | { type: "other"; kind: string };

/** Which values are encrypted, decided per value from its key path and preceding comments. */
export interface CryptRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: RegExp;
  encryptedRegex?: RegExp;
  unencryptedCommentRegex?: RegExp;
  encryptedCommentRegex?: RegExp;
  macOnlyEncrypted: boolean;
}

/** The metadata SOPS needs to decrypt: key groups, threshold, rules, and the stored MAC. */
export interface SopsMetadata {
  keyGroups: MasterKey[][];
  shamirThreshold: number;
  /** `lastmodified` as Go formats it with time.RFC3339: the additional data of the MAC. */
  lastModified: string;
  mac: string;
  rules: CryptRules;
}

/** The default rule when a file names none: keys ending in `_unencrypted` stay plain. */
export const DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted";

/** Converts a tree node to plain JSON-like data (for schema parsing of the metadata block). */
export function toPlain(node: Node): unknown {
  switch (node.t) {
    case "map": {
      const out: Record<string, unknown> = {};
      for (const item of node.items) if (item.t === "pair") out[item.key] = toPlain(item.value);
      return out;
    }
    case "seq":
      return node.items.flatMap((item) => (item.t === "comment" ? [] : [toPlain(item)]));
    case "int":
      return Number(node.v);
    case "null":
      return null;
    default:
      return node.v;
  }
}

/** Compiles a Go (RE2) regular expression from a SOPS file for use in JavaScript. */
export function compileGoRegex(source: string): RegExp {
  let flags = "";
  let body = source;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline?.[1]) {
    body = body.slice(inline[0].length);
    if (inline[1].includes("i")) flags += "i";
    if (inline[1].includes("m")) flags += "m";
    if (inline[1].includes("s")) flags += "s";
  }
  body = body.replaceAll("\\A", "^").replaceAll("\\z", "$");
  try {
    return new RegExp(body, `${flags}u`);
  } catch {
    return new RegExp(body, flags);
  }
}

function groupKeys(group: z.infer<typeof keyGroup>): MasterKey[] {
  const keys: MasterKey[] = [];
  for (const kind of ["kms", "gcp_kms", "azure_kv", "hc_vault"] as const) {
    for (const _ of group[kind] ?? []) keys.push({ type: "other", kind });
  }
  for (const k of group.pgp ?? []) keys.push({ type: "pgp", fingerprint: k.fp, enc: k.enc });
  for (const k of group.age ?? []) keys.push({ type: "age", recipient: k.recipient, enc: k.enc });
  return keys;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Re-formats an RFC 3339 timestamp as Go's time.Format(time.RFC3339): fraction dropped, UTC as `Z`. */
export function goRfc3339(text: string): string | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const zone = m[8] === undefined || /^([zZ]|[+-]00:00)$/.test(m[8]) ? "Z" : m[8];
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
}

/** Turns a validated metadata block into what decryption needs; returns an error text if it is inconsistent. */
export function interpretMetadata(raw: SopsMetadataRaw): SopsMetadata | string {
  const lastModified = goRfc3339(raw.lastmodified);
  if (lastModified === undefined) return `lastmodified ${JSON.stringify(raw.lastmodified)} is not RFC 3339`;
  const flat = groupKeys(raw);
  let keyGroups: MasterKey[][];
  if (flat.length > 0) keyGroups = [flat];
  else if ((raw.key_groups ?? []).length > 0) keyGroups = (raw.key_groups ?? []).map(groupKeys);
  else return "no keys found in the sops metadata";

  const chosen = [
    raw.unencrypted_suffix,
    raw.encrypted_suffix,
    raw.unencrypted_regex,
    raw.encrypted_regex,
    raw.unencrypted_comment_regex,
    raw.encrypted_comment_regex,
  ].filter((r) => r !== undefined && r !== null && r !== "");
  if (chosen.length > 1) {
    return "more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, unencrypted_comment_regex";
  }
  const rules: CryptRules = { macOnlyEncrypted: raw.mac_only_encrypted === true };
  try {
    if (raw.unencrypted_suffix) rules.unencryptedSuffix = raw.unencrypted_suffix;
    if (raw.encrypted_suffix) rules.encryptedSuffix = raw.encrypted_suffix;
    if (raw.unencrypted_regex) rules.unencryptedRegex = compileGoRegex(raw.unencrypted_regex);
    if (raw.encrypted_regex) rules.encryptedRegex = compileGoRegex(raw.encrypted_regex);
    if (raw.unencrypted_comment_regex)
      rules.unencryptedCommentRegex = compileGoRegex(raw.unencrypted_comment_regex);
    if (raw.encrypted_comment_regex)
      rules.encryptedCommentRegex = compileGoRegex(raw.encrypted_comment_regex);
  } catch (err) {
    return `invalid regular expression in the sops metadata: ${(err as Error).message}`;
  }
  if (chosen.length === 0) rules.unencryptedSuffix = DEFAULT_UNENCRYPTED_SUFFIX;
  return {
    keyGroups,
    shamirThreshold: raw.shamir_threshold ?? 0,
    lastModified,
    mac: raw.mac,
    rules,
  };
}

/** Finds the top-level `sops` entry of a document, if any. */
export function metadataNode(doc: MapNode): Node | undefined {
  for (const item of doc.items) if (item.t === "pair" && item.key === "sops") return item.value;
  return undefined;
}
