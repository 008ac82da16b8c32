// The GitRepository reconciler: finalizer → suspend → storage → auth → includes → ref → (skip | fetch →
// verify → artifact) → status, one phase per call, as Flux's source-controller. Every failure becomes a
// condition with Flux's reason; the last good artifact is kept and served while the source fails.
import { rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ConditionStatus, ConditionType, isConditionTrue, Reason } from "../../api/condition.ts";
import { parseDuration } from "../../api/duration.ts";
import { type GitRepository, GitRepositoryType, parseAnyGitRepository } from "../../api/gitrepository.ts";
import type { Artifact as StatusArtifact } from "../../api/meta.ts";
import type { KubeClient } from "../../kube/client.ts";
import { type KubeObject, keyToString, type ObjectKey, type ResourceRef } from "../../kube/object.ts";
import {
  type Artifact,
  type ArtifactLocation,
  garbageCollect,
  removeArtifacts,
} from "../../source/git/artifact.ts";
import { fetchedCommitTime } from "../../source/git/commit-time.ts";
import type { GitHubTokenCache } from "../../source/git/github-app.ts";
import { sparseFilter } from "../../source/git/sparse.ts";
import { openTransport, timeoutSignal } from "../../source/git/transport.ts";
import type { ArtifactRegistry, SourceRef } from "../kustomization/artifacts.ts";
import type { EventRecorder } from "../runtime/events.ts";
import type { ReconcileResult, Reconciler } from "../runtime/reconciler.ts";
import { checkSparseCheckout, sameList, submoduleTrees } from "./checkout.ts";
import { readCredentials } from "./credentials.ts";
import { asFailure, fetchFailure, type ReconcileFailure } from "./failure.ts";
import { ensureFinalizer, removeFinalizer } from "./finalizer.ts";
import { includesChanged, type ResolvedInclude, resolveIncludes } from "./include.ts";
import {
  artifactLocation,
  buildArtifact,
  fetchRevision,
  gitCacheDir,
  resolveRevision,
  storedArtifact,
} from "./source.ts";
import { FAILURE_CONDITIONS, GitRepositoryStatusBuilder, StatusWriter } from "./status.ts";
import { verificationMode, verifySource } from "./verify.ts";

/** What the GitRepository reconciler needs from the process. */
export interface GitRepositoryReconcilerOptions {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly events: EventRecorder;
  readonly registry: ArtifactRegistry;
  /** Root of artifact storage and the git object cache. */
  readonly storageDir: string;
  /** Reads a GitRepository ("namespace/name") from the informer cache. */
  readonly getGitRepository: (key: string) => KubeObject | undefined;
  /** Base of status.artifact.url; default "http://localhost". */
  readonly artifactBaseUrl?: string;
  /** ± jitter applied to the interval, in percent; default 5 (Flux's default). */
  readonly jitterPercent?: number;
  /** When to look again at a GitRepository whose include is not ready; default 30 s. */
  readonly requeueDependencyMs?: number;
  /** Where GitHub App installation tokens are cached; default the process-wide cache. */
  readonly gitHubTokenCache?: GitHubTokenCache;
  /** Artifacts kept per object by garbage collection; default 2. */
  readonly keepArtifacts?: number;
  readonly now?: () => Date;
}

const RESOURCE: ResourceRef = {
  group: GitRepositoryType.group,
  version: GitRepositoryType.version,
  plural: GitRepositoryType.plural,
};

/** What one pass of the source phases produced. */
interface SourceOutcome {
  artifact: Artifact;
  /** The commit subject when a fetch happened; undefined when the stored artifact is still current. */
  subject: string | undefined;
}

/** Reconciles GitRepositories into artifacts on local storage and publishes them to the registry. */
export class GitRepositoryReconciler implements Reconciler {
  readonly #o: GitRepositoryReconcilerOptions;
  readonly #now: () => Date;

  constructor(options: GitRepositoryReconcilerOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult> {
    const raw = this.#o.getGitRepository(keyToString(key));
    const ref: SourceRef = { kind: GitRepositoryType.kind, namespace: key.namespace ?? "", name: key.name };
    if (!raw) {
      this.#o.registry.remove(ref);
      return;
    }
    let obj: GitRepository;
    try {
      obj = parseAnyGitRepository(raw);
    } catch (err) {
      // The apiserver validated it against the CRD: nothing a retry could fix.
      this.#o.log.error({ gitrepository: keyToString(key), err: String(err) }, "invalid GitRepository");
      return;
    }
    if (obj.metadata.deletionTimestamp) return this.#finalize(raw, ref);
    await ensureFinalizer(this.#o.client, RESOURCE, raw);
    if (obj.spec.suspend) return this.#suspended(raw, obj);
    return this.#reconcileSource(raw, obj, ref);
  }

  // The main story: each phase records its conditions on the builder; the status is written once at the end.
  async #reconcileSource(raw: KubeObject, obj: GitRepository, ref: SourceRef): Promise<ReconcileResult> {
    const generation = obj.metadata.generation;
    const previous = obj.status;
    const st = new GitRepositoryStatusBuilder(previous, generation, this.#now);
    const status = new StatusWriter(this.#o.client, RESOURCE, raw, obj);
    const loc = artifactLocation(this.#o.storageDir, ref.namespace, ref.name);
    const log = this.#o.log.child({ gitrepository: `${ref.namespace}/${ref.name}` });
    st.progressing("reconciliation in progress");
    if (generation !== previous.observedGeneration) {
      // Show at once that a new generation is being worked on, as Flux does.
      st.progressing(
        `processing object: new generation ${previous.observedGeneration ?? -1} -> ${generation}`,
      );
      await status.write(st, previous.observedGeneration);
    }
    let stored: Artifact | undefined;
    let outcome: SourceOutcome;
    try {
      stored = await this.#checkStorage(obj, st, loc);
      outcome = await this.#syncSource(obj, st, loc, stored, status);
    } catch (err) {
      return this.#fail(obj, st, status, asFailure(err), stored, ref, log);
    }
    st.finish("success");
    await status.write(st, generation);
    this.#o.registry.publish(ref, {
      revision: outcome.artifact.revision,
      digest: outcome.artifact.digest,
      dir: outcome.artifact.dir,
    });
    await this.#notifySuccess(raw, previous, st, outcome, log);
    return { requeueAfter: this.#jittered(obj.spec.interval) };
  }

  // Storage: drops a status artifact that is no longer on disk (it gets rebuilt) and collects old ones.
  async #checkStorage(
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    loc: ArtifactLocation,
  ): Promise<Artifact | undefined> {
    const digest = obj.status.artifact?.digest;
    await garbageCollect(loc, {
      keep: this.#o.keepArtifacts ?? 2,
      ...(digest ? { current: [digest] } : {}),
    }).catch(() => []);
    const stored = await storedArtifact(loc, digest);
    if (stored && stored.revision === obj.status.artifact?.revision) return stored;
    const missing = obj.status.artifact !== undefined;
    delete st.status.artifact;
    st.clear(ConditionType.ArtifactInStorage);
    st.progressing(missing ? "building artifact: disappeared from storage" : "building artifact", true);
    return undefined;
  }

  // Source: auth, includes, one ref advertisement; then either the stored artifact is still current, or
  // the commit is fetched, verified and turned into a new artifact.
  async #syncSource(
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    loc: ArtifactLocation,
    stored: Artifact | undefined,
    status: StatusWriter,
  ): Promise<SourceOutcome> {
    if (st.get(ConditionType.SourceVerified)?.status === ConditionStatus.False) {
      st.clear(ConditionType.SourceVerified);
    }
    const timeout = parseDuration(obj.spec.timeout);
    const { auth, proxy } = await readCredentials(this.#o.client, obj, {
      signal: timeoutSignal(timeout),
      ...(this.#o.gitHubTokenCache ? { tokenCache: this.#o.gitHubTokenCache } : {}),
    });
    const includes = resolveIncludes(obj, st, {
      getGitRepository: this.#o.getGitRepository,
      artifacts: this.#o.registry,
      requeueAfterMs: this.#o.requeueDependencyMs ?? 30_000,
    });
    const signal = timeoutSignal(timeout);
    const transport = (() => {
      try {
        return openTransport(obj.spec.url, auth, { signal, ...(proxy ? { proxy } : {}) });
      } catch (err) {
        throw fetchFailure(err);
      }
    })();
    try {
      const cacheDir = gitCacheDir(this.#o.storageDir, loc.namespace, loc.name);
      const resolved = await resolveRevision(transport, obj, {
        commitTime: fetchedCommitTime(transport, cacheDir),
      });
      if (stored && stored.revision === resolved.revision && !this.#contentConfigChanged(obj, includes)) {
        st.clear(ConditionType.FetchFailed);
        if (!obj.spec.verify) {
          delete st.status.sourceVerificationMode;
          st.clear(ConditionType.SourceVerified);
        }
        st.mark(
          ConditionType.ArtifactInStorage,
          ConditionStatus.True,
          Reason.Succeeded,
          `stored artifact for revision '${stored.revision}'`,
        );
        return { artifact: stored, subject: undefined };
      }
      const fetched = await fetchRevision(transport, cacheDir, resolved);
      await checkSparseCheckout(obj, cacheDir, fetched.ref.commit);
      const modules = await submoduleTrees(obj, {
        cacheDir,
        commit: fetched.ref.commit,
        auth,
        proxy,
        signal,
      });
      st.clear(ConditionType.FetchFailed);
      await verifySource(this.#o.client, obj, st, cacheDir, fetched.ref);
      const revision = fetched.ref.revision;
      if (obj.status.artifact?.revision !== revision) {
        const message = `new upstream revision '${revision}'`;
        if (obj.status.artifact) {
          st.mark(ConditionType.ArtifactOutdated, ConditionStatus.True, Reason.NewRevision, message);
        }
        st.progressing(`building artifact: ${message}`, true);
        await status.write(st, obj.status.observedGeneration);
      }
      const artifact = await buildArtifact({
        loc,
        cacheDir,
        ref: fetched.ref,
        ignore: obj.spec.ignore,
        includes,
        tree: {
          ...(obj.spec.sparseCheckout?.length ? { select: sparseFilter(obj.spec.sparseCheckout) } : {}),
          ...(modules ? { modules } : {}),
        },
      });
      this.#recordArtifact(obj, st, artifact, includes);
      await garbageCollect(loc, { keep: this.#o.keepArtifacts ?? 2, current: [artifact.digest] }).catch(
        () => [],
      );
      return { artifact, subject: fetched.subject };
    } finally {
      transport.close();
    }
  }

  // Whether anything besides the commit that shapes the artifact changed since it was built.
  #contentConfigChanged(obj: GitRepository, includes: readonly ResolvedInclude[]): boolean {
    const s = obj.status;
    if ((obj.spec.ignore ?? null) !== (s.observedIgnore ?? null)) return true;
    if ((obj.spec.recurseSubmodules ?? false) !== (s.observedRecurseSubmodules ?? false)) return true;
    if (!sameList(obj.spec.sparseCheckout, s.observedSparseCheckout)) return true;
    if (includesChanged(obj, includes)) return true;
    const verify = obj.spec.verify;
    if (verify) {
      if (s.sourceVerificationMode !== verificationMode(obj)) return true;
      if (!isConditionTrue(s.conditions, ConditionType.SourceVerified)) return true;
    }
    return false;
  }

  #recordArtifact(
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    artifact: Artifact,
    includes: readonly ResolvedInclude[],
  ): void {
    const base = (this.#o.artifactBaseUrl ?? "http://localhost").replace(/\/+$/, "");
    const status: StatusArtifact = {
      revision: artifact.revision,
      digest: artifact.digest,
      lastUpdateTime: artifact.lastUpdateTime,
      size: artifact.size,
      path: artifact.path,
      url: `${base}/${artifact.path}`,
    };
    st.status.artifact = status;
    if (includes.length > 0) st.status.includedArtifacts = includes.map((i) => i.artifact);
    else delete st.status.includedArtifacts;
    if (obj.spec.ignore !== undefined) st.status.observedIgnore = obj.spec.ignore;
    else delete st.status.observedIgnore;
    if (obj.spec.include) st.status.observedInclude = obj.spec.include;
    else delete st.status.observedInclude;
    if (obj.spec.recurseSubmodules !== undefined)
      st.status.observedRecurseSubmodules = obj.spec.recurseSubmodules;
    else delete st.status.observedRecurseSubmodules;
    if (obj.spec.sparseCheckout !== undefined) st.status.observedSparseCheckout = obj.spec.sparseCheckout;
    else delete st.status.observedSparseCheckout;
    st.clear(ConditionType.ArtifactOutdated);
    st.clear(ConditionType.StorageOperationFailed);
    st.mark(
      ConditionType.ArtifactInStorage,
      ConditionStatus.True,
      Reason.Succeeded,
      `stored artifact for revision '${artifact.revision}'`,
    );
  }

  // A failure: record it, keep (and keep serving) the last good artifact, tell the user, pick the retry.
  async #fail(
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    status: StatusWriter,
    failure: ReconcileFailure,
    stored: Artifact | undefined,
    ref: SourceRef,
    log: Logger,
  ): Promise<ReconcileResult> {
    // SourceVerified and IncludeUnavailable are recorded by their phases; fetch and storage failures here.
    if (
      failure.condition === ConditionType.FetchFailed ||
      failure.condition === ConditionType.StorageOperationFailed
    ) {
      st.mark(failure.condition, ConditionStatus.True, failure.reason, failure.message);
    }
    if (failure.kind === "stalled") {
      st.finish("stalled", { reason: failure.reason, message: failure.message });
    } else {
      st.finish("retry");
    }
    if (failure.condition === "" && st.get(ConditionType.Ready)?.status !== ConditionStatus.False) {
      st.mark(ConditionType.Ready, ConditionStatus.False, failure.reason, failure.message);
    }
    const observed = failure.kind === "stalled" ? obj.metadata.generation : obj.status.observedGeneration;
    await status
      .write(st, observed)
      .catch((err: unknown) => log.warn({ err: String(err) }, "status write failed"));
    if (stored && st.status.artifact?.digest === stored.digest) {
      this.#o.registry.publish(ref, { revision: stored.revision, digest: stored.digest, dir: stored.dir });
    }
    log.error({ reason: failure.reason, kind: failure.kind }, failure.message);
    await this.#o.events.emit(status.object, {
      type: "Warning",
      reason: failure.reason,
      action: "Reconcile",
      note: failure.message,
    });
    if (failure.kind === "waiting") return { requeueAfter: failure.requeueAfter ?? 30_000 };
    if (failure.kind === "stalled") return { requeueAfter: this.#jittered(obj.spec.interval) };
    throw failure;
  }

  // Events: a new artifact is announced with the commit subject; so is the recovery from a failure.
  async #notifySuccess(
    raw: KubeObject,
    previous: GitRepository["status"],
    st: GitRepositoryStatusBuilder,
    outcome: SourceOutcome,
    log: Logger,
  ): Promise<void> {
    const artifact = outcome.artifact;
    const annotations = {
      [`${GitRepositoryType.group}/revision`]: artifact.revision,
      [`${GitRepositoryType.group}/digest`]: artifact.digest,
    };
    const message = `stored artifact for commit '${outcome.subject ?? artifact.revision}'`;
    const recovered =
      FAILURE_CONDITIONS.some((t) => previous.conditions?.some((c) => c.type === t)) && !st.hasFailure();
    if (previous.artifact?.digest !== artifact.digest) {
      log.info({ revision: artifact.revision, digest: artifact.digest }, message);
      await this.#o.events.emit(raw, {
        type: "Normal",
        reason: Reason.NewArtifact,
        action: "Reconcile",
        note: message,
        annotations,
      });
    } else if (recovered) {
      log.info({ revision: artifact.revision }, message);
      await this.#o.events.emit(raw, {
        type: "Normal",
        reason: Reason.Succeeded,
        action: "Reconcile",
        note: message,
        annotations,
      });
    } else if (outcome.subject === undefined) {
      log.debug({ revision: artifact.revision }, "no changes since last reconciliation");
    }
  }

  // Suspended: nothing is polled; a reconcile request is still acknowledged.
  async #suspended(raw: KubeObject, obj: GitRepository): Promise<ReconcileResult> {
    this.#o.log.info(
      { gitrepository: keyToString({ namespace: obj.metadata.namespace ?? "", name: obj.metadata.name }) },
      "reconciliation is suspended for this object",
    );
    const st = new GitRepositoryStatusBuilder(obj.status, obj.metadata.generation, this.#now);
    await new StatusWriter(this.#o.client, RESOURCE, raw, obj).write(st, obj.status.observedGeneration);
    // A suspended source keeps serving its last artifact, also after a restart.
    const ref: SourceRef = {
      kind: GitRepositoryType.kind,
      namespace: obj.metadata.namespace ?? "",
      name: obj.metadata.name,
    };
    const loc = artifactLocation(this.#o.storageDir, ref.namespace, ref.name);
    const stored = await storedArtifact(loc, obj.status.artifact?.digest);
    if (stored && stored.revision === obj.status.artifact?.revision) {
      this.#o.registry.publish(ref, { revision: stored.revision, digest: stored.digest, dir: stored.dir });
    }
    return;
  }

  // Deletion: the artifacts and the git cache go, then the finalizer.
  async #finalize(raw: KubeObject, ref: SourceRef): Promise<ReconcileResult> {
    await removeArtifacts(artifactLocation(this.#o.storageDir, ref.namespace, ref.name));
    await rm(gitCacheDir(this.#o.storageDir, ref.namespace, ref.name), { recursive: true, force: true });
    this.#o.registry.remove(ref);
    await removeFinalizer(this.#o.client, RESOURCE, raw);
    return;
  }

  #jittered(interval: string): number {
    const ms = parseDuration(interval);
    const p = (this.#o.jitterPercent ?? 5) / 100;
    return Math.max(1, Math.round(ms * (1 + (Math.random() * 2 - 1) * p)));
  }
}
