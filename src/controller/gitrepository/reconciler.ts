// The GitRepository reconciler: finalizer → suspend → storage → auth → includes → ref → (skip | fetch →
// verify → artifact) → status, one phase per call, as Flux's source-controller. Every failure becomes a
// condition with Flux's reason; the last good artifact is kept and served while the source fails.
import { rm } from "node:fs/promises";
import type { Logger } from "pino";
import { ConditionStatus, ConditionType, isConditionTrue, Reason } from "../../api/condition.ts";
import { parseDuration } from "../../api/duration.ts";
import { type GitRepository, GitRepositoryType, parseAnyGitRepository } from "../../api/gitrepository.ts";
import {
  FLUX_FINALIZER,
  RECONCILE_REQUEST_ANNOTATION,
  type Artifact as StatusArtifact,
} from "../../api/meta.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { type KubeObject, keyToString, type ObjectKey, type ResourceRef } from "../../kube/object.ts";
import {
  type Artifact,
  type ArtifactLocation,
  garbageCollect,
  removeArtifacts,
} from "../../source/git/artifact.ts";
import { openTransport, timeoutSignal } from "../../source/git/transport.ts";
import type { ArtifactRegistry, SourceRef } from "../kustomization/artifacts.ts";
import type { EventRecorder } from "../runtime/events.ts";
import type { ReconcileResult, Reconciler } from "../runtime/reconciler.ts";
import { writeStatus } from "../runtime/status.ts";
import { fetchFailure, ReconcileFailure } from "./failure.ts";
import { IncludeUnavailableError, includesChanged, type ResolvedInclude } from "./include.ts";
import {
  artifactLocation,
  buildArtifact,
  fetchRevision,
  gitCacheDir,
  readAuth,
  readSecretData,
  resolveRevision,
  storedArtifact,
} from "./source.ts";
import { FAILURE_CONDITIONS, GitRepositoryStatusBuilder } from "./status.ts";
import { VerificationError, verifySignatures } from "./verify.ts";

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
    if (obj.metadata.deletionTimestamp) return this.#finalize(raw, obj, ref);
    await this.#ensureFinalizer(raw, obj);
    if (obj.spec.suspend) return this.#suspended(raw, obj);
    return this.#reconcileSource(raw, obj, ref);
  }

  // The main story: each phase records its conditions on the builder; the status is written once at the end.
  async #reconcileSource(raw: KubeObject, obj: GitRepository, ref: SourceRef): Promise<ReconcileResult> {
    const generation = obj.metadata.generation;
    const previous = obj.status;
    const st = new GitRepositoryStatusBuilder(previous, generation, this.#now);
    const loc = artifactLocation(this.#o.storageDir, ref.namespace, ref.name);
    const log = this.#o.log.child({ gitrepository: `${ref.namespace}/${ref.name}` });
    st.progressing("reconciliation in progress");
    if (generation !== previous.observedGeneration) {
      // Show at once that a new generation is being worked on, as Flux does.
      st.progressing(
        `processing object: new generation ${previous.observedGeneration ?? -1} -> ${generation}`,
      );
      await this.#writeStatus(raw, obj, st, previous.observedGeneration);
    }
    let stored: Artifact | undefined;
    try {
      stored = await this.#checkStorage(obj, st, loc);
      const outcome = await this.#syncSource(raw, obj, st, loc, stored);
      stored = outcome.artifact;
      st.finish("success");
      await this.#writeStatus(raw, obj, st, generation);
      this.#o.registry.publish(ref, {
        revision: outcome.artifact.revision,
        digest: outcome.artifact.digest,
        dir: outcome.artifact.dir,
      });
      await this.#notifySuccess(raw, previous, st, outcome, log);
      return { requeueAfter: this.#jittered(obj.spec.interval) };
    } catch (err) {
      const failure =
        err instanceof ReconcileFailure
          ? err
          : new ReconcileFailure(
              {
                kind: "retry",
                condition: ConditionType.StorageOperationFailed,
                reason: Reason.Failed,
                message: err instanceof Error ? err.message : String(err),
              },
              { cause: err },
            );
      return this.#fail(raw, obj, st, failure, stored, ref, log);
    }
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
    raw: KubeObject,
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    loc: ArtifactLocation,
    stored: Artifact | undefined,
  ): Promise<SourceOutcome> {
    if (st.get(ConditionType.SourceVerified)?.status === ConditionStatus.False) {
      st.clear(ConditionType.SourceVerified);
    }
    const auth = await readAuth(this.#o.client, obj);
    const includes = this.#resolveIncludes(obj, st);
    const transport = (() => {
      try {
        return openTransport(obj.spec.url, auth, { signal: timeoutSignal(parseDuration(obj.spec.timeout)) });
      } catch (err) {
        throw fetchFailure(err);
      }
    })();
    try {
      const resolved = await resolveRevision(transport, obj);
      if (stored && stored.revision === resolved.revision && !this.#contentConfigChanged(obj, includes)) {
        st.clear(ConditionType.FetchFailed);
        st.mark(
          ConditionType.ArtifactInStorage,
          ConditionStatus.True,
          Reason.Succeeded,
          `stored artifact for revision '${stored.revision}'`,
        );
        return { artifact: stored, subject: undefined };
      }
      const cacheDir = gitCacheDir(this.#o.storageDir, loc.namespace, loc.name);
      const fetched = await fetchRevision(transport, cacheDir, resolved);
      st.clear(ConditionType.FetchFailed);
      await this.#verify(obj, st, cacheDir, fetched.ref);
      const revision = fetched.ref.revision;
      if (obj.status.artifact?.revision !== revision) {
        const message = `new upstream revision '${revision}'`;
        if (obj.status.artifact) {
          st.mark(ConditionType.ArtifactOutdated, ConditionStatus.True, Reason.NewRevision, message);
        }
        st.progressing(`building artifact: ${message}`, true);
        await this.#writeStatus(raw, obj, st, obj.status.observedGeneration);
      }
      const artifact = await buildArtifact({
        loc,
        cacheDir,
        ref: fetched.ref,
        ignore: obj.spec.ignore,
        includes,
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

  // Includes: every included GitRepository must exist and have an artifact on this instance's storage.
  #resolveIncludes(obj: GitRepository, st: GitRepositoryStatusBuilder): ResolvedInclude[] {
    const namespace = obj.metadata.namespace ?? "";
    const out: ResolvedInclude[] = [];
    try {
      for (const include of obj.spec.include ?? []) {
        const name = include.repository.name;
        const dep = this.#o.getGitRepository(`${namespace}/${name}`);
        if (!dep) {
          throw new IncludeUnavailableError(
            "NotFound",
            `could not get resource for include '${name}': gitrepositories.source.toolkit.fluxcd.io "${name}" not found`,
          );
        }
        const artifact = parseAnyGitRepository(dep).status.artifact;
        const local = this.#o.registry.getArtifact({ kind: GitRepositoryType.kind, namespace, name });
        if (!artifact || !local || local.digest !== artifact.digest) {
          throw new IncludeUnavailableError("NoArtifact", `no artifact available for include '${name}'`);
        }
        out.push({ include, artifact, dir: local.dir });
      }
    } catch (err) {
      if (!(err instanceof IncludeUnavailableError)) throw err;
      st.mark(ConditionType.IncludeUnavailable, ConditionStatus.True, err.reason, err.message);
      throw new ReconcileFailure(
        {
          kind: "waiting",
          condition: ConditionType.IncludeUnavailable,
          reason: err.reason,
          message: err.message,
          requeueAfter: this.#o.requeueDependencyMs ?? 30_000,
        },
        { cause: err },
      );
    }
    st.clear(ConditionType.IncludeUnavailable);
    if (out.length > 0 && includesChanged(obj, out)) {
      st.progressing("building artifact: included artifacts differ from last observed includes", true);
    }
    return out;
  }

  // Verification: spec.verify's signatures must check out before an artifact is built from the commit.
  async #verify(
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    cacheDir: string,
    ref: { commit: string; tagObject?: string; refName?: string; kind: string },
  ): Promise<void> {
    const verify = obj.spec.verify;
    if (!verify) {
      delete st.status.sourceVerificationMode;
      st.clear(ConditionType.SourceVerified);
      return;
    }
    const namespace = obj.metadata.namespace ?? "";
    const fail = (reason: string, message: string, kind: "retry" | "stalled", cause: unknown): never => {
      st.mark(ConditionType.SourceVerified, ConditionStatus.False, reason, message);
      throw new ReconcileFailure(
        { kind, condition: ConditionType.SourceVerified, reason, message },
        { cause },
      );
    };
    let keyRings: string[] = [];
    try {
      const data = await readSecretData(this.#o.client, namespace, verify.secretRef.name);
      keyRings = Object.values(data).map((v) => Buffer.from(v).toString("utf8"));
    } catch (err) {
      const why = isNotFound(err) ? `secrets "${verify.secretRef.name}" not found` : (err as Error).message;
      fail(Reason.VerificationError, `public keys secret error: ${why}`, "retry", err);
    }
    const mode = verify.mode === "head" ? "HEAD" : verify.mode;
    const tagName = ref.refName?.startsWith("refs/tags/")
      ? ref.refName.slice("refs/tags/".length)
      : undefined;
    try {
      const message = await verifySignatures({
        cacheDir,
        commit: ref.commit,
        mode,
        keyRings,
        ...(ref.tagObject ? { tagObject: ref.tagObject } : {}),
        ...(tagName ? { tagName } : {}),
      });
      st.status.sourceVerificationMode = mode;
      st.mark(ConditionType.SourceVerified, ConditionStatus.True, Reason.Succeeded, message);
    } catch (err) {
      if (!(err instanceof VerificationError)) throw err;
      fail(err.reason, err.message, err.reason === "InvalidVerificationMode" ? "stalled" : "retry", err);
    }
  }

  // Whether anything besides the commit that shapes the artifact changed since it was built.
  #contentConfigChanged(obj: GitRepository, includes: readonly ResolvedInclude[]): boolean {
    const s = obj.status;
    if ((obj.spec.ignore ?? null) !== (s.observedIgnore ?? null)) return true;
    if ((obj.spec.recurseSubmodules ?? false) !== (s.observedRecurseSubmodules ?? false)) return true;
    if (includesChanged(obj, includes)) return true;
    const verify = obj.spec.verify;
    if (verify) {
      const mode = verify.mode === "head" ? "HEAD" : verify.mode;
      if (s.sourceVerificationMode !== mode) return true;
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
    raw: KubeObject,
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    failure: ReconcileFailure,
    stored: Artifact | undefined,
    ref: SourceRef,
    log: Logger,
  ): Promise<ReconcileResult> {
    if (
      failure.condition !== ConditionType.SourceVerified &&
      failure.condition !== ConditionType.IncludeUnavailable
    ) {
      st.mark(failure.condition, ConditionStatus.True, failure.reason, failure.message);
    }
    if (failure.kind === "stalled") {
      st.finish("stalled", { reason: failure.reason, message: failure.message });
    } else {
      st.finish("retry");
    }
    const observed = failure.kind === "stalled" ? obj.metadata.generation : obj.status.observedGeneration;
    await this.#writeStatus(raw, obj, st, observed).catch((err: unknown) =>
      log.warn({ err: String(err) }, "status write failed"),
    );
    if (stored && st.status.artifact?.digest === stored.digest) {
      this.#o.registry.publish(ref, { revision: stored.revision, digest: stored.digest, dir: stored.dir });
    }
    log.error({ reason: failure.reason, kind: failure.kind }, failure.message);
    await this.#o.events.emit(raw, {
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
    const requested = obj.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    if (requested !== undefined && requested !== obj.status.lastHandledReconcileAt) {
      await writeStatus(
        this.#o.client,
        RESOURCE,
        raw,
        { lastHandledReconcileAt: requested },
        {
          ...(obj.status.observedGeneration !== undefined
            ? { observedGeneration: obj.status.observedGeneration }
            : {}),
        },
      );
    }
    return;
  }

  async #ensureFinalizer(raw: KubeObject, obj: GitRepository): Promise<void> {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(FLUX_FINALIZER)) return;
    await this.#o.client.patch(
      RESOURCE,
      { namespace: obj.metadata.namespace ?? "", name: obj.metadata.name },
      {
        metadata: {
          finalizers: [...finalizers, FLUX_FINALIZER],
          resourceVersion: raw.metadata.resourceVersion,
        },
      },
      { type: "merge" },
    );
  }

  // Deletion: the artifacts and the git cache go, then the finalizer.
  async #finalize(raw: KubeObject, obj: GitRepository, ref: SourceRef): Promise<ReconcileResult> {
    await removeArtifacts(artifactLocation(this.#o.storageDir, ref.namespace, ref.name));
    await rm(gitCacheDir(this.#o.storageDir, ref.namespace, ref.name), { recursive: true, force: true });
    this.#o.registry.remove(ref);
    const finalizers = obj.metadata.finalizers ?? [];
    if (!finalizers.includes(FLUX_FINALIZER)) return;
    try {
      await this.#o.client.patch(
        RESOURCE,
        { namespace: ref.namespace, name: ref.name },
        {
          metadata: {
            finalizers: finalizers.filter((f) => f !== FLUX_FINALIZER),
            resourceVersion: raw.metadata.resourceVersion,
          },
        },
        { type: "merge" },
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return;
  }

  // One merge patch of the status subresource; fields the controller owns are removed with null.
  async #writeStatus(
    raw: KubeObject,
    obj: GitRepository,
    st: GitRepositoryStatusBuilder,
    observedGeneration: number | undefined,
  ): Promise<void> {
    const s = st.status;
    const requested = obj.metadata.annotations?.[RECONCILE_REQUEST_ANNOTATION];
    if (requested !== undefined) s.lastHandledReconcileAt = requested;
    await writeStatus(
      this.#o.client,
      RESOURCE,
      raw,
      {
        conditions: s.conditions ?? [],
        artifact: s.artifact ?? null,
        includedArtifacts: s.includedArtifacts ?? null,
        observedIgnore: s.observedIgnore ?? null,
        observedInclude: s.observedInclude ?? null,
        observedRecurseSubmodules: s.observedRecurseSubmodules ?? null,
        sourceVerificationMode: s.sourceVerificationMode ?? null,
        ...(s.lastHandledReconcileAt !== undefined
          ? { lastHandledReconcileAt: s.lastHandledReconcileAt }
          : {}),
      },
      { observedGeneration: observedGeneration ?? -1 },
    );
  }

  #jittered(interval: string): number {
    const ms = parseDuration(interval);
    const p = (this.#o.jitterPercent ?? 5) / 100;
    return Math.max(1, Math.round(ms * (1 + (Math.random() * 2 - 1) * p)));
  }
}
