import { describe, expect, it } from "vitest";
import { type CryptRules, compileGoRegex } from "./metadata.ts";
import { shouldBeEncrypted } from "./walk.ts";

const base: CryptRules = { macOnlyEncrypted: false };

describe("shouldBeEncrypted follows the SOPS rules", () => {
  it.each<[string, CryptRules, string[], string[][], boolean]>([
    [
      "default suffix leaves _unencrypted keys plain",
      { ...base, unencryptedSuffix: "_unencrypted" },
      ["a_unencrypted", "b"],
      [],
      false,
    ],
    [
      "default suffix encrypts other keys",
      { ...base, unencryptedSuffix: "_unencrypted" },
      ["a", "b"],
      [],
      true,
    ],
    [
      "encrypted suffix on any ancestor encrypts",
      { ...base, encryptedSuffix: "_secret" },
      ["db_secret", "x"],
      [],
      true,
    ],
    [
      "encrypted suffix elsewhere leaves plain",
      { ...base, encryptedSuffix: "_secret" },
      ["db", "x"],
      [],
      false,
    ],
    [
      "encrypted regex matches a path element",
      { ...base, encryptedRegex: compileGoRegex("^(data|stringData)$") },
      ["stringData", "k"],
      [],
      true,
    ],
    [
      "encrypted regex is a search, not a full match",
      { ...base, encryptedRegex: compileGoRegex("data") },
      ["metadata"],
      [],
      true,
    ],
    [
      "unencrypted regex leaves matching paths plain",
      { ...base, unencryptedRegex: compileGoRegex("^meta") },
      ["metadata", "name"],
      [],
      false,
    ],
    [
      "inline (?i) flags work",
      { ...base, encryptedRegex: compileGoRegex("(?i)^PASS") },
      ["password"],
      [],
      true,
    ],
    [
      "a matching comment encrypts what follows",
      { ...base, encryptedCommentRegex: /sops:enc/ },
      ["a"],
      [[" sops:enc"]],
      true,
    ],
    [
      "a matching comment on a parent level encrypts",
      { ...base, encryptedCommentRegex: /sops:enc/ },
      ["a", "b"],
      [[" sops:enc"], []],
      true,
    ],
    [
      "no matching comment leaves plain",
      { ...base, encryptedCommentRegex: /sops:enc/ },
      ["a"],
      [[" other"]],
      false,
    ],
    [
      "an unencrypted comment leaves plain",
      { ...base, unencryptedCommentRegex: /sops:plain/ },
      ["a"],
      [[" sops:plain"]],
      false,
    ],
  ])("%s", (_, rules, path, stack, want) => {
    expect(shouldBeEncrypted(rules, path, stack.length > 0 ? stack : [[]], false)).toBe(want);
  });

  it("does not encrypt the comment that carries the encrypted_comment_regex marker itself", () => {
    const rules = { ...base, encryptedCommentRegex: /sops:enc/ };
    expect(shouldBeEncrypted(rules, [], [[" sops:enc"]], true)).toBe(false);
    expect(shouldBeEncrypted(rules, [], [[" sops:enc", " next comment"]], true)).toBe(true);
  });
});
