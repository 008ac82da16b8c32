// The SOPS step of the Kustomization pipeline, as kustomize-controller's `spec.decryption`: keys from the
// Kustomization's decryption Secret (or the controller-wide age Secret), the sources decrypted before the
// build (sources.ts), then the rendered objects decrypted, or refused when no decryption is set.

import { createHash } from "node:crypto";
import { z } from "zod";
import { isNotFound } from "../kube/errors.ts";
import { type KubeObject, parseKubeObject } from "../kube/object.ts";
import { isEncrypted } from "./decrypt.ts";
import { emptyKeySet, type KeySet, loadKeySet } from "./keys.ts";
import { decryptObject, isDecryptionDisabled, objectName } from "./object.ts";
import { type Redactor, revealedValues } from "./redact.ts";
import { DecryptionFailedError, decryptionFailed, hasSopsBlock, withDecryptedSources } from "./sources.ts";

export {
  type DecryptedFile,
  type DecryptedSourcesOptions,
  DecryptionFailedError,
  decryptSourceFiles,
  type SourceFile,
  sourceFiles,
  withDecryptedSources,
} from "./sources.ts";

/** A Secret by namespace and name. */
export interface SecretKey {
  readonly namespace: string;
  readonly name: string;
}

/** Reads a Secret's decoded `data`; undefined when the Secret does not exist. */
export type SecretGetter = (key: SecretKey) => Promise<Record<string, Uint8Array> | undefined>;

/** The `spec.decryption` fields the pipeline reads. */
export interface DecryptionSpec {
  readonly provider: string;
  readonly secretRef?: { readonly name: string } | undefined;
}

// ---- keys ----------------------------------------------------------------------------------------------

// Key sets by the content of their Secret: parsing identities costs key agreements, and a key set keeps the
// data keys it recovered, so that a reconcile of an unchanged source decrypts without asymmetric work.
const KEY_SET_CACHE_LIMIT = 64;
const keySetCache = new Map<string, KeySet>();

async function cachedKeySet(
  entries: Record<string, Uint8Array>,
  options: { source: string; ageOnly: boolean },
): Promise<KeySet> {
  const h = createHash("sha256").update(options.ageOnly ? "age-only\n" : "all\n");
  for (const name of Object.keys(entries).sort()) {
    const value = entries[name] ?? new Uint8Array();
    h.update(`${name}\n${value.length}\n`).update(value);
  }
  const id = h.digest("hex");
  const hit = keySetCache.get(id);
  if (hit) {
    keySetCache.delete(id);
    keySetCache.set(id, hit);
    return hit;
  }
  const set = await loadKeySet(entries, options);
  if (keySetCache.size >= KEY_SET_CACHE_LIMIT) {
    const oldest = keySetCache.keys().next().value;
    if (oldest !== undefined) keySetCache.delete(oldest);
  }
  keySetCache.set(id, set);
  return set;
}

/** Options of {@link loadDecryptionKeys}. */
export interface LoadDecryptionKeysOptions {
  /** The Kustomization's namespace: `spec.decryption.secretRef` names a Secret there. */
  readonly namespace: string;
  readonly decryption: DecryptionSpec;
  readonly getSecret: SecretGetter;
  /** The controller-wide age key Secret (`--sops-age-secret`), used when `secretRef` is unset (as Flux). */
  readonly fallbackSecret?: SecretKey | undefined;
}

/**
 * Loads the keys of a Kustomization's decryption: the `*.agekey` and `*.asc` entries of its `secretRef`
 * Secret; without a secretRef, the `*.agekey` entries of the controller-wide Secret; else no keys (then any
 * encrypted file fails with NoKey). A missing Secret fails with DecryptionFailedError.
 */
