// Writes a new age identity file (as age-keygen does) to stdout: `x25519` (default) or `pq` (ML-KEM hybrid).
// Used by regenerate.sh; sops cannot generate age keys itself.
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption";

const kind = process.argv[2] ?? "x25519";
const identity = kind === "pq" ? await generateHybridIdentity() : await generateX25519Identity();
const recipient = await identityToRecipient(identity);
process.stdout.write(`# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`);
