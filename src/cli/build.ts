import { readFileSync } from "node:fs";
import path from "node:path";
import { BuildError, build } from "../kustomize/build.ts";
import { buildKustomization } from "../kustomize/flux.ts";
import type { Command } from "./command.ts";

const USAGE = `usage: driftless build <dir> [--output yaml|json]
       driftless build --kustomization <manifest.yaml> [--path <dir>] [--output yaml|json]
Renders a kustomization as \`kustomize build\` does; with --kustomization, applies a Flux Kustomization's
spec (targetNamespace, namePrefix/nameSuffix, patches, images, components, commonMetadata) on top, with
the directory taken from --path or from spec.path relative to the current directory.
`;

interface Flags {
  dir?: string;
  output: "yaml" | "json";
  kustomization?: string;
  path?: string;
}

function parseFlags(args: readonly string[]): Flags | string {
  const flags: Flags = { output: "yaml" };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const [name, inline] =
      a.startsWith("--") && a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (name === "--output" || name === "-o") {
      const v = value();
      if (v !== "yaml" && v !== "json") return `--output must be yaml or json, got ${JSON.stringify(v)}`;
      flags.output = v;
    } else if (name === "--kustomization") {
      flags.kustomization = value();
      if (flags.kustomization === undefined) return "--kustomization needs a file";
    } else if (name === "--path") {
      flags.path = value();
      if (flags.path === undefined) return "--path needs a directory";
    } else if (name === "-h" || name === "--help") {
      return "help";
    } else if (name.startsWith("-")) {
      return `unknown flag ${name}`;
    } else if (flags.dir === undefined) {
      flags.dir = name;
    } else {
      return `unexpected argument ${JSON.stringify(name)}`;
    }
  }
  return flags;
}

/** `driftless build`: renders a kustomization to stdout, as `kustomize build` (or `flux build kustomization`). */
export const buildCommand: Command = {
  name: "build",
  async run(args: readonly string[]): Promise<number> {
    const flags = parseFlags(args);
    if (flags === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (typeof flags === "string") {
      process.stderr.write(`driftless build: ${flags}\n\n${USAGE}`);
      return 2;
    }
    try {
      let objects: unknown[];
      let yaml: string;
      if (flags.kustomization !== undefined) {
        const manifest = readFileSync(flags.kustomization, "utf8");
        const result = buildKustomization(manifest, {
          dir: flags.path ?? flags.dir,
          cwd: process.cwd(),
          file: path.resolve(flags.kustomization),
        });
        ({ objects, yaml } = result);
      } else {
        if (flags.dir === undefined) flags.dir = ".";
        ({ objects, yaml } = build(flags.dir));
      }
      if (flags.output === "json") {
        const body = objects.length === 1 ? objects[0] : { apiVersion: "v1", kind: "List", items: objects };
        process.stdout.write(`${JSON.stringify(body, jsonReplacer, 2)}\n`);
      } else process.stdout.write(yaml);
      return 0;
    } catch (e) {
      if (e instanceof BuildError || (e instanceof Error && "code" in e && typeof e.code === "string")) {
        process.stderr.write(`Error: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

function jsonReplacer(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}
