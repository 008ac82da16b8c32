// Malformed and unusual kustomization trees, built by the real kustomize (the oracle) and by driftless;
// prints every disagreement (one accepts what the other rejects, or the outputs differ):
//   node test/kustomize/malformed.ts [name-substring] [--write <prefix>]
// With --write, each disagreeing case (or, with --all, every case) is copied into cases/<prefix><name>
// so that record.ts can record the oracle's answer for the conformance test (--out <dir>: elsewhere).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { build } from "../../src/kustomize/build.ts";

const kustomize = process.env.KUSTOMIZE ?? path.join(homedir(), ".cache/driftless/bin/kustomize");

/** One malformed case: files of its tree (paths relative to in/) and the directory to build. */
export interface MalformedCase {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly build?: string;
}

const CM = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data:
  k: v
`;
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: main
        image: nginx:1.25
        env:
        - name: A
          value: "1"
`;
const SVC = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
`;
const BASE = { "cm.yaml": CM, "deploy.yaml": DEPLOY, "svc.yaml": SVC };
const RES = "resources:\n- cm.yaml\n- deploy.yaml\n- svc.yaml\n";

// Values of every shape, as YAML flow text, for the wrong-type sweep.
const SHAPES: Record<string, string> = {
  str: "x",
  num: "3",
  bool: "true",
  null: "null",
  empty: '""',
  list: "[x]",
  emptylist: "[]",
  map: "{a: b}",
  emptymap: "{}",
  listofmap: "[{a: b}]",
  listofnum: "[1]",
};

const FIELDS = [
  "namePrefix",
  "nameSuffix",
  "namespace",
  "commonLabels",
  "labels",
  "commonAnnotations",
  "patchesStrategicMerge",
  "patchesJson6902",
  "patches",
  "images",
  "replacements",
  "replicas",
  "vars",
  "sortOptions",
  "resources",
  "components",
  "crds",
  "bases",
  "configMapGenerator",
  "secretGenerator",
  "generatorOptions",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "buildMetadata",
  "openapi",
  "apiVersion",
  "kind",
  "metadata",
];

function typeSweep(): MalformedCase[] {
  const out: MalformedCase[] = [];
  for (const f of FIELDS) {
    for (const [shape, v] of Object.entries(SHAPES)) {
      // resources carries the objects unless it is the field under test.
      const res = f === "resources" || f === "bases" ? "" : RES;
      out.push({
        name: `type-${f}-${shape}`,
        files: { ...BASE, "kustomization.yaml": `${res}${f}: ${v}\n` },
      });
    }
  }
  return out;
}

// Nested fields: a shape in a sub-field of a list entry.
function nestedSweep(): MalformedCase[] {
  const out: MalformedCase[] = [];
  const nests: Record<string, (v: string) => string> = {
    "cmg-literals": (v) => `configMapGenerator:\n- name: g\n  literals: ${v}\n`,
    "cmg-name": (v) => `configMapGenerator:\n- name: ${v}\n  literals: [a=b]\n`,
    "cmg-files": (v) => `configMapGenerator:\n- name: g\n  files: ${v}\n`,
    "cmg-envs": (v) => `configMapGenerator:\n- name: g\n  envs: ${v}\n`,
    "cmg-behavior": (v) => `configMapGenerator:\n- name: g\n  behavior: ${v}\n  literals: [a=b]\n`,
    "cmg-options": (v) => `configMapGenerator:\n- name: g\n  literals: [a=b]\n  options: ${v}\n`,
    "cmg-options-labels": (v) =>
      `configMapGenerator:\n- name: g\n  literals: [a=b]\n  options:\n    labels: ${v}\n`,
    "cmg-disablehash": (v) =>
      `configMapGenerator:\n- name: g\n  literals: [a=b]\n  options:\n    disableNameSuffixHash: ${v}\n`,
    "secret-type": (v) => `secretGenerator:\n- name: s\n  literals: [a=b]\n  type: ${v}\n`,
    "images-name": (v) => `images:\n- name: ${v}\n  newTag: "2"\n`,
    "images-newtag": (v) => `images:\n- name: nginx\n  newTag: ${v}\n`,
    "images-newname": (v) => `images:\n- name: nginx\n  newName: ${v}\n`,
    "images-digest": (v) => `images:\n- name: nginx\n  digest: ${v}\n`,
    "replicas-name": (v) => `replicas:\n- name: ${v}\n  count: 2\n`,
    "replicas-count": (v) => `replicas:\n- name: web\n  count: ${v}\n`,
    "patches-patch": (v) => `patches:\n- patch: ${v}\n`,
    "patches-path": (v) => `patches:\n- path: ${v}\n`,
    "patches-target": (v) =>
      `patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: ${v}\n`,
    "patches-target-kind": (v) =>
      `patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target:\n    kind: ${v}\n`,
    "patches-options": (v) =>
      `patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {kind: ConfigMap}\n  options: ${v}\n`,
    "labels-pairs": (v) => `labels:\n- pairs: ${v}\n`,
    "labels-includeselectors": (v) => `labels:\n- pairs: {a: b}\n  includeSelectors: ${v}\n`,
    "commonlabels-value": (v) => `commonLabels:\n  a: ${v}\n`,
    "commonannotations-value": (v) => `commonAnnotations:\n  a: ${v}\n`,
    "sortoptions-order": (v) => `sortOptions:\n  order: ${v}\n`,
    "sortoptions-legacy": (v) => `sortOptions:\n  order: legacy\n  legacySortOptions: ${v}\n`,
    "sortoptions-orderfirst": (v) =>
      `sortOptions:\n  order: legacy\n  legacySortOptions:\n    orderFirst: ${v}\n`,
    "replacements-source": (v) =>
      `replacements:\n- source: ${v}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
    "replacements-targets": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets: ${v}\n`,
    "replacements-fieldpaths": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: ${v}\n`,
    "replacements-select": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: ${v}\n    fieldPaths: [metadata.labels.x]\n`,
    "replacements-reject": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    reject: ${v}\n    fieldPaths: [metadata.labels.x]\n`,
    "replacements-options": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n    options: ${v}\n`,
    "replacements-index": (v) =>
      `replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n    options: {delimiter: "-", index: ${v}}\n`,
    "vars-name": (v) => `vars:\n- name: ${v}\n  objref: {kind: Service, name: web, apiVersion: v1}\n`,
    "vars-objref": (v) => `vars:\n- name: V\n  objref: ${v}\n`,
    "vars-fieldref": (v) =>
      `vars:\n- name: V\n  objref: {kind: Service, name: web, apiVersion: v1}\n  fieldref: ${v}\n`,
    "generatoroptions-labels": (v) =>
      `generatorOptions:\n  labels: ${v}\nconfigMapGenerator:\n- name: g\n  literals: [a=b]\n`,
    "generatoroptions-immutable": (v) =>
      `generatorOptions:\n  immutable: ${v}\nconfigMapGenerator:\n- name: g\n  literals: [a=b]\n`,
    "openapi-path": (v) => `openapi:\n  path: ${v}\n`,
  };
  for (const [n, f] of Object.entries(nests)) {
    for (const [shape, v] of Object.entries(SHAPES)) {
      out.push({ name: `nest-${n}-${shape}`, files: { ...BASE, "kustomization.yaml": RES + f(v) } });
    }
  }
  return out;
}

function k(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...BASE, "kustomization.yaml": body, ...extra };
}

// Hand-written odd inputs.
function oddCases(): MalformedCase[] {
  const c = (name: string, files: Record<string, string>, build?: string): MalformedCase =>
    build === undefined ? { name, files } : { name, files, build };
  return [
    // YAML syntax
    c("yaml-dup-key-kustomization", k(`${RES}namePrefix: a-\nnamePrefix: b-\n`)),
    c("yaml-dup-key-resource", k(RES, { "cm.yaml": `${CM}data:\n  j: w\n` })),
    c("yaml-dup-key-nested-resource", k(RES, { "cm.yaml": CM.replace("  k: v\n", "  k: v\n  k: w\n") })),
    c("yaml-tab-indent-kustomization", k("resources:\n\t- cm.yaml\n")),
    c("yaml-tab-in-value", k(RES, { "cm.yaml": CM.replace("k: v", "k: a\tb") })),
    c(
      "yaml-tab-indent-resource",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: cm\n" }),
    ),
    c(
      "yaml-bad-indent-resource",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n   x: y\n" }),
    ),
    c("yaml-bad-indent-kustomization", k("resources:\n- cm.yaml\n  - deploy.yaml\n")),
    c("yaml-unclosed-flow", k("resources: [cm.yaml\n")),
    c("yaml-unclosed-quote", k(RES, { "cm.yaml": `${CM}  j: "abc\n` })),
    c(
      "yaml-anchor-alias",
      k(RES, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: &x v\n  b: *x\n",
      }),
    ),
    c(
      "yaml-undefined-alias",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  b: *x\n" }),
    ),
    c(
      "yaml-merge-key",
      k(RES, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  <<: {a: b}\n  c: d\n",
      }),
    ),
    c("yaml-kustomization-alias", k("x: &r [cm.yaml]\nresources: *r\n")),
    c("yaml-kustomization-merge-key", k("resources: [cm.yaml]\ncommonLabels:\n  <<: {a: b}\n")),
    c("yaml-bom-kustomization", k(`\uFEFF${RES}`)),
    c("yaml-crlf-kustomization", k(RES.replaceAll("\n", "\r\n"))),
    c("yaml-crlf-resource", k(RES, { "cm.yaml": CM.replaceAll("\n", "\r\n") })),
    c("yaml-two-docs-kustomization", k(`${RES}---\nnamePrefix: x-\n`)),
    c("yaml-doc-end-marker", k(RES, { "cm.yaml": `${CM}...\n` })),
    c("yaml-directive", k(RES, { "cm.yaml": `%YAML 1.2\n---\n${CM}` })),
    c("yaml-tagged-str", k(RES, { "cm.yaml": CM.replace("k: v", "k: !!str 3") })),
    c("yaml-tagged-int-in-str-field", k(RES, { "cm.yaml": CM.replace("k: v", "k: !!int 3") })),
    c("yaml-custom-tag", k(RES, { "cm.yaml": CM.replace("k: v", "k: !foo bar") })),
    c("yaml-complex-key", k(RES, { "cm.yaml": CM.replace("k: v", "? [a, b]\n  : v") })),
    c("yaml-null-key", k(RES, { "cm.yaml": CM.replace("k: v", "~: v") })),
    c("yaml-int-key", k(RES, { "cm.yaml": CM.replace("k: v", "1: v") })),
    c("yaml-bool-key", k(RES, { "cm.yaml": CM.replace("k: v", "true: v") })),
    c("yaml-kustomization-int-key", k(`${RES}1: x\n`)),
    c("yaml-kustomization-scalar", k("hello\n")),
    c("yaml-kustomization-list", k("- cm.yaml\n")),
    c("yaml-kustomization-only-comment", k("# nothing\n")),
    c("yaml-kustomization-null-doc", k("---\n~\n")),
    c("yaml-kustomization-empty-map", k("{}\n")),
    c("yaml-empty-first-doc", k(`---\n---\n${RES}`)),
    c("yaml-very-long-string", k(RES, { "cm.yaml": CM.replace("k: v", `k: ${"x".repeat(5000)}`) })),
    c("yaml-multiline-plain", k(RES, { "cm.yaml": CM.replace("k: v", "k: a\n    b\n    c") })),
    c("yaml-block-literal-keep", k(RES, { "cm.yaml": CM.replace("k: v", "k: |+\n    a\n\n") })),
    c("yaml-float-forms", k(RES, { "deploy.yaml": DEPLOY.replace("replicas: 1", "replicas: 1.0") })),
    c("yaml-octal", k(RES, { "deploy.yaml": DEPLOY.replace("replicas: 1", "replicas: 0o17") })),
    c("yaml-hex", k(RES, { "deploy.yaml": DEPLOY.replace("replicas: 1", "replicas: 0x1F") })),
    c("yaml-inf", k(RES, { "deploy.yaml": DEPLOY.replace("replicas: 1", "replicas: .inf") })),
    c("yaml-yes-no", k(RES, { "cm.yaml": CM.replace("k: v", "k: yes\n  n: off") })),
    // Documents that are not objects / bad objects
    c("doc-scalar", k(RES, { "cm.yaml": "just a string\n" })),
    c("doc-list", k(RES, { "cm.yaml": "- a\n- b\n" })),
    c("doc-number", k(RES, { "cm.yaml": "42\n" })),
    c("doc-scalar-second", k(RES, { "cm.yaml": `${CM}---\nhello\n` })),
    c("doc-no-kind", k(RES, { "cm.yaml": "apiVersion: v1\nmetadata:\n  name: cm\n" })),
    c("doc-no-apiversion", k(RES, { "cm.yaml": "kind: ConfigMap\nmetadata:\n  name: cm\n" })),
    c("doc-no-metadata", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\n" })),
    c("doc-metadata-scalar", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: x\n" })),
    c("doc-metadata-list", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [x]\n" })),
    c("doc-name-number", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 123\n" })),
    c("doc-name-bool", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: true\n" })),
    c("doc-name-empty", k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ''\n" })),
    c(
      "doc-name-odd-chars",
      k(`${RES}namePrefix: p-\n`, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'a b/c:d*é'\n",
      }),
    ),
    c(
      "doc-name-generatename",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: cm-\n" }),
    ),
    c("doc-kind-number", k(RES, { "cm.yaml": "apiVersion: v1\nkind: 3\nmetadata:\n  name: cm\n" })),
    c("doc-kind-list", k(RES, { "cm.yaml": "apiVersion: v1\nkind: [a]\nmetadata:\n  name: cm\n" })),
    c(
      "doc-apiversion-number",
      k(RES, { "cm.yaml": "apiVersion: 1\nkind: ConfigMap\nmetadata:\n  name: cm\n" }),
    ),
    c(
      "doc-apiversion-map",
      k(RES, { "cm.yaml": "apiVersion: {a: b}\nkind: ConfigMap\nmetadata:\n  name: cm\n" }),
    ),
    c(
      "doc-namespace-number",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: 5\n" }),
    ),
    c(
      "doc-namespace-map",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: {a: b}\n" }),
    ),
    c(
      "doc-labels-list",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels: [a]\n" }),
    ),
    c(
      "doc-labels-number-value",
      k(`${RES}commonLabels: {x: y}\n`, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels:\n    a: 1\n",
      }),
    ),
    c(
      "doc-annotations-scalar",
      k(`${RES}commonAnnotations: {x: y}\n`, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations: x\n",
      }),
    ),
    c("doc-list-kind-items-scalar", k(RES, { "cm.yaml": "apiVersion: v1\nkind: List\nitems: x\n" })),
    c("doc-list-kind-items-scalar-elem", k(RES, { "cm.yaml": "apiVersion: v1\nkind: List\nitems:\n- x\n" })),
    c(
      "doc-list-kind-no-items",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMapList\nmetadata:\n  name: l\n" }),
    ),
    c("doc-list-kind-empty-items", k(RES, { "cm.yaml": "apiVersion: v1\nkind: List\nitems: []\n" })),
    c(
      "doc-list-nested-list",
      k(RES, {
        "cm.yaml": `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n  - ${CM.trimEnd().replaceAll("\n", "\n    ")}\n`,
      }),
    ),
    c("doc-only-comments", k(RES, { "cm.yaml": "# just a comment\n" })),
    c("doc-empty-file", k(RES, { "cm.yaml": "" })),
    c("doc-empty-map", k(RES, { "cm.yaml": "{}\n" })),
    c(
      "doc-null-doc-between",
      k(RES, { "cm.yaml": `${CM}---\n~\n---\n${SVC.replace("name: web", "name: other")}` }),
    ),
    // Duplicate ids
    c("dup-id-same-file", k(RES, { "cm.yaml": `${CM}---\n${CM}` })),
    c("dup-id-two-files", k(`${RES}- cm2.yaml\n`, { "cm2.yaml": CM })),
    c("dup-id-same-file-twice", k("resources:\n- cm.yaml\n- cm.yaml\n")),
    c("dup-id-base-twice", {
      "base/cm.yaml": CM,
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "kustomization.yaml": "resources:\n- base\n- base\n",
    }),
    c("dup-id-base-and-file", {
      "base/cm.yaml": CM,
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "cm.yaml": CM,
      "kustomization.yaml": "resources:\n- base\n- cm.yaml\n",
    }),
    c(
      "dup-id-different-namespace",
      k(RES, { "cm.yaml": `${CM}---\n${CM.replace("name: cm", "name: cm\n  namespace: other")}` }),
    ),
    c(
      "dup-id-different-group",
      k(RES, { "cm.yaml": `${CM}---\n${CM.replace("apiVersion: v1", "apiVersion: x.io/v1")}` }),
    ),
    c(
      "dup-id-different-version",
      k(RES, { "cm.yaml": `${CM}---\n${CM.replace("apiVersion: v1", "apiVersion: v2")}` }),
    ),
    c("dup-id-after-prefix", {
      "a/cm.yaml": CM,
      "a/kustomization.yaml": "namePrefix: x-\nresources: [cm.yaml]\n",
      "b/cm.yaml": CM.replace("name: cm", "name: x-cm"),
      "b/kustomization.yaml": "resources: [cm.yaml]\n",
      "kustomization.yaml": "resources: [a, b]\n",
    }),
    c(
      "dup-id-generator-and-resource",
      k(
        `${RES}configMapGenerator:\n- name: cm\n  literals: [a=b]\n  options: {disableNameSuffixHash: true}\n`,
      ),
    ),
    c(
      "dup-generator-same-name",
      k(`${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n- name: g\n  literals: [c=d]\n`),
    ),
    c(
      "dup-generator-same-name-ns",
      k(
        `${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n- name: g\n  namespace: x\n  literals: [c=d]\n`,
      ),
    ),
    // Missing files / paths
    c("missing-resource", k("resources: [nope.yaml]\n")),
    c("missing-patch-file", k(`${RES}patches:\n- path: nope.yaml\n`)),
    c("missing-psm-file", k(`${RES}patchesStrategicMerge: [nope.yaml]\n`)),
    c(
      "missing-json6902-file",
      k(`${RES}patchesJson6902:\n- path: nope.yaml\n  target: {kind: ConfigMap, name: cm}\n`),
    ),
    c("missing-generator-file", k(`${RES}configMapGenerator:\n- name: g\n  files: [nope.txt]\n`)),
    c("missing-generator-env", k(`${RES}configMapGenerator:\n- name: g\n  envs: [nope.env]\n`)),
    c("missing-component", k(`${RES}components: [nope]\n`)),
    c("missing-configuration", k(`${RES}configurations: [nope.yaml]\n`)),
    c("missing-crd", k(`${RES}crds: [nope.yaml]\n`)),
    c("missing-replacement-path", k(`${RES}replacements:\n- path: nope.yaml\n`)),
    c("empty-resource-entry", k("resources:\n- cm.yaml\n- ''\n")),
    c("null-resource-entry", k("resources:\n- cm.yaml\n- ~\n")),
    c("resource-is-dir-without-kustomization", {
      "sub/cm.yaml": CM,
      "kustomization.yaml": "resources: [sub]\n",
    }),
    c("resource-dot", k("resources: [.]\n")),
    c("resource-absolute-outside", k("resources: [/etc/hostname]\n")),
    c("resource-escape", { "app/kustomization.yaml": "resources: [../cm.yaml]\n", "cm.yaml": CM }, "app"),
    c(
      "generator-file-escape",
      { "app/kustomization.yaml": "configMapGenerator:\n- name: g\n  files: [../x.txt]\n", "x.txt": "hi\n" },
      "app",
    ),
    c(
      "patch-file-escape",
      {
        "app/kustomization.yaml": "resources: [cm.yaml]\npatches:\n- path: ../p.yaml\n",
        "app/cm.yaml": CM,
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  z: z\n",
      },
      "app",
    ),
    c(
      "base-escape-allowed",
      {
        "app/kustomization.yaml": "resources: [../base]\n",
        "base/kustomization.yaml": "resources: [cm.yaml]\n",
        "base/cm.yaml": CM,
      },
      "app",
    ),
    c("cycle-self", k("resources: [., cm.yaml]\n")),
    c("cycle-component-self", {
      "c/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncomponents: [.]\n",
      ...k(`${RES}components: [c]\n`),
    }),
    c("base-file-is-kustomization-yaml", k("resources: [kustomization.yaml]\n")),
    // Patches
    c(
      "patch-target-none",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {kind: Nope}\n`,
      ),
    ),
    c(
      "patch-target-several",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {name: web}\n`,
      ),
    ),
    c(
      "patch-smp-no-match",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: nope\n    data: {a: b}\n`,
      ),
    ),
    c(
      "patch-smp-target-several",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: X\n    metadata:\n      name: whatever\n      labels: {p: q}\n  target: {name: web}\n`,
      ),
    ),
    c(
      "patch-smp-no-name",
      k(`${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    data: {a: b}\n`),
    ),
    c(
      "patch-smp-no-name-with-target",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    data: {a: b}\n  target: {kind: ConfigMap}\n`,
      ),
    ),
    c(
      "patch-smp-no-kind-with-target",
      k(
        `${RES}patches:\n- patch: |\n    metadata:\n      name: x\n    data: {a: b}\n  target: {kind: ConfigMap}\n`,
      ),
    ),
    c(
      "patch-smp-only-data-with-target",
      k(`${RES}patches:\n- patch: |\n    data: {a: b}\n  target: {kind: ConfigMap}\n`),
    ),
    c(
      "patch-json-missing-path-replace",
      k(
        `${RES}patches:\n- patch: '[{"op": "replace", "path": "/spec/nope/x", "value": "y"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-missing-path-remove",
      k(
        `${RES}patches:\n- patch: '[{"op": "remove", "path": "/spec/nope"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-add-deep-missing",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/spec/a/b/c", "value": 1}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-add-index-oob",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/spec/template/spec/containers/5", "value": {}}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-add-dash",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "x", "image": "y"}}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-test-fail",
      k(
        `${RES}patches:\n- patch: '[{"op": "test", "path": "/spec/replicas", "value": 3}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-test-ok",
      k(
        `${RES}patches:\n- patch: '[{"op": "test", "path": "/spec/replicas", "value": 1}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-move-missing",
      k(
        `${RES}patches:\n- patch: '[{"op": "move", "from": "/spec/nope", "path": "/spec/x"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-copy",
      k(
        `${RES}patches:\n- patch: '[{"op": "copy", "from": "/spec/replicas", "path": "/spec/x"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-no-path",
      k(`${RES}patches:\n- patch: '[{"op": "add", "value": 1}]'\n  target: {kind: Deployment}\n`),
    ),
    c(
      "patch-json-no-value",
      k(`${RES}patches:\n- patch: '[{"op": "add", "path": "/spec/x"}]'\n  target: {kind: Deployment}\n`),
    ),
    c(
      "patch-json-path-no-slash",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "spec/x", "value": 1}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-escaped-path",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/annotations", "value": {}}, {"op": "add", "path": "/metadata/annotations/a~1b~0c", "value": "1"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "patch-json-yaml-form",
      k(
        `${RES}patches:\n- patch: |\n    - op: add\n      path: /metadata/labels/x\n      value: y\n  target: {kind: Deployment}\n`,
      ),
    ),
    c("patch-json-empty-list", k(`${RES}patches:\n- patch: '[]'\n  target: {kind: Deployment}\n`)),
    c(
      "patch-json-object-not-list",
      k(`${RES}patches:\n- patch: '{"op": "add", "path": "/x", "value": 1}'\n  target: {kind: Deployment}\n`),
    ),
    c(
      "patch-json-replace-root",
      k(
        `${RES}patches:\n- patch: '[{"op": "replace", "path": "", "value": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "z"}}}]'\n  target: {kind: ConfigMap}\n`,
      ),
    ),
    c(
      "patch-json-change-name",
      k(
        `${RES}patches:\n- patch: '[{"op": "replace", "path": "/metadata/name", "value": "renamed"}]'\n  target: {kind: ConfigMap}\n`,
      ),
    ),
    c(
      "patch-json-change-kind",
      k(
        `${RES}patches:\n- patch: '[{"op": "replace", "path": "/kind", "value": "Secret"}]'\n  target: {kind: ConfigMap}\n`,
      ),
    ),
    c(
      "patch-json-change-name-allowed",
      k(
        `${RES}patches:\n- patch: '[{"op": "replace", "path": "/metadata/name", "value": "renamed"}]'\n  target: {kind: ConfigMap}\n  options: {allowNameChange: true}\n`,
      ),
    ),
    c(
      "patch-both-path-and-patch",
      k(`${RES}patches:\n- path: p.yaml\n  patch: '[]'\n  target: {kind: ConfigMap}\n`, { "p.yaml": "[]\n" }),
    ),
    c("patch-neither", k(`${RES}patches:\n- target: {kind: ConfigMap}\n`)),
    c("patch-empty-string", k(`${RES}patches:\n- patch: ''\n  target: {kind: ConfigMap}\n`)),
    c("patch-empty-file", k(`${RES}patches:\n- path: p.yaml\n`, { "p.yaml": "" })),
    c(
      "patch-multi-doc-smp",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    data: {a: b}\n    ---\n    apiVersion: v1\n    kind: Service\n    metadata: {name: web}\n    spec: {type: NodePort}\n`,
      ),
    ),
    c(
      "patch-dollar-patch-delete",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    $patch: delete\n`,
      ),
    ),
    c(
      "patch-dollar-patch-replace",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    $patch: replace\n    data: {z: z}\n`,
      ),
    ),
    c(
      "patch-dollar-patch-odd",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    $patch: frobnicate\n`,
      ),
    ),
    c(
      "patch-dollar-patch-merge",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    $patch: merge\n    data: {z: z}\n`,
      ),
    ),
    c(
      "patch-dollar-patch-number",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    $patch: 3\n`,
      ),
    ),
    c(
      "patch-dollar-patch-nested-delete",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    data:\n      $patch: delete\n`,
      ),
    ),
    c(
      "patch-dollar-patch-nested-replace",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    data:\n      $patch: replace\n      q: r\n`,
      ),
    ),
    c(
      "patch-dollar-patch-nested-odd",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n    data:\n      $patch: odd\n`,
      ),
    ),
    c(
      "patch-dollar-patch-list-delete",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - name: main\n            $patch: delete\n`,
      ),
    ),
    c(
      "patch-dollar-patch-list-replace",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: replace\n          - name: other\n            image: x\n`,
      ),
    ),
    c(
      "patch-dollar-patch-list-odd",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: bogus\n`,
      ),
    ),
    c(
      "patch-smp-list-no-merge-key",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - image: x\n`,
      ),
    ),
    c(
      "patch-smp-scalar-over-map",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template: x\n`,
      ),
    ),
    c(
      "patch-smp-map-over-scalar",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      replicas: {a: b}\n`,
      ),
    ),
    c(
      "patch-smp-list-over-map",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template: [a]\n`,
      ),
    ),
    c(
      "patch-smp-delete-from-primitive-list",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          $deleteFromPrimitiveList/finalizers: [a]\n`,
      ),
    ),
    c(
      "patch-smp-retain-keys",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      strategy:\n        $retainKeys: [type]\n        type: Recreate\n`,
      ),
    ),
    c(
      "patch-smp-set-element-order",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          $setElementOrder/containers: [{name: main}]\n          containers:\n          - name: main\n            image: y\n`,
      ),
    ),
    c("patch-smp-scalar-doc", k(`${RES}patches:\n- patch: hello\n  target: {kind: ConfigMap}\n`)),
    c("patch-smp-list-doc", k(`${RES}patches:\n- patch: '- a'\n  target: {kind: ConfigMap}\n`)),
    c(
      "patch-smp-unknown-kind",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: x.io/v1\n    kind: Nope\n    metadata: {name: cm}\n    data: {a: b}\n`,
      ),
    ),
    c(
      "patch-target-bad-label-selector",
      k(`${RES}patches:\n- patch: '[]'\n  target: {labelSelector: "a in (b"}\n`),
    ),
    c("patch-target-bad-regex", k(`${RES}patches:\n- patch: '[]'\n  target: {name: "web("}\n`)),
    c(
      "patch-target-regex-anchored",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {kind: "Deploy.*"}\n`,
      ),
    ),
    c(
      "patch-target-empty",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/annotations", "value": {"x": "y"}}]'\n  target: {}\n`,
      ),
    ),
    c(
      "psm-inline",
      k(
        `${RES}patchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cm}\n  data: {a: b}\n`,
      ),
    ),
    c(
      "psm-no-match",
      k(
        `${RES}patchesStrategicMerge:\n- |\n  apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: nope}\n  data: {a: b}\n`,
      ),
    ),
    c(
      "psm-json-patch-content",
      k(`${RES}patchesStrategicMerge: [p.yaml]\n`, { "p.yaml": "- op: add\n  path: /x\n  value: 1\n" }),
    ),
    c(
      "psm-two-patches-same-target",
      k(`${RES}patchesStrategicMerge: [p.yaml, q.yaml]\n`, {
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n",
        "q.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: c}\n",
      }),
    ),
    c(
      "psm-two-patches-same-file",
      k(`${RES}patchesStrategicMerge: [p.yaml]\n`, {
        "p.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: c}\n",
      }),
    ),
    c("json6902-no-target", k(`${RES}patchesJson6902:\n- patch: '[]'\n`)),
    c(
      "json6902-target-no-name",
      k(
        `${RES}patchesJson6902:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {kind: Deployment}\n`,
      ),
    ),
    c(
      "json6902-smp-content",
      k(
        `${RES}patchesJson6902:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: cm}\n  target: {kind: ConfigMap, name: cm}\n`,
      ),
    ),
    // Generators
    c("gen-no-name", k(`${RES}configMapGenerator:\n- literals: [a=b]\n`)),
    c("gen-no-sources", k(`${RES}configMapGenerator:\n- name: g\n`)),
    c("gen-literal-no-equals", k(`${RES}configMapGenerator:\n- name: g\n  literals: [abc]\n`)),
    c("gen-literal-empty-key", k(`${RES}configMapGenerator:\n- name: g\n  literals: ["=v"]\n`)),
    c("gen-literal-empty-value", k(`${RES}configMapGenerator:\n- name: g\n  literals: ["k="]\n`)),
    c("gen-literal-bad-key", k(`${RES}configMapGenerator:\n- name: g\n  literals: ["a b=c"]\n`)),
    c(
      "gen-literal-quoted",
      k(`${RES}configMapGenerator:\n- name: g\n  literals: ["a=\\"b c\\"", "d='e'"]\n`),
    ),
    c(
      "gen-literal-multiline",
      k(`${RES}configMapGenerator:\n- name: g\n  literals:\n  - |\n    a=line1\n    line2\n`),
    ),
    c(
      "gen-env-bad-line",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "GOOD=1\nbad line\n" }),
    ),
    c(
      "gen-env-no-value",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "GOOD=1\nBARE\n" }),
    ),
    c(
      "gen-env-dup-key",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "A=1\nA=2\n" }),
    ),
    c(
      "gen-env-comment-blank",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, {
        "a.env": "# c\n\nA=1\n  # indented\nB = 2 \n",
      }),
    ),
    c(
      "gen-env-export",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "export A=1\n" }),
    ),
    c("gen-env-bad-key", k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "1A=1\n" })),
    c("gen-env-empty-key", k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "=1\n" })),
    c(
      "gen-env-bom",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "\uFEFFA=1\n" }),
    ),
    c(
      "gen-env-crlf",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "A=1\r\nB=2\r\n" }),
    ),
    c(
      "gen-env-quoted",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "A=\"x y\"\nB='z'\n" }),
    ),
    c(
      "gen-env-invalid-utf8",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env]\n`, { "a.env": "A=\xff\n" }),
    ),
    c(
      "gen-env-and-envs",
      k(`${RES}configMapGenerator:\n- name: g\n  env: a.env\n  envs: [b.env]\n`, {
        "a.env": "A=1\n",
        "b.env": "B=2\n",
      }),
    ),
    c(
      "gen-env-dup-across-files",
      k(`${RES}configMapGenerator:\n- name: g\n  envs: [a.env, b.env]\n`, {
        "a.env": "A=1\n",
        "b.env": "A=2\n",
      }),
    ),
    c(
      "gen-file-dup-key",
      k(`${RES}configMapGenerator:\n- name: g\n  files: [a.txt, sub/a.txt]\n`, {
        "a.txt": "1\n",
        "sub/a.txt": "2\n",
      }),
    ),
    c(
      "gen-file-and-literal-dup-key",
      k(`${RES}configMapGenerator:\n- name: g\n  files: [a.txt]\n  literals: [a.txt=x]\n`, {
        "a.txt": "1\n",
      }),
    ),
    c(
      "gen-file-key-rename",
      k(`${RES}configMapGenerator:\n- name: g\n  files: [other=a.txt]\n`, { "a.txt": "1\n" }),
    ),
    c(
      "gen-file-key-empty",
      k(`${RES}configMapGenerator:\n- name: g\n  files: ["=a.txt"]\n`, { "a.txt": "1\n" }),
    ),
    c(
      "gen-file-key-bad",
      k(`${RES}configMapGenerator:\n- name: g\n  files: ["a b=a.txt"]\n`, { "a.txt": "1\n" }),
    ),
    c(
      "gen-file-two-equals",
      k(`${RES}configMapGenerator:\n- name: g\n  files: ["a=b=a.txt"]\n`, { "a.txt": "1\n" }),
    ),
    c("gen-file-is-dir", k(`${RES}configMapGenerator:\n- name: g\n  files: [sub]\n`, { "sub/x.txt": "1\n" })),
    c(
      "gen-file-binary",
      k(`${RES}configMapGenerator:\n- name: g\n  files: [a.bin]\n`, { "a.bin": "\x00\x01\xff" }),
    ),
    c("gen-file-empty", k(`${RES}configMapGenerator:\n- name: g\n  files: [a.txt]\n`, { "a.txt": "" })),
    c(
      "gen-behavior-bad",
      k(`${RES}configMapGenerator:\n- name: g\n  behavior: sideways\n  literals: [a=b]\n`),
    ),
    c(
      "gen-behavior-merge-missing",
      k(`${RES}configMapGenerator:\n- name: g\n  behavior: merge\n  literals: [a=b]\n`),
    ),
    c(
      "gen-behavior-replace-missing",
      k(`${RES}configMapGenerator:\n- name: g\n  behavior: replace\n  literals: [a=b]\n`),
    ),
    c(
      "gen-behavior-merge-resource",
      k(`${RES}configMapGenerator:\n- name: cm\n  behavior: merge\n  literals: [a=b]\n`),
    ),
    c(
      "gen-behavior-uppercase",
      k(`${RES}configMapGenerator:\n- name: g\n  behavior: CREATE\n  literals: [a=b]\n`),
    ),
    c("gen-conflict-base-create", {
      "base/kustomization.yaml": "configMapGenerator:\n- name: g\n  literals: [a=b]\n",
      "kustomization.yaml": "resources: [base]\nconfigMapGenerator:\n- name: g\n  literals: [c=d]\n",
    }),
    c(
      "gen-secret-type-tls-missing",
      k(`${RES}secretGenerator:\n- name: s\n  type: kubernetes.io/tls\n  literals: [a=b]\n`),
    ),
    c(
      "gen-secret-and-cm-same-name",
      k(
        `${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\nsecretGenerator:\n- name: g\n  literals: [a=b]\n`,
      ),
    ),
    c("gen-name-odd-chars", k(`${RES}configMapGenerator:\n- name: "G_x.y"\n  literals: [a=b]\n`)),
    c(
      "gen-immutable",
      k(`${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n  options: {immutable: true}\n`),
    ),
    c(
      "gen-unknown-option",
      k(`${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n  options: {foo: 1}\n`),
    ),
    c("gen-key-dot-dot", k(`${RES}configMapGenerator:\n- name: g\n  literals: ["..=x"]\n`)),
    c("gen-key-with-slash", k(`${RES}configMapGenerator:\n- name: g\n  literals: ["a/b=x"]\n`)),
    // images / replicas
    c("images-no-name", k(`${RES}images:\n- newTag: "2"\n`)),
    c("images-empty-entry", k(`${RES}images:\n- {}\n`)),
    c("images-tag-and-digest", k(`${RES}images:\n- name: nginx\n  newTag: "2"\n  digest: sha256:abc\n`)),
    c("images-number-tag", k(`${RES}images:\n- name: nginx\n  newTag: 2\n`)),
    c("images-name-with-tag", k(`${RES}images:\n- name: nginx:1.25\n  newTag: "2"\n`)),
    c("images-newname-with-tag", k(`${RES}images:\n- name: nginx\n  newName: other:3\n`)),
    c("images-newname-with-digest", k(`${RES}images:\n- name: nginx\n  newName: other@sha256:abc\n`)),
    c("images-unknown-field", k(`${RES}images:\n- name: nginx\n  tag: "2"\n`)),
    c("images-dup", k(`${RES}images:\n- name: nginx\n  newTag: "2"\n- name: nginx\n  newTag: "3"\n`)),
    c("images-tagsuffix", k(`${RES}images:\n- name: nginx\n  tagSuffix: -x\n`)),
    c("images-empty-newtag", k(`${RES}images:\n- name: nginx\n  newTag: ""\n`)),
    c(
      "images-image-field-missing",
      k(`${RES}images:\n- name: nginx\n  newTag: "2"\n`, {
        "deploy.yaml": DEPLOY.replace("        image: nginx:1.25\n", ""),
      }),
    ),
    c(
      "images-image-field-number",
      k(`${RES}images:\n- name: nginx\n  newTag: "2"\n`, {
        "deploy.yaml": DEPLOY.replace("image: nginx:1.25", "image: 5"),
      }),
    ),
    c(
      "images-containers-not-list",
      k(`${RES}images:\n- name: nginx\n  newTag: "2"\n`, {
        "deploy.yaml": DEPLOY.replace(/containers:[\s\S]*$/, "containers: {a: b}\n"),
      }),
    ),
    c("replicas-no-count", k(`${RES}replicas:\n- name: web\n`)),
    c("replicas-no-name", k(`${RES}replicas:\n- count: 2\n`)),
    c("replicas-negative", k(`${RES}replicas:\n- name: web\n  count: -1\n`)),
    c("replicas-float", k(`${RES}replicas:\n- name: web\n  count: 1.5\n`)),
    c("replicas-string-count", k(`${RES}replicas:\n- name: web\n  count: "2"\n`)),
    c("replicas-no-match", k(`${RES}replicas:\n- name: nope\n  count: 2\n`)),
    c("replicas-match-cm", k(`${RES}replicas:\n- name: cm\n  count: 2\n`)),
    c("replicas-huge", k(`${RES}replicas:\n- name: web\n  count: 99999999999\n`)),
    c(
      "replicas-spec-missing",
      k(`${RES}replicas:\n- name: web\n  count: 2\n`, {
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
      }),
    ),
    c(
      "replicas-spec-scalar",
      k(`${RES}replicas:\n- name: web\n  count: 2\n`, {
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: x\n",
      }),
    ),
    // Replacements
    c(
      "repl-source-no-match",
      k(
        `${RES}replacements:\n- source: {kind: Nope, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-source-several",
      k(
        `${RES}replacements:\n- source: {name: web, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.x]\n`,
      ),
    ),
    c(
      "repl-source-field-missing",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.nope}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-source-no-fieldpath",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-source-map-value",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [spec.selector]\n`,
      ),
    ),
    c(
      "repl-target-no-select",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-target-no-fieldpaths",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n`,
      ),
    ),
    c(
      "repl-target-field-missing",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-target-field-missing-create",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "repl-target-bad-path-bracket",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.[name=main"]\n`,
      ),
    ),
    c(
      "repl-target-path-index",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n`,
      ),
    ),
    c(
      "repl-target-path-wildcard",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.*.image"]\n`,
      ),
    ),
    c(
      "repl-target-path-index-oob",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.5.image]\n`,
      ),
    ),
    c(
      "repl-target-path-index-oob-create",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.5.image]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "repl-target-path-through-scalar",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas.x]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "repl-target-path-empty",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [""]\n`,
      ),
    ),
    c(
      "repl-target-path-map",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template]\n`,
      ),
    ),
    c(
      "repl-target-path-quoted",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [metadata.annotations.[a.b/c]]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "repl-delimiter-index-neg",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n    options: {delimiter: ":", index: -1}\n`,
      ),
    ),
    c(
      "repl-delimiter-index-big",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n    options: {delimiter: ":", index: 5}\n`,
      ),
    ),
    c(
      "repl-index-no-delimiter",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n    options: {index: 1}\n`,
      ),
    ),
    c(
      "repl-source-delimiter-index-big",
      k(
        `${RES}replacements:\n- source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.image, options: {delimiter: ":", index: 4}}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.k]\n`,
      ),
    ),
    c(
      "repl-source-delimiter-index-neg",
      k(
        `${RES}replacements:\n- source: {kind: Deployment, fieldPath: spec.template.spec.containers.0.image, options: {delimiter: ":", index: -1}}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.k]\n`,
      ),
    ),
    c(
      "repl-source-options-create",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k, options: {create: true}}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-select-bad-labelselector",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {labelSelector: "a in (b"}\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-select-empty",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {}\n    fieldPaths: [metadata.annotations.x]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "repl-reject-everything",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    reject: [{kind: Service}]\n    fieldPaths: [metadata.labels.x]\n`,
      ),
    ),
    c(
      "repl-source-value",
      k(
        `${RES}replacements:\n- sourceValue: hello\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.name]\n`,
      ),
    ),
    c(
      "repl-source-and-value",
      k(
        `${RES}replacements:\n- sourceValue: hello\n  source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.name]\n`,
      ),
    ),
    c(
      "repl-no-source",
      k(`${RES}replacements:\n- targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.name]\n`),
    ),
    c(
      "repl-path-and-inline",
      k(`${RES}replacements:\n- path: r.yaml\n  targets: []\n`, {
        "r.yaml": "source: {kind: ConfigMap, fieldPath: data.k}\ntargets: []\n",
      }),
    ),
    c(
      "repl-path-file-list",
      k(`${RES}replacements:\n- path: r.yaml\n`, {
        "r.yaml":
          "- source: {kind: ConfigMap, fieldPath: data.k}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n    options: {create: true}\n",
      }),
    ),
    c(
      "repl-path-file-unknown-field",
      k(`${RES}replacements:\n- path: r.yaml\n`, {
        "r.yaml": "source: {kind: ConfigMap, fieldPath: data.k}\nbogus: 1\ntargets: []\n",
      }),
    ),
    c("repl-path-file-scalar", k(`${RES}replacements:\n- path: r.yaml\n`, { "r.yaml": "hello\n" })),
    c(
      "repl-source-number-value",
      k(
        `${RES}replacements:\n- source: {kind: Deployment, fieldPath: spec.replicas}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.k]\n`,
      ),
    ),
    c(
      "repl-into-embedded-yaml",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: [data.config\\.yaml.server.host]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.yaml: |\n    server:\n      host: localhost\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-yaml-bracket",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[config.yaml].server.host"]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.yaml: |\n    server:\n      host: localhost\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-json",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[config.json].server.host"]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.json: '{"server": {"host": "localhost"}}'\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-yaml-create",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[config.yaml].server.host"]\n    options: {create: true}\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.yaml: |\n    server:\n      host: localhost\n`,
        },
      ),
    ),
    c(
      "repl-from-embedded-yaml",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, name: emb, fieldPath: "data.[config.yaml].server.host"}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [metadata.labels.x]\n    options: {create: true}\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.yaml: |\n    server:\n      host: localhost\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-json-pretty",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[config.json].server.host", "data.[config.json].z"]\n    options: {create: true}\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  config.json: |\n    {\n      "url": "a<b&c>",\n      "server": {"port": 80, "host": "localhost", "tls": false},\n      "list": [1, 2.5, null]\n    }\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-yaml-list-number",
      k(
        `${RES}replacements:\n- source: {kind: ConfigMap, name: cm, fieldPath: data.port}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[c.yaml].servers.0.port", "data.[c.yaml].servers.[name=b].port"]\n`,
        {
          "cm.yaml": `${CM.replace("k: v", 'port: "9090"')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  c.yaml: |\n    # servers\n    servers:\n    - name: a\n      port: 80\n    - name: b\n      port: "81"\n    zeta: 1\n    alpha: [x, y]\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-scalar-text",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[c.yaml].host"]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  c.yaml: just text\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-bad-yaml",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[c.yaml].host"]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  c.yaml: "a: [b"\n`,
        },
      ),
    ),
    c(
      "repl-into-embedded-missing-no-create",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: ConfigMap, name: emb}\n    fieldPaths: ["data.[c.yaml].nope.host"]\n`,
        {
          "cm.yaml": `${CM}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: emb\ndata:\n  c.yaml: "a: b"\n`,
        },
      ),
    ),
    c(
      "repl-annotation-key-with-dots",
      k(
        `${RES}replacements:\n- source: {kind: Service, fieldPath: metadata.name}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["metadata.annotations.[example.com/x]", "metadata.labels.a\\\\.b", "metadata.annotations.[a.b.c]"]\n    options: {create: true}\n`,
      ),
    ),
    c(
      "patch-target-bad-label-selector-op",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {labelSelector: "a in (b"}\n`,
      ),
    ),
    c(
      "patch-target-bad-regex-op",
      k(
        `${RES}patches:\n- patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'\n  target: {name: "web("}\n`,
      ),
    ),
    c("patch-empty-list-no-target", k(`${RES}patches:\n- patch: '[]'\n`)),
    c("patch-comment-only-file", k(`${RES}patches:\n- path: p.yaml\n`, { "p.yaml": "# nothing yet\n" })),
    c(
      "patch-dollar-patch-list-delete-whole",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: delete\n`,
      ),
    ),
    c(
      "patch-dollar-patch-list-merge",
      k(
        `${RES}patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        spec:\n          containers:\n          - $patch: merge\n          - name: side\n            image: busybox\n`,
      ),
    ),
    c(
      "resource-null-list-item",
      k(RES, {
        "deploy.yaml": DEPLOY.replace(
          "      containers:\n",
          "      volumes:\n      - ~\n      containers:\n",
        ),
      }),
    ),
    c(
      "fieldspec-labels-through-scalar",
      k(`${RES}commonLabels: {team: a}\n`, {
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: x\n",
      }),
    ),
    c(
      "fieldspec-namespace-through-scalar-subjects",
      k(`${RES}- rb.yaml\nnamespace: ns\n`, {
        "rb.yaml":
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb\nsubjects: [x]\nroleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\n",
      }),
    ),
    c(
      "fieldspec-images-through-scalar-container",
      k(`${RES}images:\n- name: nginx\n  newTag: "2"\n`, {
        "deploy.yaml":
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [x]\n",
      }),
    ),
    c(
      "fieldspec-null-on-the-way",
      k(`${RES}commonLabels: {team: a}\n`, {
        "deploy.yaml":
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template: ~\n  selector: null\n",
      }),
    ),
    c(
      "configurations-fieldspec-unknown-key",
      k(`${RES}configurations: [c.yaml]\n`, {
        "c.yaml": "commonLabels:\n- path: metadata/labels\n  bogus: 1\n",
      }),
    ),
    c(
      "configurations-create-string",
      k(`${RES}configurations: [c.yaml]\n`, {
        "c.yaml": "commonLabels:\n- path: spec/x\n  kind: Deployment\n  create: 'yes'\n",
      }),
    ),
    c(
      "configurations-namereference-unknown-key",
      k(`${RES}configurations: [c.yaml]\n`, {
        "c.yaml": "nameReference:\n- kind: ConfigMap\n  fieldSpecs:\n  - path: spec/x\n  bogus: 1\n",
      }),
    ),
    c(
      "configurations-key-case",
      k(`${RES}configurations: [c.yaml]\ncommonLabels: {a: b}\n`, {
        "c.yaml": "CommonLabels:\n- path: spec/extra\n  kind: Service\n  create: true\n",
      }),
    ),
    c("empty-only-typemeta", {
      "kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    }),
    c("empty-zero-values", {
      "kustomization.yaml": "namePrefix: ''\nnamespace: ''\nbases: []\nimageTags: []\n",
    }),
    c("empty-resources-list-not-empty", { "kustomization.yaml": "resources: []\n" }),
    c("empty-metadata-not-empty", { "kustomization.yaml": "metadata: {name: ''}\n" }),
    c(
      "doc-list-kind-items-map",
      k(RES, { "cm.yaml": "apiVersion: v1\nkind: ConfigMapList\nitems: {a: b}\n" }),
    ),
    c(
      "vars-field-list",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n  fieldref: {fieldpath: spec.ports}\n`,
        { "deploy.yaml": DEPLOY.replace('value: "1"', "value: x-$(A)-y") },
      ),
    ),
    c("yaml11-bool-nameprefix", k(`${RES}namePrefix: yes\n`)),
    c("yaml11-bool-label-value", k(`${RES}commonLabels: {a: On}\n`)),
    c("yaml11-bool-quoted-ok", k(`${RES}commonLabels: {a: "on", b: 'y'}\n`)),
    c("yaml11-bool-annotation-block", k(`${RES}commonAnnotations:\n  a: N # no\n`)),
    c(
      "yaml11-bool-true-field",
      k(
        `${RES}generatorOptions:\n  disableNameSuffixHash: yes\nconfigMapGenerator:\n- name: g\n  literals: [a=b]\n`,
      ),
    ),
    c("yaml11-bool-include-selectors", k(`${RES}labels:\n- pairs: {a: b}\n  includeSelectors: y\n`)),
    c("yaml11-bool-in-list", k(`${RES}- no\n`)),
    c("yaml11-bool-resource-not-affected", k(RES, { "cm.yaml": CM.replace("k: v", "k: yes\n  off: on") })),
    c(
      "yaml11-bool-json6902-yaml-ops",
      k(`${RES}patchesJson6902:\n- target: {kind: Deployment, name: web}\n  path: ops.yaml\n`, {
        "ops.yaml": "- op: add\n  path: /metadata/annotations\n  value: {a: off, b: 'on', c: [Y, n]}\n",
      }),
    ),
    c(
      "annotation-values-collections",
      k(RES, {
        "cm.yaml": CM.replace(
          "  name: cm\n",
          "  name: cm\n  annotations:\n    list: [a, b]\n    map: {c: d}\n    num: 1.50\n",
        ),
      }),
    ),
    c(
      "emit-odd-strings",
      k(`${RES}- odd.yaml\n`, {
        "odd.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: odd
data:
  k0: "on"
  k1: "yes"
  k2: "~"
  k3: "null"
  k4: "0x1F"
  k5: "1e3"
  k6: "+1"
  k7: ".5"
  k8: "1_000"
  k9: "2001-12-14"
  k10: "<<"
  k11: "="
  k12: " lead"
  k13: "trail "
  k14: "- x"
  k15: ": x"
  k16: "#x"
  k17: "@x"
  k18: "!x"
  k19: "%x"
  k20: "&x"
  k21: "*x"
  k22: "a: b"
  k23: "a #b"
  k24: "tab\\there"
  k25: "é"
  k26: "😀"
  k28: "\\u00a0x"
  k29: "\\x07bell"
  k30: "x\\ny"
  k31: "x\\n"
  k32: "\\n"
  k33: "  x\\n  y\\n"
  k34: "x \\ny"
  k35: "word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word "
  k36: "0o17"
  k37: "0b101"
  k38: ".inf"
  k39: "-.Inf"
  k40: ".NaN"
  k41: "1:20"
  k42: "y"
  k43: "n"
  k44: "True"
  k45: "FALSE"
  k46: "-"
  k47: "?"
  k48: "[a]"
  k49: "{a}"
  k50: "'q'"
  k51: "\\"dq\\""
  k52: "a\\\\b"
  k55: "--- x"
  k56: "..."
  k57: "12:30:45"
  k58: "0777"
  k59: "1.0"
  k60: "-0"
  k61: "+.5"
  k62: "1__0"
  k63: "1e+3"
  k64: "6.8523015e+5"
`,
      }),
    ),
    c(
      "emit-odd-unicode",
      k(`${RES}- odd.yaml\n`, {
        "odd.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd\ndata:\n  nel: "\\u0085x"\n  ls: "\\u2028"\n  bom: "\\ufeffbom"\n`,
      }),
    ),
    c("gen-merge-into-other-kind", {
      "base/kustomization.yaml": "secretGenerator:\n- name: g\n  literals: [a=b]\n",
      "kustomization.yaml":
        "resources: [base]\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals: [c=d]\n",
    }),
    c("gen-merge-secret-type-change", {
      "base/kustomization.yaml": "secretGenerator:\n- name: g\n  literals: [a=b]\n",
      "kustomization.yaml":
        "resources: [base]\nsecretGenerator:\n- name: g\n  behavior: merge\n  type: kubernetes.io/tls\n  literals: [c=d]\n",
    }),
    c("gen-merge-options", {
      "base/kustomization.yaml":
        "configMapGenerator:\n- name: g\n  literals: [a=b]\n  options: {immutable: true, labels: {x: z}}\n",
      "kustomization.yaml":
        "resources: [base]\nconfigMapGenerator:\n- name: g\n  behavior: merge\n  literals: [a=c]\n  options: {disableNameSuffixHash: true, annotations: {p: q}}\n",
    }),
    c("gen-replace-other-namespace", {
      "base/kustomization.yaml": "configMapGenerator:\n- name: g\n  namespace: a\n  literals: [a=b]\n",
      "kustomization.yaml":
        "resources: [base]\nconfigMapGenerator:\n- name: g\n  namespace: b\n  behavior: replace\n  literals: [c=d]\n",
    }),
    c(
      "gen-merge-twice-same-level",
      k(
        `${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n- name: g\n  behavior: merge\n  literals: [c=d]\n`,
      ),
    ),
    c("gen-create-after-base-resource", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base]\nconfigMapGenerator:\n- name: cm\n  literals: [c=d]\n",
    }),
    c("component-is-file", k(`${RES}components: [cm.yaml]\n`)),
    c("component-with-prefix-and-dup", {
      "c/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: c-\nresources: [cm2.yaml]\n",
      "c/cm2.yaml": CM,
      ...k(`${RES}components: [c]\n`),
    }),
    c("component-listed-twice", {
      "c/kustomization.yaml":
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonLabels: {c: d}\n",
      ...k(`${RES}components: [c, c]\n`),
    }),
    c("component-missing-kind", {
      "c/kustomization.yaml": "commonLabels: {c: d}\n",
      ...k(`${RES}components: [c]\n`),
    }),
    c(
      "namespace-on-namespace-object",
      k(`${RES}- ns.yaml\nnamespace: target\n`, {
        "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n",
      }),
    ),
    c(
      "prefix-on-cluster-scoped",
      k(`${RES}- cr.yaml\nnamePrefix: p-\n`, {
        "cr.yaml":
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cr\nrules: []\n",
      }),
    ),
    c(
      "replicas-job-kind",
      k(`${RES}- job.yaml\nreplicas:\n- name: j\n  count: 2\n`, {
        "job.yaml":
          "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: x}]\n",
      }),
    ),
    c(
      "replicas-crd-kind",
      k(`${RES}- x.yaml\nreplicas:\n- name: x\n  count: 2\n`, {
        "x.yaml": "apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  replicas: 1\n",
      }),
    ),
    c(
      "images-by-digest-name",
      k(`${RES}images:\n- name: nginx@sha256:aaaa\n  newTag: "2"\n`, {
        "deploy.yaml": DEPLOY.replace("nginx:1.25", "nginx@sha256:aaaa"),
      }),
    ),
    c(
      "images-in-crd-field",
      k(`${RES}- x.yaml\nimages:\n- name: nginx\n  newTag: "2"\n`, {
        "x.yaml":
          "apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  containers:\n  - image: nginx:1\n  image: nginx:1\n",
      }),
    ),
    c("labels-include-templates-only", k(`${RES}labels:\n- pairs: {t: u}\n  includeTemplates: true\n`)),
    c("openapi-path-bad-json", k(`${RES}openapi:\n  path: s.json\n`, { "s.json": "{not json" })),
    c("openapi-unknown-version", k(`${RES}openapi:\n  version: v9.99\n`)),
    c("crds-not-a-crd", k(`${RES}crds: [cm.yaml]\n`)),
    c(
      "smp-unknown-kind-list-replaced",
      k(
        `${RES}- x.yaml\npatches:\n- patch: |\n    apiVersion: x.io/v1\n    kind: Thing\n    metadata: {name: x}\n    spec:\n      items: [{name: b}]\n`,
        { "x.yaml": "apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  items: [{name: a}]\n" },
      ),
    ),
    c(
      "smp-unknown-kind-null-deletes",
      k(
        `${RES}- x.yaml\npatches:\n- patch: |\n    apiVersion: x.io/v1\n    kind: Thing\n    metadata: {name: x}\n    spec:\n      a: null\n      b: ~\n`,
        {
          "x.yaml": "apiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: x\nspec:\n  a: 1\n  b: 2\n  c: 3\n",
        },
      ),
    ),
    c(
      "name-ref-missing-configmap",
      k(`${RES}namePrefix: p-\n`, {
        "deploy.yaml": DEPLOY.replace(
          "        env:\n",
          "        envFrom:\n        - configMapRef: {name: missing}\n        env:\n",
        ),
      }),
    ),
    c(
      "name-ref-ambiguous",
      k(`${RES}- cm2.yaml\nnamePrefix: p-\n`, {
        "cm2.yaml": CM.replace("name: cm", "name: cm\n  namespace: other"),
        "deploy.yaml": DEPLOY.replace(
          "        env:\n",
          "        envFrom:\n        - configMapRef: {name: cm}\n        env:\n",
        ),
      }),
    ),
    c(
      "vars-in-non-reference-field",
      k(`${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n`, {
        "cm.yaml": CM.replace("k: v", "k: $(A)"),
      }),
    ),
    c("helm-globals-only", k(`${RES}helmGlobals: {chartHome: x}\n`)),
    c("helm-charts-empty-list", k(`${RES}helmCharts: []\n`)),
    c(
      "statefulset-no-claim-templates-labels",
      k(`${RES}- sts.yaml\ncommonLabels: {team: a}\n`, {
        "sts.yaml":
          "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  serviceName: db\n  volumeClaimTemplates: ~\n  template:\n    spec:\n      containers: [{name: c, image: pg}]\n",
      }),
    ),
    c(
      "annotations-null-and-empty-untouched",
      k(RES, {
        "cm.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  annotations: null\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm2\n  annotations: {}\n  labels: {}\n",
      }),
    ),
    c("yaml-directive-1-1-resource", k(RES, { "cm.yaml": `%YAML 1.1\n---\n${CM}` })),
    c(
      "yaml-directive-later-doc",
      k(RES, { "cm.yaml": `${CM}---\n%YAML 1.2\n---\n${CM.replace("name: cm", "name: cm2")}` }),
    ),
    c("yaml-directive-kustomization-1-2", k(`%YAML 1.2\n---\n${RES}`)),
    c("yaml-directive-kustomization-1-1", k(`%YAML 1.1\n---\n${RES}`)),
    c("yaml-percent-in-value", k(RES, { "cm.yaml": CM.replace("k: v", "k: |\n    %YAML 1.2\n    x") })),
    c("yaml-key-1dot5", k(RES, { "cm.yaml": CM.replace("k: v", "1.5: v") })),
    c("yaml-key-0x1F", k(RES, { "cm.yaml": CM.replace("k: v", "0x1F: v") })),
    c("yaml-key-1u000", k(RES, { "cm.yaml": CM.replace("k: v", "1_000: v") })),
    c("yaml-key-null", k(RES, { "cm.yaml": CM.replace("k: v", "null: v") })),
    c("yaml-key-2001-01-01", k(RES, { "cm.yaml": CM.replace("k: v", "2001-01-01: v") })),
    c("yaml-key--1", k(RES, { "cm.yaml": CM.replace("k: v", "-1: v") })),
    c("yaml-key-012", k(RES, { "cm.yaml": CM.replace("k: v", "012: v") })),
    c("yaml-key-yes", k(RES, { "cm.yaml": CM.replace("k: v", "yes: v") })),
    c("yaml-key-on", k(RES, { "cm.yaml": CM.replace("k: v", "on: v") })),
    c("yaml-key-q1q", k(RES, { "cm.yaml": CM.replace("k: v", '"1": v') })),
    c("yaml-key-tru", k(RES, { "cm.yaml": CM.replace("k: v", "tru: v") })),
    c("yaml-key-nope", k(RES, { "cm.yaml": CM.replace("k: v", "nope: v") })),
    c("yaml-key-dot5x", k(RES, { "cm.yaml": CM.replace("k: v", ".5x: v") })),
    c(
      "yaml-key-in-literal-block",
      k(RES, { "cm.yaml": CM.replace("k: v", "k: |\n    8080: tcp\n    true: x") }),
    ),
    c("yaml-key-flow-int", k(RES, { "cm.yaml": CM.replace("k: v", "m: {a: 1, 8080: x}") })),
    c("yaml-key-in-list-item", k(RES, { "cm.yaml": `${CM}spec:\n  items:\n  - 80: http\n` })),
    c("yaml-nan-value", k(RES, { "cm.yaml": `${CM}spec:\n  x: .nan\n` })),
    c("yaml-inf-quoted-ok", k(RES, { "cm.yaml": `${CM}spec:\n  x: ".inf"\n  y: a.inf\n` })),
    c("path-dot-slash-dup", k("resources:\n- cm.yaml\n- ./cm.yaml\n")),
    c("path-trailing-slash-dir", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base/]\n",
    }),
    c("path-dot-dot-inside", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base/../base]\n",
    }),
    c("path-double-slash", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base//cm.yaml]\n",
    }),
    c("path-with-spaces", {
      "my dir/kustomization.yaml": "resources: [cm.yaml]\n",
      "my dir/cm.yaml": CM,
      "kustomization.yaml": "resources: [my dir]\n",
    }),
    c("path-file-in-base-dir", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base/cm.yaml]\n",
    }),
    c("path-base-twice-via-alias", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [base, ./base/]\n",
    }),
    c("path-git-like", k(`${RES}- github.com/org/repo//path?ref=v1\n`)),
    c("path-ssh-like", k(`${RES}- git@github.com:org/repo.git\n`)),
    c("namespace-empty-string", k(`${RES}namespace: ""\n`)),
    c(
      "vars-unbalanced",
      k(`${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n`, {
        "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A-$(A)"),
      }),
    ),
    c(
      "name-with-slash-ref",
      k(`${RES}namePrefix: p-\n`, {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a/b\n",
        "deploy.yaml": DEPLOY.replace(
          "        env:\n",
          "        envFrom:\n        - configMapRef: {name: a/b}\n        env:\n",
        ),
      }),
    ),
    // sortOptions
    c("sort-bad-order", k(`${RES}sortOptions: {order: random}\n`)),
    c(
      "sort-legacy-with-fifo-options",
      k(`${RES}sortOptions:\n  order: fifo\n  legacySortOptions: {orderFirst: [Service]}\n`),
    ),
    c("sort-legacy-empty", k(`${RES}sortOptions:\n  order: legacy\n  legacySortOptions: {}\n`)),
    c(
      "sort-legacy-unknown-kind",
      k(
        `${RES}sortOptions:\n  order: legacy\n  legacySortOptions: {orderFirst: [Nope], orderLast: [ConfigMap]}\n`,
      ),
    ),
    c(
      "sort-no-order-legacy-options",
      k(`${RES}sortOptions:\n  legacySortOptions: {orderFirst: [Service]}\n`),
    ),
    c("sort-empty-order", k(`${RES}sortOptions: {order: ""}\n`)),
    c("sort-order-case", k(`${RES}sortOptions: {order: FIFO}\n`)),
    c("sort-in-base", {
      "base/kustomization.yaml": "resources: [cm.yaml, svc.yaml]\nsortOptions: {order: fifo}\n",
      "base/cm.yaml": CM,
      "base/svc.yaml": SVC,
      "kustomization.yaml": "resources: [base]\n",
    }),
    c("sort-conflict-base-overlay", {
      "base/kustomization.yaml": "resources: [cm.yaml, svc.yaml]\nsortOptions: {order: fifo}\n",
      "base/cm.yaml": CM,
      "base/svc.yaml": SVC,
      "kustomization.yaml": "resources: [base]\nsortOptions: {order: legacy}\n",
    }),
    // vars
    c(
      "vars-cycle",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n  fieldref: {fieldpath: data.k}\n- name: B\n  objref: {kind: ConfigMap, name: cm2, apiVersion: v1}\n  fieldref: {fieldpath: data.k}\n`,
        {
          "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A)"),
          "cm.yaml": `${CM.replace("k: v", "k: $(B)")}---\n${CM.replace("name: cm", "name: cm2").replace("k: v", "k: $(A)")}`,
        },
      ),
    ),
    c(
      "vars-dup-name",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n- name: A\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n`,
      ),
    ),
    c(
      "vars-no-objref-match",
      k(`${RES}vars:\n- name: A\n  objref: {kind: Service, name: nope, apiVersion: v1}\n`),
    ),
    c(
      "vars-field-missing",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n  fieldref: {fieldpath: spec.nope}\n`,
        { "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A)") },
      ),
    ),
    c(
      "vars-field-map",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n  fieldref: {fieldpath: spec}\n`,
        { "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A)") },
      ),
    ),
    c(
      "vars-field-number",
      k(
        `${RES}vars:\n- name: A\n  objref: {kind: Deployment, name: web, apiVersion: apps/v1}\n  fieldref: {fieldpath: spec.replicas}\n`,
        { "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A)") },
      ),
    ),
    c("vars-undefined-ref", k(RES, { "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(NOPE)") })),
    c("vars-unused", k(`${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n`)),
    c(
      "vars-ambiguous-objref",
      k(`${RES}vars:\n- name: A\n  objref: {name: web}\n`, {
        "deploy.yaml": DEPLOY.replace('value: "1"', "value: $(A)"),
      }),
    ),
    c(
      "vars-escaped",
      k(`${RES}vars:\n- name: A\n  objref: {kind: Service, name: web, apiVersion: v1}\n`, {
        "deploy.yaml": DEPLOY.replace('value: "1"', "value: $$(A)-$(A)"),
      }),
    ),
    c("vars-dup-across-bases", {
      "a/kustomization.yaml":
        "resources: [cm.yaml]\nvars:\n- name: A\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n",
      "a/cm.yaml": CM,
      "b/kustomization.yaml":
        "resources: [cm.yaml]\nvars:\n- name: A\n  objref: {kind: ConfigMap, name: cm2, apiVersion: v1}\n",
      "b/cm.yaml": CM.replace("name: cm", "name: cm2"),
      "kustomization.yaml": "resources: [a, b]\n",
    }),
    // Misc fields
    c("namespace-odd", k(`${RES}namespace: "Has Spaces"\n`)),
    c("nameprefix-odd", k(`${RES}namePrefix: "UP_per."\n`)),
    c("commonlabels-bad-key", k(`${RES}commonLabels: {"a b": c}\n`)),
    c("commonlabels-number-value", k(`${RES}commonLabels: {a: 1}\n`)),
    c("commonlabels-bool-value", k(`${RES}commonLabels: {a: true}\n`)),
    c("commonannotations-number-value", k(`${RES}commonAnnotations: {a: 1.50}\n`)),
    c("commonannotations-null-value", k(`${RES}commonAnnotations: {a: ~}\n`)),
    c("labels-no-pairs", k(`${RES}labels:\n- includeSelectors: true\n`)),
    c("labels-fields-bad", k(`${RES}labels:\n- pairs: {a: b}\n  fields:\n  - kind: Deployment\n`)),
    c(
      "labels-fields-create",
      k(
        `${RES}labels:\n- pairs: {a: b}\n  fields:\n  - path: spec/foo/bar\n    kind: Deployment\n    create: true\n`,
      ),
    ),
    c("kind-unknown", k(`apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustom\n${RES}`)),
    c("apiversion-unknown", k(`apiVersion: foo/v1\nkind: Kustomization\n${RES}`)),
    c("kind-component-top", k(`apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n${RES}`)),
    c("kind-lowercase", k(`kind: kustomization\n${RES}`)),
    c("field-case-folded", k(`Resources: [cm.yaml]\nNAMEPREFIX: x-\n`)),
    c("field-unknown-nested", k(`${RES}configMapGenerator:\n- name: g\n  literals: [a=b]\n  bogus: 1\n`)),
    c("metadata-name", k(`metadata:\n  name: whatever\n  annotations: {a: b}\n${RES}`)),
    c("metadata-scalar", k(`metadata: x\n${RES}`)),
    c(
      "configurations-bad-content",
      k(`${RES}configurations: [c.yaml]\n`, { "c.yaml": "nameReference: x\n" }),
    ),
    c("configurations-unknown-field", k(`${RES}configurations: [c.yaml]\n`, { "c.yaml": "bogus: []\n" })),
    c("configurations-empty", k(`${RES}configurations: [c.yaml]\n`, { "c.yaml": "" })),
    c("buildmetadata-bad", k(`${RES}buildMetadata: [nope]\n`)),
    c("components-not-component", {
      "c/kustomization.yaml": "resources: []\n",
      ...k(`${RES}components: [c]\n`),
    }),
    c("component-as-resource", {
      "c/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
      ...k(`${RES}- c\n`),
    }),
    c("resources-and-bases", {
      "base/kustomization.yaml": "resources: [cm.yaml]\n",
      "base/cm.yaml": CM,
      "kustomization.yaml": "resources: [svc.yaml]\nbases: [base]\n",
      "svc.yaml": SVC,
    }),
    c("resource-url-like", k(`${RES}- https://example.invalid/x.yaml\n`)),
    c("resource-glob", k("resources: ['*.yaml']\n")),
    c("kustomization-yml-name", { "kustomization.yml": RES, ...BASE }),
    c("kustomization-capital", { Kustomization: RES, ...BASE }),
    c("kustomization-dir-named-kustomization-yaml", { "kustomization.yaml/x": "", ...BASE }),
    c(
      "resource-kustomization-kind-file",
      k("resources: [cm.yaml, k.yaml]\n", {
        "k.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: k\n",
      }),
    ),
  ];
}

