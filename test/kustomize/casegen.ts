// Seeded random kustomization trees (resources, layouts, kustomization features, patches) for the
// generated conformance cases and the differential test.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resource templates by short name; `$` is replaced by the app name. */
export const CATALOG: Record<string, string> = {
  deployment: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: $
  labels:
    app: $
spec:
  replicas: 1
  selector:
    matchLabels:
      app: $
  template:
    metadata:
      labels:
        app: $
    spec:
      serviceAccountName: $-sa
      imagePullSecrets:
      - name: $-pull
      initContainers:
      - name: init
        image: busybox:1.36
        command: ["sh", "-c", "echo init"]
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 80
        env:
        - name: FROM_CM
          valueFrom:
            configMapKeyRef:
              name: $-config
              key: a
        - name: FROM_SECRET
          valueFrom:
            secretKeyRef:
              name: $-secret
              key: b
        envFrom:
        - configMapRef:
            name: $-env
        volumeMounts:
        - name: data
          mountPath: /data
      volumes:
      - name: data
        persistentVolumeClaim:
          claimName: $-data
      - name: cfg
        configMap:
          name: $-config
      - name: sec
        secret:
          secretName: $-secret
`,
  service: `apiVersion: v1
kind: Service
metadata:
  name: $
spec:
  selector:
    app: $
  ports:
  - name: http
    port: 80
    targetPort: 8080
`,
  configmap: `apiVersion: v1
kind: ConfigMap
metadata:
  name: $-config
data:
  a: "1"
  b: hello world
  long: this is a long configuration value that certainly goes beyond the eighty column limit of go-yaml
`,
  secret: `apiVersion: v1
kind: Secret
metadata:
  name: $-secret
type: Opaque
data:
  b: aGVsbG8=
`,
  serviceaccount: `apiVersion: v1
kind: ServiceAccount
metadata:
  name: $-sa
`,
  pvc: `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $-data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`,
  statefulset: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: $-db
spec:
  serviceName: $
  replicas: 2
  selector:
    matchLabels:
      app: $-db
  template:
    metadata:
      labels:
        app: $-db
    spec:
      containers:
      - name: db
        image: postgres:16
  volumeClaimTemplates:
  - metadata:
      name: pgdata
    spec:
      accessModes: ["ReadWriteOnce"]
      resources:
        requests:
          storage: 5Gi
`,
  role: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: $-role
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [$-config]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: $-rb
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: $-role
subjects:
- kind: ServiceAccount
  name: $-sa
- kind: ServiceAccount
  name: default
`,
  clusterrole: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: $-reader
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: $-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: $-reader
subjects:
- kind: ServiceAccount
  name: $-sa
  namespace: default
`,
  ingress: `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: $
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  tls:
  - hosts: [example.com]
    secretName: $-secret
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: $
            port:
              number: 80
`,
  cronjob: `apiVersion: batch/v1
kind: CronJob
metadata:
  name: $-cron
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: job
            image: busybox:1.36
            envFrom:
            - secretRef:
                name: $-secret
`,
  hpa: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: $
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: $
  minReplicas: 1
  maxReplicas: 5
`,
  custom: `apiVersion: example.com/v1
kind: Widget
metadata:
  name: $-widget
  annotations:
    count: "3"
spec:
  size: 3
  ratio: 1.5
  enabled: true
  template:
    spec:
      containers:
      - name: w
        image: nginx:1.25
`,
  namespace: `apiVersion: v1
kind: Namespace
metadata:
  name: $-ns
`,
  daemonset: `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: $-agent
spec:
  selector:
    matchLabels:
      app: $-agent
  template:
    metadata:
      labels:
        app: $-agent
    spec:
      containers:
      - name: agent
        image: fluent/fluent-bit:3.0
`,
  pdb: `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: $
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: $
`,
  networkpolicy: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: $
spec:
  podSelector:
    matchLabels:
      app: $
  ingress:
  - from:
    - podSelector:
        matchLabels:
          role: frontend
`,
};

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const chance = (r: Rand, p: number): boolean => r() < p;

function yamlList(key: string, items: readonly string[]): string {
  return items.length === 0 ? "" : `${key}:\n${items.map((i) => `- ${i}`).join("\n")}\n`;
}

