import { buildCommand } from "./build.ts";
import type { Command } from "./command.ts";
import { controllerCommand } from "./controller.ts";
import { diffCommand } from "./diff.ts";
import { getCommand } from "./get.ts";
import { reconcileCommand } from "./reconcile.ts";
import { resumeCommand, suspendCommand } from "./suspend.ts";
import { versionCommand } from "./version.ts";

/** Every CLI command, in the order the usage text lists them. */
export const commands: readonly Command[] = [
  buildCommand,
  controllerCommand,
  diffCommand,
  getCommand,
  reconcileCommand,
  suspendCommand,
  resumeCommand,
  versionCommand,
];
