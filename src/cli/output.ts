// What the cluster commands (get, reconcile, suspend, resume) share: the kube client from --kubeconfig or the
// environment, exit codes, tables, ages, and messages that are coloured with a spinner on a terminal and plain
// lines when piped.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { GitRepositoryType } from "../api/gitrepository.ts";
import { KustomizationType } from "../api/kustomization.ts";
import { KubeClient } from "../kube/client.ts";
import type { ResourceRef } from "../kube/object.ts";

/** Exit codes of the cluster commands, for scripts. */
export const ExitCode = {
  /** Done, and Ready where the command waits for it. */
  Ok: 0,
  /** The object failed, is suspended, or did not become Ready in time. */
  NotReady: 1,
  /** Bad usage, or an error talking to the cluster (unreachable, not found, forbidden). */
  Error: 2,
} as const;

/**
 * A client for the kubeconfig a CLI command should use: --kubeconfig, else the first existing file of
 * $KUBECONFIG, else ~/.kube/config. The one place the cluster commands read the environment.
 */
export function cliKubeClient(kubeconfigFlag: string | undefined): KubeClient {
  if (kubeconfigFlag) return KubeClient.fromFile(kubeconfigFlag);
  const fromEnv = (process.env.KUBECONFIG ?? "").split(":").filter((p) => p !== "");
  const path = fromEnv.find((p) => existsSync(p)) ?? join(process.env.HOME ?? "/", ".kube", "config");
  return KubeClient.fromFile(path);
}

/** Runs a cluster command's body; an error (API, kubeconfig) is printed and becomes exit code 2. */
export async function withApiErrors(out: Output, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    out.error(err instanceof Error ? err.message : String(err));
    return ExitCode.Error;
  }
}

/** Writable side of a stream, as much as the output needs. */
export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

const ANSI = { reset: "\x1b[0m", red: "\x1b[31m", green: "\x1b[32m", yellow: "\x1b[33m", cyan: "\x1b[36m" };
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Messages of a command: results on stdout, progress on stderr; colour and a spinner only on a terminal. */
export class Output {
  readonly stdout: Sink;
  readonly stderr: Sink;
  readonly color: boolean;
  readonly interactive: boolean;

  constructor(options: { stdout: Sink; stderr: Sink; color: boolean; interactive: boolean }) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.color = options.color;
    this.interactive = options.interactive;
  }

  /** The process's streams: colour when stdout is a terminal and NO_COLOR is unset. */
  static fromProcess(): Output {
    const tty = process.stdout.isTTY === true;
    return new Output({
      stdout: process.stdout,
      stderr: process.stderr,
      color: tty && (process.env.NO_COLOR ?? "") === "",
      interactive: tty && process.stderr.isTTY === true,
    });
  }

  paint(color: keyof typeof ANSI, text: string): string {
    return this.color ? `${ANSI[color]}${text}${ANSI.reset}` : text;
  }

  /** A step started ("► annotating …"), on stderr. */
  step(text: string): void {
    this.stderr.write(`${this.paint("cyan", "►")} ${text}\n`);
  }

  /** A successful outcome, on stdout. */
  success(text: string): void {
    this.stdout.write(`${this.paint("green", "✔")} ${text}\n`);
  }

  /** A failed outcome, on stdout. */
  failure(text: string): void {
    this.stdout.write(`${this.paint("red", "✗")} ${text}\n`);
  }

  /** An error that stops the command, on stderr. */
  error(text: string): void {
    this.stderr.write(`${this.paint("red", "✗")} ${text}\n`);
  }

  /** Shows a waiting message: a spinner with the elapsed time on a terminal, one line otherwise. */
  waiting(text: string): { stop(): void } {
    const line = `${this.paint("yellow", "◎")} ${text}`;
    if (!this.interactive) {
      this.stderr.write(`${line}\n`);
      return { stop: () => undefined };
    }
    const started = Date.now();
    let frame = 0;
    const draw = (): void => {
      const secs = Math.floor((Date.now() - started) / 1000);
      this.stderr.write(`\r\x1b[2K${line} ${SPINNER[frame++ % SPINNER.length]} ${secs}s`);
    };
    draw();
    const timer = setInterval(draw, 100);
    return {
      stop: () => {
        clearInterval(timer);
        this.stderr.write(`\r\x1b[2K${line}\n`);
      },
    };
  }
}

