// Polling helpers for integration tests.
import { kubectl } from "./context.ts";

/** Polls fn until it returns a value other than undefined, or fails after timeoutMs with the last error. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** kubectl get … -o jsonpath=…, trimmed; undefined when the object is missing. */
export async function jsonpath(args: readonly string[], path: string): Promise<string | undefined> {
  const r = await kubectl(["get", ...args, "-o", `jsonpath=${path}`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}
