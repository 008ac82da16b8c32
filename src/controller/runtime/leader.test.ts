import { describe, expect, it } from "vitest";
import { LeaderElector, leaseName, mayAcquire, nextLeaseSpec } from "./leader.ts";

describe("leaseName", () => {
  it("is the base without a selector and adds 8 hex of sha256(selector) with one, as Flux does", () => {
    expect(leaseName("driftless-leader-election", "")).toBe("driftless-leader-election");
    // printf shard=a | sha256sum → 3d8dfb26…
    expect(leaseName("driftless-leader-election", "shard=a")).toBe("driftless-leader-election-3d8dfb26");
    expect(leaseName("x", "shard=a")).not.toBe(leaseName("x", "shard=b"));
  });
});

describe("mayAcquire", () => {
  const held = { holderIdentity: "other", leaseDurationSeconds: 15 };
  it.each([
    ["a free lease", { holderIdentity: "" }, 0, 0, true],
    ["a lease with no holder field", {}, 0, 0, true],
    ["our own lease", { holderIdentity: "me", leaseDurationSeconds: 15 }, 0, 1, true],
    ["another's lease seen changing just now", held, 1_000, 1_000, false],
    ["another's lease one ms before expiry", held, 1_000, 15_999, false],
    ["another's lease unchanged for its duration", held, 1_000, 16_000, true],
    [
      "a released lease (duration 1 s) after 1 s",
      { holderIdentity: "other", leaseDurationSeconds: 1 },
      0,
      1_000,
      true,
    ],
  ])("%s → %s", (_name, spec, observedAt, now, expected) => {
    expect(mayAcquire(spec, "me", observedAt, now)).toBe(expected);
  });
});

describe("nextLeaseSpec", () => {
  const t0 = new Date("2026-01-02T03:04:05.678Z");
  it("creates a record with MicroTime times and no transitions", () => {
    expect(nextLeaseSpec(undefined, "me", 15_000, t0)).toEqual({
      holderIdentity: "me",
      leaseDurationSeconds: 15,
      acquireTime: "2026-01-02T03:04:05.678000Z",
      renewTime: "2026-01-02T03:04:05.678000Z",
      leaseTransitions: 0,
    });
  });
  it("keeps acquireTime and transitions on renewal", () => {
    const old = nextLeaseSpec(undefined, "me", 15_000, t0);
    const renewed = nextLeaseSpec(
      { ...old, leaseTransitions: 3 },
      "me",
      15_000,
      new Date(t0.getTime() + 2000),
    );
    expect(renewed.acquireTime).toBe(old.acquireTime);
    expect(renewed.renewTime).toBe("2026-01-02T03:04:07.678000Z");
    expect(renewed.leaseTransitions).toBe(3);
  });
  it("counts a transition when the lease changes hands", () => {
    const taken = nextLeaseSpec(
      { holderIdentity: "other", leaseTransitions: 2, acquireTime: "x" },
      "me",
      15_000,
      t0,
    );
    expect(taken.leaseTransitions).toBe(3);
    expect(taken.acquireTime).toBe("2026-01-02T03:04:05.678000Z");
  });
});

describe("LeaderElector", () => {
  it("refuses timings client-go refuses", () => {
    const base = { client: {} as never, namespace: "ns", name: "l", identity: "me" };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(
      /lease duration/,
    );
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(
      /renew deadline/,
    );
  });
});