// Odd object shapes under every built-in transformer.
function shapeSweep(): MalformedCase[] {
  const shapes: Record<string, string> = {
    "labels-null":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: null\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    "annotations-empty":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {}\nspec:\n  template:\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    "namespace-empty":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ''\nspec:\n  template: {}\n",
    "spec-null": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec: null\n",
    "template-metadata-null":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {}\n  template:\n    metadata: ~\n    spec:\n      containers: ~\n",
    "containers-empty":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: []\n      initContainers: [{name: i, image: 'nginx:1'}]\n",
    "image-odd":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: 'nginx:'}, {name: b, image: 'nginx@'}, {name: c, image: ''}, {name: d, image: 'docker.io/library/nginx:1@sha256:abc'}, {name: e, image: 'localhost:5000/nginx'}, {name: f, image: 'NGINX'}]\n",
    cronjob:
      "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: web\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: nginx}]\n",
    "kind-lowercase":
      "apiVersion: apps/v1\nkind: deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    "label-values-typed":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {n: 1, b: true, f: 1.50, z: null, o: 0x1F}\nspec:\n  selector: {matchLabels: {n: 1}}\n  template:\n    metadata: {labels: {n: 1}, annotations: {b: yes}}\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    "selector-expressions":
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchExpressions: [{key: a, operator: In, values: [b]}]\n  template:\n    spec:\n      containers: [{name: c, image: nginx}]\n",
    "service-no-selector":
      "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n",
    "name-long-upper":
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web.Name_With-ODD.chars-and-a-very-long-tail-that-keeps-going-and-going-for-ever-and-ever\ndata: {a: b}\n",
    "no-apiversion":
      "kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers: [{name: c, image: nginx}]\n",
  };
  const kusts: Record<string, string> = {
    namespace: "namespace: ns\n",
    prefix: "namePrefix: p-\nnameSuffix: -s\n",
    labels: "commonLabels: {team: a}\n",
    labelsnew: "labels:\n- pairs: {team: a}\n  includeSelectors: true\n  includeTemplates: true\n",
    annotations: "commonAnnotations: {note: a}\n",
    images: "images:\n- name: nginx\n  newName: reg/nginx\n  newTag: '2'\n",
    replicas: "replicas:\n- name: web\n  count: 5\n",
    patch:
      "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: web}\n    spec:\n      template:\n        metadata:\n          labels: {p: q}\n        spec:\n          containers: [{name: c, image: patched}]\n",
  };
  const out: MalformedCase[] = [];
  for (const [sn, obj] of Object.entries(shapes)) {
    for (const [kn, body] of Object.entries(kusts)) {
      out.push({
        name: `shape-${sn}-${kn}`,
        files: { "o.yaml": obj, "kustomization.yaml": `resources: [o.yaml]\n${body}` },
      });
    }
  }
  return out;
}

