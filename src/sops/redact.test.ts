import { describe, expect, it } from "vitest";
import {
  pathsRevealing,
  REDACTED,
  Redactor,
  revealedLines,
  revealedValues,
  secretValues,
  stringsAt,
} from "./redact.ts";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

function redactorOf(...values: string[]): Redactor {
  const r = new Redactor();
  r.addAll(values);
  return r;
}

describe("Redactor", () => {
  it.each([
    [
      "a value anywhere in the text",
      ["hunter22"],
      "pw=hunter22; again hunter22",
      `pw=${REDACTED}; again ${REDACTED}`,
    ],
    ["its base64 form", ["hunter22"], `data: ${b64("hunter22")}`, `data: ${REDACTED}`],
    [
      "JSON-escaped, as Go's %q prints it",
      ['pa"ss\\word'],
      'Invalid value: "pa\\"ss\\\\word"',
      `Invalid value: "${REDACTED}"`,
    ],
    ["each line of a multi-line value", ["line-one\nline-two"], "+    line-two", `+    ${REDACTED}`],
    ["a list item's value", ["- item-one\n- item-two"], "+  - item-two", `+  - ${REDACTED}`],
    ["the value of a key: value line", ["user: admin\npassword: s3cr3t!"], "got s3cr3t!", `got ${REDACTED}`],
    ["the value of a KEY=value line", ["A=1\nTOKEN=abcd-efgh\n"], "token abcd-efgh", `token ${REDACTED}`],
    ["the text a base64 value encodes, line by line", [b64("top-secret\nKEY=v4lue-x")], "v4lue-x", REDACTED],
    ["the longer value first when one holds another", ["abcd", "abcdefgh"], "x abcdefgh", `x ${REDACTED}`],
  ])("masks %s", (_what, values, text, want) => {
    expect(redactorOf(...values).redact(text)).toBe(want);
  });

  it("leaves values shorter than four characters, booleans and kept tokens alone", () => {
    const r = redactorOf("abc", "prod-db", "enabled: true\nstrict: false");
    r.keep("prod-db");
    expect(r.redact("abc in Secret/prod-db/x, readOnly: true")).toBe(
      "abc in Secret/prod-db/x, readOnly: true",
    );
    expect(r.reveals("prod-db")).toBe(false);
  });

  it("tells which values, or lines of values, it recorded", () => {
    const r = redactorOf("s3cr3t-value");
    expect(r.reveals("s3cr3t-value")).toBe(true);
    expect(r.reveals("header\ns3cr3t-value\n")).toBe(true);
    expect(r.reveals("other")).toBe(false);
  });
});

describe("revealed values", () => {
  it("are the string leaves a decryption changed, with a Secret's data decoded", () => {
    const before = {
      kind: "Secret",
      metadata: { name: "x" },
      data: { a: "ENC[AES256_GCM,data:1]", same: "c2FtZQ==" },
      list: ["ENC[AES256_GCM,data:2]", "plain"],
      sops: { mac: "ENC[...]" },
    };
    const after = {
      kind: "Secret",
      metadata: { name: "x" },
      data: { a: b64("alpha-secret"), same: "c2FtZQ==" },
      list: ["beta-secret", "plain"],
    };
    expect(revealedValues(before, after).sort()).toEqual(
      [b64("alpha-secret"), "alpha-secret", "beta-secret"].sort(),
    );
  });

  it("are the lines a decrypted file has and its encrypted form lacks, with their values", () => {
    const encrypted = "stringData:\n  user: ENC[AES256_GCM,data:x]\n  region: eu\nsops:\n  mac: ENC[y]\n";
    const decrypted = "stringData:\n  user: admin-user\n  region: eu\n";
    expect(revealedLines(Buffer.from(encrypted), Buffer.from(decrypted))).toEqual(["admin-user"]);
  });

  it("of a Secret are its data (as is and decoded) and stringData; other kinds have none", () => {
    expect(secretValues({ kind: "Secret", data: { a: b64("one") }, stringData: { b: "two" } })).toEqual([
      b64("one"),
      "one",
      "two",
    ]);
    expect(secretValues({ kind: "ConfigMap", data: { a: "one" } })).toEqual([]);
  });

  it("are found by path in an object, and read at the same paths of another", () => {
    const r = redactorOf("decrypted-value");
    const desired = {
      kind: "ConfigMap",
      data: { k: "decrypted-value", other: "x" },
      list: [{ v: "decrypted-value" }],
    };
    const paths = pathsRevealing(desired, r);
    expect(paths).toEqual([
      ["data", "k"],
      ["list", 0, "v"],
    ]);
    expect(stringsAt({ data: { k: "live-value" }, list: [] }, paths)).toEqual(["live-value"]);
  });
});
