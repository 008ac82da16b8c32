import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { compute } from "./compute.ts";
import { Status } from "./status.ts";

// Each fixture is testdata/<kind>/<case>.yaml: the expected status (plus optionally the reason of the
// Reconciling/Stalled condition and the message), an optional `now`, and the object as read from the cluster.
const FixtureSchema = z.object({
  expect: z.object({
    status: z.enum(Object.values(Status)),
    reason: z.string().optional(),
    message: z.string().optional(),
  }),
  now: z.string().optional(),
  object: z.unknown(),
});

const testdata = join(import.meta.dirname, "testdata");
const fixtures = readdirSync(testdata, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(testdata, dir.name))
      .filter((file) => file.endsWith(".yaml"))
      .map((file) => ({
        name: `${dir.name}/${file.replace(/\.yaml$/, "")}`,
        fixture: FixtureSchema.parse(parse(readFileSync(join(testdata, dir.name, file), "utf8"))),
      })),
  );

describe("compute", () => {
  it("has at least four fixtures for every kind", () => {
    const perKind = new Map<string, number>();
    for (const { name } of fixtures) {
      const kind = name.split("/")[0] ?? "";
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
    }
    expect(perKind.size).toBeGreaterThanOrEqual(13);
    for (const [kind, count] of perKind) expect(count, kind).toBeGreaterThanOrEqual(4);
  });

  it.each(fixtures)("$name", ({ fixture }) => {
    const result = compute(fixture.object, fixture.now ? { now: new Date(fixture.now) } : {});
    expect(result.status).toBe(fixture.expect.status);
    if (fixture.expect.message !== undefined) expect(result.message).toBe(fixture.expect.message);
    const condition = result.conditions[0];
    if (fixture.expect.reason !== undefined) {
      expect(condition?.reason).toBe(fixture.expect.reason);
      // InProgress is explained by Reconciling, Failed by Stalled.
      expect(condition?.type).toBe(result.status === Status.Failed ? "Stalled" : "Reconciling");
    }
    if (result.status === Status.Current) expect(result.conditions).toEqual([]);
  });

  it.each([
    ["a string", "Deployment"],
    ["a number", 42],
    ["a list", [{ kind: "Pod" }]],
  ])("reports %s as Unknown", (_, input) => {
    expect(compute(input).status).toBe(Status.Unknown);
  });

  it.each([null, undefined])("reports %s (no object) as NotFound", (input) => {
    expect(compute(input).status).toBe(Status.NotFound);
  });

  it.each([
    ["conditions that are not a list", { status: { conditions: "Ready" } }],
    ["a condition that is not an object", { status: { conditions: ["Ready"] } }],
    [
      "a condition status that is not a string",
      { status: { conditions: [{ type: "Ready", status: true }] } },
    ],
    ["a status that is not an object", { status: "ok" }],
    ["a generation that is not a number", { metadata: { generation: "1" } }],
  ])("reports an object with %s as Unknown without throwing", (_, fields) => {
    const result = compute({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      ...fields,
    });
    expect(result.status).toBe(Status.Unknown);
    expect(result.message).toMatch(/^Failed to compute status: /);
  });
});
