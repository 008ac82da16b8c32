// Logger construction: pino JSON lines by default, or readable one-line records for a terminal. Fields that
// by their name hold credentials are redacted whatever the caller passes, as a second line of defence
// behind the rule that no secret value is ever logged.
import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

const levelNames: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Field names whose values are never written (at the top level and one level down). */
export const REDACTED_FIELDS = [
  "password",
  "passphrase",
  "token",
  "bearerToken",
  "identity",
  "privateKey",
  "authorization",
  "Authorization",
  "stringData",
  "secret",
] as const;

const redactPaths = REDACTED_FIELDS.flatMap((name) => [name, `*.${name}`]);

/** Where log lines go: stderr by default; tests pass a collector. */
export interface LogSink {
  write(line: string): void;
}

/** A logger at `level` writing JSON (format "json") or readable lines (format "console") to stderr. */
export function createLogger(
  level: string,
  format: "json" | "console",
  base: Record<string, string> = {},
  sink?: LogSink,
): Logger {
  const options = { level, base, redact: { paths: redactPaths, censor: "[REDACTED]" } };
  if (format === "json") {
    return pino(options, sink ? lineStream((line) => sink.write(`${line}\n`)) : pino.destination(2));
  }
  const out = sink ?? { write: (line: string) => process.stderr.write(line) };
  return pino(
    options,
    lineStream((line) => out.write(consoleLine(line))),
  );
}

/** Formats one pino JSON record as `15:04:05 INFO  message key=value …`. */
export function consoleLine(line: string): string {
  try {
    const rec = JSON.parse(line) as Record<string, unknown>;
    const { time, level, msg, pid, hostname, ...rest } = rec;
    void pid;
    void hostname;
    const t = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 19);
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(" ");
    return `${t} ${(levelNames[Number(level)] ?? "INFO").padEnd(5)} ${String(msg ?? "")} ${fields}\n`;
  } catch {
    return `${line}\n`;
  }
}

// Splits pino's output into lines (one record each) and hands them on.
function lineStream(onLine: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done): void {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") onLine(line);
      }
      done();
    },
  });
}
