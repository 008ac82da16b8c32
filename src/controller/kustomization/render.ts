// The build phase: render spec.path of the artifact with the kustomize renderer and the Kustomization's
// own overrides, substitute postBuild variables, decrypt, and label every object with its owner.
import { existsSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { type Kustomization, SubstituteStrategy, substituteStrategy } from "../../api/kustomization.ts";
import { type KubeObject, parseKubeObject } from "../../kube/object.ts";
import { build } from "../../kustomize/build.ts";
import { substituteObjects } from "./postbuild.ts";

/** Owner labels Flux puts on every object a Kustomization applies. */
export const OwnerLabels = {
  name: "kustomize.toolkit.fluxcd.io/name",
  namespace: "kustomize.toolkit.fluxcd.io/namespace",
} as const;

/** A failure to build the manifests: bad path, bad YAML, renderer or substitution error. */
export class BuildFailedError extends Error {
  override name = "BuildFailedError";
}

/** Inputs of a render besides the artifact. */
export interface RenderInputs {
  /** Variables read from spec.postBuild.substituteFrom, in spec order. */
  readonly substituteFrom: readonly Record<string, string>[];
  /** Decrypts SOPS-encrypted objects (or refuses them when spec.decryption is unset), before postBuild as Flux. */
  readonly decrypt?: (objects: KubeObject[]) => Promise<KubeObject[]>;
  /** Runs the build over a prepared source (SOPS files decrypted into a private temporary copy). */
  readonly prepare?: (
    root: string,
    dir: string,
    build: (root: string, dir: string) => KubeObject[],
  ) => Promise<KubeObject[]>;
}

/** Renders a Kustomization's objects from the artifact tree in root. */
export async function render(ks: Kustomization, root: string, inputs: RenderInputs): Promise<KubeObject[]> {
  const dir = securePath(root, ks.spec.path ?? "./");
  if (!existsSync(dir)) throw new BuildFailedError(`kustomization path not found: ${ks.spec.path ?? "./"}`);
  let objects: KubeObject[];
  try {
    const run = (r: string, d: string): KubeObject[] =>
      build(d, { fluxSpec: ks.spec, root: r }).objects.map((o, i) => asObject(o, i));
    objects = inputs.prepare ? await inputs.prepare(root, dir, run) : run(root, dir);
    if (inputs.decrypt) objects = await inputs.decrypt(objects);
  } catch (err) {
    throw new BuildFailedError(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const post = ks.spec.postBuild;
  // As Flux: substitute when postBuild is set and some variable exists, or always with
  // substituteStrategy: Always (so that ${var:=default} applies even without variables).
  if (post) {
    try {
      objects = substituteObjects(
        objects,
        { ...(post.substitute ? { substitute: post.substitute } : {}), from: [...inputs.substituteFrom] },
        { always: substituteStrategy(ks) === SubstituteStrategy.Always },
      ).map((o, i) => asObject(o, i));
    } catch (err) {
      throw new BuildFailedError(`post build failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  return objects.map((o) => withOwnerLabels(o, ks));
}

/** The object with the owner labels set (never overriding what Git sets is not Flux's rule: it sets them). */
export function withOwnerLabels(obj: KubeObject, ks: Kustomization): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: {
        ...(obj.metadata.labels ?? {}),
        [OwnerLabels.name]: ks.metadata.name ?? "",
        [OwnerLabels.namespace]: ks.metadata.namespace ?? "",
      },
    },
  };
}

/** Joins path under root and refuses anything that escapes it, symlinks included. */
export function securePath(root: string, path: string): string {
  const joined = resolve(root, path.replace(/^\/+/, ""));
  const realRoot = realpathSync(root);
  const real = existsSync(joined) ? realpathSync(joined) : joined;
  const rel = relative(realRoot, real);
  if (rel.startsWith("..") || isAbsolute(rel)) {
    throw new BuildFailedError(`kustomization path ${path} points outside the source`);
  }
  return join(realRoot, rel);
}

function asObject(value: unknown, index: number): KubeObject {
  try {
    return parseKubeObject(value);
  } catch {
    throw new BuildFailedError(
      `rendered document ${index + 1} is not a Kubernetes object (apiVersion, kind, metadata)`,
    );
  }
}
