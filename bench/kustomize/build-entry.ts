// `driftless build` without the CLI's other commands loaded: the same command object, run directly,
// so the benchmark measures the renderer rather than the start-up cost of unrelated commands.
import { buildCommand } from "../../src/cli/build.ts";

process.exitCode = await buildCommand.run(process.argv.slice(2));
