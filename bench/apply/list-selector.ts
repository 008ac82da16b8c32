// How the apply's LIST of live objects (src/apply/live.ts) should select: by the owner labels, or every
// object of the resource in the namespace. One fresh control plane (basic mode); a namespace holds `--owned`
// ConfigMaps of one Kustomization and `--foreign` ConfigMaps of nobody's; each LIST (pages of 500) is read
// `--reps` times. Request counts are the same either way (one per page); what differs is what comes back.
//   node bench/apply/list-selector.ts [--owned 500] [--foreign 2000] [--reps 5]
import { parseArgs } from "node:util";
import { KubeClient } from "../../src/kube/client.ts";
import { ControlPlane } from "../../test/harness/controlplane.ts";

const { values: args } = parseArgs({
  options: {
    owned: { type: "string", default: "500" },
    foreign: { type: "string", default: "2000" },
    reps: { type: "string", default: "5" },
  },
});
const owned = Number(args.owned);
const foreign = Number(args.foreign);
const reps = Number(args.reps);
const NS = "apps";
const OWNER = "kustomize.toolkit.fluxcd.io/name=app,kustomize.toolkit.fluxcd.io/namespace=flux-system";
const configMaps = { group: "", version: "v1", plural: "configmaps" };

const cm = (name: string, labels: Record<string, string>): Record<string, unknown> => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: NS, labels },
  data: { "app.properties": "x=1\n".repeat(20) },
});

const cp = await ControlPlane.start({ full: false });
try {
  const create = async (objs: Record<string, unknown>[]): Promise<void> => {
    for (let i = 0; i < objs.length; i += 500) {
      const list = { apiVersion: "v1", kind: "List", items: objs.slice(i, i + 500) };
      const r = await cp.kubectl(["apply", "--server-side", "-f", "-"], JSON.stringify(list));
      if (r.code !== 0) throw new Error(r.stderr.slice(0, 2000));
    }
  };
  await cp.kubectl(["create", "namespace", NS]);
  await create(
    Array.from({ length: owned }, (_, i) =>
      cm(`owned-${i}`, {
        "kustomize.toolkit.fluxcd.io/name": "app",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
      }),
    ),
  );
  await create(Array.from({ length: foreign }, (_, i) => cm(`foreign-${i}`, { team: "other" })));

  const client = KubeClient.fromFile(cp.kubeconfig);
  const rows: string[] = [
    "| LIST | items | pages (requests) | response bytes | client CPU per LIST | wall per LIST (median) |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const [label, selector] of [
    ["by owner labels", OWNER],
    ["whole namespace", undefined],
  ] as const) {
    // Bytes from one raw read of every page, as the apiserver sends them.
    let bytes = 0;
    let pages = 0;
    let token = "";
    do {
      const q = new URLSearchParams({ limit: "500", ...(selector ? { labelSelector: selector } : {}) });
      if (token) q.set("continue", token);
      const r = await cp.kubectl(["get", "--raw", `/api/v1/namespaces/${NS}/configmaps?${q}`]);
      if (r.code !== 0) throw new Error(r.stderr);
      bytes += Buffer.byteLength(r.stdout);
      pages += 1;
      token = (JSON.parse(r.stdout) as { metadata?: { continue?: string } }).metadata?.continue ?? "";
    } while (token);
    // One untimed LIST first, so that neither variant pays the client's warm-up.
    await client.listAll(configMaps, {
      namespace: NS,
      limit: 500,
      ...(selector ? { labelSelector: selector } : {}),
    });
    const walls: number[] = [];
    let items = 0;
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      const list = await client.listAll(configMaps, {
        namespace: NS,
        limit: 500,
        ...(selector ? { labelSelector: selector } : {}),
      });
      walls.push(performance.now() - t);
      items = list.items.length;
    }
    const cpu = process.cpuUsage(cpu0);
    const median = [...walls].sort((a, b) => a - b)[Math.floor(walls.length / 2)] ?? 0;
    rows.push(
      `| ${label} | ${items} | ${pages} | ${bytes.toLocaleString("en")} | ${((cpu.user + cpu.system) / 1000 / reps).toFixed(0)} ms | ${median.toFixed(0)} ms |`,
    );
  }
  process.stdout.write(
    `${owned} owned and ${foreign} foreign ConfigMaps in one namespace, ${reps} LISTs each:\n\n${rows.join("\n")}\n`,
  );
} finally {
  await cp.stop();
}
