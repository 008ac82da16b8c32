import { describe, expect, it } from "vitest";
import { buildIgnoreMatcher } from "./ignore.ts";

describe("buildIgnoreMatcher", () => {
  it("applies Flux's default exclusions when there are no patterns", () => {
    const m = buildIgnoreMatcher([]);
    expect(m("logo.png", false)).toBe(true);
    expect(m(".github/workflows/ci.yaml", false)).toBe(true);
    expect(m("apps/.sops.yaml", false)).toBe(true);
    expect(m(".gitignore", false)).toBe(true);
    expect(m("apps/deploy.yaml", false)).toBe(false);
  });

  it("drops the defaults (but keeps VCS exclusions) once spec.ignore gives patterns", () => {
    const m = buildIgnoreMatcher([], "# only a comment\n/secrets/\n");
    expect(m("logo.png", false)).toBe(false);
    expect(m(".gitattributes", false)).toBe(true);
    expect(m("secrets", true)).toBe(true);
    expect(m("secrets/a.yaml", false)).toBe(true);
    expect(m("apps/secrets/a.yaml", false)).toBe(false);
  });

  it("keeps the defaults when the ignore sources hold only comments and blank lines", () => {
    const m = buildIgnoreMatcher([{ dir: "", content: "# nothing\n\n" }], "  \n");
    expect(m("logo.png", false)).toBe(true);
  });

  it("scopes a nested .sourceignore to its directory", () => {
    const m = buildIgnoreMatcher([{ dir: "apps", content: "*.txt\n/local.yaml\n" }]);
    expect(m("apps/notes.txt", false)).toBe(true);
    expect(m("apps/sub/notes.txt", false)).toBe(true);
    expect(m("notes.txt", false)).toBe(false);
    expect(m("apps/local.yaml", false)).toBe(true);
    expect(m("apps/sub/local.yaml", false)).toBe(false);
  });

  it("lets later sources re-include what earlier ones excluded", () => {
    const m = buildIgnoreMatcher([{ dir: "", content: "*.yaml\n" }], "!keep.yaml\n");
    expect(m("drop.yaml", false)).toBe(true);
    expect(m("keep.yaml", false)).toBe(false);
  });
});

describe("case and literal text", () => {
  it("matches case-sensitively, as go-git's gitignore matcher (which Flux uses) does", () => {
    const m = buildIgnoreMatcher([]);
    expect(m("logo.png", false)).toBe(true);
    expect(m("LOGO.PNG", false)).toBe(false);
    const own = buildIgnoreMatcher([], "/Docs/\n*.Tmp\n");
    expect(own("Docs/a.yaml", false)).toBe(true);
    expect(own("docs/a.yaml", false)).toBe(false);
    expect(own("x/y.Tmp", false)).toBe(true);
    expect(own("x/y.tmp", false)).toBe(false);
  });

  it("still finds patterns whose literal text is split by wildcards, slashes or classes", () => {
    const m = buildIgnoreMatcher(
      [{ dir: "apps", content: "**/gen-*/out?.yaml\n[ab]c.yaml\n" }],
      "!/keep/**/x\n",
    );
    expect(m("apps/a/b/gen-1/out2.yaml", false)).toBe(true);
    expect(m("apps/ac.yaml", false)).toBe(true);
    expect(m("apps/cc.yaml", false)).toBe(false);
    expect(m("apps/a/gen-1/other.yaml", false)).toBe(false);
  });
});

describe("directory patterns", () => {
  it("re-includes a directory's files with a later negated directory pattern, as go-git does", () => {
    const m = buildIgnoreMatcher([{ dir: "", content: "/docs/\n" }], "!/docs/\n");
    expect(m("docs/readme.md", false)).toBe(false);
    expect(m("docs/deep/readme.md", false)).toBe(false);
  });

  it("excludes everything below an excluded directory", () => {
    const m = buildIgnoreMatcher([], "/build/\n");
    expect(m("build/out/x.yaml", false)).toBe(true);
    expect(m("src/build.yaml", false)).toBe(false);
  });
});
