// The hand-over from sources to Kustomizations: a source controller publishes each new artifact here,
// and Kustomizations read the tree through one small interface and subscribe to new revisions.

/** A source's artifact as a Kustomization reads it: the revision, its digest and the unpacked tree. */
export interface LocalArtifact {
  readonly revision: string;
  readonly digest: string;
  /** Directory holding the artifact's files (read-only for readers). */
  readonly dir: string;
}

/** Identifies a source object. */
export interface SourceRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** Where Kustomizations get artifacts from. */
export interface ArtifactProvider {
  /** The latest artifact of the source, or undefined when there is none (yet) in this process. */
  getArtifact(ref: SourceRef): LocalArtifact | undefined;
}

/** An in-process registry of the latest artifact per source, with subscribers for new ones. */
export class ArtifactRegistry implements ArtifactProvider {
  readonly #artifacts = new Map<string, LocalArtifact>();
  readonly #listeners: ((ref: SourceRef, artifact: LocalArtifact) => void)[] = [];

  getArtifact(ref: SourceRef): LocalArtifact | undefined {
    return this.#artifacts.get(keyOf(ref));
  }

  /** Records a new artifact and tells every subscriber (the Kustomization controller enqueues dependants). */
  publish(ref: SourceRef, artifact: LocalArtifact): void {
    const prev = this.#artifacts.get(keyOf(ref));
    this.#artifacts.set(keyOf(ref), artifact);
    if (prev?.digest === artifact.digest && prev.revision === artifact.revision) return;
    for (const l of this.#listeners) l(ref, artifact);
  }

  /** Forgets a source (deleted). */
  remove(ref: SourceRef): void {
    this.#artifacts.delete(keyOf(ref));
  }

  /** Calls fn for every new artifact. */
  subscribe(fn: (ref: SourceRef, artifact: LocalArtifact) => void): void {
    this.#listeners.push(fn);
  }
}

function keyOf(ref: SourceRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}
