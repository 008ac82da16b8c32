import type { Command } from "./command.ts";

/** `driftless controller`: runs the controllers (flags are read by src/main.ts). */
export const controllerCommand: Command = {
  name: "controller",
  async run(args: readonly string[]): Promise<number> {
    const { main } = await import("../main.ts");
    return main(args);
  },
};
