// Shared pieces of the install tests: deploy/ rendered as `kubectl apply -k deploy/` would apply it, a
// kubeconfig holding a token of deploy/'s ServiceAccount, and the controller process started with it.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { z } from "zod";
import { kubectl, testEnv } from "../harness/context.ts";
import { ManagedProcess } from "../harness/proc.ts";

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, "..", "..");

/** The user deploy/'s ServiceAccount authenticates as. */
export const CONTROLLER_USER = "system:serviceaccount:flux-system:driftless";

/** A rendered manifest: kind and metadata parsed, the rest kept. */
export const ManifestSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({
    name: z.string(),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.record(z.string(), z.unknown()).optional(),
});
/** A rendered manifest. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** Runs kubectl as admin and returns stdout, throwing on a non-zero exit. */
export async function must(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** deploy/ rendered by kubectl's kustomize, as `kubectl apply -k deploy/` would apply it. */
export async function renderDeploy(): Promise<Manifest[]> {
  const out = await must(["kustomize", join(ROOT, "deploy")]);
  return parseAllDocuments(out).map((d) => ManifestSchema.parse(d.toJS()));
}

/** The ClusterRoleBinding of deploy/ that grants cluster-admin. */
export function isClusterAdminBinding(o: Manifest): boolean {
  return o.kind === "ClusterRoleBinding" && JSON.stringify(o).includes('"name":"cluster-admin"');
}

/** Applies manifests with kubectl as admin. */
export async function apply(objects: readonly Manifest[]): Promise<void> {
  await must(["apply", "-f", "-"], objects.map((o) => stringify(o)).join("---\n"));
}

/**
 * Applies deploy/ without its Deployment (no image runs here) and without the cluster-admin binding, and
 * returns everything rendered.
 */
export async function installLeastPrivilege(): Promise<Manifest[]> {
  const rendered = await renderDeploy();
  await apply(rendered.filter((o) => o.kind !== "Deployment" && !isClusterAdminBinding(o)));
  return rendered;
}

/** Removes what installLeastPrivilege (or a test) applied, but flux-system and the CRDs other tests use. */
export async function uninstall(rendered: readonly Manifest[]): Promise<void> {
  for (const o of rendered) {
    if (o.kind === "Namespace" || o.kind === "CustomResourceDefinition" || o.kind === "Deployment") continue;
    const target = [`${o.kind.toLowerCase()}/${o.metadata.name}`];
    if (o.metadata.namespace) target.push("-n", o.metadata.namespace);
    await kubectl(["delete", ...target, "--ignore-not-found", "--wait=false"]);
  }
}

/** Writes a kubeconfig that authenticates with a fresh token of deploy/'s ServiceAccount; returns its path. */
export async function writeControllerKubeconfig(dir: string): Promise<string> {
  const env = testEnv();
  const token = (await must(["create", "token", "driftless", "-n", "flux-system", "--duration=1h"])).trim();
  const path = join(dir, "kubeconfig");
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "testbed", cluster: { server: env.server, "certificate-authority": env.caCert } }],
      users: [{ name: "driftless", user: { token } }],
      contexts: [{ name: "driftless", context: { cluster: "testbed", user: "driftless" } }],
      "current-context": "driftless",
    }),
  );
  return path;
}

/** Starts `driftless controller` as the Deployment runs it, on one shard, with the given kubeconfig. */
export function startController(options: {
  kubeconfig: string;
  dir: string;
  shard: string;
  args?: readonly string[];
}): ManagedProcess {
  return new ManagedProcess(
    "controller",
    join(ROOT, "node_modules", ".bin", "node"),
    [
      join(ROOT, "bin", "driftless.mjs"),
      "controller",
      `--kubeconfig=${options.kubeconfig}`,
      `--watch-label-selector=driftless.test/shard=${options.shard}`,
      `--storage-path=${join(options.dir, "storage")}`,
      "--enable-leader-election",
      "--health-addr=127.0.0.1:0",
      "--metrics-addr=127.0.0.1:0",
      ...(options.args ?? []),
    ],
    join(options.dir, "controller.log"),
    { ...process.env, KUBECONFIG: "", POD_NAMESPACE: "flux-system", POD_NAME: `driftless-${options.shard}` },
  );
}
