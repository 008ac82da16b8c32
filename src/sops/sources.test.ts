import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fixture } from "../../test/sops/fixtures.ts";
import { type KubeObject, parseKubeObject } from "../kube/object.ts";
import { build } from "../kustomize/build.ts";
import { type KeySet, loadKeySet } from "./keys.ts";
import { decryptObjects } from "./pipeline.ts";
import { DecryptionFailedError, sourceFiles, withDecryptedSources } from "./sources.ts";

type Obj = Record<string, unknown>;

let keys: KeySet;
beforeAll(async () => {
  keys = await loadKeySet({ "age.agekey": fixture("keys/age.agekey") });
});

let work = "";
let root = "";
let temp = "";
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "sources-test-"));
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

function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = readFileSync(join(d, e.name), "utf8");
    }
  };
  walk(root, "");
  return out;
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

describe("sourceFiles", () => {
  it("lists resources, patches and generator files across bases and components, with their formats", () => {
    tree({
      "app/kustomization.yaml": [
        "resources: [../base, secret.yaml, https://example.com/remote.yaml]",
        "components: [../comp]",
        "patches: [{path: patch.yaml}]",
        "secretGenerator:",
        "  - name: s",
        "    files: [key.json=creds.bin, plain.txt]",
        "    envs: [app.env, vars]",
        "",
      ].join("\n"),
      "app/secret.yaml": "x",
      "app/patch.yaml": "x",
      "app/creds.bin": "x",
      "app/plain.txt": "x",
      "app/app.env": "x",
      "app/vars": "x",
      "base/kustomization.yaml":
        "resources: [cm.yaml]\nconfigMapGenerator: [{name: c, files: [conf.yaml]}]\n",
      "base/cm.yaml": "x",
      "base/conf.yaml": "x",
      "comp/kustomization.yaml": "kind: Component\npatchesStrategicMerge: [smp.yaml]\n",
      "comp/smp.yaml": "x",
      "other/kustomization.yaml": "resources: [unrelated.yaml]\n",
      "other/unrelated.yaml": "x",
    });
    const files = sourceFiles(root, join(root, "app"));
    const byRel = Object.fromEntries(files.map((f) => [f.rel, `${f.role}:${f.format}`]));
    expect(byRel).toEqual({
      "app/secret.yaml": "resource:yaml",
      "app/patch.yaml": "patch:yaml",
      "app/creds.bin": "generator:json",
      "app/plain.txt": "generator:binary",
      "app/app.env": "generator:dotenv",
      "app/vars": "generator:dotenv",
      "base/cm.yaml": "resource:yaml",
      "base/conf.yaml": "generator:yaml",
      "comp/smp.yaml": "patch:yaml",
    });
  });

  it("scans the manifests of a directory without a kustomization, as Flux generates one", () => {
    tree({ "dir/a.yaml": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n", "dir/sub/b.yml": "{}\n" });
    expect(
      sourceFiles(root, join(root, "dir"))
        .map((f) => f.rel)
        .sort(),
    ).toEqual(["dir/a.yaml", "dir/sub/b.yml"]);
  });

  it("ignores references that leave the source root", () => {
    tree({ "app/kustomization.yaml": "resources: [../../outside.yaml]\n" });
    writeFileSync(join(work, "outside.yaml"), "x");
    expect(sourceFiles(root, join(root, "app"))).toEqual([]);
  });
});

describe("withDecryptedSources", () => {
  it("decrypts an encrypted resource before the build, so kustomize transforms plaintext (MAC checked as in Git)", async () => {
    tree({
      "app/kustomization.yaml": "namespace: prod\nnamePrefix: x-\nresources: [secret.yaml]\n",
      "app/secret.yaml": fixture("encrypted/encrypted-regex.yaml"),
    });
    const before = snapshot();
    const objects = await withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp });
    const secret = find(objects, "Secret", "x-app-credentials");
    const want = decryptedSecret();
    expect(secret).not.toHaveProperty("sops");
    expect(secret.stringData).toEqual(want.stringData);
    expect(secret.data).toEqual(want.data);
    expect(secret.metadata).toMatchObject({ name: "x-app-credentials", namespace: "prod" });
    expect(snapshot()).toEqual(before);
    expect(readdirSync(temp)).toEqual([]);
  });

  it("decrypts secretGenerator env and files sources in the format of their names", async () => {
    tree({
      "app/kustomization.yaml": [
        "secretGenerator:",
        "  - name: gen",
        "    envs: [app.env]",
        "    files: [config.json]",
        "    options: {disableNameSuffixHash: true}",
        "  - name: env-only",
        "    envs: [app.env]",
        "",
      ].join("\n"),
      "app/app.env": fixture("encrypted/app.env"),
      "app/config.json": fixture("encrypted/config.json"),
    });
    const objects = await withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp });
    const data = find(objects, "Secret", "gen").data as Record<string, string>;
    const decode = (k: string): string => Buffer.from(data[k] ?? "", "base64").toString("utf8");
    expect(decode("DB_PASSWORD")).toBe("p@ss=word");
    expect(decode("DB_HOST")).toBe("db.internal");
    expect(decode("config.json")).toBe(fixture("decrypted/config.json").toString("utf8"));
    expect(Object.keys(data)).not.toContain("sops_mac");
    expect(readdirSync(temp)).toEqual([]);
  });

  it("decrypts with an OpenPGP key, and files of Flux's spec.components", async () => {
    const pgp = await loadKeySet({ "pgp.asc": fixture("keys/pgp.asc") });
    tree({
      "app/kustomization.yaml": "resources: []\n",
      "comp/kustomization.yaml": [
        "apiVersion: kustomize.config.k8s.io/v1alpha1",
        "kind: Component",
        "secretGenerator:",
        "  - name: pgp",
        "    files: [values.yaml=values-pgp.yaml]",
        "    options: {disableNameSuffixHash: true}",
        "",
      ].join("\n"),
      "comp/values-pgp.yaml": fixture("encrypted/values-pgp.yaml"),
    });
    const objects = await withDecryptedSources(
      root,
      join(root, "app"),
      fluxBuild({ components: ["../comp"] }),
      { keys: pgp, components: ["../comp"], tempDir: temp },
    );
    const data = find(objects, "Secret", "pgp").data as Record<string, string>;
    expect(Buffer.from(data["values.yaml"] ?? "", "base64").toString()).toBe(
      fixture("decrypted/values-pgp.yaml").toString(),
    );
  });

  it("keeps absolute symlinks into the source working in the private copy", async () => {
    tree({
      "app/kustomization.yaml": "resources: [secret.yaml, link.yaml]\n",
      "app/secret.yaml": fixture("encrypted/encrypted-regex.yaml"),
      "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {a: b}\n",
    });
    symlinkSync(join(root, "shared/cm.yaml"), join(root, "app/link.yaml"));
    const objects = await withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp });
    expect(find(objects, "ConfigMap", "shared").data).toEqual({ a: "b" });
    expect(find(objects, "Secret", "app-credentials")).not.toHaveProperty("sops");
  });

  it("decrypts an encrypted patch file", async () => {
    tree({
      "app/kustomization.yaml": "resources: [base.yaml]\npatches: [{path: patch.yaml}]\n",
      "app/base.yaml": [
        "apiVersion: v1",
        "kind: Secret",
        "metadata: {name: app-credentials, namespace: default}",
        "stringData: {kept: plain}",
        "",
      ].join("\n"),
      "app/patch.yaml": fixture("encrypted/encrypted-regex.yaml"),
    });
    const objects = await withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp });
    const secret = find(objects, "Secret", "app-credentials");
    expect(secret.stringData).toEqual({ kept: "plain", ...(decryptedSecret().stringData as Obj) });
    expect(secret).not.toHaveProperty("sops");
  });

  it("builds from the source itself when nothing it reads is encrypted (encrypted files elsewhere untouched)", async () => {
    tree({
      "app/kustomization.yaml": "resources: [cm.yaml]\n",
      "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n",
      // Encrypted for another cluster's key: never read.
      "other/secret.yaml": fixture("tampered/value.yaml"),
    });
    let builtFrom = "";
    await withDecryptedSources(
      root,
      join(root, "app"),
      (r, d) => {
        builtFrom = r;
        return fluxBuild()(r, d);
      },
      { keys, tempDir: temp },
    );
    expect(builtFrom).toBe(root);
  });

  it.each([
    ["value.yaml", "an encrypted value altered"],
    ["plain-value.yaml", "a plain field covered by the MAC altered"],
    ["mac.yaml", "the MAC altered"],
  ])(
    "rejects a tampered resource (%s: %s) with MAC mismatch naming the file, before any build",
    async (name) => {
      tree({
        "app/kustomization.yaml": "resources: [secret.yaml]\n",
        "app/secret.yaml": fixture(`tampered/${name}`),
      });
      let built = false;
      const err = await rejection(
        withDecryptedSources(
          root,
          join(root, "app"),
          () => {
            built = true;
            return [];
          },
          { keys, tempDir: temp },
        ),
      );
      expect(err.code).toBe("MacMismatch");
      expect(err.file).toBe("app/secret.yaml");
      expect(err.message).toContain("MAC mismatch");
      expect(err.message).toContain("app/secret.yaml");
      expect(built).toBe(false);
      expect(readdirSync(temp)).toEqual([]);
    },
  );

  it("rejects a file the keys cannot open (WrongKey) and a truncated one (Malformed)", async () => {
    const wrong = await loadKeySet({ "wrong.agekey": fixture("keys/age-wrong.agekey") });
    tree({
      "app/kustomization.yaml": "secretGenerator: [{name: s, envs: [app.env]}]\n",
      "app/app.env": fixture("encrypted/app.env"),
    });
    const err = await rejection(
      withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys: wrong, tempDir: temp }),
    );
    expect(err.code).toBe("WrongKey");
    expect(err.file).toBe("app/app.env");
    tree({
      "app/kustomization.yaml": "resources: [secret.yaml]\n",
      "app/secret.yaml": fixture("tampered/truncated.yaml"),
    });
    const truncated = await rejection(
      withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp }),
    );
    expect(truncated.code).toBe("Malformed");
  });

  it("leaves a resource annotated decrypt: disabled encrypted", async () => {
    const text = fixture("encrypted/encrypted-regex.yaml")
      .toString()
      .replace(
        "    labels:\n",
        "    annotations:\n        kustomize.toolkit.fluxcd.io/decrypt: disabled\n    labels:\n",
      );
    tree({ "app/kustomization.yaml": "resources: [secret.yaml]\n", "app/secret.yaml": text });
    const objects = await withDecryptedSources(root, join(root, "app"), fluxBuild(), { keys, tempDir: temp });
    expect(find(objects, "Secret", "app-credentials")).toHaveProperty("sops");
    expect(await decryptObjects(objects, keys)).toEqual(objects);
  });

  it("names files by their source path in build errors and masks plaintext the renderer might quote", async () => {
    tree({
      "app/kustomization.yaml": "secretGenerator: [{name: s, envs: [app.env]}]\n",
      "app/app.env": fixture("encrypted/app.env"),
    });
    const err = await withDecryptedSources(
      root,
      join(root, "app"),
      (r) => {
        throw new Error(`bad line in ${join(r, "app/app.env")}: DB_PASSWORD=p@ss=word`);
      },
      { keys, tempDir: temp },
    ).catch((e: unknown) => e as Error);
    expect(err.message).toContain(join(root, "app/app.env"));
    expect(err.message).not.toContain(temp);
    expect(err.message).not.toContain("p@ss=word");
    expect(readdirSync(temp)).toEqual([]);
  });
});

describe("the README demo's encrypted Secret (test/sops-e2e/testdata/demo)", () => {
  it("decrypts with the test age key to the password the demo checks", async () => {
    const demo = join(import.meta.dirname, "..", "..", "test", "sops-e2e", "testdata", "demo");
    const objects = await withDecryptedSources(demo, demo, fluxBuild({ targetNamespace: "flux-system" }), {
      keys,
      tempDir: temp,
    });
    const secret = find(objects, "Secret", "db-credentials");
    expect(secret.stringData).toEqual({ username: "backend", password: "correct-horse-battery-staple" });
    expect(secret.metadata).toMatchObject({ namespace: "flux-system" });
  });
});
