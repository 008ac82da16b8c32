/** One CLI command: a name, a one-line summary for the usage text, and a run function returning the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}
