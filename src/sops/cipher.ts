import { createDecipheriv } from "node:crypto";
import type { Comment, Scalar } from "./tree.ts";

const ENCRYPTED = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Why one value could not be decrypted: not in the ENC[…] format, or authentication failed. */
export type ValueFailure = "format" | "auth" | "type";

/** A failed value decryption; carries no plaintext. */
export class ValueError extends Error {
  override name = "ValueError";
  readonly failure: ValueFailure;
  constructor(failure: ValueFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

/** Tells whether a string looks like a SOPS-encrypted value. */
export function looksEncrypted(value: string): boolean {
  return value.startsWith("ENC[AES256_GCM,");
}

function decodeBase64(field: string, text: string): Buffer {
  if (!BASE64.test(text) || text.length % 4 !== 0) {
    throw new ValueError("format", `${field} is not valid base64`);
  }
  return Buffer.from(text, "base64");
}

/** Decrypts the raw bytes of an `ENC[AES256_GCM,…]` value; returns the plaintext and its declared type. */
export function openValue(
  value: string,
  key: Uint8Array,
  additionalData: string,
): { plain: Buffer; type: string } {
  const m = ENCRYPTED.exec(value);
  if (!m) throw new ValueError("format", "value does not match the sops ENC[AES256_GCM,…] format");
  const data = decodeBase64("data", m[1] ?? "");
  const iv = decodeBase64("iv", m[2] ?? "");
  const tag = decodeBase64("tag", m[3] ?? "");
  const type = m[4] ?? "";
  if (iv.length === 0) throw new ValueError("format", "empty iv");
  if (tag.length !== 16) throw new ValueError("auth", "authentication tag is not 16 bytes");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv);
    decipher.setAAD(Buffer.from(additionalData, "utf8"));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(data), decipher.final()]);
    return { plain, type };
  } catch {
    throw new ValueError(
      "auth",
      "authentication failed (value altered, moved, or encrypted with another key)",
    );
  }
}

const GO_INT = /^[+-]?[0-9]+$/;
const GO_FLOAT = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.?[0-9]*(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i;
const GO_BOOL = new Map<string, boolean>([
  ...["1", "t", "T", "TRUE", "true", "True"].map((k): [string, boolean] => [k, true]),
  ...["0", "f", "F", "FALSE", "false", "False"].map((k): [string, boolean] => [k, false]),
]);

function parseGoFloat(text: string): number {
  const lower = text.toLowerCase().replace(/^\+/, "");
  if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  return Number(text.replaceAll("_", ""));
}

/**
 * Decrypts one SOPS value (a scalar or a comment) as SOPS' AES-GCM cipher does: the empty string stays
 * empty, and the `type:` field picks how the plaintext is read.
 */
export function decryptValue(value: string, key: Uint8Array, additionalData: string): Scalar | Comment {
  if (value === "") return { t: "str", v: "" };
  const { plain, type } = openValue(value, key, additionalData);
  const text = plain.toString("utf8");
  switch (type) {
    case "str":
    case "bytes":
      return Buffer.from(text, "utf8").equals(plain)
        ? { t: "str", v: text }
        : { t: "str", v: text, raw: plain };
    case "int": {
      if (!GO_INT.test(text)) throw new ValueError("type", "plaintext of an int value is not an integer");
      return { t: "int", v: BigInt(text) };
    }
    case "float": {
      if (!GO_FLOAT.test(text) || text === "" || text === "." || Number.isNaN(parseGoFloat(text))) {
        if (text.toLowerCase() !== "nan")
          throw new ValueError("type", "plaintext of a float value is not a number");
      }
      return { t: "float", v: parseGoFloat(text) };
    }
    case "bool": {
      const b = GO_BOOL.get(text);
      if (b === undefined) throw new ValueError("type", "plaintext of a bool value is not a boolean");
      return { t: "bool", v: b };
    }
    case "time":
      return { t: "time", v: text };
    case "comment":
      return { t: "comment", v: text };
    default:
      throw new ValueError("type", `unknown value type ${JSON.stringify(type)}`);
  }
}
