import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseKustomization } from "../../api/kustomization.ts";
import { render } from "./render.ts";

const dir = mkdtempSync(join(tmpdir(), "driftless-render-"));
writeFileSync(
  join(dir, "cm.yaml"),
  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: ns\ndata:\n  region: ${region:=eu-1}\n",
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ks = (postBuild: unknown) =>
  parseKustomization({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "app", namespace: "flux-system" },
    spec: {
      interval: "10m",
      prune: true,
      path: "./",
      sourceRef: { kind: "GitRepository", name: "repo" },
      postBuild,
    },
  });

const region = async (postBuild: unknown): Promise<unknown> => {
  const [obj] = await render(ks(postBuild), dir, { substituteFrom: [] });
  return (obj as { data?: { region?: unknown } } | undefined)?.data?.region;
};

describe("render's postBuild", () => {
  it("applies defaults without any variable when substituteStrategy is Always", async () => {
    expect(await region({ substituteStrategy: "Always" })).toBe("eu-1");
  });
  it("leaves the text alone without variables by default, as Flux", async () => {
    expect(await region({})).toBe("${region:=eu-1}");
  });
  it("substitutes a variable over the default", async () => {
    expect(await region({ substitute: { region: "us-2" } })).toBe("us-2");
  });
  it("labels every object with its owner", async () => {
    const [obj] = await render(ks(undefined), dir, { substituteFrom: [] });
    expect(obj?.metadata.labels).toMatchObject({
      "kustomize.toolkit.fluxcd.io/name": "app",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
  });
});
