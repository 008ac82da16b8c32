import { describe, expect, it } from "vitest";
import { ApiError, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound } from "./errors.ts";

const status = (code: number, reason: string): string =>
  JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message: `configmaps "x" ${reason}`,
    reason,
    code,
    details: { name: "x", kind: "configmaps" },
  });

describe("ApiError", () => {
  it.each([
    { code: 404, reason: "NotFound", check: isNotFound },
    { code: 409, reason: "AlreadyExists", check: isAlreadyExists },
    { code: 409, reason: "Conflict", check: isConflict },
    { code: 410, reason: "Expired", check: isGone },
    { code: 422, reason: "Invalid", check: isInvalid },
  ])("classifies a $code $reason Status", ({ code, reason, check }) => {
    const err = ApiError.fromResponse(code, status(code, reason), "GET /api/v1/namespaces/a/configmaps/x");
    expect(err).toMatchObject({ status: code, reason, details: { name: "x", kind: "configmaps" } });
    expect(check(err)).toBe(true);
    expect(err.message).toBe(`GET /api/v1/namespaces/a/configmaps/x: configmaps "x" ${reason}`);
  });

  it("does not take AlreadyExists for a conflict", () => {
    expect(isConflict(ApiError.fromResponse(409, status(409, "AlreadyExists"), "POST /x"))).toBe(false);
  });

  it("falls back to the HTTP code when the body is not a Status", () => {
    const err = ApiError.fromResponse(503, "<html>upstream down</html>", "GET /readyz");
    expect(err).toMatchObject({ status: 503, reason: "ServiceUnavailable" });
    expect(err.message).toContain("upstream down");
  });

  it("reads a watch ERROR Status as Gone", () => {
    const err = ApiError.fromStatus(
      { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 1 (42)" },
      "WATCH /api/v1/configmaps",
    );
    expect(isGone(err)).toBe(true);
    expect(isNotFound(err)).toBe(false);
  });

  it("is not confused with other errors", () => {
    expect(isNotFound(new Error("404"))).toBe(false);
    expect(isGone(undefined)).toBe(false);
  });
});
