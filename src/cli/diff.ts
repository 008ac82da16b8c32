// `driftless diff`: renders a directory locally and shows, per object, what a server-side apply would
// change on the live cluster (a dry run: nothing is written), plus what a Kustomization would prune.
import { referenceApiVersion } from "../api/inventory.ts";
import { type Kustomization, KustomizationType, parseKustomization } from "../api/kustomization.ts";
import { Action } from "../apply/changeset.ts";
import { type DiffEntry, diffAll } from "../apply/diff.ts";
import { ResourceManager } from "../apply/manager.ts";
import { ignoreRulesOf } from "../controller/kustomization/ignore.ts";
import { OwnerLabels, render } from "../controller/kustomization/render.ts";
import { readSubstituteFrom } from "../controller/kustomization/substitute-from.ts";
import { inventoryOf, staleReferences } from "../inventory/inventory.ts";
import type { KubeClient } from "../kube/client.ts";
import { type KubeObject, parseKubeObject } from "../kube/object.ts";
import { buildFlux } from "../kustomize/flux.ts";
import { DecryptionFailedError, decryptionInputs, decryptObjects, secretGetter } from "../sops/pipeline.ts";
import { pathsRevealing, Redactor, secretValues, stringsAt } from "../sops/redact.ts";
import type { Command } from "./command.ts";
import { cliKubeClient } from "./output.ts";

const USAGE = `usage: driftless diff --path <dir> [--kustomization <namespace>/<name>] [--kubeconfig <file>]
                      [--sops-age-secret <namespace>/<name>]
Renders <dir> and dry-runs a server-side apply of every object against the cluster of --kubeconfig
(else $KUBECONFIG, else ~/.kube/config), printing a unified diff of the live object against the result.
With --kustomization, the Kustomization's spec (targetNamespace, patches, images, postBuild, …) and owner
labels are applied as the controller would, and the objects it would prune are listed. SOPS-encrypted
files are decrypted as the controller does, with the keys of spec.decryption.secretRef read from the
cluster (or, without a secretRef, of --sops-age-secret, as the controller's flag); a key that cannot be
read is an error.
Secret values are masked. Exit code: 0 no changes, 1 changes, 2 error.
`;

interface Flags {
  path?: string;
  kustomization?: { namespace: string; name: string };
  kubeconfig?: string;
  sopsAgeSecret?: { namespace: string; name: string };
}

function parseFlags(args: readonly string[]): Flags | string {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const [name, inline] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (name === "-h" || name === "--help") return "help";
    if (name === "--path") {
      flags.path = value();
      if (!flags.path) return "--path needs a directory";
    } else if (name === "--kubeconfig") {
      flags.kubeconfig = value();
      if (!flags.kubeconfig) return "--kubeconfig needs a file";
    } else if (name === "--kustomization" || name === "--sops-age-secret") {
      const [namespace, objName, extra] = (value() ?? "").split("/");
      if (!namespace || !objName || extra !== undefined) return `${name} needs <namespace>/<name>`;
      if (name === "--kustomization") flags.kustomization = { namespace, name: objName };
      else flags.sopsAgeSecret = { namespace, name: objName };
    } else {
      return `unexpected argument ${JSON.stringify(a)}`;
    }
  }
  if (!flags.path) return "--path is required";
  return flags;
}

