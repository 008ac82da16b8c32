// The last render of each Kustomization, reused while nothing it depends on changed: an interval reconcile
// of an unchanged revision (or one started by drift) then costs no build at all. Renders that decrypt are
// never cached, so rotated keys always take effect.
import { createHash } from "node:crypto";
import type { Kustomization } from "../../api/kustomization.ts";
import type { KubeObject } from "../../kube/object.ts";
import type { LocalArtifact } from "./artifacts.ts";

/** A render and the fingerprint the drift tracker compares. */
export interface Built {
  readonly objects: KubeObject[];
  readonly fingerprint: string;
}

/** One cached render per Kustomization ("namespace/name"). */
export class BuildCache {
  readonly #entries = new Map<string, { key: string; built: Built }>();

  /** The cached render when `key` still matches; undefined otherwise. */
  get(ksKey: string, key: string | undefined): Built | undefined {
    const e = this.#entries.get(ksKey);
    return key !== undefined && e?.key === key ? e.built : undefined;
  }

  /** Remembers a render (a no-op for an uncacheable key). */
  set(ksKey: string, key: string | undefined, built: Built): void {
    if (key === undefined) this.#entries.delete(ksKey);
    else this.#entries.set(ksKey, { key, built });
  }

  /** Forgets a Kustomization (deleted). */
  forget(ksKey: string): void {
    this.#entries.delete(ksKey);
  }
}

/**
 * What a render depends on: the artifact, the spec (its generation), the Kustomization's name (owner
 * labels) and the substituteFrom values; undefined when the render decrypts and must not be cached.
 */
export function buildKey(
  ks: Kustomization,
  artifact: LocalArtifact,
  substituteFrom: readonly Record<string, string>[],
): string | undefined {
  if (ks.spec.decryption) return undefined;
  const h = createHash("sha256");
  h.update(
    JSON.stringify([artifact.revision, artifact.digest, artifact.dir, ks.metadata.generation ?? null]),
  );
  h.update(JSON.stringify([ks.metadata.namespace, ks.metadata.name, ks.spec, substituteFrom]));
  return h.digest("hex");
}

/** What must be equal for a reconcile to skip applying: revision, generation and the rendered objects. */
export function fingerprintOf(
  ks: Kustomization,
  artifact: LocalArtifact,
  objects: readonly KubeObject[],
): string {
  const h = createHash("sha256");
  h.update(`${artifact.revision}\n${artifact.digest}\n${ks.metadata.generation ?? ""}\n`);
  for (const o of objects) h.update(JSON.stringify(o));
  return `sha256:${h.digest("hex")}`;
}
