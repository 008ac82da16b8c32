// Differential test of driftless' health rules against kstatus (kstatus.go): every fixture in ../ and
// random objects of the kinds kstatus knows go through both. See README.md. Not part of the test suite.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { compute } from "../../compute.ts";
import type { Result } from "../../status.ts";

const [binary = "./kstatus", seedArg = "1", countArg = "20000"] = process.argv.slice(2);
let seed = Number(seedArg);
function rand(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;

interface Answer {
  status?: string;
  message?: string;
  reason?: string;
  type?: string;
  error?: string;
}

function kstatus(objects: readonly unknown[]): Answer[] {
  const input = `${objects.map((o) => JSON.stringify(o)).join("\n")}\n`;
  return execFileSync(binary, { input, maxBuffer: 1 << 30 })
    .toString()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

function same(ours: Result, theirs: Answer): boolean {
  // kstatus returns an error where driftless reports Unknown.
  const expected = theirs.error
    ? { status: "Unknown", message: `Failed to compute status: ${theirs.error}` }
    : { status: theirs.status, message: theirs.message, reason: theirs.reason, type: theirs.type };
  const actual = { status: ours.status, message: ours.message, reason: ours.conditions[0]?.reason, type: ours.conditions[0]?.type };
  return JSON.stringify(actual) === JSON.stringify(expected);
}

// Fixtures: differences are expected exactly where driftless follows Flux rather than kstatus.
const root = join(import.meta.dirname, "..");
const fixtures = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== "differential")
  .flatMap((d) => readdirSync(join(root, d.name)).map((f) => join(d.name, f)));
const parsed = fixtures.map((f) => parse(readFileSync(join(root, f), "utf8")) as { object: unknown; now?: string });
const fixtureAnswers = kstatus(parsed.map((p) => p.object));
for (const [i, f] of fixtures.entries()) {
  const p = parsed[i];
  const ours = compute(p?.object, p?.now ? { now: new Date(p.now) } : {});
  if (!same(ours, fixtureAnswers[i] ?? {})) console.log("fixture differs:", f, JSON.stringify(fixtureAnswers[i]));
}

// Random objects of the kinds both know (not Job: driftless follows Flux's Job rule).
const kinds: Array<[string, string]> = [
  ["apps/v1", "Deployment"], ["apps/v1", "StatefulSet"], ["apps/v1", "DaemonSet"], ["apps/v1", "ReplicaSet"],
  ["v1", "Pod"], ["v1", "PersistentVolumeClaim"], ["v1", "Service"], ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
  ["policy/v1", "PodDisruptionBudget"], ["v1", "ConfigMap"], ["v1", "Secret"], ["batch/v1", "CronJob"],
  ["example.com/v1", "Widget"], ["extensions/v1beta1", "Deployment"],
];
const conditionTypes = ["Ready", "Reconciling", "Stalled", "Available", "Progressing", "ReplicaFailure", "PodScheduled"];
conditionTypes.push("NamesAccepted", "Established", "Other");
const reasons = ["NewReplicaSetAvailable", "ProgressDeadlineExceeded", "Unschedulable", "Installing", "NotAccepted", "X", ""];
const counts = ["replicas", "readyReplicas", "updatedReplicas", "availableReplicas", "currentReplicas", "fullyLabeledReplicas"];
counts.push("desiredNumberScheduled", "currentNumberScheduled", "updatedNumberScheduled", "numberAvailable", "numberReady");

function randomObject(): Record<string, unknown> {
  const [apiVersion, kind] = pick(kinds);
  const metadata: Record<string, unknown> = { name: "x", namespace: "n", creationTimestamp: "2020-01-01T00:00:00Z" };
  if (rand(3)) metadata.generation = 1 + rand(2);
  if (rand(15) === 0) metadata.deletionTimestamp = "2020-01-01T00:00:00Z";
  const spec: Record<string, unknown> = {};
  if (rand(2)) spec.replicas = rand(4);
  if (rand(4) === 0) spec.progressDeadlineSeconds = pick([600, 2147483647]);
  if (rand(4) === 0) spec.updateStrategy = pick([{ type: "OnDelete" }, { type: "RollingUpdate", rollingUpdate: { partition: rand(3) } }]);
  if (rand(3) === 0) spec.type = pick(["LoadBalancer", "ClusterIP", "NodePort"]);
  if (rand(3) === 0) spec.clusterIP = pick(["", "10.0.0.1", "None"]);
  const obj: Record<string, unknown> = { apiVersion, kind, metadata, spec };
  if (rand(6)) {
    const status: Record<string, unknown> = {};
    for (const field of counts) if (rand(3)) status[field] = rand(4);
    if (rand(2)) status.observedGeneration = 1 + rand(2);
    if (rand(2)) status.currentRevision = pick(["a", "b"]);
    if (rand(2)) status.updateRevision = pick(["a", "b"]);
    if (rand(2)) status.phase = pick(["Bound", "Pending", "Running", "Succeeded", "Failed", "Lost"]);
    if (rand(2)) {
      status.conditions = Array.from({ length: rand(4) }, () => ({
        type: pick(conditionTypes),
        status: pick(["True", "False", "Unknown"]),
        reason: pick(reasons),
        message: pick(["m", ""]),
      }));
    }
    if (rand(4) === 0) status.containerStatuses = [{ name: "c", state: pick([{ waiting: { reason: "CrashLoopBackOff" } }, { running: {} }]) }];
    obj.status = status;
  }
  return obj;
}

const objects = Array.from({ length: Number(countArg) }, randomObject);
const answers = kstatus(objects);
let differ = 0;
for (const [i, obj] of objects.entries()) {
  const ours = compute(obj);
  if (!same(ours, answers[i] ?? {}) && differ++ < 10) console.log(JSON.stringify(obj), JSON.stringify(answers[i]), JSON.stringify(ours));
}
console.log(`${fixtures.length} fixtures compared; ${objects.length} random objects, ${differ} differ`);
