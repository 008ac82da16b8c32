import { parseArgs } from "node:util";
import type { KubeClient } from "../kube/client.ts";
import type { Command } from "./command.ts";
import {
  cliKubeClient,
  ExitCode,
  formatTable,
  humanAge,
  Output,
  parseOrUsage,
  readyOf,
  revisionOf,
  TOOLKIT_KINDS,
  type ToolkitKind,
  type ToolkitView,
  ToolkitViewSchema,
  withApiErrors,
} from "./output.ts";

const USAGE = `usage: driftless get [all|sources|ks] [flags]
Lists GitRepositories and Kustomizations with their revision, suspension, Ready status, message and age,
as flux get all. Every namespace unless -n is given.

flags:
  -n, --namespace NS     only this namespace
  -A, --all-namespaces   every namespace (the default)
      --kubeconfig PATH  kubeconfig file (default $KUBECONFIG, else ~/.kube/config)

exit codes: 0 listed (whatever the objects' status), 2 usage or API error
`;

/** What each positional selects. */
const SELECTIONS: Record<string, readonly ToolkitKind[]> = {
  all: [TOOLKIT_KINDS.GitRepository, TOOLKIT_KINDS.Kustomization],
  sources: [TOOLKIT_KINDS.GitRepository],
  source: [TOOLKIT_KINDS.GitRepository],
  gitrepositories: [TOOLKIT_KINDS.GitRepository],
  gitrepository: [TOOLKIT_KINDS.GitRepository],
  ks: [TOOLKIT_KINDS.Kustomization],
  kustomization: [TOOLKIT_KINDS.Kustomization],
  kustomizations: [TOOLKIT_KINDS.Kustomization],
};

/** One row of the table, before formatting. */
interface Row {
  namespace: string;
  name: string;
  revision: string;
  suspended: string;
  ready: string;
  message: string;
  age: string;
}

async function rowsOf(client: KubeClient, kind: ToolkitKind, namespace: string | undefined): Promise<Row[]> {
  const list = await client.listAll(kind.resource, namespace ? { namespace } : {});
  const now = Date.now();
  return list.items
    .map((item): ToolkitView => ToolkitViewSchema.parse(item))
    .sort((a, b) =>
      a.metadata.namespace === b.metadata.namespace
        ? a.metadata.name.localeCompare(b.metadata.name)
        : a.metadata.namespace.localeCompare(b.metadata.namespace),
    )
    .map((v) => {
      const ready = readyOf(v);
      const created = v.metadata.creationTimestamp ? Date.parse(v.metadata.creationTimestamp) : Number.NaN;
      return {
        namespace: v.metadata.namespace,
        name: `${kind.kind.toLowerCase()}/${v.metadata.name}`,
        revision: revisionOf(v),
        suspended: v.spec.suspend === true ? "True" : "False",
        ready: ready?.status ?? "Unknown",
        message: (ready?.message ?? "").replace(/\s*\n\s*/g, " "),
        age: Number.isNaN(created) ? "<unknown>" : humanAge(now - created),
      };
    });
}

/** `driftless get`: a table of GitRepositories and Kustomizations, as flux get all. */
export const getCommand: Command = {
  name: "get",
  async run(args: readonly string[]): Promise<number> {
    const out = Output.fromProcess();
    const parsed = parseOrUsage(out, USAGE, () => parseGetArgs(args));
    if (typeof parsed === "number") return parsed;
    const { values: f, positionals } = parsed;
    const kinds = SELECTIONS[positionals[0] ?? "all"];
    if (kinds === undefined || positionals.length > 1) {
      out.error(`get: unexpected argument ${JSON.stringify(positionals.at(-1))}\n\n${USAGE}`);
      return ExitCode.Error;
    }
    const namespace = f["all-namespaces"] ? undefined : f.namespace || undefined;
    return withApiErrors(out, async () => {
      const client = cliKubeClient(f.kubeconfig);
      const rows = (await Promise.all(kinds.map((k) => rowsOf(client, k, namespace)))).flat();
      if (rows.length === 0) {
        out.stderr.write(
          `no ${kinds.map((k) => `${k.kind.replace(/y$/, "ie")}s`).join(" or ")} found${namespace ? ` in namespace ${namespace}` : ""}\n`,
        );
        return ExitCode.Ok;
      }
      const headers = ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE", "AGE"];
      const cells = rows.map((r) => [r.name, r.revision, r.suspended, r.ready, r.message, r.age]);
      const withNs = namespace === undefined;
      const table = formatTable(
        withNs ? ["NAMESPACE", ...headers] : headers,
        withNs ? cells.map((c, i) => [rows[i]?.namespace ?? "", ...c]) : cells,
        (text, _row, column) => {
          const readyColumn = withNs ? 4 : 3;
          if (column !== readyColumn) return text;
          return out.paint(text === "True" ? "green" : text === "False" ? "red" : "yellow", text);
        },
      );
      out.stdout.write(table);
      return ExitCode.Ok;
    });
  },
};

function parseGetArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    options: {
      namespace: { type: "string", short: "n", default: "" },
      "all-namespaces": { type: "boolean", short: "A", default: false },
      kubeconfig: { type: "string", default: "" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: true,
  });
}
