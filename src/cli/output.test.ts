import { describe, expect, it } from "vitest";
import { formatTable, humanAge, Output, parseTarget, TOOLKIT_KINDS } from "./output.ts";

describe("humanAge", () => {
  it.each([
    [0, "0s"],
    [119_000, "119s"],
    [150_000, "2m30s"],
    [300_000, "5m"],
    [47 * 60_000, "47m"],
    [(3 * 60 + 20) * 60_000, "3h20m"],
    [20 * 3_600_000, "20h"],
    [(3 * 24 + 5) * 3_600_000, "3d5h"],
    [30 * 86_400_000, "30d"],
    [(2 * 365 + 45) * 86_400_000, "2y45d"],
    [-5_000, "0s"],
  ])("formats %d ms as %s, as kubectl does", (ms, want) => {
    expect(humanAge(ms)).toBe(want);
  });
});

describe("formatTable", () => {
  it("pads every column but the last to its widest cell plus three spaces", () => {
    expect(
      formatTable(
        ["NAME", "READY"],
        [
          ["a", "True"],
          ["longer-name", "False"],
        ],
      ),
    ).toBe("NAME          READY\na             True\nlonger-name   False\n");
  });

  it("styles cells after padding so colour codes keep columns aligned", () => {
    const out = formatTable(["A", "B", "C"], [["x", "yy", "z"]], (t, _r, c) => (c === 1 ? `<${t}>` : t));
    expect(out).toBe("A   B    C\nx   <yy>   z\n");
  });
});

describe("parseTarget", () => {
  it.each([
    [["ks", "apps"], "Kustomization", "apps"],
    [["kustomization", "apps"], "Kustomization", "apps"],
    [["source", "git", "repo"], "GitRepository", "repo"],
    [["source", "gitrepository", "repo"], "GitRepository", "repo"],
    [["gitrepository", "repo"], "GitRepository", "repo"],
  ])("reads %j as %s %s", (args, kind, name) => {
    const t = parseTarget(args);
    expect(t).toEqual({
      kind: kind === "Kustomization" ? TOOLKIT_KINDS.Kustomization : TOOLKIT_KINDS.GitRepository,
      name,
    });
  });

  it.each([[[]], [["ks"]], [["source", "oci", "x"]], [["helmrelease", "x"]], [["ks", "a", "b"]]])(
    "refuses %j with a usage message",
    (args) => {
      expect(typeof parseTarget(args)).toBe("string");
    },
  );
});

describe("Output", () => {
  const capture = (color: boolean, interactive: boolean) => {
    const text = { out: "", err: "" };
    const output = new Output({
      stdout: { write: (s: string) => (text.out += s) },
      stderr: { write: (s: string) => (text.err += s) },
      color,
      interactive,
    });
    return { output, text };
  };

  it("writes outcomes to stdout and progress to stderr, without escape codes when piped", () => {
    const { output, text } = capture(false, false);
    output.step("annotating");
    output.waiting("waiting").stop();
    output.success("done");
    expect(text.out).toBe("✔ done\n");
    expect(text.err).toBe("► annotating\n◎ waiting\n");
  });

  it("colours symbols on a terminal", () => {
    const { output, text } = capture(true, true);
    output.failure("failed");
    expect(text.out).toBe("\x1b[31m✗\x1b[0m failed\n");
  });
});
