// spec.ignore, as Flux's drift ignore rules: fields at the rules' JSON pointers, in the objects their
// target selects, are left to other controllers (an HPA's /spec/replicas). Edits of them are not drift and
// are not reverted; an apply for another reason keeps their live value and, when another Apply manager
// owns them, leaves them to it; objects the target does not select are reverted as usual; and a diff does
// not show them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffAll } from "../../src/apply/diff.ts";
import { IgnoreRules } from "../../src/apply/ignore.ts";
import { ResourceManager } from "../../src/apply/manager.ts";
import { OwnerLabels } from "../../src/controller/kustomization/render.ts";
import { type KubeObject, parseKubeObject } from "../../src/kube/object.ts";
import { createNamespace, kubectl } from "../harness/context.ts";
import { eventually, jsonpath } from "../harness/wait.ts";
import { applyManifest, type Bed, kustomization, startBed, waitForRevision } from "./support.ts";

function deployment(name: string, ns: string, replicas: number, image: string): Record<string, unknown> {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image }] },
      },
    },
  };
}

const IGNORE = [{ paths: ["/spec/replicas"], target: { kind: "Deployment", name: "web" } }];

describe("kustomization spec.ignore", () => {
  let bed: Bed;
  let ns = "";
  const files = (image: string): Record<string, string> => ({
    "web.yaml": JSON.stringify(deployment("web", ns, 2, image)),
    "other.yaml": JSON.stringify(deployment("other", ns, 1, "registry.example/other:1")),
  });
  const read = (name: string, path: string): Promise<string | undefined> =>
    jsonpath([`deployment/${name}`, "-n", ns], `{${path}}`);
  // Hands replicas to another Apply manager, as an autoscaler applying its own field would.
  const applyReplicasAs = async (manager: string, replicas: number): Promise<void> => {
    const r = await kubectl(
      ["apply", "--server-side", "--force-conflicts", `--field-manager=${manager}`, "-f", "-"],
      JSON.stringify({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: ns },
        spec: { replicas },
      }),
    );
    expect(r.code, r.stderr).toBe(0);
  };
  const replicasOwners = async (): Promise<string[]> => {
    const r = await kubectl(["get", "deployment/web", "-n", ns, "-o", "json", "--show-managed-fields"]);
    const obj = JSON.parse(r.stdout) as {
      metadata: { managedFields?: { manager: string; fieldsV1?: { "f:spec"?: Record<string, unknown> } }[] };
    };
    return (obj.metadata.managedFields ?? [])
      .filter((e) => e.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined)
      .map((e) => e.manager);
  };

  beforeAll(async () => {
    bed = await startBed();
    ns = await createNamespace("ks-ignore");
    const rev = await bed.publish(ns, "repo", files("registry.example/web:1"));
    await applyManifest(kustomization(ns, "app", { ignore: IGNORE }));
    await waitForRevision(ns, "app", rev);
  });
  afterAll(async () => {
    await bed?.stop();
  });

  it("creates objects with the ignored fields from Git", async () => {
    expect(await read("web", ".spec.replicas")).toBe("2");
    expect(await replicasOwners()).toEqual(["driftless"]);
  });

  it("leaves a scale of an ignored field alone while reverting an edit of another field", async () => {
    const scaled = await kubectl(["scale", "deployment/web", "-n", ns, "--replicas=5"]);
    expect(scaled.code, scaled.stderr).toBe(0);
    // Then an edit of a field no rule ignores: once it is reverted, the scale has been seen too.
    const edited = await kubectl([
      "patch",
      "deployment/web",
      "-n",
      ns,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { minReadySeconds: 9 } }),
    ]);
    expect(edited.code, edited.stderr).toBe(0);
    await eventually(
      async () => ((await read("web", ".spec.minReadySeconds")) === "" ? true : undefined),
      20_000,
      "minReadySeconds edit reverted",
    );
    expect(await read("web", ".spec.replicas")).toBe("5");
  });

  it("reverts the same field in an object the rule's target does not select", async () => {
    const scaled = await kubectl(["scale", "deployment/other", "-n", ns, "--replicas=4"]);
    expect(scaled.code, scaled.stderr).toBe(0);
    await eventually(
      async () => ((await read("other", ".spec.replicas")) === "1" ? true : undefined),
      20_000,
      "scale of deployment/other reverted",
    );
  });

  it("keeps an ignored field another Apply manager owns across a new revision, and hands it over", async () => {
    await applyReplicasAs("autoscaler", 7);
    expect(await replicasOwners()).toContain("autoscaler");
    const rev = await bed.publish(ns, "repo", files("registry.example/web:2"));
    await waitForRevision(ns, "app", rev);
    expect(await read("web", ".spec.template.spec.containers[0].image")).toBe("registry.example/web:2");
    expect(await read("web", ".spec.replicas")).toBe("7");
    // The apply left replicas out: driftless no longer owns it, the autoscaler alone does.
    expect(await replicasOwners()).toEqual(["autoscaler"]);
  });

  it("does not show ignored fields in a diff, and shows the rest", async () => {
    const objects: KubeObject[] = Object.values(files("registry.example/web:2")).map((text) => {
      const obj = parseKubeObject(JSON.parse(text));
      return {
        ...obj,
        metadata: {
          ...obj.metadata,
          labels: { [OwnerLabels.name]: "app", [OwnerLabels.namespace]: ns },
        },
      };
    });
    const manager = new ResourceManager(bed.client);
    const ignore = IgnoreRules.compile(IGNORE);
    const same = await diffAll(manager, objects, { ignore });
    expect(same.map((e) => e.action)).toEqual(["unchanged", "unchanged"]);
    // Without the rules, the autoscaler's replicas count as a change.
    const unruled = await diffAll(manager, objects);
    expect(unruled[0]?.action).toBe("configured");
    expect(unruled[0]?.diff).toContain("replicas");
    // A change Git makes to another field is shown without the ignored one.
    const web = structuredClone(objects[0]) as KubeObject & { spec: { minReadySeconds?: number } };
    web.spec.minReadySeconds = 3;
    const [changed] = await diffAll(manager, [web], { ignore });
    expect(changed?.action).toBe("configured");
    expect(changed?.diff).toContain("minReadySeconds");
    expect(changed?.diff).not.toContain("replicas");
  });
});
