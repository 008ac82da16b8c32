// Errors of the ResourceManager, naming the objects that failed.
import { ApiError } from "../kube/errors.ts";

/** One object that could not be applied or deleted, and why. */
export interface ObjectFailure {
  readonly subject: string;
  readonly message: string;
  /** The apiserver rejected the object as invalid (schema, immutable field): retrying will not help. */
  readonly invalid: boolean;
}

/** Applying (or dry-running) a set failed for some objects; carries every failure. */
export class ApplyError extends Error {
  override name = "ApplyError";
  readonly failures: readonly ObjectFailure[];
  constructor(verb: string, failures: readonly ObjectFailure[]) {
    super(`${verb} failed: ${describeFailures(failures)}`);
    this.failures = failures;
  }
}

/** How many other objects with the same error are named before "…". */
const SAME_ERROR_NAMED = 5;

/**
 * One clause per distinct message, in the order first seen: when the apiserver goes away mid-apply,
 * hundreds of objects fail with the same cause, and one line should say so rather than repeat it.
 */
export function describeFailures(failures: readonly ObjectFailure[]): string {
  const groups = new Map<string, string[]>();
  for (const f of failures) {
    const subjects = groups.get(f.message);
    if (subjects) subjects.push(f.subject);
    else groups.set(f.message, [f.subject]);
  }
  const clauses: string[] = [];
  for (const [message, [first, ...rest]] of groups) {
    let clause = `${first}: ${message}`;
    if (rest.length > 0) {
      const named = rest.slice(0, SAME_ERROR_NAMED).join(", ");
      const more = rest.length > SAME_ERROR_NAMED ? ", …" : "";
      clause += ` (the same for ${rest.length} more: ${named}${more})`;
    }
    clauses.push(clause);
  }
  return clauses.join("; ");
}

/** Turns a failed request into a failure entry with a readable message. */
export function failureOf(subject: string, err: unknown): ObjectFailure {
  if (err instanceof ApiError) {
    // The apiserver's message starts with the request line; users need only the reason.
    const message = err.message.replace(/^[A-Z]+ \S+: /, "");
    return { subject, message, invalid: err.status === 422 || err.status === 400 };
  }
  return { subject, message: err instanceof Error ? err.message : String(err), invalid: false };
}

/** Whether an apiserver error says an immutable field would change. */
export function isImmutableError(err: unknown): boolean {
  return err instanceof ApiError && err.status === 422 && /field is immutable|immutable/i.test(err.message);
}
