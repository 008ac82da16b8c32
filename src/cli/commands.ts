import { buildCommand } from "./build.ts";
import type { Command } from "./command.ts";
import { versionCommand } from "./version.ts";

/** Every CLI command, in the order the usage text lists them. */
export const commands: readonly Command[] = [buildCommand, versionCommand];
