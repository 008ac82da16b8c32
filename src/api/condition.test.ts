import { describe, expect, it } from "vitest";
import {
  type Condition,
  ConditionSchema,
  ConditionType,
  findCondition,
  isConditionTrue,
  MAX_CONDITION_MESSAGE_LENGTH,
  Reason,
  removeCondition,
  setCondition,
  trimConditionMessage,
} from "./condition.ts";

const ready: Condition = {
  type: ConditionType.Ready,
  status: "True",
  reason: Reason.Succeeded,
  message: "stored artifact",
  lastTransitionTime: "2026-01-01T00:00:00Z",
  observedGeneration: 2,
};

describe("ConditionSchema", () => {
  it.each([
    ["a Ready condition", ready],
    ["a prefixed type", { ...ready, type: "example.com/Synced" }],
    ["a reason with commas and colons", { ...ready, reason: "A,b:c_d" }],
    ["an empty message", { ...ready, message: "" }],
    [
      "a timestamp with fractions and offset",
      { ...ready, lastTransitionTime: "2026-01-01T00:00:00.123+02:00" },
    ],
  ])("accepts %s", (_, c) => {
    expect(ConditionSchema.safeParse(c).success).toBe(true);
  });

  it.each([
    ["status yes", { ...ready, status: "yes" }],
    ["an empty reason", { ...ready, reason: "" }],
    ["a reason with a space", { ...ready, reason: "Not Ready" }],
    ["a reason ending in a comma", { ...ready, reason: "Failed," }],
    ["a type with a space", { ...ready, type: "Is Ready" }],
    ["a negative observedGeneration", { ...ready, observedGeneration: -1 }],
    ["a timestamp that is not RFC 3339", { ...ready, lastTransitionTime: "yesterday" }],
    [
      "a missing message",
      { type: "Ready", status: "True", reason: "X", lastTransitionTime: "2026-01-01T00:00:00Z" },
    ],
    ["a message over 32768 characters", { ...ready, message: "x".repeat(32769) }],
  ])("rejects %s", (_, c) => {
    expect(ConditionSchema.safeParse(c).success).toBe(false);
  });
});

describe("setCondition", () => {
  it("appends a new condition with the given time", () => {
    const out = setCondition(
      [],
      { type: "Ready", status: "False", reason: "Progressing", message: "m" },
      "T1",
    );
    expect(out).toEqual([
      { type: "Ready", status: "False", reason: "Progressing", message: "m", lastTransitionTime: "T1" },
    ]);
  });

  it("keeps lastTransitionTime when only reason and message change", () => {
    const out = setCondition([ready], { ...ready, reason: Reason.ArtifactUpToDate, message: "same" }, "T2");
    expect(out[0]?.lastTransitionTime).toBe(ready.lastTransitionTime);
    expect(out[0]?.reason).toBe(Reason.ArtifactUpToDate);
  });

  it("moves lastTransitionTime when the status flips", () => {
    const out = setCondition([ready], { ...ready, status: "False", reason: Reason.GitOperationFailed }, "T3");
    expect(out[0]?.lastTransitionTime).toBe("T3");
  });

  it("keeps the order of other conditions and does not mutate the input", () => {
    const stalled: Condition = { ...ready, type: ConditionType.Stalled };
    const input = [stalled, ready];
    const out = setCondition(input, { ...ready, message: "changed" }, "T4");
    expect(out.map((c) => c.type)).toEqual(["Stalled", "Ready"]);
    expect(input[1]?.message).toBe("stored artifact");
  });

  it("trims a message longer than the CRDs accept, ending it with ...", () => {
    const out = setCondition([], { ...ready, message: "x".repeat(40_000) }, "2026-11-27T00:00:00Z");
    const message = out[0]?.message ?? "";
    expect(message).toHaveLength(MAX_CONDITION_MESSAGE_LENGTH);
    expect(message.endsWith("x...")).toBe(true);
    expect(ConditionSchema.safeParse(out[0]).success).toBe(true);
  });

  it.each([
    ["a short message", "short", 10, "short"],
    ["a message of exactly the limit", "abcdefghij", 10, "abcdefghij"],
    ["a long message", "abcdefghijk", 10, "abcdefg..."],
    ["a surrogate pair at the cut", "abcdef\u{1F600}xyz", 10, "abcdef..."],
  ])("trimConditionMessage keeps %s valid", (_, message, max, trimmed) => {
    expect(trimConditionMessage(message, max)).toBe(trimmed);
  });

  it("finds, tests and removes conditions by type", () => {
    expect(findCondition([ready], "Ready")).toBe(ready);
    expect(findCondition(undefined, "Ready")).toBeUndefined();
    expect(isConditionTrue([ready], "Ready")).toBe(true);
    expect(isConditionTrue([{ ...ready, status: "Unknown" }], "Ready")).toBe(false);
    expect(removeCondition([ready], "Ready")).toEqual([]);
  });
});

describe("constants", () => {
  it("spell Flux's condition types and reasons", () => {
    expect(ConditionType.ArtifactInStorage).toBe("ArtifactInStorage");
    expect(Reason.ProgressingWithRetry).toBe("ProgressingWithRetry");
    expect(Reason.GitOperationFailed).toBe("GitOperationFailed");
    expect(Reason.DirectoryCreationFailed).toBe("DirectoryCreationFailed");
    for (const reason of Object.values(Reason)) {
      expect(ConditionSchema.shape.reason.safeParse(reason).success).toBe(true);
    }
  });
});
