import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeStatus } from "../../src/controller/runtime/status.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { createNamespace } from "../harness/context.ts";
import { adminClient, GITREPOS, gitRepository } from "./support.ts";

describe("status writes", () => {
  let client: KubeClient;
  let ns: string;

  beforeAll(async () => {
    client = adminClient();
    ns = await createNamespace("rt-status");
  });
  afterAll(() => client.close());

  it("change only status, carry observedGeneration and leave generation and spec alone", async () => {
    await client.apply(gitRepository(ns, "repo"));
    const updated = await client.apply(gitRepository(ns, "repo", "https://example.com/v2.git"));
    expect(updated.metadata.generation).toBe(2);
    const before = (await client.get(GITREPOS, { namespace: ns, name: "repo" })) as Record<
      string,
      unknown
    > & {
      metadata: { generation?: number; resourceVersion?: string };
    };

    const condition = {
      type: "Ready",
      status: "True",
      reason: "Succeeded",
      message: "stored artifact",
      observedGeneration: 2,
      lastTransitionTime: "2026-01-01T00:00:00Z",
    };
    const written = await writeStatus(client, GITREPOS, updated, { conditions: [condition] });
    expect(written).toMatchObject({ status: { observedGeneration: 2, conditions: [condition] } });
    expect(written.metadata.generation).toBe(2);
    expect((written as { spec?: unknown }).spec).toEqual(before.spec);
    expect(written.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);

    // A second write keeps fields it does not mention.
    const second = await writeStatus(client, GITREPOS, written, { artifact: null, observedGeneration: 2 });
    expect(second).toMatchObject({ status: { conditions: [condition], observedGeneration: 2 } });

    const after = await client.get(GITREPOS, { namespace: ns, name: "repo" });
    expect(after.metadata.generation).toBe(2);
    expect((after as { spec?: unknown }).spec).toEqual(before.spec);
  });

  it("ignore spec and metadata sent to the status subresource", async () => {
    const created = await client.apply(gitRepository(ns, "sneaky"));
    const patched = await client.patchStatus(
      GITREPOS,
      { namespace: ns, name: "sneaky" },
      {
        metadata: { labels: { sneaked: "yes" } },
        spec: { url: "https://evil.example.com/x.git" },
        status: { observedGeneration: 1 },
      },
    );
    expect((patched as { spec?: { url?: string } }).spec?.url).toBe("https://example.com/repo.git");
    expect(patched.metadata.labels?.sneaked).toBeUndefined();
    expect(patched.metadata.generation).toBe(created.metadata.generation);
    expect(patched).toMatchObject({ status: { observedGeneration: 1 } });
  });

  it("do not change the main resource's status through a normal patch", async () => {
    const created = await client.apply(gitRepository(ns, "plain"));
    const patched = await client.patch(
      GITREPOS,
      { namespace: ns, name: "plain" },
      { status: { observedGeneration: 99 } },
    );
    // The main resource drops status changes; the CRD's default (-1) stays.
    const status = (patched as { status?: { observedGeneration?: number } }).status;
    expect(status?.observedGeneration).not.toBe(99);
    expect(patched.metadata.generation).toBe(created.metadata.generation);
  });
});
