import { describe, expect, it } from "vitest";
import { isConnectionError, mapConcurrent, NotAttemptedError } from "./manager.ts";

const refused = (): Error =>
  Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });

describe("mapConcurrent", () => {
  it("runs every item, in input order, failures included", async () => {
    const results = await mapConcurrent([1, 2, 3, 4], 2, async (n) => {
      if (n === 2) throw new Error("two");
      return n * 10;
    });
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      10,
      "two",
      30,
      40,
    ]);
  });

  it("stops starting items once a failure matches stopOn, rejecting the rest as not attempted", async () => {
    const started: number[] = [];
    const results = await mapConcurrent(
      [1, 2, 3, 4, 5, 6],
      1,
      async (n) => {
        started.push(n);
        if (n === 2) throw refused();
        return n;
      },
      { stopOn: isConnectionError },
    );
    expect(started).toEqual([1, 2]);
    expect(results[0]).toEqual({ status: "fulfilled", value: 1 });
    const rest = results.slice(2).map((r) => (r.status === "rejected" ? r.reason : undefined));
    expect(rest.every((e) => e instanceof NotAttemptedError)).toBe(true);
    expect((rest[0] as Error).message).toBe("not attempted after: connect ECONNREFUSED 127.0.0.1:6443");
  });

  it("keeps going after failures stopOn does not accept", async () => {
    const started: number[] = [];
    await mapConcurrent(
      [1, 2, 3],
      1,
      async (n) => {
        started.push(n);
        throw new Error("invalid");
      },
      { stopOn: isConnectionError },
    );
    expect(started).toEqual([1, 2, 3]);
  });
});

describe("isConnectionError", () => {
  it("recognises socket errors, also as the cause of a fetch failure", () => {
    expect(isConnectionError(refused())).toBe(true);
    expect(isConnectionError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(true);
    expect(isConnectionError(new TypeError("fetch failed", { cause: refused() }))).toBe(true);
    expect(isConnectionError(new Error("the object is invalid"))).toBe(false);
    expect(isConnectionError(undefined)).toBe(false);
  });
});
