import { generateKey } from "openpgp";
import { describe, expect, it } from "vitest";
import { fixture } from "../../test/sops/fixtures.ts";
import { SopsError } from "./errors.ts";
import { emptyKeySet, loadKeySet, mergeKeySets } from "./keys.ts";

async function rejection(promise: Promise<unknown>): Promise<SopsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SopsError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("loadKeySet", () => {
  it("reads age identities (X25519 and post-quantum) from .agekey entries and OpenPGP keys from .asc", async () => {
    const keys = await loadKeySet({
      "age.agekey": fixture("keys/age.agekey"),
      "pq.agekey": fixture("keys/age-pq.agekey").toString(),
      "gpg.asc": fixture("keys/pgp.asc"),
      "README.md": "ignored",
    });
    expect(keys.age.map((k) => k.source)).toEqual(["age.agekey", "pq.agekey"]);
    expect(keys.age[0]?.recipient).toMatch(/^age1[a-z0-9]+$/);
    expect(keys.age[1]?.recipient).toMatch(/^age1pq1/);
    expect(keys.pgp).toHaveLength(1);
    expect(keys.pgp[0]?.fingerprints.length).toBeGreaterThanOrEqual(2);
  });

  it("reads several identities from one entry, skipping comments and blank lines", async () => {
    const text = `${fixture("keys/age.agekey")}\n\n${fixture("keys/age-second.agekey")}`;
    const keys = await loadKeySet({ "team.agekey": text });
    expect(keys.age).toHaveLength(2);
  });

  it("reads only age entries for the controller-wide fallback secret", async () => {
    const keys = await loadKeySet(
      { "age.agekey": fixture("keys/age.agekey"), "pgp.asc": fixture("keys/pgp.asc") },
      { ageOnly: true },
    );
    expect(keys.age).toHaveLength(1);
    expect(keys.pgp).toHaveLength(0);
  });

  it.each([
    ["bad.agekey", "not a key at all"],
    ["empty.agekey", "# only a comment\n"],
    ["typo.agekey", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ"],
    ["bad.asc", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nnope\n-----END PGP PRIVATE KEY BLOCK-----\n"],
  ])(
    "rejects the unreadable entry %s, naming it and the secret but not its content",
    async (name, content) => {
      const err = await rejection(loadKeySet({ [name]: content }, { source: "flux-system/sops-keys" }));
      expect(err.code).toBe("Malformed");
      expect(err.message).toContain(name);
      expect(err.message).toContain("flux-system/sops-keys");
      expect(err.message).not.toContain(content.trim().split("\n")[0]?.slice(0, 20) ?? "");
    },
  );

  it("rejects a passphrase-protected OpenPGP key, which a controller cannot unlock", async () => {
    const { privateKey } = await generateKey({
      userIDs: [{ email: "locked@driftless.invalid" }],
      passphrase: "secret passphrase",
      format: "armored",
    });
    const err = await rejection(loadKeySet({ "locked.asc": privateKey }));
    expect(err.code).toBe("Malformed");
    expect(err.message).toContain("passphrase");
  });

  it("merges key sets", async () => {
    const a = await loadKeySet({ "a.agekey": fixture("keys/age.agekey") });
    const b = await loadKeySet({ "b.asc": fixture("keys/pgp.asc") });
    const merged = mergeKeySets(a, b, emptyKeySet());
    expect(merged.age).toHaveLength(1);
    expect(merged.pgp).toHaveLength(1);
  });
});
