// Typed failures of the git source library: the reconciler branches on `code` to pick a condition reason
// and decide between retrying and stalling.

/** What went wrong, as a stable code. */
export const GitErrorCode = {
  /** The secret is missing a key or holds an unusable value (a configuration error). */
  InvalidAuth: "InvalidAuth",
  /** The URL is not http(s):// or ssh://, or is malformed. */
  InvalidUrl: "InvalidUrl",
  /** The ref spec cannot be used (bad semver range, bad commit id). */
  InvalidRef: "InvalidRef",
  /** The server refused the credentials (HTTP 401/403, SSH auth failure). */
  AuthenticationFailed: "AuthenticationFailed",
  /** known_hosts has no entry for the host. */
  UnknownHostKey: "UnknownHostKey",
  /** known_hosts has entries for the host, none matching the key it presented. */
  HostKeyMismatch: "HostKeyMismatch",
  /** The branch, tag or ref does not exist on the remote. */
  RefNotFound: "RefNotFound",
  /** No tag matches the semver range. */
  NoMatchingTag: "NoMatchingTag",
  /** The remote has no refs at all. */
  EmptyRepository: "EmptyRepository",
  /** The operation ran past its timeout or was aborted. */
  Timeout: "Timeout",
  /** The repository does not exist on the server. */
  RepositoryNotFound: "RepositoryNotFound",
  /** Network or protocol failure (connection refused or cut, bad response). */
  Transport: "Transport",
} as const;
/** One of GitErrorCode. */
export type GitErrorCode = (typeof GitErrorCode)[keyof typeof GitErrorCode];

/** A failure of a git source operation; never carries secret values. */
export class GitSourceError extends Error {
  override name = "GitSourceError";
  readonly code: GitErrorCode;

  constructor(code: GitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Whether err is a GitSourceError with one of the given codes. */
export function isGitError(err: unknown, ...codes: GitErrorCode[]): err is GitSourceError {
  return err instanceof GitSourceError && (codes.length === 0 || codes.includes(err.code));
}
