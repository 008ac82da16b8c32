// The Dockerfile, checked without a Docker engine: its stages are replayed on the file system (the build
// context filtered by .dockerignore, `npm run build` run for real into the stage's directory), and the
// runtime stage must hold everything its entry point loads, from production dependencies only.
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..", "..");
const NODE = join(ROOT, "node_modules", ".bin", "node");

/** One instruction of a Dockerfile: its keyword and its arguments (JSON form kept as a list). */
interface Instruction {
  keyword: string;
  args: string[];
  flags: Record<string, string>;
}

/** One stage: its base image, its name and its instructions. */
interface Stage {
  from: string;
  name: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  for (const line of logical) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const body = line.slice(keyword.length).trim();
    const words = body.startsWith("[") ? z.array(z.string()).parse(JSON.parse(body)) : rest;
    const flags: Record<string, string> = {};
    const args = words.filter((w) => {
      const m = /^--([a-z-]+)=(.*)$/.exec(w);
      if (m === null || keyword.toUpperCase() === "RUN") return true;
      flags[m[1] as string] = m[2] as string;
      return false;
    });
    if (keyword.toUpperCase() === "FROM") {
      const [from = "", as, name] = args;
      stages.push({
        from,
        name: as?.toUpperCase() === "AS" && name ? name : String(stages.length),
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before FROM`);
    stage.instructions.push({ keyword: keyword.toUpperCase(), args, flags });
  }
  return stages;
}

/** .dockerignore as Docker reads it: patterns from the context root, `**` any depth, the last match wins. */
function dockerignore(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, "");
      const re = pattern
        .split("/")
        .map((seg) =>
          seg === "**"
            ? ".*"
            : seg
                .replace(/[.+^${}()|\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replace(/\.\*\//g, "(?:.*/)?");
      return { negate, re: new RegExp(`^${re}(?:/.*)?$`) };
    });
  return (path) => {
    let excluded = false;
    for (const r of rules) if (r.re.test(path)) excluded = !r.negate;
    return excluded;
  };
}

function filesUnder(dir: string, base = dir): string[] {
  if (!statSync(dir).isDirectory()) return [relative(base, dir)];
  return readdirSync(dir).flatMap((e) =>
    e === "node_modules" || e === ".git" ? [] : filesUnder(join(dir, e), base),
  );
}

/** Relative and bare import specifiers of an ES module (static, re-exports and literal dynamic imports). */
function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const re of [
    /^\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/gm,
    /^\s*import\s*["']([^"']+)["']/gm,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ]) {
    for (const m of source.matchAll(re)) out.push(m[1] as string);
  }
  return out;
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

const PackageJsonSchema = z.object({
  dependencies: z.record(z.string(), z.string()).default({}),
  devDependencies: z.record(z.string(), z.string()).default({}),
});

describe("the Dockerfile", () => {
  const stages = parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
  const ignored = dockerignore(readFileSync(join(ROOT, ".dockerignore"), "utf8"));
  const work = mkdtempSync(join(tmpdir(), "driftless-docker-"));
  /** Each stage's file system, replayed: stage name → directory. */
  const fs = new Map<string, string>();
  const runtime = stages.at(-1) as Stage;

  /** The stage's WORKDIR at the point of an instruction. */
  const workdirOf = (stage: Stage, upTo: number): string => {
    let wd = "/";
    for (const ins of stage.instructions.slice(0, upTo)) {
      if (ins.keyword === "WORKDIR") wd = resolve(wd, ins.args[0] ?? "/");
    }
    return wd;
  };

  beforeAll(async () => {
    // Replay every stage: COPY from the filtered context or an earlier stage; RUN `npm run build` for real
    // (tsc into the stage); RUN `npm ci` links the repository's node_modules (its contents are checked below
    // against package.json's production dependencies).
    for (const stage of stages) {
      const dir = join(work, stage.name);
      mkdirSync(dir, { recursive: true });
      fs.set(stage.name, dir);
      for (const [i, ins] of stage.instructions.entries()) {
        const wd = join(dir, workdirOf(stage, i + 1));
        mkdirSync(wd, { recursive: true });
        if (ins.keyword === "COPY") {
          const from = ins.flags.from;
          const fromDir = from === undefined ? ROOT : fs.get(from);
          if (fromDir === undefined) throw new Error(`COPY --from=${from}: no such stage`);
          const sources = ins.args.slice(0, -1);
          const rawDest = ins.args.at(-1) ?? ".";
          const dest = resolve(workdirOf(stage, i + 1), rawDest);
          const intoDir = sources.length > 1 || rawDest.endsWith("/");
          for (const src of sources) {
            const host = join(fromDir, from === undefined ? src : resolve("/", src));
            if (!existsSync(host)) throw new Error(`COPY ${from ? `--from=${from} ` : ""}${src}: missing`);
            if (from !== undefined) {
              // A directory's contents land in dest; symlinks (node_modules) stay links.
              const to = join(
                dir,
                statSync(host).isDirectory() || !intoDir ? dest : join(dest, basename(src)),
              );
              mkdirSync(dirname(to), { recursive: true });
              cpSync(host, to, { recursive: true, verbatimSymlinks: true });
              continue;
            }
            const isDir = statSync(host).isDirectory();
            for (const file of filesUnder(host, ROOT)) {
              if (ignored(file)) continue;
              const rel = isDir ? relative(src, file) : intoDir ? basename(src) : "";
              const to = join(dir, dest, rel);
              mkdirSync(dirname(to), { recursive: true });
              cpSync(join(ROOT, file), to);
            }
          }
        } else if (ins.keyword === "RUN") {
          const cmd = ins.args.join(" ");
          if (/\bnpm ci\b/.test(cmd)) symlinkSync(join(ROOT, "node_modules"), join(wd, "node_modules"));
          if (/\bnpm run build\b/.test(cmd)) {
            await run(
              NODE,
              [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
              {
                cwd: wd,
              },
            );
          }
        }
      }
    }
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("builds on Node 22 slim and runs on Node 22 slim or distroless", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.from).toMatch(/^node:22(-|\b)/);
    expect(runtime.from).toMatch(/^(node:22-slim|gcr\.io\/distroless\/nodejs22)/);
  });

  it("copies only sources that exist in the build context after .dockerignore", () => {
    for (const stage of stages) {
      for (const ins of stage.instructions) {
        if (ins.keyword !== "COPY" || ins.flags.from !== undefined) continue;
        for (const src of ins.args.slice(0, -1)) {
          expect(existsSync(join(ROOT, src)), `COPY ${src}`).toBe(true);
          const kept = filesUnder(join(ROOT, src), ROOT).filter((f) => !ignored(f));
          expect(kept.length, `COPY ${src}: everything is in .dockerignore`).toBeGreaterThan(0);
        }
      }
    }
  });

  it("runs as a non-root numeric user in the runtime stage", () => {
    const user = runtime.instructions.filter((i) => i.keyword === "USER").at(-1)?.args[0] ?? "root";
    const [uid = "", gid = uid] = user.split(":");
    expect(uid).toMatch(/^[0-9]+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid)).toBeGreaterThan(0);
    // The same uid as deploy/deployment.yaml's runAsUser.
    expect(readFileSync(join(ROOT, "deploy", "deployment.yaml"), "utf8")).toContain(`runAsUser: ${uid}`);
  });

  it("has an entry point that exists in the runtime stage and loads the compiled CLI", () => {
    const entry = runtime.instructions.filter((i) => i.keyword === "ENTRYPOINT").at(-1)?.args ?? [];
    expect(entry[0]).toBe("node");
    const dir = join(fs.get(runtime.name) as string, workdirOf(runtime, runtime.instructions.length));
    expect(existsSync(join(dir, entry[1] ?? "missing"))).toBe(true);
    expect(existsSync(join(dir, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(dir, "src"))).toBe(false);
  });

  it("starts the compiled CLI from the runtime stage's files", async () => {
    const dir = join(fs.get(runtime.name) as string, workdirOf(runtime, runtime.instructions.length));
    const entry = runtime.instructions.filter((i) => i.keyword === "ENTRYPOINT").at(-1)?.args ?? [];
    const r = await run(NODE, [entry[1] ?? "", "controller", "--help"], { cwd: dir });
    expect(r.stdout).toContain("--enable-leader-election");
    const v = await run(NODE, [entry[1] ?? "", "version"], { cwd: dir });
    expect(v.stdout).toMatch(/^driftless \d+\.\d+\.\d+/);
  });

  it("needs only production dependencies for what the entry point loads", () => {
    const dir = join(fs.get(runtime.name) as string, workdirOf(runtime, runtime.instructions.length));
    const pkg = PackageJsonSchema.parse(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")));
    expect(Object.keys(pkg.dependencies)).not.toContain("node");
    expect(Object.keys(pkg.dependencies)).not.toContain("typescript");
    const deps = stages.find((s) => s.instructions.some((i) => /npm ci --omit=dev/.test(i.args.join(" "))));
    expect(deps, "a stage runs npm ci --omit=dev").toBeDefined();
    // Walk the module graph from the compiled CLI, lazy imports included.
    const builtins = new Set(builtinModules);
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [join(dir, "dist", "cli", "main.js")];
    for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of importsOf(readFileSync(file, "utf8"))) {
        if (spec.startsWith(".")) {
          const next = resolve(dirname(file), spec);
          expect(existsSync(next), `${relative(dir, file)} imports ${spec}`).toBe(true);
          if (next.endsWith(".js")) queue.push(next);
        } else if (!spec.startsWith("node:") && !builtins.has(spec)) {
          packages.add(packageName(spec));
        }
      }
    }
    expect(seen.size).toBeGreaterThan(50);
    const missing = [...packages].filter((p) => pkg.dependencies[p] === undefined);
    expect(missing).toEqual([]);
  });
});
