// How a GitRepository reconcile fails, in Flux's three kinds: a generic error is retried with backoff, a
// stalling one waits for a spec change (re-checked at the interval), a waiting one comes back after a delay.
import { ConditionType, Reason } from "../../api/condition.ts";
import { GitErrorCode, GitSourceError } from "../../source/git/errors.ts";

/** What the reconciler does after a failure. */
export type FailureKind = "retry" | "stalled" | "waiting";

/** A failed phase: the condition it set, its reason and message (never a secret), and what to do next. */
export class ReconcileFailure extends Error {
  override name = "ReconcileFailure";
  readonly kind: FailureKind;
  /** The condition type the failure is recorded under (FetchFailed, …); "" for none (Ready only). */
  readonly condition: string;
  readonly reason: string;
  /** For waiting failures: when to look again. */
  readonly requeueAfter: number | undefined;

  constructor(
    options: { kind: FailureKind; condition: string; reason: string; message: string; requeueAfter?: number },
    errorOptions?: ErrorOptions,
  ) {
    super(options.message, errorOptions);
    this.kind = options.kind;
    this.condition = options.condition;
    this.reason = options.reason;
    this.requeueAfter = options.requeueAfter;
  }
}

/** A fetch failure (FetchFailed=True) from a git library error, with Flux's reasons and messages. */
export function fetchFailure(err: unknown): ReconcileFailure {
  if (err instanceof ReconcileFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof GitSourceError) {
    switch (err.code) {
      case GitErrorCode.EmptyRepository:
        return new ReconcileFailure(
          {
            kind: "retry",
            condition: ConditionType.FetchFailed,
            reason: "EmptyGitRepository",
            message: "git repository is empty",
          },
          { cause: err },
        );
      case GitErrorCode.InvalidAuth:
        return new ReconcileFailure(
          {
            kind: "retry",
            condition: ConditionType.FetchFailed,
            reason: Reason.AuthenticationFailed,
            message: `failed to configure authentication options: ${message}`,
          },
          { cause: err },
        );
      case GitErrorCode.InvalidUrl:
        return new ReconcileFailure(
          {
            kind: "stalled",
            condition: ConditionType.FetchFailed,
            reason: Reason.URLInvalid,
            message: `failed to parse url: ${message}`,
          },
          { cause: err },
        );
      default:
        break;
    }
  }
  return new ReconcileFailure(
    {
      kind: "retry",
      condition: ConditionType.FetchFailed,
      reason: Reason.GitOperationFailed,
      message: `failed to checkout and determine revision: ${message}`,
    },
    { cause: err },
  );
}

/** Any error as a failure: unexpected ones (an API call, a bug) are retried and reported on Ready only. */
export function asFailure(err: unknown): ReconcileFailure {
  if (err instanceof ReconcileFailure) return err;
  return new ReconcileFailure(
    {
      kind: "retry",
      condition: "",
      reason: Reason.Failed,
      message: err instanceof Error ? err.message : String(err),
    },
    { cause: err },
  );
}
