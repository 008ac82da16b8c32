import { describe, expect, it } from "vitest";
import { setInEmbeddedText } from "./replacements-embedded.ts";

describe("setInEmbeddedText", () => {
  it("edits YAML keeping comments, key order and styles", () => {
    const text = "# servers\nservers:\n- name: a\n  port: 80\nzeta: 1\nalpha: [x, y]\n";
    expect(setInEmbeddedText(text, ["servers", "[name=a]", "port"], "9090", false)).toBe(
      "# servers\nservers:\n- name: a\n  port: 9090\nzeta: 1\nalpha: [x, y]",
    );
  });
  it("writes JSON back compact with sorted keys and Go's HTML escapes", () => {
    expect(setInEmbeddedText('{"z": 1, "a": {"h": "x"}, "u": "<&>"}', ["a", "h"], "web", false)).toBe(
      '{"a":{"h":"web"},"u":"\\u003c\\u0026\\u003e","z":1}',
    );
  });
  it("indents JSON that was indented", () => {
    expect(setInEmbeddedText('{\n  "a": 1\n}', ["b"], "x", true)).toBe('{\n  "a": 1,\n  "b": "x"\n}');
  });
  it("keeps a scalar's type: a number stays a number", () => {
    expect(setInEmbeddedText("port: 80\n", ["port"], "8080", false)).toBe("port: 8080");
  });
  it("reaches nothing in text that is no map or list, or without create", () => {
    expect(setInEmbeddedText("just text", ["a"], "x", false)).toBeUndefined();
    expect(setInEmbeddedText("a: b\n", ["c", "d"], "x", false)).toBeUndefined();
  });
});
