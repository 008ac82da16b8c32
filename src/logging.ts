// Logger construction: pino JSON lines by default, or readable one-line records for a terminal.
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

/** A logger at `level` writing JSON (format "json") or readable lines (format "console") to stderr. */
export function createLogger(
  level: string,
  format: "json" | "console",
  base: Record<string, string> = {},
): Logger {
  if (format === "json") return pino({ level, base }, pino.destination(2));
  return pino({ level, base }, consoleStream());
}

/** Formats pino's JSON records as `15:04:05 INFO  message key=value …`. */
function consoleStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done): void {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() === "") continue;
        try {
          const rec = JSON.parse(line) as Record<string, unknown>;
          const { time, level, msg, pid, hostname, ...rest } = rec;
          void pid;
          void hostname;
          const t = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 19);
          const fields = Object.entries(rest)
            .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
            .join(" ");
          process.stderr.write(
            `${t} ${(levelNames[Number(level)] ?? "INFO").padEnd(5)} ${String(msg ?? "")} ${fields}\n`,
          );
        } catch {
          process.stderr.write(`${line}\n`);
        }
      }
      done();
    },
  });
}
