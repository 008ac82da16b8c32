import { parseArgs } from "node:util";
import { formatDuration, parseDuration } from "../api/duration.ts";
import { RECONCILE_REQUEST_ANNOTATION } from "../api/meta.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { Command } from "./command.ts";
import {
  cliKubeClient,
  ExitCode,
  Output,
  parseOrUsage,
  parseTarget,
  readyOf,
  revisionOf,
  TOOLKIT_KINDS,
  type ToolkitKind,
  type ToolkitView,
  ToolkitViewSchema,
  withApiErrors,
} from "./output.ts";

const USAGE = `usage: driftless reconcile ks|kustomization NAME [flags]
       driftless reconcile source git NAME [flags]
Asks the controller to reconcile now (annotation ${RECONCILE_REQUEST_ANNOTATION}, as flux reconcile),
waits until it has handled the request and Ready has settled, and prints the outcome.

flags:
  -n, --namespace NS     namespace of the object (default flux-system)
      --with-source      reconcile the Kustomization's GitRepository first
      --timeout DURATION how long to wait (default 5m)
      --kubeconfig PATH  kubeconfig file (default $KUBECONFIG, else ~/.kube/config)

exit codes: 0 Ready, 1 failed, suspended or timed out, 2 usage or API error
`;

/** Flags shared by reconcile, suspend and resume. */
export const targetFlagSpec = {
  namespace: { type: "string", short: "n", default: "flux-system" },
  kubeconfig: { type: "string", default: "" },
  timeout: { type: "string", default: "5m" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Where a reconcile request points and how long to wait for it. */
export interface ReconcileRequest {
  kind: ToolkitKind;
  namespace: string;
  name: string;
  timeoutMs: number;
  /** Merged into the annotation patch (resume sets spec.suspend=false in the same write). */
  extraPatch?: Record<string, unknown>;
}

/** Poll interval while waiting on status. */
const POLL_MS = 300;

/** Reads an object as a view; undefined when it does not exist. */
export async function getView(
  client: KubeClient,
  kind: ToolkitKind,
  namespace: string,
  name: string,
): Promise<ToolkitView | undefined> {
  try {
    return ToolkitViewSchema.parse(await client.get(kind.resource, { namespace, name }));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Sets reconcile.fluxcd.io/requestedAt, waits for status.lastHandledReconcileAt to equal it and for Ready to
 * settle (True or False at the current generation), prints the outcome and returns the exit code.
 */
export async function requestAndWait(
  client: KubeClient,
  out: Output,
  req: ReconcileRequest,
): Promise<number> {
  const what = `${req.kind.kind} ${req.namespace}/${req.name}`;
  const before = await getView(client, req.kind, req.namespace, req.name);
  if (before === undefined) {
    out.error(`${what} not found`);
    return ExitCode.Error;
  }
  if (before.spec.suspend === true && req.extraPatch === undefined) {
    out.failure(`${what} is suspended; resume it first`);
    return ExitCode.NotReady;
  }
  const requestedAt = new Date().toISOString();
  out.step(`annotating ${what}`);
  await client.patch(
    req.kind.resource,
    { namespace: req.namespace, name: req.name },
    { ...req.extraPatch, metadata: { annotations: { [RECONCILE_REQUEST_ANNOTATION]: requestedAt } } },
  );
  const spinner = out.waiting(`waiting for ${what} reconciliation`);
  const deadline = Date.now() + req.timeoutMs;
  let last: ToolkitView | undefined;
  try {
    for (;;) {
      last = await getView(client, req.kind, req.namespace, req.name);
      if (last === undefined) {
        spinner.stop();
        out.error(`${what} was deleted while waiting`);
        return ExitCode.Error;
      }
      if (handled(last, requestedAt)) break;
      if (Date.now() >= deadline) {
        spinner.stop();
        const ready = readyOf(last);
        const detail = ready?.message ? `: ${ready.message}` : "";
        out.failure(`timed out after ${formatDuration(req.timeoutMs)} waiting for ${what}${detail}`);
        return ExitCode.NotReady;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    spinner.stop();
  }
  const ready = readyOf(last);
  if (ready?.status === "True") {
    out.success(`${what} reconciled: ${req.kind.revisionVerb} ${revisionOf(last) || "(none)"}`);
    return ExitCode.Ok;
  }
  out.failure(`${what} failed: ${ready?.reason ?? "NotReady"}: ${ready?.message ?? ""}`.trimEnd());
  return ExitCode.NotReady;
}

/** The controller has answered the request and Ready is final for the current generation. */
function handled(view: ToolkitView, requestedAt: string): boolean {
  if (view.status.lastHandledReconcileAt !== requestedAt) return false;
  const ready = readyOf(view);
  if (ready === undefined || ready.status === "Unknown") return false;
  const generation = view.metadata.generation;
  const observed = view.status.observedGeneration;
  return generation === undefined || observed === undefined || observed >= generation;
}

/** Parses --timeout; a usage error string when it is not a positive Go duration. */
export function parseTimeout(value: string): number | string {
  try {
    const ms = parseDuration(value);
    return ms > 0 ? ms : `--timeout must be positive, got ${JSON.stringify(value)}`;
  } catch {
    return `--timeout: invalid duration ${JSON.stringify(value)}`;
  }
}

/** `driftless reconcile`: reconciles a Kustomization or GitRepository now and waits for the outcome. */
export const reconcileCommand: Command = {
  name: "reconcile",
  async run(args: readonly string[]): Promise<number> {
    const out = Output.fromProcess();
    const parsed = parseOrUsage(out, USAGE, () => parseReconcileArgs(args));
    if (typeof parsed === "number") return parsed;
    const { values: f, positionals } = parsed;
    const target = parseTarget(positionals);
    const timeoutMs = parseTimeout(f.timeout);
    if (typeof target === "string" || typeof timeoutMs === "string") {
      out.error(`reconcile: ${typeof target === "string" ? target : timeoutMs}\n\n${USAGE}`);
      return ExitCode.Error;
    }
    if (f["with-source"] && target.kind !== TOOLKIT_KINDS.Kustomization) {
      out.error("reconcile: --with-source applies to a Kustomization");
      return ExitCode.Error;
    }
    return withApiErrors(out, async () => {
      const client = cliKubeClient(f.kubeconfig);
      const deadline = Date.now() + timeoutMs;
      if (f["with-source"]) {
        const ks = await getView(client, target.kind, f.namespace, target.name);
        if (ks === undefined) {
          out.error(`${target.kind.kind} ${f.namespace}/${target.name} not found`);
          return ExitCode.Error;
        }
        const ref = ks.spec.sourceRef;
        if (ref?.kind !== TOOLKIT_KINDS.GitRepository.kind) {
          out.error(`source kind ${JSON.stringify(ref?.kind ?? "")} is not supported (GitRepository only)`);
          return ExitCode.Error;
        }
        const code = await requestAndWait(client, out, {
          kind: TOOLKIT_KINDS.GitRepository,
          namespace: ref.namespace ?? f.namespace,
          name: ref.name,
          timeoutMs,
        });
        if (code !== ExitCode.Ok) return code;
      }
      return requestAndWait(client, out, {
        kind: target.kind,
        namespace: f.namespace,
        name: target.name,
        timeoutMs: Math.max(1, deadline - Date.now()),
      });
    });
  },
};

function parseReconcileArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: { ...targetFlagSpec, "with-source": { type: "boolean", default: false } },
    strict: true,
    allowPositionals: true,
  });
}