/** Files of a case, by path. */
export interface Tree {
  files: Record<string, string>;
}

function features(r: Rand, layer: string, kinds: readonly string[]): { text: string; tags: string[] } {
  const tags: string[] = [];
  let text = "";
  if (chance(r, 0.4)) {
    text += `namespace: ${pick(r, ["team-a", "prod", "default", "kube-system"])}\n`;
    tags.push("ns");
  }
  if (chance(r, 0.4)) {
    text += `namePrefix: ${pick(r, ["p-", "staging-", "x"])}\n`;
    tags.push("prefix");
  }
  if (chance(r, 0.3)) {
    text += `nameSuffix: ${pick(r, ["-s", "-v2", "-prod"])}\n`;
    tags.push("suffix");
  }
  if (chance(r, 0.3)) {
    text += `commonLabels:\n  env: ${layer}\n  tier: "1"\n`;
    tags.push("commonlabels");
  }
  if (chance(r, 0.3)) {
    const sel = pick(r, [true, false]);
    const tpl = pick(r, [true, false]);
    text += `labels:\n- pairs:\n    team: blue\n    version: "2.0"\n  includeSelectors: ${sel}\n  includeTemplates: ${tpl}\n`;
    tags.push("labels");
  }
  if (chance(r, 0.3)) {
    text += `commonAnnotations:\n  owner: platform\n  note: "a: b"\n`;
    tags.push("annotations");
  }
  if (chance(r, 0.35)) {
    const img = pick(r, [
      "- name: nginx\n  newTag: 1.27-alpine",
      "- name: nginx\n  newName: registry.local/nginx",
      "- name: busybox\n  newName: registry.local/busybox\n  newTag: latest",
      "- name: nginx\n  digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3",
      '- name: postgres\n  newTag: "17"',
      "- name: fluent/fluent-bit\n  newName: ghcr.io/fluent/fluent-bit",
    ]);
    text += `images:\n${img}\n`;
    tags.push("images");
  }
  const workloads = [
    ...(kinds.includes("deployment") ? ["app"] : []),
    ...(kinds.includes("statefulset") ? ["app-db"] : []),
  ];
  if (chance(r, 0.2) && (workloads.length > 0 || chance(r, 0.2))) {
    text += `replicas:\n- name: ${workloads.length > 0 ? pick(r, workloads) : "missing"}\n  count: ${pick(r, [0, 3, 5])}\n`;
    tags.push("replicas");
  }
  if (chance(r, 0.45)) {
    const pool = PATCHES.filter((p) => p.needs.every((k) => kinds.includes(k)));
    if (pool.length > 0) {
      const chosen = [...new Set([pick(r, pool), pick(r, pool)])];
      text += `patches:\n${chosen.map((p) => p.text).join("")}`;
      tags.push(...chosen.map((p) => p.tag));
    }
  }
  return { text, tags };
}

const indent = (s: string, n: number): string =>
  s
    .split("\n")
    .map((l) => (l === "" ? l : " ".repeat(n) + l))
    .join("\n");

