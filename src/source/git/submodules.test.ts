import { describe, expect, it } from "vitest";
import { parseGitmodules, resolveSubmoduleUrl, sameHost } from "./submodules.ts";

describe("parseGitmodules", () => {
  it("reads the path and url of each submodule section", () => {
    const text = [
      '[submodule "lib"]',
      "\tpath = vendor/lib",
      "\turl = ../lib.git",
      "; a comment",
      '[submodule "with \\"quotes\\""]',
      '  path = "tools"',
      "  url = https://example.com/tools.git # trailing comment",
      "  branch = main",
      "[core]",
      "  bare = false",
      '[submodule "no-url"]',
      "  path = x",
    ].join("\n");
    expect(parseGitmodules(text)).toEqual([
      { name: "lib", path: "vendor/lib", url: "../lib.git" },
      { name: 'with "quotes"', path: "tools", url: "https://example.com/tools.git" },
    ]);
  });
});

describe("resolveSubmoduleUrl", () => {
  it.each([
    ["a sibling", "https://h/org/app.git", "../lib.git", "https://h/org/lib.git"],
    ["a child", "https://h/org/app.git", "./lib.git", "https://h/org/app.git/lib.git"],
    [
      "two levels up",
      "ssh://git@h:2222/org/app.git",
      "../../other/lib.git",
      "ssh://git@h:2222/other/lib.git",
    ],
    ["an absolute URL", "https://h/org/app.git", "https://other/lib.git", "https://other/lib.git"],
    [
      "an scp-like URL",
      "https://h/org/app.git",
      "git@github.com:org/lib.git",
      "ssh://git@github.com/org/lib.git",
    ],
  ])("resolves %s", (_name, parent, url, expected) => {
    expect(resolveSubmoduleUrl(parent, url)).toBe(expected);
  });
});

describe("sameHost", () => {
  it.each([
    ["the same host and port", "https://h:8443/a.git", "https://h:8443/b.git", true],
    ["another port", "https://h:8443/a.git", "https://h:9443/b.git", false],
    [
      "another host name for the same address",
      "http://127.0.0.1:80/a.git",
      "http://localhost:80/b.git",
      false,
    ],
    ["another scheme", "https://h/a.git", "ssh://git@h/b.git", false],
  ])("gives the parent's credentials for %s: %s", (_name, a, b, expected) => {
    expect(sameHost(a, b)).toBe(expected);
  });
});
