// Phase 1 of a Kustomization: find its source and the source's current artifact.
import type { Kustomization } from "../../api/kustomization.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { ArtifactProvider, LocalArtifact, SourceRef } from "./artifacts.ts";

/** The source cannot give an artifact now: missing, not ready, or not fetched in this process yet. */
export class ArtifactNotReadyError extends Error {
  override name = "ArtifactNotReadyError";
}

/** The source reference is not allowed (cross-namespace refs disabled) or of an unsupported kind. */
export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
}

/** Where the Kustomization's source is, with the Kustomization's namespace as the default. */
export function sourceRefOf(ks: Kustomization): SourceRef {
  return {
    kind: ks.spec.sourceRef.kind,
    namespace: ks.spec.sourceRef.namespace ?? ks.metadata.namespace ?? "",
    name: ks.spec.sourceRef.name,
  };
}

/** Resolves the artifact to build from, or throws ArtifactNotReadyError / AccessDeniedError. */
export function resolveArtifact(
  ks: Kustomization,
  options: {
    readonly getSource: (ref: SourceRef) => KubeObject | undefined;
    readonly artifacts: ArtifactProvider;
    readonly noCrossNamespaceRefs: boolean;
  },
): LocalArtifact {
  const ref = sourceRefOf(ks);
  const subject = `${ref.kind}/${ref.namespace}/${ref.name}`;
  if (options.noCrossNamespaceRefs && ref.namespace !== ks.metadata.namespace) {
    throw new AccessDeniedError(`can't access '${subject}', cross-namespace references have been blocked`);
  }
  if (ref.kind !== "GitRepository") {
    throw new AccessDeniedError(
      `source kind '${ref.kind}' is not supported by driftless (GitRepository only)`,
    );
  }
  const source = options.getSource(ref);
  if (!source) throw new ArtifactNotReadyError(`Source '${subject}' not found`);
  // The in-process hand-over is the source of truth: the source controller publishes an artifact before
  // it writes the status that announces it, so waiting for that status would only add a round trip.
  const artifact = options.artifacts.getArtifact(ref);
  if (!artifact) throw new ArtifactNotReadyError(`Source '${subject}' is not ready, artifact not found`);
  return artifact;
}
