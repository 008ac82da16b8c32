// Test helpers for src/sops: the fixtures encrypted by the real sops in testdata/ (see regenerate.sh).

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type KeySet, loadKeySet } from "../../src/sops/keys.ts";

/** The fixture directory. */
export const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), "testdata");

/** Reads a fixture file, e.g. `encrypted/values.yaml`. */
export function fixture(path: string): Buffer {
  return readFileSync(join(TESTDATA, path));
}

/** Lists the files of a fixture directory. */
export function fixtures(dir: string): string[] {
  return readdirSync(join(TESTDATA, dir)).sort();
}

/** Loads a key set from the named files of `keys/` (e.g. `age.agekey`, `pgp.asc`). */
export async function keysFrom(...names: string[]): Promise<KeySet> {
  const entries: Record<string, Buffer> = {};
  for (const name of names) entries[name] = fixture(`keys/${name}`);
  return loadKeySet(entries, { source: "test-keys" });
}
