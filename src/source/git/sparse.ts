// spec.sparseCheckout as Flux's go-git checkout does it: a file is checked out when its path starts with one
// of the directories (a plain prefix, with a leading "./" trimmed, so "apps" also takes "apps2/x"), and
// every listed directory must then exist in the checkout, or the fetch fails.
import { listTree, type TreeFile } from "./tree.ts";

/** A sparse checkout directory that is not in the checked-out commit. */
export class SparseCheckoutError extends Error {
  override name = "SparseCheckoutError";
  readonly dir: string;

  constructor(dir: string) {
    super(`sparse checkout dir '${dir}' does not exist in repository`);
    this.dir = dir;
  }
}

/** The directories as go-git matches them: a leading "./" removed. */
export function sparsePrefixes(dirs: readonly string[]): string[] {
  return dirs.map((d) => (d.startsWith("./") ? d.slice(2) : d));
}

/** A writeTree() select hook keeping the files a sparse checkout of dirs checks out. */
export function sparseFilter(dirs: readonly string[]): (files: readonly TreeFile[]) => TreeFile[] {
  const prefixes = sparsePrefixes(dirs);
  return (files) => files.filter((f) => prefixes.some((p) => f.path.startsWith(p)));
}

/** The first of dirs that a sparse checkout of dirs would not hold (as lstat sees it), if any. */
export function missingSparseDir(files: readonly TreeFile[], dirs: readonly string[]): string | undefined {
  const kept = sparseFilter(dirs)(files);
  return dirs.find((dir) => {
    const clean = dir.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
    if (clean === "" || clean === ".") return false;
    return !kept.some((f) => f.path === clean || f.path.startsWith(`${clean}/`));
  });
}

/** Checks that every directory of a sparse checkout exists in the commit; throws SparseCheckoutError. */
export async function checkSparseDirs(
  cacheDir: string,
  commit: string,
  dirs: readonly string[],
): Promise<void> {
  const { files } = await listTree(cacheDir, commit);
  const missing = missingSparseDir(files, dirs);
  if (missing !== undefined) throw new SparseCheckoutError(missing);
}
