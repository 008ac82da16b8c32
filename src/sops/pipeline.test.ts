import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fixture } from "../../test/sops/fixtures.ts";
import { type KubeObject, parseKubeObject } from "../kube/object.ts";
import { build } from "../kustomize/build.ts";
import { type KeySet, loadKeySet } from "./keys.ts";
import {
  DecryptionFailedError,
  decryptionInputs,
  decryptObjects,
  loadDecryptionKeys,
  type SecretGetter,
} from "./pipeline.ts";
import { Redactor } from "./redact.ts";

type Obj = Record<string, unknown>;

let keys: KeySet;
beforeAll(async () => {
  keys = await loadKeySet({ "age.agekey": fixture("keys/age.agekey") });
});

let work = "";
let root = "";
let temp = "";
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "pipeline-test-"));
  root = join(work, "src");
  temp = join(work, "tmp");
  mkdirSync(root);
  mkdirSync(temp);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Writes files (path → content) under the source root. */
function tree(files: Record<string, string | Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
}

const fluxBuild =
  (spec: Obj = {}) =>
  (r: string, d: string): KubeObject[] =>
    build(d, { fluxSpec: spec, root: r }).objects.map((o) => parseKubeObject(o));

async function rejection(promise: Promise<unknown>): Promise<DecryptionFailedError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DecryptionFailedError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

function find(objects: readonly KubeObject[], kind: string, name: string): Obj {
  const o = objects.find((x) => x.kind === kind && x.metadata.name?.startsWith(name));
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o as Obj;
}

const decryptedSecret = (): Obj => parse(fixture("decrypted/encrypted-regex.yaml").toString()) as Obj;

describe("decryptObjects", () => {
  const encrypted = (): KubeObject =>
    parseKubeObject(parse(fixture("encrypted/encrypted-regex.yaml").toString()));

  it("fails on an encrypted object when no decryption is configured, naming it", async () => {
    const err = await rejection(decryptObjects([encrypted()], undefined));
    expect(err.message).toContain("Secret/default/app-credentials");
    expect(err.message).toContain("spec.decryption");
  });

  it("passes objects annotated decrypt: disabled through, with or without keys", async () => {
    const obj = encrypted();
    obj.metadata.annotations = { "kustomize.toolkit.fluxcd.io/decrypt": "disabled" };
    expect(await decryptObjects([obj], undefined)).toEqual([obj]);
    expect(await decryptObjects([obj], keys)).toEqual([obj]);
  });

  it("decrypts a whole encrypted object and Secret data values that are SOPS files", async () => {
    const holder = parseKubeObject({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "files", namespace: "default" },
      data: {
        "app.env": fixture("encrypted/app.env").toString("base64"),
        plain: Buffer.from("not encrypted").toString("base64"),
      },
    });
    const [whole, files] = await decryptObjects([encrypted(), holder], keys);
    expect((whole as Obj).stringData).toEqual(decryptedSecret().stringData);
    const data = (files as Obj).data as Record<string, string>;
    expect(Buffer.from(data["app.env"] ?? "", "base64").toString()).toBe(
      fixture("decrypted/app.env").toString(),
    );
    expect(data.plain).toBe(holder.data && (holder.data as Record<string, string>).plain);
  });

  it("fails on an object whose sops block lost its MAC (truncated), with or without keys", async () => {
    const obj = encrypted() as Obj;
    const sops = { ...(obj.sops as Obj) };
    delete sops.mac;
    const cut = parseKubeObject({ ...obj, sops });
    expect((await rejection(decryptObjects([cut], keys))).code).toBe("Malformed");
    await expect(decryptObjects([cut], undefined)).rejects.toThrow(/is SOPS-encrypted/);
  });

  it("checks the MAC of an object decrypted after the build", async () => {
    const tampered = parseKubeObject(parse(fixture("tampered/value.yaml").toString()));
    const err = await rejection(decryptObjects([tampered], keys));
    expect(err.code).toBe("MacMismatch");
    expect(err.message).toContain("Secret/default/app-credentials");
  });
});

