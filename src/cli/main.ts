// The CLI entry: dispatches to one file per command (registered in ./commands.ts).
import { commands } from "./commands.ts";

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(`driftless: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

function usage(): string {
  const lines = commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`);
  return `usage: driftless <command> [flags]\n\ncommands:\n${lines.join("\n")}\n`;
}

process.exitCode = await runCli(process.argv.slice(2));
