// deploy/ as `kubectl apply -k deploy/` renders it: the CRDs of crds/, a hardened Deployment whose args the
// controller accepts, and a metrics Service that selects its Pods.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { z } from "zod";
import { kubectl } from "../harness/context.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);

const PortSchema = z.looseObject({ name: z.string(), containerPort: z.number() });
const ContainerSchema = z.looseObject({
  image: z.string(),
  args: z.array(z.string()),
  env: z.array(
    z.looseObject({
      name: z.string(),
      valueFrom: z.looseObject({ fieldRef: z.looseObject({ fieldPath: z.string() }) }).optional(),
    }),
  ),
  ports: z.array(PortSchema),
  securityContext: z.looseObject({
    allowPrivilegeEscalation: z.literal(false),
    readOnlyRootFilesystem: z.literal(true),
    capabilities: z.looseObject({ drop: z.array(z.string()) }),
  }),
  resources: z.looseObject({
    requests: z.looseObject({ cpu: z.string(), memory: z.string() }),
    limits: z.looseObject({ cpu: z.string(), memory: z.string() }),
  }),
  livenessProbe: z.looseObject({
    httpGet: z.looseObject({ path: z.string(), port: z.union([z.string(), z.number()]) }),
  }),
  readinessProbe: z.looseObject({
    httpGet: z.looseObject({ path: z.string(), port: z.union([z.string(), z.number()]) }),
  }),
  volumeMounts: z.array(z.looseObject({ name: z.string(), mountPath: z.string() })),
});
const DeploymentSchema = z.looseObject({
  metadata: z.looseObject({ namespace: z.string() }),
  spec: z.looseObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }),
    template: z.looseObject({
      metadata: z.looseObject({ labels: z.record(z.string(), z.string()) }),
      spec: z.looseObject({
        serviceAccountName: z.string(),
        securityContext: z.looseObject({
          runAsNonRoot: z.literal(true),
          runAsUser: z.number(),
          seccompProfile: z.looseObject({ type: z.literal("RuntimeDefault") }),
        }),
        containers: z.array(ContainerSchema).length(1),
        volumes: z.array(z.looseObject({ name: z.string(), emptyDir: z.looseObject({}).optional() })),
      }),
    }),
  }),
});
const ObjectSchema = z.looseObject({ kind: z.string(), metadata: z.looseObject({ name: z.string() }) });

describe("deploy/", () => {
  let objects: z.infer<typeof ObjectSchema>[] = [];
  const byKind = (kind: string): unknown[] => objects.filter((o) => o.kind === kind);

  beforeAll(async () => {
    const r = await kubectl(["kustomize", join(ROOT, "deploy")]);
    expect(r.code, r.stderr).toBe(0);
    objects = parseAllDocuments(r.stdout).map((d) => ObjectSchema.parse(d.toJS()));
  });

  it("installs the CRDs of crds/ unchanged but for the part-of label", () => {
    const crds = byKind("CustomResourceDefinition").map((c) => ObjectSchema.parse(c));
    expect(crds.map((c) => c.metadata.name).sort()).toEqual([
      "gitrepositories.source.toolkit.fluxcd.io",
      "kustomizations.kustomize.toolkit.fluxcd.io",
    ]);
    for (const file of [
      "source.toolkit.fluxcd.io_gitrepositories.yaml",
      "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    ]) {
      const source = ObjectSchema.parse(parse(readFileSync(join(ROOT, "crds", file), "utf8")));
      const installed = crds.find((c) => c.metadata.name === source.metadata.name);
      expect(installed?.spec).toEqual(source.spec);
    }
  });

  it("runs the controller hardened: non-root, read-only root, no capabilities, seccomp, emptyDirs, probes, limits", () => {
    const [raw] = byKind("Deployment");
    const d = DeploymentSchema.parse(raw);
    const pod = d.spec.template.spec;
    const [c] = pod.containers;
    expect(d.metadata.namespace).toBe("flux-system");
    expect(pod.serviceAccountName).toBe("driftless");
    expect(pod.securityContext.runAsUser).toBe(65532);
    expect(c?.securityContext.capabilities.drop).toEqual(["ALL"]);
    expect(c?.image).toBe("driftless:latest");
    const emptyDirs = pod.volumes.filter((v) => v.emptyDir !== undefined).map((v) => v.name);
    const mounts = Object.fromEntries((c?.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    expect(emptyDirs).toContain(mounts["/data"]);
    expect(emptyDirs).toContain(mounts["/tmp"]);
    const ports = Object.fromEntries((c?.ports ?? []).map((p) => [p.name, p.containerPort]));
    expect(ports).toEqual({ "http-metrics": 8080, healthz: 9440, "http-webhook": 9292 });
    expect(c?.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "healthz" });
    expect(c?.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "healthz" });
    expect(c?.args).toEqual(
      expect.arrayContaining([
        "controller",
        "--enable-leader-election",
        "--storage-path=/data",
        "--health-addr=0.0.0.0:9440",
        "--metrics-addr=0.0.0.0:8080",
      ]),
    );
    const env = Object.fromEntries((c?.env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef.fieldPath]));
    expect(env).toMatchObject({ POD_NAME: "metadata.name", POD_NAMESPACE: "metadata.namespace" });
    expect(d.spec.selector.matchLabels).toEqual(expect.objectContaining(d.spec.template.metadata.labels));
  });

  it("passes only flags that `driftless controller` accepts", async () => {
    const [raw] = byKind("Deployment");
    const args = DeploymentSchema.parse(raw).spec.template.spec.containers[0]?.args ?? [];
    // The controller parses every flag strictly before --help: an unknown flag fails here.
    const r = await run(join(ROOT, "node_modules", ".bin", "node"), [
      join(ROOT, "bin", "driftless.mjs"),
      ...args,
      "--help",
    ]);
    expect(r.stdout).toContain("usage: driftless controller");
  });

  it("exposes metrics through a Service selecting the controller's Pods", () => {
    const svc = z
      .looseObject({
        spec: z.looseObject({
          selector: z.record(z.string(), z.string()),
          ports: z.array(z.looseObject({ port: z.number(), targetPort: z.string() })),
        }),
      })
      .parse(byKind("Service")[0]);
    const d = DeploymentSchema.parse(byKind("Deployment")[0]);
    expect(d.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 8080, targetPort: "http-metrics" })]);
  });

  it("is accepted whole by the API server, the Deployment within Pod Security's restricted profile", async () => {
    // The namespace for real (its labels make Pod Security warn), then everything else as a server dry run.
    const namespace = objects.find((o) => o.kind === "Namespace");
    expect((await kubectl(["apply", "-f", "-"], JSON.stringify(namespace))).code).toBe(0);
    const r = await kubectl(["apply", "-k", join(ROOT, "deploy"), "--dry-run=server"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("deployment.apps/driftless created (server dry run)");
    expect(r.stderr).not.toMatch(/PodSecurity/);
    // The same Deployment with its hardening removed does draw the warning: the check above can fail.
    const [raw] = byKind("Deployment");
    const weakened = JSON.parse(JSON.stringify(raw).replace('"runAsNonRoot":true', '"runAsNonRoot":false'));
    const weak = await kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(weakened));
    expect(weak.stderr).toMatch(/would violate PodSecurity "restricted/);
  });
});
