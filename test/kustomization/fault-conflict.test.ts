// Conflicts driftless can meet. Field ownership: another manager owns a field Git sets, so a server-side
// apply without force would conflict; driftless applies with force and takes the field over, as Flux does.
// Optimistic concurrency: the finalizer patch carries the resourceVersion the reconcile read, so a
// concurrent writer makes it fail with 409; a spec change in the middle of an apply makes the run's status
// stale. Neither loses the result: the next run converges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FLUX_FINALIZER } from "../../src/api/meta.ts";
import { ApiError } from "../../src/kube/errors.ts";
import { createNamespace, testEnv } from "../harness/context.ts";
import { HookedClient, type HookedWrite } from "../harness/hooked-client.ts";
import { type KsBed, startKsBed } from "../harness/kustomization-bed.ts";
import { eventually } from "../harness/wait.ts";
import { configMap, kustomization } from "./support.ts";

const OWNER_LABEL = "kustomize.toolkit.fluxcd.io/name";

describe("kustomization meeting conflicts", () => {
  let client: HookedClient;
  let bed: KsBed;
  let ns = "";
  const created: string[] = [];

  beforeAll(async () => {
    client = HookedClient.fromKubeconfig(testEnv().kubeconfig);
    bed = await startKsBed({ kubeconfig: testEnv().kubeconfig, client });
    ns = await createNamespace("ks-fault-conflict");
  });

  afterAll(async () => {
    client?.hooks.splice(0);
    // Finalize with this file's controller still running, so no finalizer is left behind.
    for (const name of created) await bed?.kubectl(["delete", `ks/${name}`, "-n", ns, "--timeout=60s"]);
    await bed?.stop();
  });

  /** Creates Kustomization `name` reading the source of the same name. */
  async function createKustomization(name: string, annotations: Record<string, string> = {}): Promise<void> {
    const manifest = JSON.parse(kustomization(ns, name, { sourceRef: { kind: "GitRepository", name } })) as {
      metadata: Record<string, unknown>;
    };
    manifest.metadata.annotations = annotations;
    await bed.apply(JSON.stringify(manifest));
    created.push(name);
  }

  /** The managers owning data.<key> of a ConfigMap, from its managedFields. */
  async function ownersOf(name: string, key: string): Promise<string[]> {
    const r = await bed.kubectl([
      "get",
      `configmap/${name}`,
      "-n",
      ns,
      "-o",
      "json",
      "--show-managed-fields",
    ]);
    const obj = JSON.parse(r.stdout) as {
      metadata: {
        managedFields?: { manager: string; operation: string; fieldsV1?: { "f:data"?: object } }[];
      };
    };
    return (obj.metadata.managedFields ?? [])
      .filter((e) => e.fieldsV1?.["f:data"] !== undefined && `f:${key}` in (e.fieldsV1["f:data"] ?? {}))
      .map((e) => `${e.manager}/${e.operation}`)
      .sort();
  }

  it("takes over fields another manager owns (server-side apply or update) and keeps the fields Git does not set", async () => {
    const rev1 = await bed.publish(ns, "owned", {
      "shared.yaml": configMap("shared", ns, { v: "git-1", w: "git-1" }),
    });
    // Detect-only drift: the other managers' writes stay until the next revision applies over them.
    await createKustomization("owned", { "driftless.io/drift": "detect" });
    await bed.waitForRevision(ns, "owned", rev1);

    // Another controller applies v (forcing) and a field of its own; a legacy operator updates w.
    const theirs = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: ${ns}\ndata:\n  v: theirs\n  extra: theirs\n`;
    const other = await bed.kubectl(
      ["apply", "--server-side", "--field-manager=other-controller", "--force-conflicts", "-f", "-"],
      theirs,
    );
    expect(other.code, other.stderr).toBe(0);
    const legacy = await bed.kubectl([
      "patch",
      "configmap/shared",
      "-n",
      ns,
      "--type=merge",
      "--field-manager=legacy-operator",
      "-p",
      JSON.stringify({ data: { w: "legacy" } }),
    ]);
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(await ownersOf("shared", "v")).toEqual(["other-controller/Apply"]);
    expect(await ownersOf("shared", "w")).toEqual(["legacy-operator/Update"]);
    // The next revision's apply is a real conflict: without force, the apiserver refuses it.
    const gitNext = configMap("shared", ns, { v: "git-2", w: "git-2" });
    const unforced = await bed.kubectl(
      ["apply", "--server-side", "--field-manager=driftless", "--dry-run=server", "-f", "-"],
      gitNext,
    );
    expect(unforced.code).not.toBe(0);
    expect(unforced.stderr).toMatch(/conflict/i);

    const rev2 = await bed.publish(ns, "owned", { "shared.yaml": gitNext });
    await bed.waitForRevision(ns, "owned", rev2);
    expect(await bed.jsonpath(["configmap/shared", "-n", ns], "{.data.v}")).toBe("git-2");
    expect(await bed.jsonpath(["configmap/shared", "-n", ns], "{.data.w}")).toBe("git-2");
    expect(await ownersOf("shared", "v")).toEqual(["driftless/Apply"]);
    expect(await ownersOf("shared", "w")).toEqual(["driftless/Apply"]);
    // A field Git does not set stays with its manager, as with Flux.
    expect(await bed.jsonpath(["configmap/shared", "-n", ns], "{.data.extra}")).toBe("theirs");
    expect(await ownersOf("shared", "extra")).toEqual(["other-controller/Apply"]);
  });

  it("keeps a finalizer another controller adds between its read and its finalizer patch (409, retried)", async () => {
    let raced = false;
    const race = async (w: HookedWrite): Promise<void> => {
      if (raced || w.verb !== "patch" || w.key.name !== "late" || w.subresource !== undefined) return;
      const finalizers = (w.patch as { metadata?: { finalizers?: unknown } }).metadata?.finalizers;
      if (finalizers === undefined) return;
      raced = true;
      // Another controller adds its own finalizer after driftless read the Kustomization.
      const r = await bed.kubectl([
        "patch",
        "ks/late",
        "-n",
        ns,
        "--type=merge",
        "-p",
        JSON.stringify({ metadata: { finalizers: ["example.com/concurrent"] } }),
      ]);
      if (r.code !== 0) throw new Error(r.stderr);
    };
    client.hooks.push(race);
    try {
      const rev = await bed.publish(ns, "late", { "late.yaml": configMap("late", ns, { v: "1" }) });
      await createKustomization("late");
      await bed.waitForRevision(ns, "late", rev);
    } finally {
      client.hooks.splice(client.hooks.indexOf(race), 1);
    }
    expect(raced).toBe(true);
    // A patch without the resourceVersion it read would have replaced the other controller's finalizer.
    const finalizers = await bed.jsonpath(["ks/late", "-n", ns], "{.metadata.finalizers}");
    expect(JSON.parse(finalizers ?? "[]")).toEqual(["example.com/concurrent", FLUX_FINALIZER]);
    expect(
      bed.outcomes.some(
        (o) =>
          o.key.name === "late" &&
          o.result === "error" &&
          o.error instanceof ApiError &&
          o.error.status === 409 &&
          o.error.reason === "Conflict",
      ),
    ).toBe(true);
    expect(await bed.jsonpath(["configmap/late", "-n", ns], "{.data.v}")).toBe("1");
    // The other controller lets go, so that the clean-up can delete the Kustomization.
    await bed.kubectl([
      "patch",
      "ks/late",
      "-n",
      ns,
      "--type=merge",
      "-p",
      JSON.stringify({ metadata: { finalizers: [FLUX_FINALIZER] } }),
    ]);
  });

  it("removes only its own finalizer when another controller removes its finalizer at the same time (409)", async () => {
    const rev = await bed.publish(ns, "gone", { "gone.yaml": configMap("gone-a", ns, { v: "1" }) });
    const manifest = JSON.parse(
      kustomization(ns, "gone", { sourceRef: { kind: "GitRepository", name: "gone" } }),
    ) as { metadata: Record<string, unknown> };
    manifest.metadata.finalizers = ["example.com/other"];
    await bed.apply(JSON.stringify(manifest));
    await bed.waitForRevision(ns, "gone", rev);
    expect(await bed.jsonpath(["ks/gone", "-n", ns], "{.metadata.finalizers}")).toContain(FLUX_FINALIZER);

    let raced = false;
    const race = async (w: HookedWrite): Promise<void> => {
      if (raced || w.verb !== "patch" || w.key.name !== "gone" || w.subresource !== undefined) return;
      const finalizers = (w.patch as { metadata?: { finalizers?: unknown } }).metadata?.finalizers;
      if (finalizers === undefined || (Array.isArray(finalizers) && finalizers.includes(FLUX_FINALIZER)))
        return;
      raced = true;
      // The other controller drops its finalizer between driftless's read and its patch.
      const r = await bed.kubectl([
        "patch",
        "ks/gone",
        "-n",
        ns,
        "--type=merge",
        "-p",
        JSON.stringify({ metadata: { finalizers: [FLUX_FINALIZER] } }),
      ]);
      if (r.code !== 0) throw new Error(r.stderr);
    };
    client.hooks.push(race);
    try {
      const r = await bed.kubectl(["delete", "ks/gone", "-n", ns, "--wait=false"]);
      expect(r.code, r.stderr).toBe(0);
      // The stale patch is refused (409; without its resourceVersion the apiserver would refuse it as
      // re-adding a finalizer to an object being deleted) and the retry removes only driftless's own.
      await eventually(
        async () => ((await bed.jsonpath(["ks/gone", "-n", ns], "{.metadata.name}")) ? undefined : true),
        60_000,
        "ks/gone to be deleted",
      );
    } finally {
      client.hooks.splice(client.hooks.indexOf(race), 1);
    }
    expect(raced).toBe(true);
    expect(
      bed.outcomes.some(
        (o) =>
          o.key.name === "gone" &&
          o.result === "error" &&
          o.error instanceof ApiError &&
          o.error.reason === "Conflict",
      ),
    ).toBe(true);
    expect(await bed.jsonpath(["configmap/gone-a", "-n", ns], "{.metadata.name}")).toBeUndefined();
  });

  it("reconciles a spec change made while an apply runs: the next run applies it and observes the new generation", async () => {
    let changed = false;
    const change = async (w: HookedWrite): Promise<void> => {
      if (changed || w.verb !== "apply" || w.dryRun) return;
      if (w.object.metadata.labels?.[OWNER_LABEL] !== "moving") return;
      changed = true;
      // The spec changes after this run read it and before its status is written.
      const r = await bed.kubectl([
        "patch",
        "ks/moving",
        "-n",
        ns,
        "--type=merge",
        "-p",
        JSON.stringify({ spec: { commonMetadata: { labels: { wave: "two" } } } }),
      ]);
      if (r.code !== 0) throw new Error(r.stderr);
    };
    client.hooks.push(change);
    try {
      const rev = await bed.publish(ns, "moving", {
        "a.yaml": configMap("moving-a", ns, { v: "1" }),
        "b.yaml": configMap("moving-b", ns, { v: "1" }),
      });
      await createKustomization("moving");
      await bed.waitForRevision(ns, "moving", rev);
    } finally {
      client.hooks.splice(client.hooks.indexOf(change), 1);
    }
    expect(changed).toBe(true);
    await eventually(
      async () => {
        const generation = await bed.jsonpath(["ks/moving", "-n", ns], "{.metadata.generation}");
        const observed = await bed.jsonpath(["ks/moving", "-n", ns], "{.status.observedGeneration}");
        const ready = await bed.condition(ns, "moving", "Ready");
        return generation === "2" && observed === "2" && ready?.status === "True" ? true : undefined;
      },
      60_000,
      "ks/moving Ready at generation 2",
    );
    for (const name of ["moving-a", "moving-b"]) {
      expect(await bed.jsonpath([`configmap/${name}`, "-n", ns], "{.metadata.labels.wave}")).toBe("two");
    }
  });
});
