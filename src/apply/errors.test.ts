import { describe, expect, it } from "vitest";
import { ApplyError, type ObjectFailure } from "./errors.ts";

const failure = (subject: string, message: string): ObjectFailure => ({ subject, message, invalid: false });

describe("ApplyError", () => {
  it("names each failed object with its own message", () => {
    const err = new ApplyError("dry-run", [
      failure("ConfigMap/a/one", "bad data"),
      failure("Service/a/two", "port out of range"),
    ]);
    expect(err.message).toBe("dry-run failed: ConfigMap/a/one: bad data; Service/a/two: port out of range");
  });

  it("says a shared cause once, naming the first objects and counting the rest", () => {
    const failures = Array.from({ length: 340 }, (_, i) =>
      failure(`ConfigMap/ns/keep-${String(i).padStart(3, "0")}`, "socket hang up"),
    );
    failures.splice(1, 0, failure("Secret/ns/s", "forbidden"));
    const err = new ApplyError("apply", failures);
    expect(err.message).toBe(
      "apply failed: ConfigMap/ns/keep-000: socket hang up (the same for 339 more: ConfigMap/ns/keep-001, " +
        "ConfigMap/ns/keep-002, ConfigMap/ns/keep-003, ConfigMap/ns/keep-004, ConfigMap/ns/keep-005, …); " +
        "Secret/ns/s: forbidden",
    );
    expect(err.failures).toHaveLength(341);
  });
});