describe("keys", () => {
  const secrets: Record<string, Record<string, Uint8Array>> = {
    "apps/sops-keys": { "age.agekey": fixture("keys/age.agekey") },
    "flux-system/global": { "g.agekey": fixture("keys/age-second.agekey"), "g.asc": fixture("keys/pgp.asc") },
  };
  const getSecret: SecretGetter = async (k) => secrets[`${k.namespace}/${k.name}`];

  it("reads the secretRef Secret in the Kustomization's namespace, not the fallback", async () => {
    const set = await loadDecryptionKeys({
      namespace: "apps",
      decryption: { provider: "sops", secretRef: { name: "sops-keys" } },
      getSecret,
      fallbackSecret: { namespace: "flux-system", name: "global" },
    });
    expect(set.age.map((k) => k.source)).toEqual(["age.agekey"]);
  });

  it("uses only the age keys of the controller-wide Secret when there is no secretRef", async () => {
    const set = await loadDecryptionKeys({
      namespace: "apps",
      decryption: { provider: "sops" },
      getSecret,
      fallbackSecret: { namespace: "flux-system", name: "global" },
    });
    expect(set.age.map((k) => k.source)).toEqual(["g.agekey"]);
    expect(set.pgp).toEqual([]);
  });

  it("fails when the decryption Secret does not exist", async () => {
    const err = await rejection(
      loadDecryptionKeys({
        namespace: "apps",
        decryption: { provider: "sops", secretRef: { name: "missing" } },
        getSecret,
      }),
    );
    expect(err.message).toBe("cannot get decryption Secret 'apps/missing': not found");
  });

  it("decryptionInputs: no keys configured fails an encrypted source with NoKey", async () => {
    tree({
      "app/kustomization.yaml": "resources: [secret.yaml]\n",
      "app/secret.yaml": fixture("encrypted/encrypted-regex.yaml"),
    });
    const inputs = decryptionInputs({
      namespace: "apps",
      decryption: { provider: "sops" },
      getSecret,
      tempDir: temp,
    });
    const err = await rejection(inputs.prepare?.(root, join(root, "app"), fluxBuild()) ?? Promise.resolve());
    expect(err.code).toBe("NoKey");
  });

  it("decryptionInputs: with a secretRef, decrypts before and after the build", async () => {
    tree({
      "app/kustomization.yaml": "resources: [secret.yaml]\n",
      "app/secret.yaml": fixture("encrypted/encrypted-regex.yaml"),
    });
    const inputs = decryptionInputs({
      namespace: "apps",
      decryption: { provider: "sops", secretRef: { name: "sops-keys" } },
      getSecret,
      tempDir: temp,
    });
    const built = await (inputs.prepare?.(root, join(root, "app"), fluxBuild()) ?? Promise.resolve([]));
    const objects = await inputs.decrypt(built);
    expect(find(objects, "Secret", "app-credentials").stringData).toEqual(decryptedSecret().stringData);
  });

  it("decryptionInputs: records what it decrypts, from sources and from objects, in the redactor", async () => {
    tree({
      "app/kustomization.yaml": "resources: [secret.yaml]\n",
      "app/secret.yaml": fixture("encrypted/encrypted-regex.yaml"),
    });
    const fromSources = new Redactor();
    const inputs = decryptionInputs({
      namespace: "apps",
      decryption: { provider: "sops", secretRef: { name: "sops-keys" } },
      getSecret,
      tempDir: temp,
      redactor: fromSources,
    });
    await inputs.decrypt(
      await (inputs.prepare?.(root, join(root, "app"), fluxBuild()) ?? Promise.resolve([])),
    );
    const fromObjects = new Redactor();
    const obj = parseKubeObject(parse(fixture("encrypted/encrypted-regex.yaml").toString()));
    await decryptionInputs({
      namespace: "apps",
      decryption: { provider: "sops", secretRef: { name: "sops-keys" } },
      getSecret,
      redactor: fromObjects,
    }).decrypt([obj]);
    for (const r of [fromSources, fromObjects]) {
      for (const value of ["admin", "s3cr3t p@ss: with colon", "db.internal", "top-secret-token"]) {
        expect(r.redact(`<${value}>`)).toBe("<***>");
      }
      // Fields SOPS left in the clear are not secrets.
      expect(r.reveals("app-credentials")).toBe(false);
      expect(r.reveals("Opaque")).toBe(false);
    }
  });

  it("decryptionInputs: without spec.decryption, no prepare step and encrypted objects fail", async () => {
    const inputs = decryptionInputs({ namespace: "apps", decryption: undefined, getSecret });
    expect(inputs.prepare).toBeUndefined();
    const obj = parseKubeObject(parse(fixture("encrypted/encrypted-regex.yaml").toString()));
    await expect(inputs.decrypt([obj])).rejects.toThrow(/is SOPS-encrypted/);
  });
});
