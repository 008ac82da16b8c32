import { describe, expect, it } from "vitest";
import type { KubeObject } from "../kube/object.ts";
import { maskSecrets } from "./diff.ts";

const secret = (data: Record<string, string>, stringData?: Record<string, string>): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s", namespace: "ns" },
    data,
    ...(stringData ? { stringData } : {}),
  }) as KubeObject;

describe("maskSecrets", () => {
  it.each([
    [
      "equal values are masked alike, changed ones before/after, one-sided ones plainly",
      secret({ same: "YQ==", changed: "Yg==", gone: "Yw==" }),
      secret({ same: "YQ==", changed: "ZA==", added: "ZQ==" }),
      { same: "***", changed: "*** (before)", gone: "***" },
      { same: "***", changed: "*** (after)", added: "***" },
    ],
    [
      "a new Secret has every value masked",
      undefined,
      secret({ a: "YQ==" }, { b: "plain" }),
      undefined,
      { a: "***" },
    ],
  ])("%s", (_name, before, after, maskedBefore, maskedAfter) => {
    const [b, a] = maskSecrets(before, after);
    expect((b as { data?: unknown } | undefined)?.data).toEqual(maskedBefore);
    expect((a as { data?: unknown }).data).toEqual(maskedAfter);
    expect(JSON.stringify([b, a])).not.toMatch(/YQ==|Yg==|ZA==|plain/);
  });

  it("leaves other kinds alone", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "1" },
    } as KubeObject;
    expect(maskSecrets(cm, cm)).toEqual([cm, cm]);
  });
});
