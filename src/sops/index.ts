// SOPS decryption for the Kustomization pipeline: key sources, file and object decryption, typed errors.
// A pure library: it returns data and throws SopsError (code MacMismatch, NoKey, WrongKey, Malformed,
// Unsupported; the message names the file and never holds a decrypted value); it never logs.
//
// How the reconciler uses it:
//   keys = spec.decryption.secretRef ? await loadKeySet(secret.data, { source: "ns/name" })
//                                    : fallback (loadKeySet(globalSecret.data, { ageOnly: true })) or emptyKeySet()
//   before the build, for each file a secretGenerator (files, envs) or patch reads:
//     const { data } = await decryptIfEncrypted(path, bytes, keys)   // into the private temp dir
//   and for whole encrypted resources, on the file as it is in Git (the MAC covers the plain fields too,
//   and one MAC covers every document of a multi-document file): decryptFile(path, bytes, keys).
//   after the build, for each object: decryptObject(obj, keys) (Secret data/stringData values that are SOPS
//   files, whole objects with a `sops` block; `{ verifyMac: false }` only if the file was verified above).

export {
  type DecryptOptions,
  decryptDocuments,
  decryptFile,
  decryptIfEncrypted,
  detectEncryptedFormat,
  formatForPath,
  isEncrypted,
  type SopsFormat,
} from "./decrypt.ts";
export { SopsError, type SopsErrorCode } from "./errors.ts";
export {
  AGE_KEY_SUFFIX,
  type AgeKey,
  emptyKeySet,
  type KeySet,
  type LoadKeySetOptions,
  loadKeySet,
  mergeKeySets,
  PGP_KEY_SUFFIX,
  type PgpKey,
} from "./keys.ts";
export {
  DECRYPT_ANNOTATION,
  type DecryptObjectOptions,
  decryptObject,
  isDecryptionDisabled,
  objectName,
} from "./object.ts";
