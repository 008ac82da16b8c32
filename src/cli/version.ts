import type { Command } from "./command.ts";

/** `driftless version`: prints the version of driftless and of the Node running it. */
export const versionCommand: Command = {
  name: "version",
  async run(): Promise<number> {
    process.stdout.write(`driftless 0.1.0 (node ${process.version})\n`);
    return 0;
  },
};
