// A validating admission webhook (failurePolicy: Fail) that denies one object of a commit, or cannot be
// reached at all: the dry run fails, so nothing of that commit is applied and nothing is pruned; the last
// applied revision and inventory stay; Ready=False names the object and the webhook's message. Once the
// webhook allows it (or answers again) the next run converges.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdmissionWebhook } from "../harness/admission-webhook.ts";
import { createNamespace, testEnv } from "../harness/context.ts";
import { type KsBed, startKsBed } from "../harness/kustomization-bed.ts";
import { eventually } from "../harness/wait.ts";
import { configMap, kustomization } from "./support.ts";

describe("kustomization behind a validating admission webhook", () => {
  let webhook: AdmissionWebhook;
  let bed: KsBed;
  let ns = "";
  let webhookName = "";
  let applied = "";
  let inventory = "";

  beforeAll(async () => {
    webhook = await AdmissionWebhook.start();
    ns = await createNamespace("ks-fault-webhook");
    bed = await startKsBed({ kubeconfig: testEnv().kubeconfig });
    webhookName = `driftless-fault-${randomBytes(4).toString("hex")}`;
    await bed.apply(webhookConfiguration(webhookName, ns, webhook));
    // The apiserver picks the configuration up asynchronously: wait until it calls the webhook.
    webhook.decide = (r) =>
      r.name === "probe" ? { allowed: false, message: "probe denied" } : { allowed: true };
    await eventually(
      async () => {
        const r = await bed.kubectl(
          ["create", "-f", "-", "--dry-run=server", "-o", "name"],
          configMap("probe", ns, { v: "1" }),
        );
        return r.code !== 0 && r.stderr.includes("probe denied") ? true : undefined;
      },
      60_000,
      "the webhook to be called",
    );
    webhook.decide = () => ({ allowed: true });

    applied = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "1" }),
      "two.yaml": configMap("two", ns, { v: "1" }),
    });
    await bed.apply(kustomization(ns, "app", { retryInterval: "2s" }));
    await bed.waitForRevision(ns, "app", applied);
    inventory = (await bed.jsonpath(["ks/app", "-n", ns], "{.status.inventory}")) ?? "";
  });

  afterAll(async () => {
    if (webhookName) await bed?.kubectl(["delete", "validatingwebhookconfiguration", webhookName]);
    // Finalize with this file's controller still running, so no finalizer is left behind.
    if (ns) await bed?.kubectl(["delete", "ks/app", "-n", ns, "--timeout=60s"]);
    await bed?.stop();
    await webhook?.close();
  });

  /** The cluster and status still show the last applied revision: nothing applied, nothing pruned. */
  async function expectUntouched(data: Record<string, string>, present: readonly string[]): Promise<void> {
    for (const [name, v] of Object.entries(data)) {
      expect(await bed.jsonpath([`configmap/${name}`, "-n", ns], "{.data.v}")).toBe(v);
    }
    for (const name of present) {
      expect(await bed.jsonpath([`configmap/${name}`, "-n", ns], "{.metadata.name}")).toBe(name);
    }
    expect(await bed.jsonpath(["ks/app", "-n", ns], "{.status.lastAppliedRevision}")).toBe(applied);
    expect(await bed.jsonpath(["ks/app", "-n", ns], "{.status.inventory}")).toBe(inventory);
  }

  it("applies nothing of a commit with a denied object, names it and the webhook's message, and converges once allowed", async () => {
    webhook.decide = (r) =>
      r.name === "three"
        ? { allowed: false, message: "configmap three is refused by the fault policy" }
        : { allowed: true };
    const seenBefore = webhook.requests.length;
    const rev = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "2" }),
      "three.yaml": configMap("three", ns, { v: "1" }),
    });
    const ready = await bed.waitForReason(ns, "app", "ReconciliationFailed");
    expect(ready.status).toBe("False");
    expect(ready.message).toContain(`ConfigMap/${ns}/three`);
    expect(ready.message).toContain("configmap three is refused by the fault policy");
    expect(await bed.jsonpath(["ks/app", "-n", ns], "{.status.lastAttemptedRevision}")).toBe(rev);
    // Let a retry or two run into the denial as well: still nothing applied or pruned.
    await eventually(
      async () => (webhook.requests.filter((r) => r.name === "three").length >= 2 ? true : undefined),
      30_000,
      "a retry",
    );
    await expectUntouched({ one: "1", two: "1" }, ["two"]);
    expect(await bed.jsonpath(["configmap/three", "-n", ns], "{.metadata.name}")).toBeUndefined();
    // The webhook only ever saw dry runs of this commit.
    const during = webhook.requests.slice(seenBefore);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((r) => !r.dryRun)).toEqual([]);

    webhook.decide = () => ({ allowed: true });
    await bed.waitForRevision(ns, "app", rev);
    expect(await bed.jsonpath(["configmap/one", "-n", ns], "{.data.v}")).toBe("2");
    expect(await bed.jsonpath(["configmap/three", "-n", ns], "{.data.v}")).toBe("1");
    expect(await bed.jsonpath(["configmap/two", "-n", ns], "{.metadata.name}")).toBeUndefined();
    applied = rev;
    inventory = (await bed.jsonpath(["ks/app", "-n", ns], "{.status.inventory}")) ?? "";
  });

  it("applies nothing while the webhook cannot be reached, names the object, and converges when it is back", async () => {
    await webhook.stop();
    const rev = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "3" }),
      "four.yaml": configMap("four", ns, { v: "1" }),
    });
    const ready = await bed.waitForReason(ns, "app", "ReconciliationFailed");
    expect(ready.message).toMatch(new RegExp(`ConfigMap/${ns}/(one|four)`));
    expect(ready.message).toContain("failed calling webhook");
    await expectUntouched({ one: "2", three: "1" }, ["three"]);
    expect(await bed.jsonpath(["configmap/four", "-n", ns], "{.metadata.name}")).toBeUndefined();

    await webhook.restart();
    await bed.waitForRevision(ns, "app", rev);
    expect(await bed.jsonpath(["configmap/one", "-n", ns], "{.data.v}")).toBe("3");
    expect(await bed.jsonpath(["configmap/four", "-n", ns], "{.data.v}")).toBe("1");
    expect(await bed.jsonpath(["configmap/three", "-n", ns], "{.metadata.name}")).toBeUndefined();
    applied = rev;
    inventory = (await bed.jsonpath(["ks/app", "-n", ns], "{.status.inventory}")) ?? "";
  });

  it("prunes nothing and keeps the last revision when the webhook passes the dry run but denies the apply", async () => {
    // Webhooks that look at dryRun exist (quotas, external checks): the dry run cannot catch these.
    webhook.decide = (r) =>
      r.name === "five" && !r.dryRun
        ? { allowed: false, message: "configmap five is refused outside dry runs" }
        : { allowed: true };
    const rev = await bed.publish(ns, "repo", {
      "one.yaml": configMap("one", ns, { v: "4" }),
      "five.yaml": configMap("five", ns, { v: "1" }),
    });
    const ready = await bed.waitForReason(ns, "app", "ReconciliationFailed");
    expect(ready.message).toMatch(/^apply failed: /);
    expect(ready.message).toContain(`ConfigMap/${ns}/five`);
    expect(ready.message).toContain("configmap five is refused outside dry runs");
    // Objects applied before the denial may have changed (no transaction spans objects); nothing is pruned.
    expect(await bed.jsonpath(["configmap/four", "-n", ns], "{.data.v}")).toBe("1");
    expect(await bed.jsonpath(["configmap/five", "-n", ns], "{.metadata.name}")).toBeUndefined();
    expect(await bed.jsonpath(["ks/app", "-n", ns], "{.status.lastAppliedRevision}")).toBe(applied);
    expect(await bed.jsonpath(["ks/app", "-n", ns], "{.status.inventory}")).toBe(inventory);

    webhook.decide = () => ({ allowed: true });
    await bed.waitForRevision(ns, "app", rev);
    expect(await bed.jsonpath(["configmap/one", "-n", ns], "{.data.v}")).toBe("4");
    expect(await bed.jsonpath(["configmap/five", "-n", ns], "{.data.v}")).toBe("1");
    expect(await bed.jsonpath(["configmap/four", "-n", ns], "{.metadata.name}")).toBeUndefined();
  });
});

function webhookConfiguration(name: string, namespace: string, webhook: AdmissionWebhook): string {
  return JSON.stringify({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name },
    webhooks: [
      {
        name: "configmaps.fault.driftless.test",
        clientConfig: { url: webhook.url, caBundle: webhook.caBundle },
        rules: [
          {
            apiGroups: [""],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["configmaps"],
            scope: "Namespaced",
          },
        ],
        // Only this test's namespace: the control plane is shared with other test files.
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        failurePolicy: "Fail",
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        timeoutSeconds: 5,
      },
    ],
  });
}
