// known_hosts parsing and host key verification as OpenSSH does it: plain and hashed (|1|salt|hash) host
// entries, `[host]:port` for non-default ports, `*`/`?` wildcards, `!` negation and `@revoked` markers.
// `@cert-authority` lines are skipped (no certificate support).
import { createHmac, timingSafeEqual } from "node:crypto";

/** One usable known_hosts key for a host. */
export interface KnownHostKey {
  /** The key type, e.g. "ssh-ed25519". */
  readonly type: string;
  /** The public key blob (SSH wire format). */
  readonly blob: Buffer;
}

/** The verdict on a presented host key. */
export type HostKeyVerdict = "trusted" | "unknown-host" | "mismatch" | "revoked";

interface Line {
  marker: "" | "@revoked" | "@cert-authority";
  hosts: string;
  type: string;
  blob: Buffer;
}

function parseLines(knownHosts: string): Line[] {
  const lines: Line[] = [];
  for (const raw of knownHosts.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = line.split(/\s+/);
    let marker: Line["marker"] = "";
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority")
      marker = fields.shift() as Line["marker"];
    const [hosts, type, key] = fields;
    if (!hosts || !type || !key) continue;
    const blob = Buffer.from(key, "base64");
    if (blob.length === 0) continue;
    lines.push({ marker, hosts, type, blob });
  }
  return lines;
}

/** The name OpenSSH looks up: "host" on port 22, else "[host]:port". */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
    "i",
  );
  return re.test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const parts = entry.split("|");
  if (parts.length !== 4 || parts[1] !== "1") return false;
  const salt = Buffer.from(parts[2] ?? "", "base64");
  const expected = Buffer.from(parts[3] ?? "", "base64");
  const actual = createHmac("sha1", salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a known_hosts host field applies to the host name (as from knownHostsName). */
export function hostsFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|")) return hashedMatch(field, name);
  let matched = false;
  for (const pattern of field.split(",")) {
    if (pattern.startsWith("!")) {
      if (wildcard(pattern.slice(1), name)) return false;
    } else if (wildcard(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The keys known_hosts lists for host:port (without revoked ones). */
export function knownKeysFor(knownHosts: string, host: string, port: number): KnownHostKey[] {
  const name = knownHostsName(host, port);
  return parseLines(knownHosts)
    .filter((l) => l.marker === "" && hostsFieldMatches(l.hosts, name))
    .map((l) => ({ type: l.type, blob: l.blob }));
}

/** Checks the key a server presented against known_hosts; only "trusted" may proceed. */
export function verifyHostKey(
  knownHosts: string,
  host: string,
  port: number,
  presented: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const lines = parseLines(knownHosts);
  if (lines.some((l) => l.marker === "@revoked" && l.blob.equals(presented))) return "revoked";
  const keys = lines.filter((l) => l.marker === "" && hostsFieldMatches(l.hosts, name));
  if (keys.length === 0) return "unknown-host";
  return keys.some((k) => k.blob.equals(presented)) ? "trusted" : "mismatch";
}

/** ssh2 host key algorithm names for the known key types, so the server presents a key we can check. */
export function hostKeyAlgorithms(keys: readonly KnownHostKey[]): string[] {
  const out: string[] = [];
  const add = (...names: string[]): void => {
    for (const n of names) if (!out.includes(n)) out.push(n);
  };
  for (const k of keys) {
    if (k.type === "ssh-rsa") add("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    else add(k.type);
  }
  return out;
}
