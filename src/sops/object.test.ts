import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { fixture, keysFrom } from "../../test/sops/fixtures.ts";
import { SopsError } from "./errors.ts";
import type { KeySet } from "./keys.ts";
import { DECRYPT_ANNOTATION, decryptObject, isDecryptionDisabled } from "./object.ts";

type Obj = Record<string, unknown>;

let keys: KeySet;
beforeAll(async () => {
  keys = await keysFrom("age.agekey", "pgp.asc");
});

function yamlObject(path: string): Obj {
  return parse(fixture(path).toString()) as Obj;
}

async function rejection(promise: Promise<unknown>): Promise<SopsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SopsError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("decryptObject: objects with a top-level sops block", () => {
  it.each(["encrypted-regex.yaml", "unencrypted-regex.yaml", "mac-only-encrypted.yaml", "values.yaml"])(
    "decrypts the object of %s to what sops -d gives",
    async (name) => {
      const out = await decryptObject(yamlObject(`encrypted/${name}`), keys);
      expect(out).toEqual(yamlObject(`decrypted/${name}`));
      expect(out).not.toHaveProperty("sops");
    },
  );

  it("keeps apiVersion, kind and metadata as they are", async () => {
    const input = yamlObject("encrypted/encrypted-regex.yaml");
    const out = await decryptObject(input, keys);
    expect(out.apiVersion).toBe(input.apiVersion);
    expect(out.kind).toBe("Secret");
    expect(out.metadata).toEqual(input.metadata);
    expect(out.stringData).toMatchObject({ username: "admin" });
  });

  it("rejects an object changed after encryption, naming it Kind/namespace/name", async () => {
    const input = yamlObject("encrypted/encrypted-regex.yaml");
    const metadata = input.metadata as Obj;
    const changed = { ...input, metadata: { ...metadata, labels: { app: "other" } } };
    const err = await rejection(decryptObject(changed, keys));
    expect(err.code).toBe("MacMismatch");
    expect(err.message).toContain("MAC mismatch");
    expect(err.file).toBe("Secret/default/app-credentials");
  });

  it("needs the whole file to verify one document of a multi-document file", async () => {
    const docs = parseAllDocuments(fixture("encrypted/multi.yaml").toString()).map((d) => d.toJS() as Obj);
    const second = docs[1] ?? {};
    expect((await rejection(decryptObject(second, keys))).code).toBe("MacMismatch");
    const out = await decryptObject(second, keys, { verifyMac: false });
    expect(out.stringData).toEqual({ b: "two" });
  });

  it("leaves an object alone when its decrypt annotation says disabled", async () => {
    const input = yamlObject("encrypted/encrypted-regex.yaml");
    const metadata = input.metadata as Obj;
    const disabled = {
      ...input,
      metadata: { ...metadata, annotations: { [DECRYPT_ANNOTATION]: "Disabled" } },
    };
    expect(isDecryptionDisabled(disabled)).toBe(true);
    expect(await decryptObject(disabled, keys)).toEqual(disabled);
  });

  it("returns plain objects unchanged", async () => {
    const plain = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } };
    expect(await decryptObject(plain, keys)).toEqual(plain);
  });
});

describe("decryptObject: Secret values that are SOPS documents", () => {
  const b64 = (b: Buffer): string => b.toString("base64");

  it("decrypts each encrypted data value in the format of its key's extension", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "generated", namespace: "apps" },
      data: {
        "app.env": b64(fixture("encrypted/app.env")),
        "config.json": b64(fixture("encrypted/config.json")),
        "values.yaml": b64(fixture("encrypted/encrypted-regex.yaml")),
        "blob.bin": b64(fixture("encrypted/blob.bin")),
        plain: b64(Buffer.from("not encrypted")),
      },
    };
    const out = await decryptObject(secret, keys);
    const data = out.data as Record<string, string>;
    const decoded = (k: string): Buffer => Buffer.from(data[k] ?? "", "base64");
    expect(decoded("app.env")).toEqual(fixture("decrypted/app.env"));
    expect(decoded("config.json")).toEqual(fixture("decrypted/config.json"));
    expect(decoded("values.yaml")).toEqual(fixture("decrypted/encrypted-regex.yaml"));
    expect(decoded("blob.bin")).toEqual(fixture("decrypted/blob.bin"));
    expect(decoded("plain").toString()).toBe("not encrypted");
  });

  it("decrypts encrypted stringData values", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      stringData: { "secret.yaml": fixture("encrypted/encrypted-suffix.yaml").toString(), other: "x" },
    };
    const out = await decryptObject(secret, keys);
    expect(out.stringData).toEqual({
      "secret.yaml": fixture("decrypted/encrypted-suffix.yaml").toString(),
      other: "x",
    });
  });

  it("names the Secret and the data key when a value is tampered with", async () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "generated", namespace: "apps" },
      data: { "creds.yaml": b64(fixture("tampered/value.yaml")) },
    };
    const err = await rejection(decryptObject(secret, keys));
    expect(err.code).toBe("MacMismatch");
    expect(err.message).toContain("Secret/apps/generated data 'creds.yaml'");
  });
});
