import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient } from "../../src/kube/client.ts";
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isInvalid,
  isNoMatch,
  isNotFound,
} from "../../src/kube/errors.ts";
import { createNamespace } from "../harness/context.ts";
import { adminClient, CONFIGMAPS, eventually, GITREPOS, gitRepository } from "./support.ts";

describe("kube client against the apiserver", () => {
  let client: KubeClient;
  let ns: string;

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-client");
  });
  afterAll(() => client.close());

  it("discovers plurals and scope of built-in and custom kinds", async () => {
    const cm = await client.discovery.resourceFor({ group: "", version: "v1", kind: "ConfigMap" });
    expect(cm).toMatchObject({ plural: "configmaps", namespaced: true });
    const nsInfo = await client.discovery.resourceFor({ group: "", version: "v1", kind: "Namespace" });
    expect(nsInfo).toMatchObject({ plural: "namespaces", namespaced: false });
    const repo = await client.resourceFor({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
    });
    expect(repo).toMatchObject({ plural: "gitrepositories", namespaced: true });
    expect(repo.verbs).toContain("patch");
    const crd = await client.resourceFor({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
    });
    expect(crd.namespaced).toBe(false);
    const preferred = await client.discovery.preferredVersions();
    expect(preferred.get("source.toolkit.fluxcd.io")).toBe("v1");
  });

  it("reports unknown kinds and unserved groups as NoKindMatch", async () => {
    const before = client.counters.discovery;
    await expect(client.resourceFor({ apiVersion: "v1", kind: "NoSuchKind" })).rejects.toSatisfy(isNoMatch);
    await expect(client.resourceFor({ apiVersion: "example.invalid/v9", kind: "Thing" })).rejects.toSatisfy(
      isNoMatch,
    );
    // An unknown kind refetches its group/version once in case a CRD was just installed.
    expect(client.counters.discovery).toBeGreaterThan(before);
  });

  it("caches discovery and refetches a group/version when a new CRD's kind is asked for", async () => {
    const group = `${ns}.example.com`;
    await client.resourceFor({ apiVersion: "v1", kind: "ConfigMap" });
    const cached = client.counters.discovery;
    await client.resourceFor({ apiVersion: "v1", kind: "Secret" });
    expect(client.counters.discovery).toBe(cached);

    expect(await client.discovery.resources(group, "v1")).toEqual([]);
    const crds = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" };
    await client.apply({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Cluster",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
    try {
      const established = async (): Promise<boolean> => {
        const crd = (await client.get(crds, { name: `widgets.${group}` })) as {
          status?: { conditions?: Array<{ type: string; status: string }> };
        };
        return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
      };
      expect(await eventually(established)).toBe(true);
      // The empty answer was cached; asking for the kind refetches it.
      expect(
        await eventually(async () => {
          const info = await client
            .resourceFor({ apiVersion: `${group}/v1`, kind: "Widget" })
            .catch(() => undefined);
          return info?.plural === "widgets" && info.namespaced === false;
        }),
      ).toBe(true);
    } finally {
      await client.delete(crds, { name: `widgets.${group}` });
    }
  });

  it("server-side applies an object as is, keeping fields typed models would drop", async () => {
    const obj = gitRepository(ns, "applied");
    const applied = await client.apply({
      ...obj,
      spec: {
        url: "https://example.com/a.git",
        interval: "5m",
        ignore: "/*\n!/deploy\n",
        ref: { tag: "v1.0.0" },
      },
    });
    expect(applied.metadata.namespace).toBe(ns);
    expect(applied).toMatchObject({
      spec: { ignore: "/*\n!/deploy\n", ref: { tag: "v1.0.0" }, interval: "5m" },
    });
    const managers = (applied.metadata.managedFields ?? []) as Array<{
      manager?: string;
      operation?: string;
    }>;
    expect(managers.some((m) => m.manager === "driftless" && m.operation === "Apply")).toBe(true);
    const got = await client.get(GITREPOS, { namespace: ns, name: "applied" });
    expect(got.metadata.uid).toBe(applied.metadata.uid);
  });

  it("addresses cluster-scoped kinds without a namespace and requires one for namespaced kinds", async () => {
    const role = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `${ns}-reader`, namespace: ns },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    };
    const applied = await client.apply(role);
    expect(applied.metadata.namespace).toBeUndefined();
    await client.delete(
      { group: "rbac.authorization.k8s.io", version: "v1", plural: "clusterroles" },
      { name: `${ns}-reader` },
    );
    const noNamespace = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "orphan" } };
    await expect(client.apply(noNamespace)).rejects.toThrow(/metadata.namespace is required/);
  });

  it("does not persist a dry-run apply", async () => {
    const result = await client.apply(gitRepository(ns, "dry"), { dryRun: true });
    expect(result.metadata.name).toBe("dry");
    await expect(client.get(GITREPOS, { namespace: ns, name: "dry" })).rejects.toSatisfy(isNotFound);
  });

  it("returns the apiserver's validation failure as an Invalid ApiError with causes", async () => {
    const bad = { ...gitRepository(ns, "bad"), spec: { url: "ftp://example.com/x", interval: "1m" } };
    const err = await client.apply(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isInvalid(err)).toBe(true);
    expect((err as ApiError).status).toBe(422);
    expect((err as ApiError).details?.kind).toBe("GitRepository");
    expect((err as ApiError).details?.causes?.length).toBeGreaterThan(0);
  });

  it("creates, lists by label, patches and reads not-found errors", async () => {
    const cm = (name: string, team: string): object => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: ns, labels: { team } },
      data: { a: "1" },
    });
    await client.create(CONFIGMAPS, cm("one", "blue"));
    await client.create(CONFIGMAPS, cm("two", "blue"));
    await client.create(CONFIGMAPS, cm("three", "red"));
    await expect(client.create(CONFIGMAPS, cm("one", "blue"))).rejects.toSatisfy(isAlreadyExists);

    const blue = await client.list(CONFIGMAPS, { namespace: ns, labelSelector: "team=blue" });
    expect(blue.items.map((o) => o.metadata.name).sort()).toEqual(["one", "two"]);
    expect(blue.items[0]).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
    expect(blue.resourceVersion).not.toBe("");

    const paged = await client.listAll(CONFIGMAPS, { namespace: ns, limit: 1, labelSelector: "team" });
    expect(paged.items).toHaveLength(3);

    const merged = await client.patch(CONFIGMAPS, { namespace: ns, name: "one" }, { data: { b: "2" } });
    expect(merged).toMatchObject({ data: { a: "1", b: "2" } });
    const jsonPatched = await client.patch(
      CONFIGMAPS,
      { namespace: ns, name: "one" },
      [{ op: "remove", path: "/data/a" }],
      { type: "json" },
    );
    expect(jsonPatched).toMatchObject({ data: { b: "2" } });
    expect((jsonPatched as { data?: Record<string, string> }).data?.a).toBeUndefined();

    const missing = await client.get(CONFIGMAPS, { namespace: ns, name: "nope" }).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect(missing).toMatchObject({ status: 404, reason: "NotFound" });
  });

  it("deletes with preconditions and propagation, keeping objects with finalizers until released", async () => {
    const created = await client.create(CONFIGMAPS, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "doomed", namespace: ns, finalizers: ["example.com/hold"] },
    });
    const key = { namespace: ns, name: "doomed" };
    const wrongUid = await client
      .delete(CONFIGMAPS, key, { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } })
      .catch((e: unknown) => e);
    expect(isConflict(wrongUid)).toBe(true);

    await client.delete(CONFIGMAPS, key, { dryRun: true });
    expect((await client.get(CONFIGMAPS, key)).metadata.deletionTimestamp).toBeUndefined();

    const lingering = await client.delete(CONFIGMAPS, key, {
      propagationPolicy: "Foreground",
      preconditions: { uid: created.metadata.uid ?? "" },
    });
    expect(lingering?.metadata.deletionTimestamp).toBeDefined();
    await client.patch(CONFIGMAPS, key, { metadata: { finalizers: null } });
    await expect(client.get(CONFIGMAPS, key)).rejects.toSatisfy(isNotFound);
  });

  it("sends requests as an impersonated user when asked", async () => {
    const someone = client.impersonating({ user: "jane", groups: ["devs"] });
    const err = await someone.list(CONFIGMAPS, { namespace: ns }).catch((e: unknown) => e);
    expect(isForbidden(err)).toBe(true);
    expect((err as ApiError).message).toContain('"jane"');
  });

  it("counts requests per verb", () => {
    const c = client.counters;
    expect(c.get).toBeGreaterThan(0);
    expect(c.list).toBeGreaterThan(0);
    expect(c.apply).toBeGreaterThan(0);
    expect(c.create).toBeGreaterThan(0);
    expect(c.patch).toBeGreaterThan(0);
    expect(c.delete).toBeGreaterThan(0);
    expect(c.errors).toBeGreaterThan(0);
  });
});
