/** One CLI command: its name and a run function returning the exit code. */
export interface Command {
  readonly name: string;
  run(args: readonly string[]): Promise<number>;
}

/** A command as the index lists it: loaded only when it runs, so `driftless build` never loads the controller. */
export interface CommandEntry {
  readonly name: string;
  /** One line for the usage text. */
  readonly summary: string;
  load(): Promise<Command>;
}
