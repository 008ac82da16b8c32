// Writes a seed-shaped monorepo: apps/<app>/{base,staging,production} and clusters/{staging,production}
// listing every app's overlay. Each app renders 5 objects (Deployment, Service, ConfigMap,
// ServiceAccount, generated ConfigMap) through namespace, prefix, labels, images, replicas, an SMP
// patch, a JSON patch and a merging configMapGenerator.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function app(root: string, name: string): void {
  const base = path.join(root, "apps", name, "base");
  write(
    path.join(base, "kustomization.yaml"),
    `resources:
- deployment.yaml
- service.yaml
- configmap.yaml
- serviceaccount.yaml
labels:
- pairs:
    app.kubernetes.io/name: ${name}
  includeSelectors: true
configMapGenerator:
- name: ${name}-settings
  literals:
  - LOG_LEVEL=info
  - FEATURE_X=false
`,
  );
  write(
    path.join(base, "deployment.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  template:
    spec:
      serviceAccountName: ${name}
      containers:
      - name: app
        image: ghcr.io/example/${name}:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: ${name}-settings
        env:
        - name: STATIC
          valueFrom:
            configMapKeyRef:
              name: ${name}-static
              key: mode
        resources:
          requests:
            cpu: 10m
            memory: 32Mi
`,
  );
  write(
    path.join(base, "service.yaml"),
    `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
`,
  );
  write(
    path.join(base, "configmap.yaml"),
    `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-static
data:
  mode: standard
`,
  );
  write(
    path.join(base, "serviceaccount.yaml"),
    `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
`,
  );
  for (const env of ["staging", "production"]) {
    write(
      path.join(root, "apps", name, env, "kustomization.yaml"),
      `resources:
- ../base
namespace: ${env}
namePrefix: ${env === "staging" ? "stg-" : "prd-"}
labels:
- pairs:
    env: ${env}
images:
- name: ghcr.io/example/${name}
  newTag: "${env === "staging" ? "1.1.0-rc.1" : "1.0.3"}"
replicas:
- name: ${name}
  count: ${env === "staging" ? 1 : 3}
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: ${name}
    spec:
      template:
        spec:
          containers:
          - name: app
            resources:
              limits:
                memory: 256Mi
- target:
    kind: Service
    name: ${name}
  patch: |-
    - op: add
      path: /metadata/annotations
      value:
        example.com/tier: ${env}
configMapGenerator:
- name: ${name}-settings
  behavior: merge
  literals:
  - LOG_LEVEL=${env === "staging" ? "debug" : "warn"}
`,
    );
  }
}

/** Writes a monorepo with n apps under root; returns the cluster overlay directories. */
export function writeMonorepo(root: string, n: number): { staging: string; production: string } {
  const names = Array.from({ length: n }, (_, i) => `app${String(i + 1).padStart(4, "0")}`);
  for (const name of names) app(root, name);
  for (const env of ["staging", "production"]) {
    write(
      path.join(root, "clusters", env, "kustomization.yaml"),
      `resources:\n${names.map((a) => `- ../../apps/${a}/${env}`).join("\n")}\n`,
    );
  }
  return { staging: path.join(root, "clusters/staging"), production: path.join(root, "clusters/production") };
}
