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

interface Rule {
  domain: string;
  ig: Ignore;
  /**
   * Text every path the pattern can match (or lie under) contains: its longest literal run. A path without
   * it skips the rule (most rules, for most files of a large tree).
   */
  needle: string;
  /** Memoised verdicts for directories: many files share them. */
  dirs: Map<string, Verdict>;
}

type Verdict = "ignored" | "included" | "none";

function rules(domain: string, patterns: readonly string[]): Rule[] {
  return patterns.map((p) => ({
    domain,
    ig: ignore({ ignorecase: false }).add(p),
    needle: needleOf(p),
    dirs: new Map(),
  }));
}

// The longest run of literal characters of a pattern, "" (always test) when escapes or classes make that
// hard to tell. Runs stop at "/" (a leading or inner slash anchors the pattern but is not in the path).
function needleOf(pattern: string): string {
  if (/[\\[]/.test(pattern)) return "";
  const body = pattern.replace(/^!/, "").trimEnd();
  let best = "";
  for (const run of body.split(/[*?/]+/)) if (run.length > best.length) best = run;
  return best;
}

function verdict(ig: Ignore, path: string): Verdict {
  const r = ig.test(path);
  return r.ignored ? "ignored" : r.unignored ? "included" : "none";
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
  const extra: Rule[] = [];
  const ordered = [...files].sort((a, b) => compareDirs(a.dir, b.dir));
  for (const f of ordered) extra.push(...rules(f.dir, readPatterns(f.content)));
  if (specIgnore !== undefined) extra.push(...rules("", readPatterns(specIgnore)));
  const all: Rule[] = [...rules("", VCS_EXCLUSIONS)];
  if (extra.length === 0) all.push(...rules("", DEFAULT_EXCLUSIONS));
  all.push(...extra);
  return (path: string, isDir: boolean): boolean => {
    // As go-git's matcher (which Flux uses): patterns are tried last to first, a pattern matches a path
    // when it matches the path or one of its parent directories, and the first match decides.
    for (let i = all.length - 1; i >= 0; i--) {
      const rule = all[i];
      if (!rule || !path.includes(rule.needle)) continue;
      let rel = path;
      if (rule.domain !== "") {
        if (!path.startsWith(`${rule.domain}/`)) continue;
        rel = path.slice(rule.domain.length + 1);
      }
      let v = verdict(rule.ig, isDir ? `${rel}/` : rel);
      for (let at = rel.lastIndexOf("/"); v === "none" && at > 0; at = rel.lastIndexOf("/", at - 1)) {
        const dir = rel.slice(0, at);
        let dv = rule.dirs.get(dir);
        if (dv === undefined) {
          dv = verdict(rule.ig, `${dir}/`);
          rule.dirs.set(dir, dv);
        }
        v = dv;
      }
      if (v !== "none") return v === "ignored";
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
