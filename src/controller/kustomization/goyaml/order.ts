// go-yaml v2's order of mapping keys.

const isLetterChar = (c: string): boolean => /^\p{L}$/u.test(c);
const isDigitChar = (c: string): boolean => /^\p{Nd}$/u.test(c);

/** go-yaml's order for string keys: letters before other characters, runs of digits compared as numbers. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
}

function keyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] ?? "";
    const bc = br[i] ?? "";
    if (ac === bc) continue;
    const al = isLetterChar(ac);
    const bl = isLetterChar(bc);
    if (al && bl) return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ac === "0" || bc === "0") {
      for (let j = i - 1; j >= 0 && isDigitChar(ar[j] ?? ""); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigitChar(ar[ai] ?? ""); ai++) an = an * 10n + digitValue(ar[ai] ?? "0");
    let bi = i;
    for (; bi < br.length && isDigitChar(br[bi] ?? ""); bi++) bn = bn * 10n + digitValue(br[bi] ?? "0");
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) ?? 0) < (bc.codePointAt(0) ?? 0);
  }
  return ar.length < br.length;
}

/** Go subtracts '0' from any Unicode digit; keep that (it only matters for non-ASCII digits). */
function digitValue(c: string): bigint {
  return BigInt((c.codePointAt(0) ?? 48) - 48);
}
