import { describe, expect, it } from "vitest";
import { createLogger } from "./logging.ts";

function capture(format: "json" | "console"): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger("debug", format, {}, { write: (l) => lines.push(l) }) };
}

const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe("createLogger", () => {
  it.each(["json", "console"] as const)("redacts credential fields in %s output", async (format) => {
    const { lines, log } = capture(format);
    log.info(
      {
        password: "p4ss",
        auth: { token: "t0ken", username: "git" },
        headers: { authorization: "Basic eA==" },
      },
      "fetch",
    );
    await flush();
    const text = lines.join("");
    expect(text).not.toMatch(/p4ss|t0ken|Basic eA==/);
    expect(text).toContain("[REDACTED]");
    expect(text).toContain("git");
  });

  it("writes readable lines in console format", async () => {
    const { lines, log } = capture("console");
    log.warn({ key: "ns/app" }, "reconcile failed");
    await flush();
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}reconcile failed key=ns\/app\n$/);
  });
});
