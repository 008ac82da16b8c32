import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../kube/object.ts";
import { removedByTtl } from "./drift.ts";

const job = (spec: Record<string, unknown>, conditions: unknown[]): KubeObject =>
  ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "once", namespace: "ns" },
    spec,
    status: { conditions },
  }) as KubeObject;

describe("removedByTtl", () => {
  it("treats a finished Job with a TTL as removed by the TTL controller", () => {
    expect(removedByTtl(job({ ttlSecondsAfterFinished: 0 }, [{ type: "Complete", status: "True" }]))).toBe(
      true,
    );
    expect(removedByTtl(job({ ttlSecondsAfterFinished: 30 }, [{ type: "Failed", status: "True" }]))).toBe(
      true,
    );
  });

  it("counts the deletion of a running Job or a Job without TTL as drift", () => {
    expect(removedByTtl(job({ ttlSecondsAfterFinished: 0 }, []))).toBe(false);
    expect(removedByTtl(job({}, [{ type: "Complete", status: "True" }]))).toBe(false);
    expect(removedByTtl(job({ ttlSecondsAfterFinished: 0 }, [{ type: "Complete", status: "False" }]))).toBe(
      false,
    );
  });

  it("ignores kinds other than batch Jobs", () => {
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } } as KubeObject;
    expect(removedByTtl(cm)).toBe(false);
  });
});
