// Shamir's secret sharing over GF(2^8) with the AES polynomial, in the share layout SOPS uses for key groups:
// each share is the y-values of every secret byte followed by one x-coordinate byte.

function mult(a: number, b: number): number {
  let acc = 0;
  for (let i = 7; i >= 0; i--) {
    const bit = (b >> i) & 1;
    acc = ((acc << 1) ^ (acc & 0x80 ? 0x1b : 0)) & 0xff;
    if (bit) acc ^= a;
  }
  return acc;
}

function inverse(a: number): number {
  // a^254 = a^-1 in GF(2^8).
  let result = 1;
  let base = a;
  let e = 254;
  while (e > 0) {
    if (e & 1) result = mult(result, base);
    base = mult(base, base);
    e >>= 1;
  }
  return result;
}

function interpolateAtZero(xs: readonly number[], ys: readonly number[]): number {
  let result = 0;
  for (let i = 0; i < xs.length; i++) {
    let basis = 1;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      const xi = xs[i] ?? 0;
      const xj = xs[j] ?? 0;
      // Lagrange basis at 0: prod (0 - xj) / (xi - xj); subtraction is XOR.
      basis = mult(basis, mult(xj, inverse(xi ^ xj)));
    }
    result ^= mult(ys[i] ?? 0, basis);
  }
  return result;
}

/** Splits a secret into shares (for tests: SOPS itself splits when encrypting). */
export function splitSecret(
  secret: Uint8Array,
  parts: number,
  threshold: number,
  random: (n: number) => Uint8Array,
): Uint8Array[] {
  if (threshold < 2 || parts < threshold || parts > 255) throw new Error("invalid shamir parameters");
  const xs = Array.from({ length: parts }, (_, i) => i + 1);
  const shares = xs.map(() => new Uint8Array(secret.length + 1));
  for (let b = 0; b < secret.length; b++) {
    const coefficients = [secret[b] ?? 0, ...random(threshold - 1)];
    xs.forEach((x, p) => {
      let y = 0;
      for (let c = coefficients.length - 1; c >= 0; c--) y = mult(y, x) ^ (coefficients[c] ?? 0);
      const share = shares[p];
      if (share) share[b] = y;
    });
  }
  shares.forEach((share, p) => {
    share[secret.length] = xs[p] ?? 0;
  });
  return shares;
}

/** Recombines shares into the secret; throws when they are inconsistent (lengths, duplicates, too few). */
export function combineShares(shares: readonly Uint8Array[]): Uint8Array {
  if (shares.length < 2) throw new Error("fewer than two shares cannot reconstruct the secret");
  const length = shares[0]?.length ?? 0;
  if (length < 2) throw new Error("shares must be at least two bytes");
  if (shares.some((s) => s.length !== length)) throw new Error("shares differ in length");
  const xs = shares.map((s) => s[length - 1] ?? 0);
  if (new Set(xs).size !== xs.length) throw new Error("duplicate share");
  const secret = new Uint8Array(length - 1);
  for (let b = 0; b < secret.length; b++) {
    secret[b] = interpolateAtZero(
      xs,
      shares.map((s) => s[b] ?? 0),
    );
  }
  return secret;
}