const PATCHES: { tag: string; needs: string[]; text: string }[] = [
  {
    tag: "smp",
    needs: ["deployment"],
    text: `- patch: |-\n${indent('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: main\n        image: nginx:1.26\n        env:\n        - name: ADDED\n          value: "yes"\n        - name: FROM_CM\n          value: overridden', 4)}\n`,
  },
  {
    tag: "smp-target",
    needs: ["deployment"],
    text: `- target:\n    kind: Deployment\n  patch: |-\n${indent("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\n  annotations:\n    patched-by: target\nspec:\n  template:\n    spec:\n      nodeSelector:\n        pool: general", 4)}\n`,
  },
  {
    tag: "json-label",
    needs: [],
    text: `- target:\n    version: v1\n  patch: |-\n    - op: add\n      path: /metadata/labels\n      value:\n        patched: json\n`,
  },
  {
    tag: "json-image",
    needs: ["deployment"],
    text: `- target:\n    group: apps\n    kind: Deployment\n    name: app\n  patch: |-\n    - op: replace\n      path: /spec/template/spec/containers/0/image\n      value: nginx:1.24\n`,
  },
  {
    tag: "smp-sidecar",
    needs: ["deployment"],
    text: `- patch: |-\n${indent("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n      - name: proxy\n        image: envoyproxy/envoy:v1.30\n        volumeMounts:\n        - name: cfg\n          mountPath: /etc/envoy\n      volumes:\n      - name: extra\n        emptyDir: {}", 4)}\n`,
  },
  {
    tag: "smp-delete",
    needs: ["deployment"],
    text: `- patch: |-\n${indent("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      initContainers:\n      - name: init\n        $patch: delete\n      volumes:\n      - name: sec\n        $patch: delete", 4)}\n`,
  },
  {
    tag: "json-labelsel",
    needs: [],
    text: `- target:\n    labelSelector: app=app\n  patch: |-\n    - op: add\n      path: /metadata/annotations/selected\n      value: "true"\n`,
  },
  {
    tag: "smp-svc",
    needs: ["service"],
    text: `- patch: |-\n${indent("apiVersion: v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  type: NodePort\n  ports:\n  - name: metrics\n    port: 9090\n  - name: http\n    port: 80\n    nodePort: 30080", 4)}\n`,
  },
  {
    tag: "smp-sts",
    needs: ["statefulset"],
    text: `- target:\n    kind: StatefulSet\n  patch: |-\n${indent("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: x\nspec:\n  volumeClaimTemplates:\n  - metadata:\n      name: pgdata\n    spec:\n      resources:\n        requests:\n          storage: 20Gi", 4)}\n`,
  },
  {
    tag: "json-cm",
    needs: ["configmap"],
    text: `- target:\n    kind: ConfigMap\n    name: app-conf.*\n  patch: |-\n    - op: add\n      path: /data/extra\n      value: "42"\n    - op: remove\n      path: /data/b\n`,
  },
];

interface BaseGen {
  cm?: string;
  sec?: string;
  ns?: string;
}

function generators(
  r: Rand,
  tree: Tree,
  dir: string,
  tags: string[],
  kinds: readonly string[],
  base?: BaseGen,
): { text: string; made: BaseGen } {
  const merge = base !== undefined && (base.cm !== undefined || base.sec !== undefined);
  const made: BaseGen = {};
  const nsLine = base?.ns !== undefined ? `  namespace: ${base.ns}\n` : "";
  let text = "";
  if (merge ? base?.cm !== undefined && chance(r, 0.8) : chance(r, 0.4)) {
    const opts = chance(r, 0.3) ? `  options:\n    disableNameSuffixHash: true\n` : "";
    const labels = chance(r, 0.2)
      ? `  options:\n    labels:\n      gen: "yes"\n    annotations:\n      kustomize/x: "1"\n`
      : "";
    const src = pick(r, ["literals", "envs", "files", "mixed"]);
    let body = "";
    if (src === "literals" || src === "mixed")
      body += `  literals:\n  - a=${merge ? "overridden" : "1"}\n  - greeting="hello there"\n`;
    if (src === "envs" || src === "mixed") {
      tree.files[`${dir}/app.env`] = "# settings\nLOG_LEVEL=debug\nEMPTY=\nURL=http://x.example:8080/?a=b\n";
      body += `  envs:\n  - app.env\n`;
    }
    if (src === "files" || src === "mixed") {
      tree.files[`${dir}/config.json`] = '{"a": 1, "b": "<tag>&"}\n';
      tree.files[`${dir}/script.sh`] = "#!/bin/sh\necho hi   \n\n";
      body += `  files:\n  - config.json\n  - run.sh=script.sh\n`;
    }
    const behavior = merge ? `  behavior: ${pick(r, ["merge", "replace", "merge"])}\n${nsLine}` : "";
    made.cm = merge ? base?.cm : kinds.includes("configmap") ? "app-env" : pick(r, ["app-config", "app-env"]);
    text += `configMapGenerator:\n- name: ${made.cm}\n${behavior}${body}${opts || labels}`;
    tags.push(merge ? "cmgen-merge" : "cmgen");
  }
  if (merge ? base?.sec !== undefined && chance(r, 0.8) : chance(r, 0.3)) {
    const behavior = merge ? `  behavior: merge\n${nsLine}` : "";
    made.sec = merge ? base?.sec : kinds.includes("secret") ? "app-creds" : "app-secret";
    text += `secretGenerator:\n- name: ${made.sec}\n${behavior}  type: ${pick(r, ["Opaque", "kubernetes.io/basic-auth"])}\n  literals:\n  - username=admin\n  - password=${merge ? "s3cr3t-new" : "s3cr3t"}\n`;
    tags.push(merge ? "secgen-merge" : "secgen");
  }
  if (chance(r, 0.15) && !merge) {
    text += `generatorOptions:\n  disableNameSuffixHash: ${pick(r, [true, false])}\n  labels:\n    generated: "true"\n`;
    tags.push("genopts");
  }
  return { text, made };
}

