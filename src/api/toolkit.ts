// Dispatch on apiVersion and kind to the schema of any toolkit object driftless serves.
import {
  type GitRepository,
  GitRepositoryType,
  GitRepositoryV1Beta2Type,
  safeParseAnyGitRepository,
} from "./gitrepository.ts";
import { type Kustomization, KustomizationType, safeParseKustomization } from "./kustomization.ts";
import type { ParseResult } from "./validation.ts";

/** An object of one of the kinds driftless reconciles, at its storage version. */
export type ToolkitObject = GitRepository | Kustomization;

/**
 * Validates an object of a kind driftless serves (GitRepository v1 or v1beta2, Kustomization v1) and returns
 * it at the storage version; undefined when the apiVersion and kind are none of these.
 */
export function safeParseToolkitObject(data: unknown): ParseResult<ToolkitObject> | undefined {
  if (data === null || typeof data !== "object") return undefined;
  const apiVersion = "apiVersion" in data ? data.apiVersion : undefined;
  const kind = "kind" in data ? data.kind : undefined;
  if (
    kind === GitRepositoryType.kind &&
    (apiVersion === GitRepositoryType.apiVersion || apiVersion === GitRepositoryV1Beta2Type.apiVersion)
  ) {
    return safeParseAnyGitRepository(data);
  }
  if (kind === KustomizationType.kind && apiVersion === KustomizationType.apiVersion) {
    return safeParseKustomization(data);
  }
  return undefined;
}
