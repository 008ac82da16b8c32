// The CRDs in crds/ against a real kube-apiserver: they are Established, print Flux's columns, accept the
// seed's manifests unchanged (warning about v1beta2), default what Flux defaults, and reject each invalid
// manifest in test/api/testdata/invalid with the message its header names, exactly where zod rejects it.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GitRepositorySchema, safeParseToolkitObject, unknownFields } from "../../src/api/index.ts";
import { createNamespace, kubectl } from "../harness/context.ts";

const testdata = new URL("./testdata/", import.meta.url);
const seedV1beta2 = fileURLToPath(new URL("gotk-sync.yaml", testdata));
const seedV1 = fileURLToPath(new URL("gotk-sync-v1.yaml", testdata));
const invalidDir = new URL("invalid/", testdata);
const invalidFiles = readdirSync(invalidDir).filter((f) => f.endsWith(".yaml"));

const DEPRECATION = "v1beta2 GitRepository is deprecated, upgrade to v1";

function documents(file: string | URL): unknown[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS() as unknown);
}

async function kubectlJson(args: string[]): Promise<Record<string, unknown>> {
  const r = await kubectl([...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function header(text: string, key: string): string {
  const m = new RegExp(`^# ${key}: (.*)$`, "m").exec(text);
  if (m?.[1] === undefined) throw new Error(`no "# ${key}:" header`);
  return m[1];
}

describe("CRDs", () => {
  it.each(["gitrepositories.source.toolkit.fluxcd.io", "kustomizations.kustomize.toolkit.fluxcd.io"])(
    "%s is Established",
    async (name) => {
      const r = await kubectl([
        "get",
        "crd",
        name,
        "-o",
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toBe("True");
    },
  );

  it("serves GitRepository v1 (storage) and v1beta2 (deprecated) without conversion", async () => {
    const crd = await kubectlJson(["get", "crd", "gitrepositories.source.toolkit.fluxcd.io"]);
    const spec = crd.spec as {
      conversion?: { strategy: string };
      versions: { name: string; served: boolean; storage: boolean; deprecated?: boolean }[];
    };
    expect(spec.conversion?.strategy).toBe("None");
    expect(
      spec.versions.map(({ name, served, storage, deprecated }) => ({ name, served, storage, deprecated })),
    ).toEqual([
      { name: "v1", served: true, storage: true, deprecated: undefined },
      { name: "v1beta2", served: true, storage: false, deprecated: true },
    ]);
  });

  it("install together with kubectl apply -k crds/", async () => {
    const crds = fileURLToPath(new URL("../../crds/", import.meta.url));
    const r = await kubectl(["apply", "--server-side", "--dry-run=server", "-k", crds]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(
      "customresourcedefinition.apiextensions.k8s.io/gitrepositories.source.toolkit.fluxcd.io",
    );
    expect(r.stdout).toContain(
      "customresourcedefinition.apiextensions.k8s.io/kustomizations.kustomize.toolkit.fluxcd.io",
    );
  });

  it("registers the short names gitrepo and ks", async () => {
    const r = await kubectl(["api-resources", "--api-group=source.toolkit.fluxcd.io", "--no-headers"]);
    expect(r.stdout).toMatch(
      /^gitrepositories\s+gitrepo\s+source\.toolkit\.fluxcd\.io\/v1\s+true\s+GitRepository$/m,
    );
    const k = await kubectl(["api-resources", "--api-group=kustomize.toolkit.fluxcd.io", "--no-headers"]);
    expect(k.stdout).toMatch(
      /^kustomizations\s+ks\s+kustomize\.toolkit\.fluxcd\.io\/v1\s+true\s+Kustomization$/m,
    );
  });
});

describe("printer columns", () => {
  let ns = "";
  beforeAll(async () => {
    ns = await createNamespace("api");
    const r = await kubectl(
      ["apply", "-n", ns, "-f", "-"],
      readFileSync(seedV1, "utf8").replaceAll("flux-system", ns),
    );
    expect(r.stderr).toBe("");
  });

  it("kubectl get gitrepo,ks shows URL, Age, Ready and Status", async () => {
    const r = await kubectl(["get", "gitrepo,ks", "-n", ns]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^NAME\s+URL\s+AGE\s+READY\s+STATUS$/);
    expect(lines[1]).toMatch(
      /^gitrepository\.source\.toolkit\.fluxcd\.io\/my-gitops-repo\s+ssh:\/\/git@github\.com\/your-org\/your-gitops-repo\.git\s+\d+s\s*$/,
    );
    expect(lines).toContainEqual(expect.stringMatching(/^NAME\s+AGE\s+READY\s+STATUS$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^kustomization\.kustomize\.toolkit\.fluxcd\.io\/apps-production\s+\d+s\s*$/),
    );
  });

  it("fills Ready and Status from the Ready condition written through the status subresource", async () => {
    const status = {
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "GitOperationFailed",
            message: "failed to checkout",
            lastTransitionTime: "2026-11-27T00:00:00Z",
          },
        ],
      },
    };
    for (const kind of ["gitrepository", "kustomization"]) {
      const p = await kubectl([
        "patch",
        kind,
        kind === "gitrepository" ? "my-gitops-repo" : "apps-production",
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify(status),
      ]);
      expect(p.stderr).toBe("");
    }
    const r = await kubectl(["get", "gitrepo,ks", "-n", ns, "--no-headers"]);
    const rows = r.stdout.trim().split("\n");
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(/\s+False\s+failed to checkout$/);
  });

  it("rejects a status condition the metav1.Condition schema forbids", async () => {
    const bad = {
      status: {
        conditions: [
          {
            type: "Ready",
            status: "Maybe",
            reason: "X",
            message: "",
            lastTransitionTime: "2026-11-27T00:00:00Z",
          },
        ],
      },
    };
    const p = await kubectl([
      "patch",
      "gitrepository",
      "my-gitops-repo",
      "-n",
      ns,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify(bad),
    ]);
    expect(p.code).not.toBe(0);
    expect(p.stderr).toContain('status.conditions[0].status: Unsupported value: "Maybe"');
  });
});

describe("the seed's gotk-sync.yaml", () => {
  beforeAll(async () => {
    // The seed names flux-system; it must exist for the files to apply unchanged.
    const r = await kubectl(
      ["apply", "-f", "-"],
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
    );
    expect(r.code).toBe(0);
  });

  afterAll(async () => {
    await kubectl(["delete", "-f", seedV1, "--ignore-not-found", "--wait=false"]);
  });

  it("applies unchanged and warns that v1beta2 is deprecated", async () => {
    const r = await kubectl(["apply", "-f", seedV1beta2]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /gitrepository\.source\.toolkit\.fluxcd\.io\/my-gitops-repo (created|configured|unchanged)/,
    );
    expect(r.stdout).toMatch(
      /kustomization\.kustomize\.toolkit\.fluxcd\.io\/apps-production (created|configured|unchanged)/,
    );
    expect(r.stderr).toContain(`Warning: ${DEPRECATION}`);
  });

  it("applies unchanged as v1, without a warning", async () => {
    const r = await kubectl(["apply", "-f", seedV1]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /gitrepository\.source\.toolkit\.fluxcd\.io\/my-gitops-repo (created|configured|unchanged)/,
    );
    expect(r.stderr).toBe("");
  });

  it("is stored with the defaults zod applies", async () => {
    const [repoDoc, ksDoc] = documents(seedV1beta2);
    const repo = safeParseToolkitObject(repoDoc);
    const ks = safeParseToolkitObject(ksDoc);
    if (!repo?.success || !ks?.success) throw new Error("seed does not parse");
    const served = await kubectlJson([
      "get",
      "gitrepositories.v1.source.toolkit.fluxcd.io",
      "my-gitops-repo",
      "-n",
      "flux-system",
    ]);
    expect(served.spec).toEqual(repo.data.spec);
    const servedKs = await kubectlJson(["get", "kustomization", "apps-production", "-n", "flux-system"]);
    expect(servedKs.spec).toEqual(ks.data.spec);
    expect(servedKs.status).toEqual({ observedGeneration: -1 });
    // Read back through zod: what the server returns parses.
    expect(safeParseToolkitObject(served)?.success).toBe(true);
    expect(safeParseToolkitObject(servedKs)?.success).toBe(true);
  });
});

describe("invalid manifests", () => {
  let ns = "";
  beforeAll(async () => {
    ns = await createNamespace("api-invalid");
  });

  it.each(invalidFiles)("%s is rejected by the apiserver and by zod on the same field", async (file) => {
    const path = fileURLToPath(new URL(file, invalidDir));
    const text = readFileSync(path, "utf8");
    const field = header(text, "field");
    const message = header(text, "message");

    const r = await kubectl(["apply", "-n", ns, "-f", path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("is invalid");
    // The apiserver names the field, then (on the same line) the reason.
    expect(r.stderr).toMatch(new RegExp(`${escapeRegExp(field)}: [^\\n]*${escapeRegExp(message)}`));

    const [doc] = documents(path);
    const z = safeParseToolkitObject(doc);
    expect(z?.success).toBe(false);
    if (z !== undefined && !z.success) {
      expect(z.issues).toContainEqual({ path: field, message: expect.stringContaining(message) });
    }
  });
});

describe("unknown fields", () => {
  it("are rejected by kubectl's strict validation on the paths unknownFields reports", async () => {
    const ns = await createNamespace("api-unknown");
    const obj = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "typo" },
      spec: { interval: "1m", url: "https://example.com/r.git", intervall: "5m", ref: { branc: "main" } },
    };
    const paths = unknownFields(GitRepositorySchema, obj);
    expect(paths).toEqual(["spec.intervall", "spec.ref.branc"]);
    const r = await kubectl(["apply", "-n", ns, "-f", "-"], JSON.stringify(obj));
    expect(r.code).not.toBe(0);
    for (const path of paths) expect(r.stderr).toContain(`unknown field "${path}"`);
    // Without strict validation the apiserver prunes them, as zod's parse does.
    const lax = await kubectl(["apply", "-n", ns, "--validate=false", "-f", "-"], JSON.stringify(obj));
    expect(lax.code).toBe(0);
    const served = await kubectlJson(["get", "gitrepository", "typo", "-n", ns]);
    const parsed = safeParseToolkitObject(obj);
    expect(parsed?.success ? parsed.data.spec : undefined).toEqual(served.spec);
  });
});