// Replacement options against target fields of every shape.
function replacementSweep(): MalformedCase[] {
  const target =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  s: a-b-c\n  e: ''\nspec:\n  n: 5\n  b: true\n  l: [x, y]\n  m: {p: q}\n  z: null\n";
  const source =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  v: new\n  dotted: a.b.c\nspec:\n  num: 7\n  list: [1, 2]\n  map: {k: v}\n";
  const sources: Record<string, string> = {
    str: "fieldPath: data.v",
    num: "fieldPath: spec.num",
    list: "fieldPath: spec.list",
    map: "fieldPath: spec.map",
    delim: "fieldPath: data.dotted\n    options: {delimiter: '.', index: 1}",
  };
  const paths = [
    "data.s",
    "data.e",
    "spec.n",
    "spec.b",
    "spec.l",
    "spec.m",
    "spec.z",
    "spec.missing",
    "spec.l.1",
    "spec.l.9",
    "spec.m.p",
  ];
  const options: Record<string, string> = {
    none: "",
    create: "\n    options: {create: true}",
    delim: "\n    options: {delimiter: '-', index: 1}",
    delimneg: "\n    options: {delimiter: '-', index: -1, create: true}",
  };
  const out: MalformedCase[] = [];
  for (const [sn, src] of Object.entries(sources)) {
    for (const p of paths) {
      for (const [on, opt] of Object.entries(options)) {
        const kust = `resources: [t.yaml, s.yaml]\nreplacements:\n- source:\n    name: src\n    ${src}\n  targets:\n  - select: {name: t}\n    fieldPaths: [${p}]${opt}\n`;
        out.push({
          name: `rsweep-${sn}-${p.replaceAll(".", "_")}-${on}`,
          files: { "t.yaml": target, "s.yaml": source, "kustomization.yaml": kust },
        });
      }
    }
  }
  return out;
}

