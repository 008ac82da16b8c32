import { z } from "zod";

/** The apiserver's `Status` object as sent with a failed request or a watch ERROR event. */
export const StatusSchema = z.looseObject({
  kind: z.literal("Status").optional(),
  status: z.string().optional(),
  message: z.string().optional(),
  reason: z.string().optional(),
  code: z.number().optional(),
  details: z
    .looseObject({
      name: z.string().optional(),
      group: z.string().optional(),
      kind: z.string().optional(),
      uid: z.string().optional(),
      retryAfterSeconds: z.number().optional(),
      causes: z
        .array(
          z.looseObject({
            reason: z.string().optional(),
            message: z.string().optional(),
            field: z.string().optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

/** The parsed apiserver Status. */
export type Status = z.infer<typeof StatusSchema>;

/** Details of a failed request as the apiserver described it. */
export type StatusDetails = NonNullable<Status["details"]>;

/** A request the apiserver answered with a failure; callers branch on `status` and `reason`. */
export class ApiError extends Error {
  override name = "ApiError";
  /** HTTP status code (the Status `code`, 0 when no response arrived). */
  readonly status: number;
  /** The Status `reason` (NotFound, AlreadyExists, Conflict, Expired, Invalid, …) or "" when absent. */
  readonly reason: string;
  /** The apiserver's Status details (kind, name, causes). */
  readonly details: StatusDetails | undefined;
  /** The HTTP method and path of the failed request. */
  readonly request: string;

  constructor(
    options: { status: number; reason: string; message: string; details?: StatusDetails; request: string },
    errorOptions?: ErrorOptions,
  ) {
    super(options.message, errorOptions);
    this.status = options.status;
    this.reason = options.reason;
    this.details = options.details;
    this.request = options.request;
  }

  /** Builds an ApiError from a response body, which is a Status when the apiserver produced it. */
  static fromResponse(status: number, body: string, request: string): ApiError {
    let parsed: Status | undefined;
    try {
      const result = StatusSchema.safeParse(JSON.parse(body));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    const text = body.trim().slice(0, 500);
    return new ApiError({
      status: parsed?.code ?? status,
      reason: parsed?.reason ?? reasonForCode(status),
      message: `${request}: ${parsed?.message ?? (text || `HTTP ${status}`)}`,
      ...(parsed?.details ? { details: parsed.details } : {}),
      request,
    });
  }

  /** Builds an ApiError from a Status carried by a watch ERROR event. */
  static fromStatus(status: Status, request: string): ApiError {
    const code = status.code ?? 500;
    return new ApiError({
      status: code,
      reason: status.reason ?? reasonForCode(code),
      message: `${request}: ${status.message ?? `HTTP ${code}`}`,
      ...(status.details ? { details: status.details } : {}),
      request,
    });
  }
}

// Mirrors apimachinery's reasonForError fallbacks when a proxy or a non-Status body answered.
function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 406:
      return "NotAcceptable";
    case 409:
      return "Conflict";
    case 410:
      return "Expired";
    case 415:
      return "UnsupportedMediaType";
    case 422:
      return "Invalid";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "Timeout";
    default:
      return "Unknown";
  }
}

function hasStatus(err: unknown, code: number, reason?: string): boolean {
  return err instanceof ApiError && (err.status === code || (reason !== undefined && err.reason === reason));
}

/** The object does not exist (404). */
export function isNotFound(err: unknown): boolean {
  return hasStatus(err, 404, "NotFound");
}

/** A create found the object already there. */
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.reason === "AlreadyExists";
}

/** An optimistic-concurrency or field-manager conflict (409). */
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409 && err.reason !== "AlreadyExists";
}

/** The requested resourceVersion is too old (410 Gone / Expired): relist. */
export function isGone(err: unknown): boolean {
  return hasStatus(err, 410, "Expired") || (err instanceof ApiError && err.reason === "Gone");
}

/** The object failed validation (422). */
export function isInvalid(err: unknown): boolean {
  return hasStatus(err, 422, "Invalid");
}

/** The caller may not do this (403). */
export function isForbidden(err: unknown): boolean {
  return hasStatus(err, 403, "Forbidden");
}

/** The credentials were rejected (401). */
export function isUnauthorized(err: unknown): boolean {
  return hasStatus(err, 401, "Unauthorized");
}

/** The apiserver asked the client to slow down (429). */
export function isTooManyRequests(err: unknown): boolean {
  return hasStatus(err, 429, "TooManyRequests");
}

/** The apiserver does not serve this kind (no discovery entry). */
export function isNoMatch(err: unknown): boolean {
  return err instanceof ApiError && err.reason === "NoKindMatch";
}
