import { createHash, type Hash } from "node:crypto";
import { decryptValue, ValueError } from "./cipher.ts";
import type { CryptRules } from "./metadata.ts";
import { type Comment, type MapNode, type Node, type Scalar, type SeqNode, scalarBytes } from "./tree.ts";

/** SHA-256("sops"): the MAC of a `mac_only_encrypted` file starts from these bytes, so the two MACs differ. */
const MAC_ONLY_ENCRYPTED_PREFIX = createHash("sha256").update("sops").digest();

/** A value that could not be decrypted, located by its key path (never its content). */
export class WalkError extends Error {
  override name = "WalkError";
  readonly path: string;
  readonly failure: ValueError["failure"] | "plain";
  constructor(path: string[], failure: WalkError["failure"], message: string) {
    super(message);
    this.path = path.join(":");
    this.failure = failure;
  }
}

/** Decides, as SOPS does, whether the value at `path` (after the comments in `stack`) is encrypted. */
export function shouldBeEncrypted(
  rules: CryptRules,
  path: readonly string[],
  stack: readonly (readonly string[])[],
  isComment: boolean,
): boolean {
  let encrypted = true;
  if (rules.unencryptedSuffix) {
    const suffix = rules.unencryptedSuffix;
    if (path.some((p) => p.endsWith(suffix))) encrypted = false;
  }
  if (rules.encryptedSuffix) {
    const suffix = rules.encryptedSuffix;
    encrypted = path.some((p) => p.endsWith(suffix));
  }
  if (rules.unencryptedRegex) {
    const re = rules.unencryptedRegex;
    if (path.some((p) => re.test(p))) encrypted = false;
  }
  if (rules.encryptedRegex) {
    const re = rules.encryptedRegex;
    encrypted = path.some((p) => re.test(p));
  }
  if (rules.unencryptedCommentRegex) {
    const re = rules.unencryptedCommentRegex;
    if (stack.some((level) => level.some((c) => re.test(c)))) encrypted = false;
  }
  if (rules.encryptedCommentRegex) {
    const re = rules.encryptedCommentRegex;
    encrypted = false;
    const lastLevel = stack.length - 1;
    stack.forEach((level, i) => {
      level.forEach((c, j) => {
        // A matching comment encrypts what follows it, not itself.
        if (isComment && i === lastLevel && j === level.length - 1) return;
        if (re.test(c)) encrypted = true;
      });
    });
  }
  return encrypted;
}

/** The result of decrypting a tree: the plaintext documents and the MAC computed over them. */
export interface DecryptedTree {
  docs: MapNode[];
  mac: string;
}

class TreeDecryptor {
  private readonly hash: Hash;
  private readonly key: Uint8Array;
  private readonly rules: CryptRules;
  constructor(key: Uint8Array, rules: CryptRules) {
    this.key = key;
    this.rules = rules;
    this.hash = createHash("sha512");
    if (rules.macOnlyEncrypted) this.hash.update(MAC_ONLY_ENCRYPTED_PREFIX);
  }

  mac(): string {
    return this.hash.digest("hex").toUpperCase();
  }

  leaf(value: Scalar | Comment, path: string[], stack: string[][]): Scalar | Comment {
    const isComment = value.t === "comment";
    const encrypted = shouldBeEncrypted(this.rules, path, stack, isComment);
    let out: Scalar | Comment = value;
    if (encrypted) {
      const additionalData = `${path.join(":")}:`;
      if (value.t === "comment") {
        // SOPS keeps a comment it cannot decrypt: files from older versions have plain comments.
        try {
          out = decryptValue(value.v, this.key, additionalData);
        } catch {
          out = value;
        }
      } else if (value.t !== "str") {
        throw new WalkError(
          path,
          "plain",
          `value at ${showPath(path)} is not encrypted but the file's rules say it must be`,
        );
      } else {
        try {
          out = decryptValue(value.v, this.key, additionalData);
        } catch (err) {
          if (err instanceof ValueError) {
            throw new WalkError(path, err.failure, `value at ${showPath(path)}: ${err.message}`);
          }
          throw err;
        }
      }
    }
    if ((!this.rules.macOnlyEncrypted || encrypted) && out.t !== "comment") {
      const bytes = scalarBytes(out);
      this.hash.update(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes);
    }
    return out;
  }

  value(node: Node | Comment, path: string[], stack: string[][]): Node | Comment {
    switch (node.t) {
      case "map":
        return this.map(node, path, stack);
      case "seq":
        return this.seq(node, path, stack);
      case "null":
        return node;
      default:
        return this.leaf(node, path, stack);
    }
  }

  map(node: MapNode, path: string[], parentStack: string[][]): MapNode {
    const level: string[] = [];
    const stack = [...parentStack, level];
    const items: MapNode["items"] = [];
    for (const item of node.items) {
      if (item.t === "comment") {
        level.push(item.v);
        const out = this.leaf(item, path, stack);
        items.push(out.t === "comment" ? out : { t: "comment", v: out.t === "null" ? "" : String(out.v) });
        continue;
      }
      const value = this.value(item.value, [...path, item.key], stack);
      items.push({ t: "pair", key: item.key, value: value.t === "comment" ? { t: "null" } : value });
      level.length = 0;
    }
    return { t: "map", items };
  }

  seq(node: SeqNode, path: string[], parentStack: string[][]): SeqNode {
    const level: string[] = [];
    const stack = [...parentStack, level];
    const items: SeqNode["items"] = [];
    for (const item of node.items) {
      if (item.t === "comment") level.push(item.v);
      items.push(this.value(item, path, stack));
      if (item.t !== "comment") level.length = 0;
    }
    return { t: "seq", items };
  }
}

function showPath(path: string[]): string {
  return path.length === 0 ? "the top level" : `'${path.join(":")}'`;
}

/** Decrypts every document of a SOPS tree with the data key and computes its MAC (uppercase hex SHA-512). */
export function decryptTree(docs: MapNode[], key: Uint8Array, rules: CryptRules): DecryptedTree {
  const walker = new TreeDecryptor(key, rules);
  const out = docs.map((doc) => walker.map(doc, [], []));
  return { docs: out, mac: walker.mac() };
}

/** Decrypts the stored MAC, whose additional data is the `lastmodified` timestamp. */
export function decryptStoredMac(mac: string, key: Uint8Array, lastModified: string): string {
  const out = decryptValue(mac, key, lastModified);
  return out.t === "str" ? out.v : "";
}
