import { describe, expect, it } from "vitest";
import type { KubeObject } from "../kube/object.ts";
import {
  type IgnoreRule,
  IgnoreRules,
  InvalidIgnoreRuleError,
  lookupPointer,
  ownedByOtherApplyManager,
  parsePointer,
  removePointer,
  resolveIgnoredFields,
  withoutPaths,
} from "./ignore.ts";
import { LabelSelector } from "./label-selector.ts";

const deployment = (over: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: "apps",
    labels: { app: "web", tier: "front" },
    annotations: { "example.com/scale": "hpa" },
  },
  spec: { replicas: 2 },
  ...over,
});

describe("ignore rule targets", () => {
  const cases: { name: string; rule: IgnoreRule; obj?: KubeObject; selected: boolean }[] = [
    { name: "no target selects every object", rule: { paths: ["/spec/replicas"] }, selected: true },
    { name: "kind", rule: { paths: ["/x"], target: { kind: "Deployment" } }, selected: true },
    {
      name: "kind is an anchored regex",
      rule: { paths: ["/x"], target: { kind: "Deploy" } },
      selected: false,
    },
    {
      name: "kind alternatives",
      rule: { paths: ["/x"], target: { kind: "StatefulSet|Deployment" } },
      selected: true,
    },
    { name: "name regex", rule: { paths: ["/x"], target: { name: "w.*" } }, selected: true },
    { name: "name must match whole", rule: { paths: ["/x"], target: { name: "we" } }, selected: false },
    { name: "namespace", rule: { paths: ["/x"], target: { namespace: "other" } }, selected: false },
    { name: "group", rule: { paths: ["/x"], target: { group: "apps", version: "v1" } }, selected: true },
    {
      name: "core group is empty",
      rule: { paths: ["/x"], target: { group: "", kind: "ConfigMap" } },
      obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      selected: true,
    },
    {
      name: "group does not match the core group",
      rule: { paths: ["/x"], target: { group: "apps" } },
      obj: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } },
      selected: false,
    },
    { name: "version", rule: { paths: ["/x"], target: { version: "v1beta1" } }, selected: false },
    {
      name: "label selector",
      rule: { paths: ["/x"], target: { labelSelector: "app=web,tier in (front,back)" } },
      selected: true,
    },
    {
      name: "label selector miss",
      rule: { paths: ["/x"], target: { labelSelector: "app!=web" } },
      selected: false,
    },
    {
      name: "annotation selector",
      rule: { paths: ["/x"], target: { annotationSelector: "example.com/scale=hpa" } },
      selected: true,
    },
    {
      name: "annotation selector miss",
      rule: { paths: ["/x"], target: { annotationSelector: "!example.com/scale" } },
      selected: false,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.selected ? "selects" : "does not select"}`, () => {
      const rules = IgnoreRules.compile([c.rule]);
      expect(rules.pathsFor(c.obj ?? deployment())).toEqual(c.selected ? c.rule.paths : []);
    });
  }

  it("merges the paths of every rule that selects the object", () => {
    const rules = IgnoreRules.compile([
      { paths: ["/spec/replicas"], target: { kind: "Deployment" } },
      { paths: ["/spec/replicas", "/metadata/annotations/a"] },
      { paths: ["/data"], target: { kind: "ConfigMap" } },
    ]);
    expect(rules.pathsFor(deployment())).toEqual(["/spec/replicas", "/metadata/annotations/a"]);
  });

  it("refuses a path that is not a JSON pointer, naming it", () => {
    expect(() => IgnoreRules.compile([{ paths: ["spec/replicas"] }])).toThrow(/ignore\[0\]\.paths\[0\]/);
    expect(() => IgnoreRules.compile([{ paths: ["/a", "/b~2"] }])).toThrow(/paths\[1\]/);
    expect(IgnoreRules.compile([{ paths: ["", "/a~1b~0c"] }]).empty).toBe(false);
  });

  it("refuses a target with an invalid regex or selector, naming the rule", () => {
    expect(() => IgnoreRules.compile([{ paths: ["/x"], target: { name: "(" } }])).toThrow(
      InvalidIgnoreRuleError,
    );
    expect(() =>
      IgnoreRules.compile([{ paths: [] }, { paths: ["/x"], target: { labelSelector: "a in b" } }]),
    ).toThrow(/ignore\[1\]\.target\.labelSelector/);
  });
});

describe("label selectors", () => {
  const labels = { app: "web", replicas: "3", "example.com/team": "a" };
  const cases: [string, boolean][] = [
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app = web", true],
    ["app=api", false],
    ["app!=api", true],
    ["missing!=x", true],
    ["app in (api, web)", true],
    ["app notin (web)", false],
    ["missing notin (web)", true],
    ["example.com/team", true],
    ["!example.com/team", false],
    ["!missing", true],
    ["replicas>2", true],
    ["replicas<3", false],
    ["app=web,missing", false],
    ["app=web, app in (web)", true],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} ${want ? "matches" : "does not match"}`, () => {
      expect(LabelSelector.parse(text).matches(labels)).toBe(want);
    });
  }
  it("refuses what does not parse", () => {
    expect(() => LabelSelector.parse("a in b")).toThrow(/cannot parse/);
    expect(() => LabelSelector.parse("a=b=c")).toThrow();
  });
});