// Image references of every form against images entries of every form.
function imageSweep(): MalformedCase[] {
  const refs = [
    "nginx",
    "nginx:1.25",
    "nginx@sha256:aaaa",
    "nginx:1.25@sha256:aaaa",
    "docker.io/nginx:1",
    "library/nginx",
    "reg:5000/nginx:1",
    "reg:5000/team/nginx",
    "NGINX:1",
    "nginx:",
    "nginx-extra:1",
    "my.nginx:1",
    "nginx/sub:1",
  ];
  const entries: Record<string, string> = {
    tag: "- name: nginx\n  newTag: '2'",
    name: "- name: nginx\n  newName: reg.io/x",
    digest: "- name: nginx\n  digest: sha256:bbbb",
    all: "- name: nginx\n  newName: reg.io/x\n  newTag: '2'\n  digest: sha256:bbbb",
    suffix: "- name: nginx\n  tagSuffix: -alpine",
    regport: "- name: reg:5000/nginx\n  newTag: '3'",
    newnametag: "- name: nginx\n  newName: reg.io/x:9",
    emptyname: "- name: ''\n  newTag: '2'",
  };
  const out: MalformedCase[] = [];
  for (const [en, entry] of Object.entries(entries)) {
    const containers = refs.map((r, i) => `      - name: c${i}\n        image: "${r}"\n`).join("");
    const deploy = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n${containers}`;
    out.push({
      name: `isweep-${en}`,
      files: { "d.yaml": deploy, "kustomization.yaml": `resources: [d.yaml]\nimages:\n${entry}\n` },
    });
  }
  return out;
}

// JSON 6902 operations against paths of every kind.
function jsonPatchSweep(): MalformedCase[] {
  const obj =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  a: x\nspec:\n  list: [a, b, c]\n  map: {k: v, 'sl/ash': 1, 'ti~lde': 2}\n  n: 1\n  z: null\n";
  const paths = [
    "/spec/n",
    "/spec/missing",
    "/spec/missing/deep",
    "/spec/list/0",
    "/spec/list/3",
    "/spec/list/9",
    "/spec/list/-",
    "/spec/list/01",
    "/spec/map/sl~1ash",
    "/spec/map/ti~0lde",
    "/spec/map/k/x",
    "/spec/z",
    "/spec/z/x",
    "/spec/n/x",
    "/spec",
    "/spec/list/-1",
    "/spec/list/-3",
    "/spec/list/-4",
    "/spec/list/+1",
    "spec/n",
    "meta/spec/n",
  ];
  const ops: Record<string, (p: string) => string> = {
    add: (p) => `{"op": "add", "path": "${p}", "value": "new"}`,
    remove: (p) => `{"op": "remove", "path": "${p}"}`,
    replace: (p) => `{"op": "replace", "path": "${p}", "value": {"o": 1}}`,
    test: (p) => `{"op": "test", "path": "${p}", "value": 1}`,
    copy: (p) => `{"op": "copy", "from": "/spec/map", "path": "${p}"}`,
    move: (p) => `{"op": "move", "from": "${p}", "path": "/spec/moved"}`,
  };
  const out: MalformedCase[] = [];
  for (const [on, op] of Object.entries(ops)) {
    for (const p of paths) {
      const name = `jsweep-${on}${p.replaceAll("/", "_").replaceAll("~", "T")}`;
      const kust = `resources: [t.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: '[${op(p)}]'\n`;
      out.push({ name, files: { "t.yaml": obj, "kustomization.yaml": kust } });
    }
  }
  return out;
}

// Strategic-merge patches of odd shapes against lists with merge keys.
function smpSweep(): MalformedCase[] {
  const deploy =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: x\n        ports: [{containerPort: 80, protocol: TCP}, {containerPort: 81}]\n        env: [{name: E, value: '1'}]\n      - name: b\n        image: y\n      volumes: [{name: v, emptyDir: {}}]\n";
  const bodies: Record<string, string> = {
    "no-key": "containers:\n- image: z",
    "dup-key": "containers:\n- name: a\n  image: z1\n- name: a\n  image: z2",
    "null-elem": "containers:\n- null",
    "scalar-elem": "containers:\n- just-text",
    "empty-list": "containers: []",
    "null-list": "containers: null",
    "map-for-list": "containers: {name: a}",
    "new-and-old": "containers:\n- name: c\n  image: n\n- name: a\n  image: z",
    "ports-multikey":
      "containers:\n- name: a\n  ports: [{containerPort: 81, protocol: UDP}, {containerPort: 80}]",
    "env-delete": "containers:\n- name: a\n  env: [{name: E, $patch: delete}]",
    "elem-replace": "containers:\n- name: a\n  $patch: replace\n  image: only",
    "volumes-delete-all": "volumes:\n- $patch: delete",
    "volumes-replace": "volumes:\n- $patch: replace\n- name: w\n  configMap: {name: c}",
    "retain-keys": "volumes:\n- name: v\n  $retainKeys: [name, configMap]\n  configMap: {name: c}",
    "delete-primitive": "containers:\n- name: a\n  args: [x]\n  $deleteFromPrimitiveList/args: [y]",
    "set-order": "$setElementOrder/containers: [{name: b}, {name: a}]\ncontainers:\n- name: a\n  image: z",
    "key-null-name": "containers:\n- name: null\n  image: z",
    "key-number-name": "containers:\n- name: 1\n  image: z",
  };
  const out: MalformedCase[] = [];
  for (const [bn, body] of Object.entries(bodies)) {
    const indented = body.replaceAll("\n", "\n        ");
    const patch = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      ${indented}\n`;
    out.push({
      name: `ssweep-${bn}`,
      files: {
        "d.yaml": deploy,
        "p.yaml": patch,
        "kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: p.yaml\n",
      },
    });
  }
  return out;
}

// Generators of a base and an overlay meeting with every behavior.
function generatorSweep(): MalformedCase[] {
  const out: MalformedCase[] = [];
  const bases: Record<string, string> = {
    cm: "configMapGenerator:\n- name: g\n  literals: [a=1, b=2]\n",
    cmns: "configMapGenerator:\n- name: g\n  namespace: x\n  literals: [a=1]\n",
    cmnohash:
      "configMapGenerator:\n- name: g\n  literals: [a=1]\n  options: {disableNameSuffixHash: true, labels: {l: base}}\n",
    secret: "secretGenerator:\n- name: g\n  literals: [a=1]\n  type: Opaque\n",
    resource: "resources: [g.yaml]\n",
  };
  const overlays: Record<string, string> = {
    merge: "configMapGenerator:\n- name: g\n  behavior: merge\n  literals: [b=3, c=4]\n",
    replace: "configMapGenerator:\n- name: g\n  behavior: replace\n  literals: [c=4]\n",
    create: "configMapGenerator:\n- name: g\n  behavior: create\n  literals: [c=4]\n",
    none: "configMapGenerator:\n- name: g\n  literals: [c=4]\n",
    mergens: "configMapGenerator:\n- name: g\n  namespace: x\n  behavior: merge\n  literals: [c=4]\n",
    mergehash:
      "configMapGenerator:\n- name: g\n  behavior: merge\n  literals: [c=4]\n  options: {disableNameSuffixHash: false, annotations: {o: v}}\n",
    secretmerge: "secretGenerator:\n- name: g\n  behavior: merge\n  literals: [c=4]\n",
    mergefile: "configMapGenerator:\n- name: g\n  behavior: merge\n  files: [f.txt]\n",
    mergeenv: "configMapGenerator:\n- name: g\n  behavior: merge\n  envs: [e.env]\n",
  };
  for (const [bn, base] of Object.entries(bases)) {
    for (const [on, overlay] of Object.entries(overlays)) {
      out.push({
        name: `gsweep-${bn}-${on}`,
        files: {
          "base/kustomization.yaml": base,
          "base/g.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: g\ndata:\n  a: r\n",
          "kustomization.yaml": `resources: [base, d.yaml]\n${overlay}`,
          "d.yaml":
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes: [{name: v, configMap: {name: g}}, {name: s, secret: {secretName: g}}]\n  containers: [{name: c, image: i}]\n",
          "f.txt": "file\n",
          "e.env": "E=1\nb=env\n",
        },
      });
    }
  }
  return out;
}

// Label options on workloads of every kind.
function labelSweep(): MalformedCase[] {
  const objs = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  selector: {matchLabels: {app: s}}\n  volumeClaimTemplates: [{metadata: {name: data}}]\n  template:\n    metadata: {labels: {app: s}}\n    spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  selector: {matchLabels: {app: j}}\n  template:\n    spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec:\n  selector: {app: d}\n",
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n  podSelector: {matchLabels: {app: d}}\n  ingress: [{from: [{podSelector: {matchLabels: {x: y}}}]}]\n",
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pdb}\nspec:\n  selector: {matchLabels: {app: d}}\n",
    "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ds}\nspec:\n  template:\n    spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: x.io/v1\nkind: Custom\nmetadata: {name: cu}\nspec:\n  selector: {matchLabels: {app: d}}\n",
  ].join("---\n");
  const variants: Record<string, string> = {
    common: "commonLabels: {team: a}\n",
    plain: "labels:\n- pairs: {team: a}\n",
    selectors: "labels:\n- pairs: {team: a}\n  includeSelectors: true\n",
    templates: "labels:\n- pairs: {team: a}\n  includeTemplates: true\n",
    both: "labels:\n- pairs: {team: a}\n  includeSelectors: true\n  includeTemplates: true\n",
    fields:
      "labels:\n- pairs: {team: a}\n  fields:\n  - path: spec/selector/matchLabels\n    kind: Custom\n    create: true\n  - path: metadata/annotations\n    create: true\n",
    twosets: "labels:\n- pairs: {team: a}\n- pairs: {team: b, tier: x}\n  includeSelectors: true\n",
    commonandlabels: "commonLabels: {team: a}\nlabels:\n- pairs: {tier: x}\n  includeTemplates: true\n",
    conflict: "commonLabels: {team: a}\nlabels:\n- pairs: {team: b}\n",
    annotations: "commonAnnotations: {note: a}\n",
  };
  return Object.entries(variants).map(([vn, v]) => ({
    name: `lsweep-${vn}`,
    files: { "o.yaml": objs, "kustomization.yaml": `resources: [o.yaml]\n${v}` },
  }));
}

