// A small line-based unified diff (longest common subsequence, hunks with context), enough to show what
// an apply would change in an object's YAML. Inputs are a few hundred lines at most.

/** Options of unifiedDiff. */
export interface UnifiedDiffOptions {
  /** Labels of the two sides, printed after `---` and `+++`. */
  readonly from?: string;
  readonly to?: string;
  /** Unchanged lines shown around each change (default 3). */
  readonly context?: number;
}

type Op = { readonly kind: " " | "-" | "+"; readonly line: string };

/** The unified diff of two texts, or "" when they are equal. */
export function unifiedDiff(a: string, b: string, options: UnifiedDiffOptions = {}): string {
  if (a === b) return "";
  const ops = lineOps(splitLines(a), splitLines(b));
  const context = options.context ?? 3;
  const out = [`--- ${options.from ?? "a"}`, `+++ ${options.to ?? "b"}`];
  for (const hunk of hunks(ops, context)) out.push(...hunk);
  return `${out.join("\n")}\n`;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

// Edit script from the LCS table: deletions before insertions at each change, as diff(1) prints them.
function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const below = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i] === b[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i] as string });
      i++;
      j++;
    } else if (((lcs[i + 1] as Uint32Array)[j] as number) >= ((lcs[i] as Uint32Array)[j + 1] as number)) {
      ops.push({ kind: "-", line: a[i++] as string });
    } else {
      ops.push({ kind: "+", line: b[j++] as string });
    }
  }
  while (i < n) ops.push({ kind: "-", line: a[i++] as string });
  while (j < m) ops.push({ kind: "+", line: b[j++] as string });
  return ops;
}

function hunks(ops: readonly Op[], context: number): string[][] {
  const changed = ops.flatMap((op, k) => (op.kind === " " ? [] : [k]));
  const out: string[][] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - context);
    let end = Math.min(ops.length, (changed[k] as number) + context + 1);
    // Merge changes whose contexts touch.
    while (k + 1 < changed.length && (changed[k + 1] as number) - context <= end) {
      k++;
      end = Math.min(ops.length, (changed[k] as number) + context + 1);
    }
    k++;
    let aStart = 1;
    let bStart = 1;
    for (const op of ops.slice(0, start)) {
      if (op.kind !== "+") aStart++;
      if (op.kind !== "-") bStart++;
    }
    const body = ops.slice(start, end);
    const aLen = body.filter((op) => op.kind !== "+").length;
    const bLen = body.filter((op) => op.kind !== "-").length;
    out.push([
      `@@ -${aLen === 0 ? aStart - 1 : aStart},${aLen} +${bLen === 0 ? bStart - 1 : bStart},${bLen} @@`,
      ...body.map((op) => `${op.kind}${op.line}`),
    ]);
  }
  return out;
}