/** A random case for a seed: its name, files, and the directory to build. */
export function makeCase(seed: number): { name: string; tree: Tree; build: string } {
  const r = rng(seed);
  const tree: Tree = { files: {} };
  const tags: string[] = [];
  const layout = pick(r, ["flat", "flat", "overlay", "overlay", "twobases", "multidoc", "list"]);
  tags.push(layout);
  const kinds = Object.keys(CATALOG).filter(() => chance(r, 0.35));
  if (kinds.length === 0) kinds.push("deployment", "service");
  const base = layout === "flat" || layout === "multidoc" || layout === "list" ? "." : "base";
  const res = (kind: string): string => (CATALOG[kind] ?? "").replaceAll("$", "app");
  if (layout === "multidoc") {
    tree.files[`${base}/all.yaml`] = kinds.map(res).join("---\n");
  } else if (layout === "list") {
    const items = kinds.flatMap((k) => res(k).split("---\n"));
    const indented = items.map((i) => `- ${i.trimEnd().replaceAll("\n", "\n  ")}`).join("\n");
    tree.files[`${base}/list.yaml`] = `apiVersion: v1\nkind: List\nitems:\n${indented}\n`;
  } else {
    for (const k of kinds) tree.files[`${base}/${k}.yaml`] = res(k);
  }
  const resourceFiles =
    layout === "multidoc" ? ["all.yaml"] : layout === "list" ? ["list.yaml"] : kinds.map((k) => `${k}.yaml`);
  const baseFeat = features(r, "base", kinds);
  const baseGen = generators(r, tree, base, tags, kinds);
  let baseKust = yamlList("resources", resourceFiles) + baseFeat.text + baseGen.text;
  const nsMatch = /^namespace: (.*)$/m.exec(baseFeat.text);
  if (nsMatch?.[1] !== undefined) baseGen.made.ns = nsMatch[1];
  if (chance(r, 0.1)) {
    baseKust += "sortOptions:\n  order: fifo\n";
    tags.push("fifo");
  }
  tree.files[`${base}/kustomization.yaml`] = baseKust;
  tags.push(...baseFeat.tags.map((t) => `b.${t}`));
  let build = ".";
  if (layout === "overlay" || layout === "twobases") {
    const overlay = "overlays/prod";
    const bases = ["../../base"];
    if (layout === "twobases") {
      tree.files["other/kustomization.yaml"] = "namePrefix: other-\nresources:\n- cm.yaml\n";
      tree.files["other/cm.yaml"] =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  k: v\n";
      bases.push("../../other");
    }
    const f = features(r, "prod", kinds);
    const gen = generators(r, tree, overlay, tags, kinds, baseGen.made).text;
    tree.files[`${overlay}/kustomization.yaml`] = yamlList("resources", bases) + f.text + gen;
    tags.push(...f.tags.map((t) => `o.${t}`));
    build = overlay;
  }
  const short = [...new Set(tags)].slice(0, 6).join("-");
  return { name: `gen-${String(seed).padStart(3, "0")}-${short}`, tree, build };
}

