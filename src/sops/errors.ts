/** Why a SOPS document could not be decrypted; callers branch on it (e.g. MAC mismatch vs missing key). */
export type SopsErrorCode = "MacMismatch" | "NoKey" | "WrongKey" | "Malformed" | "Unsupported";

/**
 * A decryption failure for one file or object. The message names the file and never contains a decrypted
 * value: only key paths, recipients and fingerprints.
 */
export class SopsError extends Error {
  override name = "SopsError";
  readonly code: SopsErrorCode;
  /** The file name (or `Kind/namespace/name` of an object) the error is about. */
  readonly file: string;

  constructor(code: SopsErrorCode, file: string, message: string, options?: { cause?: unknown }) {
    super(`decrypting ${file}: ${message}`, options);
    this.code = code;
    this.file = file;
  }
}
