import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { combineShares, splitSecret } from "./shamir.ts";

const random = (n: number): Uint8Array => randomBytes(n);

describe("shamir over GF(256)", () => {
  it.each([
    [2, 2],
    [3, 2],
    [5, 3],
    [7, 7],
  ])("recovers a 32-byte key from any %i shares of threshold %i", (parts, threshold) => {
    const secret = randomBytes(32);
    const shares = splitSecret(secret, parts, threshold, random);
    expect(shares).toHaveLength(parts);
    for (let start = 0; start + threshold <= parts; start++) {
      expect(Buffer.from(combineShares(shares.slice(start, start + threshold)))).toEqual(secret);
    }
    expect(Buffer.from(combineShares(shares))).toEqual(secret);
  });

  it("does not recover the secret from fewer shares than the threshold", () => {
    const secret = randomBytes(32);
    const shares = splitSecret(secret, 3, 3, random);
    expect(Buffer.from(combineShares(shares.slice(0, 2)))).not.toEqual(secret);
  });

  it("rejects duplicate, mismatched or too few shares", () => {
    const shares = splitSecret(randomBytes(32), 3, 2, random);
    const [a = new Uint8Array(), b = new Uint8Array()] = shares;
    expect(() => combineShares([a, a])).toThrow(/duplicate/);
    expect(() => combineShares([a, b.slice(1)])).toThrow(/length/);
    expect(() => combineShares([a])).toThrow(/fewer than two/);
  });
});