export async function loadDecryptionKeys(options: LoadDecryptionKeysOptions): Promise<KeySet> {
  const ref = options.decryption.secretRef;
  const secret: SecretKey | undefined = ref
    ? { namespace: options.namespace, name: ref.name }
    : options.fallbackSecret;
  if (!secret) return emptyKeySet();
  const what = ref ? "decryption Secret" : "SOPS age decryption Secret";
  const source = `${secret.namespace}/${secret.name}`;
  let entries: Record<string, Uint8Array> | undefined;
  try {
    entries = await options.getSecret(secret);
  } catch (err) {
    throw new DecryptionFailedError(`cannot get ${what} '${source}': ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!entries) throw new DecryptionFailedError(`cannot get ${what} '${source}': not found`);
  try {
    return await cachedKeySet(entries, { source, ageOnly: !ref });
  } catch (err) {
    throw decryptionFailed(err);
  }
}

/** A {@link SecretGetter} over the API server (anything with KubeClient's `get`). */
export function secretGetter(client: {
  get(resource: { group: string; version: string; plural: string }, key: SecretKey): Promise<unknown>;
}): SecretGetter {
  return async (key) => {
    let obj: unknown;
    try {
      obj = await client.get({ group: "", version: "v1", plural: "secrets" }, key);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const data = z.record(z.string(), z.string()).safeParse((obj as { data?: unknown }).data ?? {});
    const out: Record<string, Uint8Array> = {};
    for (const [k, v] of Object.entries(data.success ? data.data : {})) out[k] = Buffer.from(v, "base64");
    return out;
  };
}

// ---- rendered objects --------------------------------------------------------------------------------------

/**
 * Decrypts the rendered objects: whole objects with a `sops` block that were not decrypted from their file
 * (their MAC is checked), and Secret `data`/`stringData` values that are SOPS documents, written in the
 * format of their key's extension. Without keys (no `spec.decryption`), an encrypted object fails the build.
 * Objects annotated `kustomize.toolkit.fluxcd.io/decrypt: disabled` are left as they are.
 */
export async function decryptObjects(
  objects: readonly KubeObject[],
  keys: KeySet | undefined,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const obj of objects) {
    if (isDecryptionDisabled(obj)) {
      out.push(obj);
      continue;
    }
    if (keys === undefined) {
      if (hasSopsBlock(obj)) {
        throw new DecryptionFailedError(
          `${objectName(obj)} is SOPS-encrypted: configure spec.decryption (provider sops) to decrypt it`,
          { file: objectName(obj) },
        );
      }
      out.push(obj);
      continue;
    }
    if (hasSopsBlock(obj) && !isEncrypted(obj)) {
      throw new DecryptionFailedError(
        `decryption failed: ${objectName(obj)} has a sops block without a MAC (truncated?)`,
        { code: "Malformed", file: objectName(obj) },
      );
    }
    if (!isEncrypted(obj) && obj.kind !== "Secret") {
      out.push(obj);
      continue;
    }
    try {
      out.push(parseKubeObject(await decryptObject(obj, keys)));
    } catch (err) {
      throw decryptionFailed(err);
    }
  }
  return out;
}

// ---- the Kustomization's view ------------------------------------------------------------------------------

/** Options of {@link decryptionInputs}. */
export interface DecryptionInputsOptions {
  /** The Kustomization's namespace. */
  readonly namespace: string;
  /** `spec.decryption`; undefined when unset. */
  readonly decryption: DecryptionSpec | undefined;
  /** `spec.components`. */
  readonly components?: readonly string[] | undefined;
  readonly getSecret: SecretGetter;
  /** The controller-wide age key Secret (`--sops-age-secret`). */
  readonly fallbackSecret?: SecretKey | undefined;
  readonly tempDir?: string;
  /** Records every decrypted value (sources and objects), for output that must not show them. */
  readonly redactor?: Redactor;
}

/** The render hooks of one Kustomization build: `prepare` runs the build, `decrypt` the rendered objects. */
export interface DecryptionInputs {
  readonly prepare?: (
    root: string,
    dir: string,
    build: (root: string, dir: string) => KubeObject[],
  ) => Promise<KubeObject[]>;
  readonly decrypt: (objects: KubeObject[]) => Promise<KubeObject[]>;
}

/**
 * The decryption hooks of a Kustomization's render. With `spec.decryption`, keys are loaded once per build
 * (a missing Secret fails it, as in Flux), sources are decrypted before the build and objects after; without,
 * the build runs on the source as is and any encrypted object fails it.
 */
export function decryptionInputs(options: DecryptionInputsOptions): DecryptionInputs {
  const decryption = options.decryption;
  if (decryption === undefined || decryption.provider !== "sops") {
    return { decrypt: (objects) => decryptObjects(objects, undefined) };
  }
  let keys: Promise<KeySet> | undefined;
  const load = (): Promise<KeySet> => {
    keys ??= loadDecryptionKeys({
      namespace: options.namespace,
      decryption,
      getSecret: options.getSecret,
      fallbackSecret: options.fallbackSecret,
    });
    return keys;
  };
  return {
    prepare: async (root, dir, build) =>
      withDecryptedSources(root, dir, build, {
        keys: await load(),
        ...(options.components ? { components: options.components } : {}),
        ...(options.tempDir ? { tempDir: options.tempDir } : {}),
        ...(options.redactor ? { redactor: options.redactor } : {}),
      }),
    decrypt: async (objects) => {
      const out = await decryptObjects(objects, await load());
      const redactor = options.redactor;
      if (redactor) for (const [i, o] of out.entries()) redactor.addAll(revealedValues(objects[i], o));
      return out;
    },
  };
}
