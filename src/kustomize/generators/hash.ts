// The content hash kustomize appends to generated ConfigMap and Secret names.
import { createHash } from "node:crypto";
import { isObj, type Obj } from "../resource.ts";

/** JSON text exactly as Go's encoding/json writes it: map keys sorted, HTML characters escaped. */
export function goJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goString(v);
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(",")}}`;
  }
  return "null";
}

function goString(s: string): string {
  return JSON.stringify(s)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function encode(hex: string): string {
  const map: Record<string, string> = { "0": "g", "1": "h", "3": "k", a: "m", e: "t" };
  return Array.from(hex.slice(0, 10), (c) => map[c] ?? c).join("");
}

function field(obj: Obj, key: string): unknown {
  const v = obj[key];
  if (v === undefined || v === null) return "";
  return v;
}

/** The 10-character suffix for a ConfigMap or Secret, from its kind, data and type. */
export function contentHash(obj: Obj): string {
  let m: Obj;
  // kustomize looks the name up under a key that never exists, so it always hashes an empty name.
  if (obj.kind === "ConfigMap") {
    m = { kind: "ConfigMap", name: "", data: field(obj, "data") };
    if (isObj(obj.binaryData)) m.binaryData = obj.binaryData;
  } else if (obj.kind === "Secret") {
    m = { kind: "Secret", type: field(obj, "type"), name: "", data: field(obj, "data") };
    if (isObj(obj.stringData)) m.stringData = obj.stringData;
  } else {
    m = obj;
  }
  return encode(createHash("sha256").update(goJson(m)).digest("hex"));
}
