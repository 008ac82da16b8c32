import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { fixture, fixtures, keysFrom } from "../../test/sops/fixtures.ts";
import {
  decryptFile,
  decryptIfEncrypted,
  detectEncryptedFormat,
  formatForPath,
  isEncrypted,
} from "./decrypt.ts";
import { SopsError } from "./errors.ts";
import { emptyKeySet, type KeySet } from "./keys.ts";

const ALL_KEYS = ["age.agekey", "age-second.agekey", "age-pq.agekey", "pgp.asc", "pgp-rsa.asc"];

/** Plaintext fragments of the fixtures that must never show up in an error message. */
const SECRETS = ["s3cr3t", "hunter2", "top-secret", "needs two of three", "db.internal", "hello world"];

async function rejection(promise: Promise<unknown>): Promise<SopsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SopsError) {
      for (const s of SECRETS) expect(err.message).not.toContain(s);
      return err;
    }
    throw err;
  }
  throw new Error("expected the decryption to be rejected");
}

/** A `!!merge <<` scalar parses to a symbol, and symbols never compare equal: compare their text. */
function normalize(value: unknown): unknown {
  if (typeof value === "symbol") return value.description;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function parsed(name: string, bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString("utf8");
  if (name.endsWith(".json")) return JSON.parse(text);
  if (name.endsWith(".yaml")) return parseAllDocuments(text).map((d) => normalize(d.toJS()));
  return text;
}

let all: KeySet;
beforeAll(async () => {
  all = await keysFrom(...ALL_KEYS);
});

describe("decryptFile matches sops -d", () => {
  it.each(fixtures("encrypted"))("decrypts %s byte for byte as sops does", async (name) => {
    const out = await decryptFile(name, fixture(`encrypted/${name}`), all);
    const want = fixture(`decrypted/${name}`);
    expect(parsed(name, out)).toEqual(parsed(name, want));
    expect(Buffer.from(out).toString("latin1")).toBe(want.toString("latin1"));
  });

  it("keeps binary plaintext that is not UTF-8", async () => {
    const out = await decryptFile("blob.bin", fixture("encrypted/blob.bin"), all);
    expect(Buffer.from(out)).toEqual(fixture("plain/blob.bin"));
  });

  it("writes the decrypted values with their types", async () => {
    const out = parse(
      Buffer.from(await decryptFile("values.yaml", fixture("encrypted/values.yaml"), all)).toString(),
    );
    expect(out).toMatchObject({
      int: 42,
      negative: -7,
      float: 314159 / 100000,
      bool_true: true,
      bool_false: false,
      nothing: null,
      empty: "",
      quoted_true: "true",
      multiline: "first line\nsecond line\n",
      nested: {
        level2: { number: 8080 },
        list: ["one", 2, true, { name: "first", value: 1 }, expect.anything()],
      },
    });
  });

  it("converts between formats when asked, as Flux does for Secret data keys", async () => {
    const out = await decryptFile("secret", fixture("encrypted/encrypted-regex.yaml"), all, {
      format: "yaml",
      outputFormat: "json",
    });
    const json = JSON.parse(Buffer.from(out).toString()) as { stringData: { username: string } };
    expect(json.stringData.username).toBe("admin");
  });
});

describe("key sources", () => {
  it.each([
    ["values.yaml", ["age.agekey"]],
    ["values-pgp.yaml", ["pgp.asc"]],
    ["pgp-rsa.yaml", ["pgp-rsa.asc"]],
    ["age-and-pgp.yaml", ["age.agekey"]],
    ["age-and-pgp.yaml", ["pgp.asc"]],
    ["two-age-recipients.yaml", ["age-second.agekey"]],
    ["pq.yaml", ["age-pq.agekey"]],
    ["config-pgp.json", ["pgp.asc"]],
    ["app-pgp.env", ["pgp.asc"]],
    ["blob-pgp.bin", ["pgp.asc"]],
  ])("decrypts %s with only %j", async (name, keys) => {
    const out = await decryptFile(name, fixture(`encrypted/${name}`), await keysFrom(...keys));
    expect(Buffer.from(out)).toEqual(fixture(`decrypted/${name}`));
  });

  it.each([
    [["age.agekey", "pgp.asc"]],
    [["age.agekey", "age-second.agekey"]],
    [["pgp.asc", "age-second.agekey"]],
  ])("recovers a Shamir-split data key from two of three key groups (%j)", async (keys) => {
    for (const name of ["shamir.yaml", "shamir.env", "shamir.json"]) {
      const out = await decryptFile(name, fixture(`encrypted/${name}`), await keysFrom(...keys));
      expect(Buffer.from(out)).toEqual(fixture(`decrypted/${name}`));
    }
  });

  it("rejects a Shamir-split file when the keys unlock fewer groups than the threshold", async () => {
    const err = await rejection(
      decryptFile("shamir.yaml", fixture("encrypted/shamir.yaml"), await keysFrom("age.agekey")),
    );
    expect(err.code).toBe("WrongKey");
    expect(err.message).toContain("1 of 3 key groups, 2 needed");
    expect(err.message).toContain("shamir.yaml");
  });

  it("rejects a file when no configured key is one of its recipients, naming the recipients", async () => {
    const wrong = await keysFrom("age-wrong.agekey", "pgp-rsa.asc");
    const err = await rejection(decryptFile("values.yaml", fixture("encrypted/values.yaml"), wrong));
    expect(err.code).toBe("WrongKey");
    expect(err.file).toBe("values.yaml");
    const recipient = /^# public key: (\S+)/m.exec(fixture("keys/age.agekey").toString())?.[1] ?? "";
    expect(err.message).toContain(recipient);
  });

  it("rejects a file when no decryption key is configured at all", async () => {
    const err = await rejection(decryptFile("values.yaml", fixture("encrypted/values.yaml"), emptyKeySet()));
    expect(err.code).toBe("NoKey");
    expect(err.message).toContain("values.yaml");
  });
});

describe("integrity", () => {
  it.each([
    ["value.yaml", "MacMismatch"],
    ["plain-value.yaml", "MacMismatch"],
    ["swapped-list.yaml", "MacMismatch"],
    ["mac.yaml", "MacMismatch"],
    ["truncated.yaml", "Malformed"],
    ["truncated.json", "Malformed"],
  ])("rejects the tampered file %s with %s", async (name, code) => {
    const err = await rejection(decryptFile(name, fixture(`tampered/${name}`), all));
    expect(err.code).toBe(code);
    expect(err.message).toContain(name);
    if (code === "MacMismatch") expect(err.message).toContain("MAC mismatch");
  });

  it("reports which value failed authentication, by path only", async () => {
    const err = await rejection(decryptFile("value.yaml", fixture("tampered/value.yaml"), all));
    expect(err.message).toContain("stringData:password");
  });

  it("decrypts a file changed after encryption only when MAC verification is turned off", async () => {
    const out = await decryptFile("plain-value.yaml", fixture("tampered/plain-value.yaml"), all, {
      verifyMac: false,
    });
    expect(parse(Buffer.from(out).toString())).toMatchObject({ metadata: { name: "other-credentials" } });
  });

  it("rejects a value left in plain text where the rules require encryption", async () => {
    const text = fixture("encrypted/encrypted-regex.yaml")
      .toString()
      .replace(/username: ENC\[[^\]]+\]/, "username: intruder");
    const err = await rejection(decryptFile("plain.yaml", text, all));
    expect(err.code).toBe("MacMismatch");
    expect(err.message).toContain("stringData:username");
  });

  it("rejects a document without sops metadata as malformed", async () => {
    const err = await rejection(decryptFile("plain.yaml", "a: b\n", all));
    expect(err.code).toBe("Malformed");
  });

  it("rejects an alias bomb instead of expanding it", async () => {
    const levels = Array.from(
      { length: 12 },
      (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`).join(", ")}]`,
    );
    const text = ["l0: &l0 [x]", ...levels, "sops:", "    mac: ENC[x]", "    lastmodified: x", ""].join("\n");
    const err = await rejection(decryptFile("bomb.yaml", text, all));
    expect(err.code).toBe("Malformed");
    expect(err.message).toContain("too many nodes");
  });

  it("rejects a document nested too deeply for the stack", async () => {
    const text = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const err = await rejection(decryptFile("deep.json", `{"a": ${text}}`, all));
    expect(err.code).toBe("Malformed");
  });

  it("rejects INI files as unsupported", async () => {
    const err = await rejection(decryptFile("x.ini", "[sops]\nmac=ENC[x]\n", all));
    expect(err.code).toBe("Unsupported");
  });
});

describe("decryptIfEncrypted", () => {
  it.each(["app.env", "config.json", "blob.bin", "encrypted-regex.yaml"])(
    "decrypts the encrypted %s",
    async (name) => {
      const out = await decryptIfEncrypted(name, fixture(`encrypted/${name}`), all);
      expect(out.decrypted).toBe(true);
      expect(Buffer.from(out.data)).toEqual(fixture(`decrypted/${name}`));
    },
  );

  it("passes a plain file through untouched, without needing keys", async () => {
    const plain = fixture("plain/secret.yaml");
    const out = await decryptIfEncrypted("secret.yaml", plain, emptyKeySet());
    expect(out).toEqual({ data: plain, decrypted: false });
  });

  it("still rejects an encrypted file it cannot verify", async () => {
    const err = await rejection(decryptIfEncrypted("mac.yaml", fixture("tampered/mac.yaml"), all));
    expect(err.code).toBe("MacMismatch");
  });
});

describe("detection", () => {
  it.each([
    ["a.yaml", "yaml"],
    ["a.YML", "yaml"],
    ["a.json", "json"],
    [".dockerconfigjson", "json"],
    ["app.env", "dotenv"],
    ["x.ini", "ini"],
    ["blob.bin", "binary"],
    ["noext", "binary"],
  ])("picks the format of %s by extension: %s", (name, format) => {
    expect(formatForPath(name)).toBe(format);
  });

  it.each([
    ["encrypted/values.yaml", "yaml"],
    ["encrypted/config.json", "json"],
    ["encrypted/blob.bin", "json"],
    ["encrypted/app.env", "dotenv"],
    ["plain/values.yaml", undefined],
  ])("detects %s as encrypted %s by its MAC marker", (path, format) => {
    expect(detectEncryptedFormat(fixture(path))).toBe(format);
  });

  it("tells encrypted objects from plain ones", () => {
    const encrypted = parse(fixture("encrypted/encrypted-regex.yaml").toString());
    expect(isEncrypted(encrypted)).toBe(true);
    expect(isEncrypted(parse(fixture("plain/secret.yaml").toString()))).toBe(false);
    expect(isEncrypted({ sops: { mac: "" } })).toBe(false);
    expect(isEncrypted(null)).toBe(false);
  });
});
