// Wires the GitRepository reconciler into a controller: the GitRepository informer (its cache is what the
// reconciler reads), a watch of Secrets mapped to the GitRepositories that use them, and a re-trigger of
// GitRepositories that include one whose artifact changed.
import type { Logger } from "pino";
import { GitRepositoryType } from "../../api/gitrepository.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject, ObjectKey } from "../../kube/object.ts";
import type { ArtifactRegistry } from "../kustomization/artifacts.ts";
import {
  annotationsChanged,
  anyOf,
  Controller,
  generationChanged,
  type UpdatePredicate,
} from "../runtime/controller.ts";
import type { EventRecorder } from "../runtime/events.ts";
import type { BackoffOptions, ReconcileOutcome } from "../runtime/reconciler.ts";
import type { WorkQueueObserver } from "../runtime/workqueue.ts";
import { GitRepositoryReconciler, type GitRepositoryReconcilerOptions } from "./reconciler.ts";

/** Options of the GitRepository controller. */
export interface GitRepositoryControllerOptions
  extends Pick<
    GitRepositoryReconcilerOptions,
    "artifactBaseUrl" | "jitterPercent" | "requeueDependencyMs" | "keepArtifacts"
  > {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly events: EventRecorder;
  readonly registry: ArtifactRegistry;
  /** Root of artifact storage and the git object cache. */
  readonly storageDir: string;
  /** GitRepositories reconciled at once; default 2. */
  readonly concurrency?: number;
  readonly labelSelector?: string;
  /** Also receives every reconcile's outcome (metrics). */
  readonly onOutcome?: (outcome: ReconcileOutcome) => void;
  /** Receives the work queue's timings (metrics). */
  readonly observer?: WorkQueueObserver;
  /** Retry backoff of failed reconciles; default 750 ms doubling up to 15 min (Flux's defaults). */
  readonly backoff?: BackoffOptions;
  /** Watch Secrets and reconcile the GitRepositories that use a changed one; default true. */
  readonly watchSecrets?: boolean;
}

const deletionStarted: UpdatePredicate = (o, n) =>
  o.metadata.deletionTimestamp === undefined && n.metadata.deletionTimestamp !== undefined;

/** Builds the GitRepository controller (not started). */
export function createGitRepositoryController(options: GitRepositoryControllerOptions): Controller {
  const { client, log, registry } = options;
  let controller: Controller | undefined;
  const reconciler = new GitRepositoryReconciler({
    client,
    log,
    events: options.events,
    registry,
    storageDir: options.storageDir,
    getGitRepository: (key) => controller?.informer.get(key),
    ...(options.artifactBaseUrl !== undefined ? { artifactBaseUrl: options.artifactBaseUrl } : {}),
    ...(options.jitterPercent !== undefined ? { jitterPercent: options.jitterPercent } : {}),
    ...(options.requeueDependencyMs !== undefined
      ? { requeueDependencyMs: options.requeueDependencyMs }
      : {}),
    ...(options.keepArtifacts !== undefined ? { keepArtifacts: options.keepArtifacts } : {}),
  });
  const repositories = (): KubeObject[] => controller?.informer.list() ?? [];
  controller = new Controller({
    name: "gitrepository",
    client,
    primary: {
      resource: {
        group: GitRepositoryType.group,
        version: GitRepositoryType.version,
        plural: GitRepositoryType.plural,
      },
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      // Status writes change neither generation nor annotations: they do not come back as reconciles.
      predicate: anyOf(generationChanged, annotationsChanged, deletionStarted),
    },
    watches:
      options.watchSecrets === false
        ? []
        : [
            {
              resource: { group: "", version: "v1", plural: "secrets" },
              map: (secret) => usersOfSecret(secret, repositories()),
            },
          ],
    reconciler,
    concurrency: options.concurrency ?? 2,
    backoff: options.backoff ?? { baseMs: 750, maxMs: 15 * 60_000 },
    onError: (err, context) => log.warn({ err: String(err), context }, "gitrepository controller error"),
    ...(options.observer ? { observer: options.observer } : {}),
    onOutcome: (o) => {
      options.onOutcome?.(o);
      if (o.result === "error" || o.result === "terminal") {
        log.debug(
          { key: o.key, retryAfter: o.result === "error" ? o.retryAfter : undefined },
          "reconcile failed",
        );
      }
    },
  });
  // A new artifact of an included GitRepository rebuilds the ones that include it without waiting.
  registry.subscribe((ref) => {
    if (ref.kind !== GitRepositoryType.kind) return;
    for (const key of includersOf(ref.namespace, ref.name, repositories())) controller?.enqueue(key);
  });
  return controller;
}

/** The GitRepositories that read a Secret (spec.secretRef or spec.verify.secretRef), same namespace. */
export function usersOfSecret(secret: KubeObject, repos: readonly KubeObject[]): ObjectKey[] {
  const ns = secret.metadata.namespace ?? "";
  const name = secret.metadata.name ?? "";
  const out: ObjectKey[] = [];
  for (const repo of repos) {
    if ((repo.metadata.namespace ?? "") !== ns) continue;
    const spec = (
      repo as { spec?: { secretRef?: { name?: string }; verify?: { secretRef?: { name?: string } } } }
    ).spec;
    if (spec?.secretRef?.name === name || spec?.verify?.secretRef?.name === name) {
      out.push({ namespace: ns, name: repo.metadata.name ?? "" });
    }
  }
  return out;
}

/** The GitRepositories of a namespace whose spec.include names the given one. */
export function includersOf(namespace: string, name: string, repos: readonly KubeObject[]): ObjectKey[] {
  const out: ObjectKey[] = [];
  for (const repo of repos) {
    if ((repo.metadata.namespace ?? "") !== namespace) continue;
    const include = (repo as { spec?: { include?: { repository?: { name?: string } }[] } }).spec?.include;
    if (include?.some((i) => i.repository?.name === name)) {
      out.push({ namespace, name: repo.metadata.name ?? "" });
    }
  }
  return out;
}
