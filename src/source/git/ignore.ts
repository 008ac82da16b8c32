// Which files of the checked-out tree go into the artifact, as Flux's source-controller decides:
// VCS files are always excluded; `.sourceignore` files (gitignore syntax, scoped to their directory) and
// spec.ignore (scoped to the root) add patterns, later ones winning; Flux's default exclusions (images,
// archives, CI configs, …) apply only when neither a `.sourceignore` nor spec.ignore gives any pattern.
import ignore, { type Ignore } from "ignore";

/** Always excluded. */
export const VCS_EXCLUSIONS: readonly string[] = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/** Excluded when no other pattern is given. */
export const DEFAULT_EXCLUSIONS: readonly string[] = [
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  "**/.goreleaser.yml",
  "**/.sops.yaml",
  "**/.flux.yaml",
];

/** The name of the per-directory ignore file. */
export const SOURCE_IGNORE_FILE = ".sourceignore";

/** An ignore file found in the tree: its directory ("" for the root) and its content. */
export interface IgnoreFile {
  dir: string;
  content: string;
}

/** Decides whether a path (relative, "/"-separated) is left out of the artifact. */
export type IgnoreMatcher = (path: string, isDir: boolean) => boolean;

interface Group {
  domain: string;
  ig: Ignore;
}

/** The non-comment, non-blank lines of an ignore file, as Flux reads them. */
export function readPatterns(content: string): string[] {
  return content.split(/\r?\n/).filter((l) => !l.startsWith("#") && l.trim().length > 0);
}

/**
 * Builds the matcher from the tree's `.sourceignore` files (in tree order: a directory's own file before
 * its subdirectories') and spec.ignore.
 */
export function buildIgnoreMatcher(files: readonly IgnoreFile[], specIgnore?: string): IgnoreMatcher {
  const groups: Group[] = [{ domain: "", ig: ignore().add([...VCS_EXCLUSIONS]) }];
  const extra: Group[] = [];
  const ordered = [...files].sort((a, b) => compareDirs(a.dir, b.dir));
  for (const f of ordered) {
    const patterns = readPatterns(f.content);
    if (patterns.length > 0) extra.push({ domain: f.dir, ig: ignore().add(patterns) });
  }
  if (specIgnore !== undefined) {
    const patterns = readPatterns(specIgnore);
    if (patterns.length > 0) extra.push({ domain: "", ig: ignore().add(patterns) });
  }
  if (extra.length === 0) groups.push({ domain: "", ig: ignore().add([...DEFAULT_EXCLUSIONS]) });
  groups.push(...extra);
  return (path: string, isDir: boolean): boolean => {
    // The last group with an opinion decides, as in git (later patterns override earlier ones).
    for (let i = groups.length - 1; i >= 0; i--) {
      const g = groups[i];
      if (!g) continue;
      let rel = path;
      if (g.domain !== "") {
        if (!path.startsWith(`${g.domain}/`)) continue;
        rel = path.slice(g.domain.length + 1);
      }
      const result = g.ig.test(isDir ? `${rel}/` : rel);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  };
}

/** Depth-first tree order: a directory before its subdirectories, siblings by name. */
function compareDirs(a: string, b: string): number {
  const pa = a === "" ? [] : a.split("/");
  const pb = b === "" ? [] : b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
