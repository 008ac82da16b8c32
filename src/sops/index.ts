// SOPS decryption for the Kustomization pipeline: key sources, file and object decryption, typed errors.
// A pure library: it returns data and throws SopsError; it never logs.

export {
  type DecryptOptions,
  decryptDocuments,
  decryptFile,
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
