// The checkout options of a GitRepository that shape its tree beyond the commit: spec.sparseCheckout
// (checked against the fetched commit as Flux checks its checkout) and spec.recurseSubmodules.
import { ConditionType, Reason } from "../../api/condition.ts";
import type { GitRepository } from "../../api/gitrepository.ts";
import type { GitAuth } from "../../source/git/auth.ts";
import type { ProxyConfig } from "../../source/git/proxy.ts";
import { checkSparseDirs, SparseCheckoutError } from "../../source/git/sparse.ts";
import { fetchSubmodules } from "../../source/git/submodules.ts";
import type { SubmoduleTree } from "../../source/git/tree.ts";
import { fetchFailure, ReconcileFailure } from "./failure.ts";

// The sparse checkout directories must exist in the fetched commit, as Flux checks after its checkout.
/** Fails like Flux (FetchFailed, GitOperationFailed) when a sparse checkout directory is not in the commit. */
export async function checkSparseCheckout(
  obj: GitRepository,
  cacheDir: string,
  commit: string,
): Promise<void> {
  const dirs = obj.spec.sparseCheckout;
  if (!dirs?.length) return;
  try {
    await checkSparseDirs(cacheDir, commit, dirs);
  } catch (err) {
    if (!(err instanceof SparseCheckoutError)) throw fetchFailure(err);
    throw new ReconcileFailure(
      {
        kind: "retry",
        condition: ConditionType.FetchFailed,
        reason: Reason.GitOperationFailed,
        message: `failed to sparse checkout directories : ${err.message}`,
      },
      { cause: err },
    );
  }
}

// With recurseSubmodules, the submodules of the fetched commit, fetched (Flux's clone skips them when
// sparseCheckout is set: go-git checks submodules out only on a full checkout).
/** The fetched submodules by path when recurseSubmodules is set; failures are FetchFailed. */
export async function submoduleTrees(
  obj: GitRepository,
  opts: {
    cacheDir: string;
    commit: string;
    auth: GitAuth | undefined;
    proxy: ProxyConfig | undefined;
    signal: AbortSignal;
  },
): Promise<Map<string, SubmoduleTree> | undefined> {
  if (!obj.spec.recurseSubmodules || obj.spec.sparseCheckout?.length) return undefined;
  try {
    const { proxy, ...rest } = opts;
    return await fetchSubmodules({ ...rest, url: obj.spec.url, ...(proxy ? { proxy } : {}) });
  } catch (err) {
    throw fetchFailure(err);
  }
}

// Whether two optional lists hold the same items in the same order (absent equals empty, as Flux compares).
/** Whether two optional lists hold the same items in order. */
export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
