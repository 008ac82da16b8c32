// spec.include: other GitRepositories' artifacts copied into this one's tree, as Flux does (fromPath of the
// included artifact, default its root, to toPath, default the included repository's name).
import { cp, stat } from "node:fs/promises";
import { join, normalize, sep } from "node:path";
import { ConditionStatus, ConditionType } from "../../api/condition.ts";
import {
  type GitRepository,
  type GitRepositoryInclude,
  GitRepositoryType,
  parseAnyGitRepository,
} from "../../api/gitrepository.ts";
import type { Artifact as StatusArtifact } from "../../api/meta.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ArtifactProvider } from "../kustomization/artifacts.ts";
import { ReconcileFailure } from "./failure.ts";
import type { GitRepositoryStatusBuilder } from "./status.ts";

/** An include whose artifact is available, with the local tree to copy from. */
export interface ResolvedInclude {
  include: GitRepositoryInclude;
  artifact: StatusArtifact;
  dir: string;
}

/** An include that cannot be used yet: its GitRepository is missing or has no artifact (Flux's reasons). */
export class IncludeUnavailableError extends Error {
  override name = "IncludeUnavailableError";
  readonly reason: "NotFound" | "NoArtifact";

  constructor(reason: IncludeUnavailableError["reason"], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A copy of an included artifact failed (Flux's reasons IllegalPath and CopyFailure). */
export class IncludeCopyError extends Error {
  override name = "IncludeCopyError";
  readonly reason: "IllegalPath" | "CopyFailure";

  constructor(reason: IncludeCopyError["reason"], message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The destination of an include inside the tree (Flux's GetToPath). */
export function toPathOf(include: GitRepositoryInclude): string {
  return include.toPath || include.repository.name;
}

/** Joins a user path under root, refusing to leave it (like securejoin, but failing instead of clamping). */
export function secureJoin(root: string, path: string): string {
  const rel = normalize(`/${path}`).slice(1);
  const full = join(root, rel);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) {
    throw new Error(`path '${path}' leaves the artifact`);
  }
  return full;
}

/** Copies each include's (sub)tree into the staged tree. */
export async function copyIncludes(tree: string, includes: readonly ResolvedInclude[]): Promise<void> {
  for (const inc of includes) {
    const name = inc.include.repository.name;
    let from: string;
    let to: string;
    try {
      to = secureJoin(tree, toPathOf(inc.include));
      from = secureJoin(inc.dir, inc.include.fromPath ?? "");
    } catch (err) {
      throw new IncludeCopyError(
        "IllegalPath",
        `path calculation for include '${name}' failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    try {
      await stat(from);
      await cp(from, to, { recursive: true, force: true });
    } catch (err) {
      throw new IncludeCopyError(
        "CopyFailure",
        `failed to copy '${name}' include from ${inc.include.fromPath ?? ""} to ${toPathOf(inc.include)}: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
}

/** Whether the include config or the included artifacts differ from what the stored artifact was built from. */
export function includesChanged(obj: GitRepository, includes: readonly ResolvedInclude[]): boolean {
  const spec = (obj.spec.include ?? []).map(normalizeInclude);
  const observed = (obj.status.observedInclude ?? []).map(normalizeInclude);
  if (JSON.stringify(spec) !== JSON.stringify(observed)) return true;
  const digests = includes.map((i) => i.artifact.digest);
  const stored = (obj.status.includedArtifacts ?? []).map((a) => a.digest);
  return JSON.stringify(digests) !== JSON.stringify(stored);
}

function normalizeInclude(i: GitRepositoryInclude): [string, string, string] {
  return [i.repository.name, i.fromPath ?? "", toPathOf(i)];
}

/** What resolveIncludes() reads. */
export interface IncludeSources {
  /** Reads a GitRepository ("namespace/name") from the informer cache. */
  getGitRepository(key: string): KubeObject | undefined;
  /** The artifacts this process holds. */
  artifacts: ArtifactProvider;
  /** When to look again while an include is unavailable. */
  requeueAfterMs: number;
}

/**
 * Finds every include's artifact: the GitRepository must exist and have an artifact held by this process.
 * Records IncludeUnavailable and throws a waiting failure when one is missing.
 */
export function resolveIncludes(
  obj: GitRepository,
  st: GitRepositoryStatusBuilder,
  sources: IncludeSources,
): ResolvedInclude[] {
  const namespace = obj.metadata.namespace ?? "";
  const out: ResolvedInclude[] = [];
  try {
    for (const include of obj.spec.include ?? []) {
      const name = include.repository.name;
      const dep = sources.getGitRepository(`${namespace}/${name}`);
      if (!dep) {
        throw new IncludeUnavailableError(
          "NotFound",
          `could not get resource for include '${name}': gitrepositories.source.toolkit.fluxcd.io "${name}" not found`,
        );
      }
      const artifact = parseAnyGitRepository(dep).status.artifact;
      const local = sources.artifacts.getArtifact({ kind: GitRepositoryType.kind, namespace, name });
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
        requeueAfter: sources.requeueAfterMs,
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