/** `driftless diff`: what applying a directory would change on the cluster, as unified diffs. */
export const diffCommand: Command = {
  name: "diff",
  async run(args: readonly string[]): Promise<number> {
    const flags = parseFlags(args);
    if (flags === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (typeof flags === "string") {
      process.stderr.write(`driftless diff: ${flags}\n\n${USAGE}`);
      return 2;
    }
    // Secret values are masked in diffs by structure. On top, every line printed goes through a redactor of
    // the values decryption revealed (fields of other kinds, quotes in API server messages), and error
    // messages also through one of every Secret value.
    const redactor = new Redactor();
    const secrets = new Redactor();
    const redact = {
      out: (t: string) => redactor.redact(t),
      err: (t: string) => secrets.redact(redactor.redact(t)),
    };
    try {
      const client = cliKubeClient(flags.kubeconfig);
      const ks = flags.kustomization ? await getKustomization(client, flags.kustomization) : undefined;
      const objects = await renderLocally(client, flags.path as string, ks, {
        sopsAgeSecret: flags.sopsAgeSecret,
        redactor,
      });
      for (const o of objects) {
        secrets.addAll(secretValues(o));
        for (const token of [o.apiVersion, o.kind, o.metadata.name, o.metadata.namespace]) {
          if (token) for (const r of [redactor, secrets]) r.keep(token);
        }
      }
      const manager = new ResourceManager(client);
      await redactLiveFields(manager, objects, redactor);
      // Like `flux diff`: fields under the Kustomization's spec.ignore rules are neither compared nor shown.
      const entries = await diffAll(manager, objects, { ignore: ks ? ignoreRulesOf(ks) : undefined });
      const prunes = ks?.spec.prune ? await prunable(manager, ks, objects) : [];
      return report(entries, prunes, redact);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A decryption failure names the Kustomization whose keys were used (its Secret, or none found).
      const ks = flags.kustomization;
      const about = ks && isDecryptionFailure(err) ? `Kustomization/${ks.namespace}/${ks.name}: ` : "";
      process.stderr.write(redact.err(`✗ ${about}${message}\n`));
      return 2;
    }
  },
};

// Fields of kinds other than Secret that hold decrypted values are masked by value: so that the live side of
// their diff (the value the cluster holds now) is masked too, record the live values at the same paths.
async function redactLiveFields(
  m: ResourceManager,
  objects: readonly KubeObject[],
  redactor: Redactor,
): Promise<void> {
  if (redactor.size === 0) return;
  for (const obj of objects) {
    if (obj.kind === "Secret") continue;
    const paths = pathsRevealing(obj, redactor);
    if (paths.length === 0) continue;
    const live = await m.getLive(obj).catch(() => undefined);
    if (live) redactor.addAll(stringsAt(live, paths));
  }
}

function isDecryptionFailure(err: unknown): boolean {
  return err instanceof DecryptionFailedError || (err instanceof Error && isDecryptionFailure(err.cause));
}

async function getKustomization(
  client: KubeClient,
  key: { namespace: string; name: string },
): Promise<Kustomization> {
  const resource = {
    group: KustomizationType.group,
    version: KustomizationType.version,
    plural: KustomizationType.plural,
  };
  return parseKustomization(await client.get(resource, key));
}

// With a Kustomization, render as the controller does (its spec, decryption, postBuild, owner labels) with
// the directory standing in for spec.path; without one, a build as Flux does it (a kustomization.yaml is
// generated when the directory has none), where an encrypted object is an error: there is no key to use.
async function renderLocally(
  client: KubeClient,
  dir: string,
  ks: Kustomization | undefined,
  options: { sopsAgeSecret: { namespace: string; name: string } | undefined; redactor: Redactor },
): Promise<KubeObject[]> {
  if (!ks) {
    const objects = buildFlux(dir).objects.map((o) => parseKubeObject(o));
    return decryptObjects(objects, undefined);
  }
  const local: Kustomization = { ...ks, spec: { ...ks.spec, path: "./" } };
  return render(local, dir, {
    substituteFrom: await readSubstituteFrom(client, ks),
    ...decryptionInputs({
      namespace: ks.metadata.namespace ?? "",
      decryption: ks.spec.decryption,
      components: ks.spec.components,
      getSecret: secretGetter(client),
      fallbackSecret: options.sopsAgeSecret,
      redactor: options.redactor,
    }),
  });
}

// The Kustomization's inventory minus the render: what the controller would prune (owned objects only).
async function prunable(
  m: ResourceManager,
  ks: Kustomization,
  objects: readonly KubeObject[],
): Promise<string[]> {
  const next = inventoryOf(
    objects.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: {
        name: o.metadata.name ?? "",
        ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      },
    })),
  );
  const out: string[] = [];
  for (const ref of staleReferences(ks.status?.inventory, next)) {
    const stub: KubeObject = {
      apiVersion: referenceApiVersion(ref),
      kind: ref.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    };
    const live = await m.getLive(stub).catch(() => undefined);
    const labels = live?.metadata.labels ?? {};
    if (
      labels[OwnerLabels.name] !== ks.metadata.name ||
      labels[OwnerLabels.namespace] !== ks.metadata.namespace
    ) {
      continue;
    }
    if (live?.metadata.annotations?.["kustomize.toolkit.fluxcd.io/prune"]?.toLowerCase() === "disabled")
      continue;
    out.push(ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`);
  }
  return out;
}

/** Masks values in what is printed: `out` for stdout, `err` (stricter) for stderr. */
interface Redaction {
  out(text: string): string;
  err(text: string): string;
}

function report(entries: readonly DiffEntry[], prunes: readonly string[], redact: Redaction): number {
  let changes = 0;
  let failures = 0;
  for (const e of entries) {
    if (e.action === "failed") {
      failures++;
      process.stderr.write(redact.err(`✗ ${e.subject}: ${e.message ?? "dry run failed"}\n`));
      continue;
    }
    if (e.action !== Action.Created && e.action !== Action.Configured) continue;
    changes++;
    const note = e.immutable
      ? redact.err(` (immutable field: applies only with force, by recreating; ${e.message})`)
      : "";
    process.stdout.write(
      redact.out(`► ${e.subject} ${e.action === Action.Created ? "created" : "drifted"}${note}\n${e.diff}`),
    );
  }
  for (const subject of prunes) {
    changes++;
    process.stdout.write(redact.out(`► ${subject} deleted\n`));
  }
  if (failures > 0) return 2;
  return changes > 0 ? 1 : 0;
}