describe("JSON pointers", () => {
  const doc = {
    metadata: { annotations: { "external-dns.alpha.kubernetes.io/hostname": "x", "a~b": "y" } },
    spec: {
      containers: [
        { name: "app", image: "a:1" },
        { name: "side", image: "b:1" },
      ],
      replicas: 1,
    },
  };
  it("unescapes ~1 and ~0 as RFC 6901 says", () => {
    expect(parsePointer("/metadata/annotations/external-dns.alpha.kubernetes.io~1hostname")).toEqual([
      "metadata",
      "annotations",
      "external-dns.alpha.kubernetes.io/hostname",
    ]);
    expect(lookupPointer(doc, "/metadata/annotations/a~0b")).toEqual({ found: true, value: "y" });
    expect(parsePointer("spec")).toBeUndefined();
  });
  it("reads array items by index and treats what does not resolve as absent", () => {
    expect(lookupPointer(doc, "/spec/containers/1/image")).toEqual({ found: true, value: "b:1" });
    expect(lookupPointer(doc, "/spec/containers/2/image").found).toBe(false);
    expect(lookupPointer(doc, "/spec/replicas/invalid").found).toBe(false);
    expect(lookupPointer(doc, "/spec/containers/01").found).toBe(false);
  });
  it("removes in a copy; a path that does not resolve is a no-op", () => {
    const out = withoutPaths(doc, [
      "/spec/replicas",
      "/spec/containers/0/image",
      "/spec/missing/deep",
      "/spec/replicas/invalid",
    ]);
    expect(out.spec).toEqual({ containers: [{ name: "app" }, { name: "side", image: "b:1" }] });
    expect(doc.spec.replicas).toBe(1);
    const arr = { a: [1, 2, 3] };
    removePointer(arr, "/a/1");
    expect(arr.a).toEqual([1, 3]);
  });
});

describe("resolving ignored fields before an apply", () => {
  const managed = (...entries: Record<string, unknown>[]) => entries;
  const desired = (): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "apps" },
    spec: {
      replicas: 2,
      template: {
        spec: { containers: [{ name: "app", image: "app:2", resources: { limits: { cpu: "1" } } }] },
      },
    },
  });
  const live = (managedFields: unknown[], replicas = 5, cpu = "2"): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "apps", managedFields },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: "app", image: "app:1", resources: { limits: { cpu } } }] } },
    },
  });
  const dryRunOf = (d: KubeObject): KubeObject => structuredClone(d);

  it("drops a drifted field that another Apply manager owns, so that it keeps it", () => {
    const l = live(
      managed(
        { manager: "driftless", operation: "Apply", fieldsV1: { "f:spec": { "f:template": {} } } },
        { manager: "hpa", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      ),
    );
    const payload = resolveIgnoredFields(desired(), l, dryRunOf(desired()), ["/spec/replicas"], "driftless");
    expect((payload.spec as { replicas?: number }).replicas).toBeUndefined();
  });

  it("sets the live value when no other Apply manager owns it (kubectl scale, an Update)", () => {
    const l = live(
      managed(
        { manager: "driftless", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } },
        {
          manager: "kubectl",
          operation: "Update",
          subresource: "scale",
          fieldsV1: { "f:spec": { "f:replicas": {} } },
        },
        { manager: "other", operation: "Update", fieldsV1: { "f:spec": { "f:replicas": {} } } },
      ),
    );
    const payload = resolveIgnoredFields(desired(), l, dryRunOf(desired()), ["/spec/replicas"], "driftless");
    expect((payload.spec as { replicas?: number }).replicas).toBe(5);
  });

  it("leaves a field that did not drift in the payload, and never touches the desired object", () => {
    const d = desired();
    const l = live(
      managed({ manager: "hpa", operation: "Apply", fieldsV1: { "f:spec": { "f:replicas": {} } } }),
      2,
    );
    const payload = resolveIgnoredFields(d, l, dryRunOf(d), ["/spec/replicas"], "driftless");
    expect(payload).toEqual(d);
    expect(payload).not.toBe(d);
  });

  it("resolves list items by their merge key to find the owner", () => {
    const fields = {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"app"}': { ".": {}, "f:resources": { "f:limits": {} } } },
          },
        },
      },
    };
    const vpa = live(managed({ manager: "vpa", operation: "Apply", fieldsV1: fields }));
    const path = "/spec/template/spec/containers/0/resources";
    expect(ownedByOtherApplyManager(vpa, path, "driftless")).toBe(true);
    expect(ownedByOtherApplyManager(vpa, "/spec/template/spec/containers/0/image", "driftless")).toBe(false);
    const stripped = resolveIgnoredFields(desired(), vpa, dryRunOf(desired()), [path], "driftless");
    expect(lookupPointer(stripped, path).found).toBe(false);
    expect(lookupPointer(stripped, "/spec/template/spec/containers/0/image").value).toBe("app:2");

    const own = live(managed({ manager: "driftless", operation: "Apply", fieldsV1: fields }));
    const adopted = resolveIgnoredFields(desired(), own, dryRunOf(desired()), [path], "driftless");
    expect(lookupPointer(adopted, path).value).toEqual({ limits: { cpu: "2" } });
  });

  it("drops a field the live object does not have", () => {
    const l = live([]);
    delete (l.spec as { replicas?: number }).replicas;
    const payload = resolveIgnoredFields(desired(), l, dryRunOf(desired()), ["/spec/replicas"], "driftless");
    expect((payload.spec as { replicas?: number }).replicas).toBeUndefined();
  });
});
