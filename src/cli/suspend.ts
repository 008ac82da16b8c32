import { parseArgs } from "node:util";
import type { Command } from "./command.ts";
import { cliKubeClient, ExitCode, Output, parseTarget, withApiErrors } from "./output.ts";
import { getView, parseTimeout, requestAndWait, targetFlagSpec } from "./reconcile.ts";

const usage = (verb: "suspend" | "resume"): string => `usage: driftless ${verb} ks|kustomization NAME [flags]
       driftless ${verb} source git NAME [flags]
${
  verb === "suspend"
    ? "Stops the controller from reconciling the object (spec.suspend: true), as flux suspend."
    : "Lets the controller reconcile the object again (spec.suspend: false), asks for a reconcile at once and\nwaits for the outcome, as flux resume."
}

flags:
  -n, --namespace NS     namespace of the object (default flux-system)
${verb === "resume" ? "      --timeout DURATION how long to wait (default 5m)\n" : ""}      --kubeconfig PATH  kubeconfig file (default $KUBECONFIG, else ~/.kube/config)

exit codes: ${verb === "suspend" ? "0 suspended" : "0 Ready, 1 failed or timed out"}, 2 usage or API error
`;

async function run(verb: "suspend" | "resume", args: readonly string[]): Promise<number> {
  const out = Output.fromProcess();
  let parsed: ReturnType<typeof parseSuspendArgs>;
  try {
    parsed = parseSuspendArgs(args);
  } catch (err) {
    out.error(`${err instanceof Error ? err.message : String(err)}\n\n${usage(verb)}`);
    return ExitCode.Error;
  }
  const { values: f, positionals } = parsed;
  if (f.help) {
    out.stdout.write(usage(verb));
    return ExitCode.Ok;
  }
  const target = parseTarget(positionals);
  const timeoutMs = parseTimeout(f.timeout);
  if (typeof target === "string" || typeof timeoutMs === "string") {
    out.error(`${verb}: ${typeof target === "string" ? target : timeoutMs}\n\n${usage(verb)}`);
    return ExitCode.Error;
  }
  const what = `${target.kind.kind} ${f.namespace}/${target.name}`;
  return withApiErrors(out, async () => {
    const client = cliKubeClient(f.kubeconfig);
    if (verb === "resume") {
      out.step(`resuming ${what}`);
      return requestAndWait(client, out, {
        kind: target.kind,
        namespace: f.namespace,
        name: target.name,
        timeoutMs,
        extraPatch: { spec: { suspend: false } },
      });
    }
    if ((await getView(client, target.kind, f.namespace, target.name)) === undefined) {
      out.error(`${what} not found`);
      return ExitCode.Error;
    }
    out.step(`suspending ${what}`);
    await client.patch(
      target.kind.resource,
      { namespace: f.namespace, name: target.name },
      { spec: { suspend: true } },
    );
    out.success(`${what} suspended`);
    return ExitCode.Ok;
  });
}

function parseSuspendArgs(args: readonly string[]) {
  return parseArgs({ args: [...args], options: targetFlagSpec, strict: true, allowPositionals: true });
}

/** `driftless suspend`: stops reconciling a Kustomization or GitRepository (spec.suspend: true). */
export const suspendCommand: Command = {
  name: "suspend",
  run: (args) => run("suspend", args),
};

/** `driftless resume`: resumes a suspended object, reconciles it at once and waits for the outcome. */
export const resumeCommand: Command = {
  name: "resume",
  run: (args) => run("resume", args),
};