/** Every malformed case. */
export function malformedCases(): MalformedCase[] {
  return [
    ...oddCases(),
    ...typeSweep(),
    ...nestedSweep(),
    ...shapeSweep(),
    ...replacementSweep(),
    ...imageSweep(),
    ...jsonPatchSweep(),
    ...smpSweep(),
    ...generatorSweep(),
    ...labelSweep(),
  ];
}

function writeTree(dir: string, c: MalformedCase): void {
  for (const [rel, text] of Object.entries(c.files)) {
    const file = path.join(dir, "in", rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text.includes("\xff") || text.includes("\x00") ? Buffer.from(text, "latin1") : text);
  }
  if (c.build !== undefined) writeFileSync(path.join(dir, "build.txt"), `${c.build}\n`);
}

interface Verdict {
  ok: boolean;
  out: string;
}

function runOracle(target: string): Verdict {
  const res = spawnSync(kustomize, ["build", target], { encoding: "utf8" });
  return { ok: res.status === 0, out: res.status === 0 ? res.stdout : res.stderr.trim() };
}

function runDriftless(target: string): Verdict {
  try {
    return { ok: true, out: build(target).yaml };
  } catch (e) {
    return { ok: false, out: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const writeAt = args.indexOf("--write");
  const outAt = args.indexOf("--out");
  const prefix = writeAt >= 0 ? (args[writeAt + 1] ?? "malformed-") : undefined;
  const all = args.includes("--all");
  const filter =
    args.find(
      (a, i) => !a.startsWith("--") && (writeAt < 0 || i !== writeAt + 1) && (outAt < 0 || i !== outAt + 1),
    ) ?? "";
  const work = mkdtempSync(path.join(tmpdir(), "driftless-malformed-"));
  const casesDir =
    outAt >= 0 ? path.resolve(args[outAt + 1] ?? ".") : path.join(import.meta.dirname, "cases");
  let agree = 0;
  let disagree = 0;
  try {
    for (const c of malformedCases()) {
      if (!c.name.includes(filter)) continue;
      const dir = path.join(work, c.name);
      writeTree(dir, c);
      const target = path.join(dir, "in", c.build ?? ".");
      const want = runOracle(target);
      const got = runDriftless(target);
      const same = want.ok === got.ok && (!want.ok || want.out === got.out);
      if (same) agree++;
      else disagree++;
      if (!same) {
        const what =
          want.ok && got.ok ? "OUTPUT DIFFERS" : want.ok ? "DRIFTLESS REJECTS" : "DRIFTLESS ACCEPTS";
        process.stdout.write(`\n### ${c.name}: ${what}\n`);
        process.stdout.write(`  kustomize: ${want.ok ? "ok" : want.out.replaceAll(dir, "<case>")}\n`);
        process.stdout.write(`  driftless: ${got.ok ? "ok" : got.out.replaceAll(dir, "<case>")}\n`);
        if (want.ok && got.ok) diffLines(want.out, got.out);
      } else if (process.env.VERBOSE) {
        process.stdout.write(
          `ok ${c.name}: ${want.ok ? "accepted" : `rejected: ${got.out.replaceAll(dir, "<case>")}`}\n`,
        );
      }
      if (prefix !== undefined && (all || !same)) {
        const dest = path.join(casesDir, `${prefix}${c.name}`);
        if (!existsSync(dest)) writeTree(dest, c);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`\n${agree} agree, ${disagree} disagree\n`);
}

function diffLines(a: string, b: string): void {
  const la = a.split("\n");
  const lb = b.split("\n");
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      process.stdout.write(
        `  first difference at line ${i + 1}:\n    kustomize: ${la[i]}\n    driftless: ${lb[i]}\n`,
      );
      return;
    }
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) main();
