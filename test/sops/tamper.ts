// Writes tampered copies of encrypted fixtures (used by regenerate.sh): each must be rejected on decryption.
//   node test/sops/tamper.ts <encrypted dir> <tampered dir>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [src = "", dst = ""] = process.argv.slice(2);
const read = (name: string): string => readFileSync(join(src, name), "utf8");
const write = (name: string, text: string): void => writeFileSync(join(dst, name), text);

function rotateFirstChar(text: string, marker: RegExp): string {
  const m = marker.exec(text);
  if (!m) throw new Error(`marker ${marker} not found`);
  const at = m.index + m[0].length;
  const c = text[at] ?? "A";
  return text.slice(0, at) + (c === "A" ? "B" : "A") + text.slice(at + 1);
}

const secret = read("encrypted-regex.yaml");
// One value's ciphertext altered.
write("value.yaml", rotateFirstChar(secret, /password: ENC\[AES256_GCM,data:/));
// A plaintext value changed in a file whose MAC covers it.
write("plain-value.yaml", secret.replace("name: app-credentials", "name: other-credentials"));
// The MAC altered.
write("mac.yaml", rotateFirstChar(secret, / {4}mac: ENC\[AES256_GCM,data:/));
// Two encrypted list items swapped: both decrypt (same key path), the MAC does not match.
const lines = read("encrypted-suffix.yaml").split("\n");
const items = lines.flatMap((l, i) => (/^\s+- ENC\[/.test(l) ? [i] : []));
const [a = 0, b = 0] = items;
[lines[a], lines[b]] = [lines[b] ?? "", lines[a] ?? ""];
write("swapped-list.yaml", lines.join("\n"));
// Files cut short.
write("truncated.yaml", secret.slice(0, Math.floor(secret.length / 2)));
const json = read("config.json");
write("truncated.json", json.slice(0, Math.floor((json.length * 2) / 3)));