/** Writes a case's files under dir/in (and build.txt when it builds a sub-directory). */
export function writeCase(dir: string, c: { tree: Tree; build: string }): void {
  for (const [file, text] of Object.entries(c.tree.files)) {
    const p = path.join(dir, "in", file);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  if (c.build !== ".") writeFileSync(path.join(dir, "build.txt"), `${c.build}\n`);
}

const COMPONENT = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
- pairs:
    feature: monitoring
  includeSelectors: false
configMapGenerator:
- name: monitoring
  literals:
  - scrape=true
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /metadata/annotations/prometheus.io~1scrape
      value: "true"
`;

/**
 * A second family of random cases: objects with their own namespaces, components, replacements,
 * vars, multi-key port patches and generator namespaces, over a base and one or two overlays.
 */
export function makeCase2(seed: number): { name: string; tree: Tree; build: string } {
  const r = rng(seed * 7919);
  const tree: Tree = { files: {} };
  const tags: string[] = [];
  const kinds = Object.keys(CATALOG).filter(() => chance(r, 0.4));
  for (const k of ["deployment", "service", "configmap"]) if (!kinds.includes(k)) kinds.push(k);
  const ownNs = chance(r, 0.3);
  if (ownNs) tags.push("ownns");
  const res = (kind: string): string => {
    let t = (CATALOG[kind] ?? "").replaceAll("$", "app");
    if (ownNs && !["namespace", "clusterrole"].includes(kind))
      t = t.replace(/^metadata:\n/m, "metadata:\n  namespace: apps\n");
    return t;
  };
  for (const k of kinds) tree.files[`base/${k}.yaml`] = res(k);
  let base = yamlList(
    "resources",
    kinds.map((k) => `${k}.yaml`),
  );
  if (chance(r, 0.5)) {
    base += `configMapGenerator:\n- name: app-env\n${ownNs ? "  namespace: apps\n" : ""}  literals:\n  - MODE=base\n`;
    tags.push("gen");
  }
  if (chance(r, 0.3)) {
    base += `vars:\n- name: SVC\n  objref:\n    apiVersion: v1\n    kind: Service\n    name: app\n`;
    tree.files["base/deployment.yaml"] = (tree.files["base/deployment.yaml"] ?? "").replace(
      'command: ["sh", "-c", "echo init"]',
      'command: ["sh", "-c", "echo $(SVC)"]',
    );
    tags.push("vars");
  }
  tree.files["base/kustomization.yaml"] = base;
  let ov = "resources:\n- ../../base\n";
  if (chance(r, 0.5)) ov += `namePrefix: ${pick(r, ["o-", "prod-"])}\n`;
  if (chance(r, 0.4)) ov += `namespace: ${pick(r, ["apps", "prod", "default"])}\n`;
  if (chance(r, 0.4)) {
    tree.files["components/monitoring/kustomization.yaml"] = COMPONENT;
    ov += "components:\n- ../../components/monitoring\n";
    tags.push("component");
  }
  if (chance(r, 0.4)) {
    ov += `replacements:
- source:
    kind: Service
    name: app
    fieldPath: metadata.name
  targets:
  - select:
      kind: Deployment
    fieldPaths:
    - spec.template.metadata.annotations.service
    options:
      create: true
- source:
    kind: ConfigMap
    name: app-config
    fieldPath: data.a
  targets:
  - select:
      kind: Deployment
      name: app
    fieldPaths:
    - spec.template.spec.containers.[name=main].env.[name=FROM_CM].valueFrom.configMapKeyRef.key
`;
    tags.push("replacements");
  }
  if (chance(r, 0.4)) {
    ov += `patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app
${ownNs ? "      namespace: apps\n" : ""}    spec:
      template:
        spec:
          containers:
          - name: main
            ports:
            - containerPort: ${pick(r, ["80", "443", "8080"])}
${chance(r, 0.5) ? "              protocol: UDP\n" : ""}            - containerPort: 9090
              name: metrics
`;
    tags.push("ports");
  }
  if (chance(r, 0.3)) {
    ov += `configMapGenerator:\n- name: app-env\n  behavior: ${pick(r, ["merge", "replace", "create"])}\n${ownNs ? "  namespace: apps\n" : ""}  literals:\n  - MODE=prod\n`;
    tags.push("ovgen");
  }
  tree.files["overlays/prod/kustomization.yaml"] = ov;
  let build = "overlays/prod";
  if (chance(r, 0.3)) {
    tree.files["overlays/canary/kustomization.yaml"] = "resources:\n- ../../base\nnameSuffix: -canary\n";
    tree.files["clusters/all/kustomization.yaml"] =
      "resources:\n- ../../overlays/prod\n- ../../overlays/canary\n";
    build = "clusters/all";
    tags.push("two-overlays");
  }
  return {
    name: `gen2-${String(seed).padStart(3, "0")}-${[...new Set(tags)].slice(0, 5).join("-")}`,
    tree,
    build,
  };
}
