import { describe, expect, it } from "vitest";
import { formatDuration, InvalidDurationError, isDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["-0", 0],
    ["500ms", 500],
    ["1s", 1_000],
    ["1m", 60_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1h2m3s", 3_723_000],
    ["1.5s", 1_500],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1.s", 1_000],
    ["2h45m", 9_900_000],
    ["1s1s", 2_000],
    ["100us", 0.1],
    ["100µs", 0.1],
    ["1500ns", 0.0015],
    ["-1m", -60_000],
    ["+2s", 2_000],
  ])("parses %s as %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    "",
    "1",
    "10",
    "m",
    "1 m",
    "1 minute",
    "1d",
    "1w",
    "1.5",
    ".s",
    "1m 30s",
    "-",
    "1hh",
    "ms1",
    "1e3s",
  ])("rejects %j", (input) => {
    expect(() => parseDuration(input)).toThrow(InvalidDurationError);
    expect(isDuration(input)).toBe(false);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1.5, "1.5ms"],
    [0.001, "1µs"],
    [0.000001, "1ns"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [60_000, "1m0s"],
    [90_000, "1m30s"],
    [3_600_000, "1h0m0s"],
    [3_723_500, "1h2m3.5s"],
    [-90_000, "-1m30s"],
  ])("formats %d ms as %s, as Go's Duration.String does", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([0, 1, 250, 1_000, 61_001, 3_600_000, 86_400_000])(
    "round-trips %d ms through parseDuration",
    (ms) => {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    },
  );
});