/**
 * Formats rows as a table with kubectl's spacing (columns padded to the widest cell plus three spaces);
 * `style` colours a body cell after padding, so escape codes do not upset the widths.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style: (text: string, row: number, column: number) => string = (t) => t,
): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[], row: number): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3);
        if (row < 0) return padded;
        return style(c, row, i) + padded.slice(c.length);
      })
      .join("")
      .trimEnd();
  return `${[line(headers, -1), ...rows.map((r, i) => line(r, i))].join("\n")}\n`;
}

/** An age as kubectl prints it: 45s, 5m30s, 47m, 3h20m, 20h, 3d5h, 30d, 2y45d. */
export function humanAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  const y = Math.floor(d / 365);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (d < 2) return `${h}h`;
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (y < 2) return `${d}d`;
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

/** A kind the cluster commands work on: its resource, and the words that name it on the command line. */
export interface ToolkitKind {
  readonly kind: string;
  readonly resource: ResourceRef;
  /** What its outcome line says before the revision ("applied revision", "fetched revision"). */
  readonly revisionVerb: string;
}

/** The kinds of `get`, `reconcile`, `suspend` and `resume`. */
export const TOOLKIT_KINDS = {
  GitRepository: {
    kind: GitRepositoryType.kind,
    resource: {
      group: GitRepositoryType.group,
      version: GitRepositoryType.version,
      plural: GitRepositoryType.plural,
    },
    revisionVerb: "fetched revision",
  },
  Kustomization: {
    kind: KustomizationType.kind,
    resource: {
      group: KustomizationType.group,
      version: KustomizationType.version,
      plural: KustomizationType.plural,
    },
    revisionVerb: "applied revision",
  },
} as const satisfies Record<string, ToolkitKind>;

/**
 * Reads `<kind words> <name>` as Flux's CLI does: `ks|kustomization NAME`, `source git|gitrepository NAME`
 * (or `gitrepository NAME`); returns the kind and name, or a usage error.
 */
export function parseTarget(positionals: readonly string[]): { kind: ToolkitKind; name: string } | string {
  const [first, ...rest] = positionals;
  let kind: ToolkitKind | undefined;
  let tail = rest;
  if (first === "ks" || first === "kustomization") kind = TOOLKIT_KINDS.Kustomization;
  else if (first === "gitrepository" || first === "gitrepo") kind = TOOLKIT_KINDS.GitRepository;
  else if (first === "source") {
    const [sub, ...after] = rest;
    if (sub !== "git" && sub !== "gitrepository") {
      return sub === undefined
        ? "source needs a kind: git"
        : `unsupported source kind ${JSON.stringify(sub)} (git only)`;
    }
    kind = TOOLKIT_KINDS.GitRepository;
    tail = after;
  }
  if (kind === undefined) {
    return first === undefined
      ? "needs a kind and a name: ks NAME or source git NAME"
      : `unknown kind ${JSON.stringify(first)}: use ks|kustomization or source git`;
  }
  const [name, ...extra] = tail;
  if (name === undefined) return `${kind.kind} needs a name`;
  if (extra.length > 0) return `unexpected argument ${JSON.stringify(extra[0])}`;
  return { kind, name };
}

const ViewConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** The fields of a GitRepository or Kustomization the commands read; anything missing is tolerated. */
export const ToolkitViewSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().default(""),
    namespace: z.string().default(""),
    generation: z.number().optional(),
    creationTimestamp: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .looseObject({
      suspend: z.boolean().optional(),
      sourceRef: z
        .looseObject({ kind: z.string(), name: z.string(), namespace: z.string().optional() })
        .optional(),
    })
    .default({}),
  status: z
    .looseObject({
      observedGeneration: z.number().optional(),
      lastHandledReconcileAt: z.string().optional(),
      lastAppliedRevision: z.string().optional(),
      lastAttemptedRevision: z.string().optional(),
      artifact: z.looseObject({ revision: z.string().optional() }).optional(),
      conditions: z.array(ViewConditionSchema).optional(),
    })
    .default({}),
});

/** A GitRepository or Kustomization as the commands see it. */
export type ToolkitView = z.infer<typeof ToolkitViewSchema>;

/** The Ready condition, if the controller has written one. */
export function readyOf(view: ToolkitView): z.infer<typeof ViewConditionSchema> | undefined {
  return view.status.conditions?.find((c) => c.type === "Ready");
}

/** The revision the object last made available: the artifact's, or the last applied one. */
export function revisionOf(view: ToolkitView): string {
  return view.status.artifact?.revision ?? view.status.lastAppliedRevision ?? "";
}

/**
 * Parses a command's arguments. A bad flag prints the error and the usage (exit 2); --help prints the usage
 * (exit 0); either way the exit code comes back instead of the parsed arguments.
 */
export function parseOrUsage<T extends { values: { help?: boolean | undefined } }>(
  out: Output,
  usage: string,
  parse: () => T,
): T | number {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    out.error(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    return ExitCode.Error;
  }
  if (parsed.values.help) {
    out.stdout.write(usage);
    return ExitCode.Ok;
  }
  return parsed;
}
