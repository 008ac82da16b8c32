import { type Condition, MalformedObjectError } from "./status.ts";

// Readers for untyped objects. The "field" readers fall back to a default on anything odd, as kstatus'
// GetIntField/GetStringField do; the "nested" readers and readConditions throw MalformedObjectError where
// kstatus' converters return an error, so that compute can report Unknown instead of guessing.

/** Whether a value is a plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lookup(obj: Record<string, unknown>, path: readonly string[]): { found: boolean; value: unknown } {
  let node: unknown = obj;
  for (const key of path) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return { found: false, value: undefined };
    node = node[key];
  }
  return { found: true, value: node };
}

/** The string at `path`, or `fallback` when absent or not a string. */
export function stringField(obj: Record<string, unknown>, path: readonly string[], fallback: string): string {
  const { value } = lookup(obj, path);
  return typeof value === "string" ? value : fallback;
}

/** The integer at `path`, or `fallback` when absent or not an integer. */
export function intField(obj: Record<string, unknown>, path: readonly string[], fallback: number): number {
  const { value } = lookup(obj, path);
  return typeof value === "number" && Number.isInteger(value) ? value : fallback;
}

/** The boolean at `path`, or `fallback` when absent or not a boolean. */
export function boolField(obj: Record<string, unknown>, path: readonly string[], fallback: boolean): boolean {
  const { value } = lookup(obj, path);
  return typeof value === "boolean" ? value : fallback;
}

/** The integer at `path`, `undefined` when absent; throws when present with another type. */
export function nestedInt(obj: Record<string, unknown>, path: readonly string[]): number | undefined {
  let node: unknown = obj;
  for (const [index, key] of path.entries()) {
    if (node === undefined || node === null) return undefined;
    if (!isRecord(node)) {
      throw new MalformedObjectError(`${path.slice(0, index).join(".")} is not an object`);
    }
    node = node[key];
  }
  if (node === undefined || node === null) return undefined;
  if (typeof node !== "number" || !Number.isInteger(node)) {
    throw new MalformedObjectError(`${path.join(".")} is of type ${typeof node}, expected an integer`);
  }
  return node;
}

/** The string at `path`, `undefined` when absent; throws when present with another type. */
export function nestedString(obj: Record<string, unknown>, path: readonly string[]): string | undefined {
  let node: unknown = obj;
  for (const [index, key] of path.entries()) {
    if (node === undefined || node === null) return undefined;
    if (!isRecord(node)) {
      throw new MalformedObjectError(`${path.slice(0, index).join(".")} is not an object`);
    }
    node = node[key];
  }
  if (node === undefined || node === null) return undefined;
  if (typeof node !== "string") {
    throw new MalformedObjectError(`${path.join(".")} is of type ${typeof node}, expected a string`);
  }
  return node;
}

function conditionString(raw: Record<string, unknown>, key: string, index: number): string {
  const value = raw[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new MalformedObjectError(
      `status.conditions[${index}].${key} is of type ${typeof value}, expected a string`,
    );
  }
  return value;
}

/** The object's `status.conditions`, empty when absent; throws when they are not a list of conditions. */
export function readConditions(obj: Record<string, unknown>): Condition[] {
  const status = obj.status;
  if (status === undefined || status === null) return [];
  if (!isRecord(status)) throw new MalformedObjectError("status is not an object");
  const raw = status.conditions;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new MalformedObjectError("status.conditions is not a list");
  return raw.map((item: unknown, index) => {
    if (!isRecord(item)) throw new MalformedObjectError(`status.conditions[${index}] is not an object`);
    return {
      type: conditionString(item, "type", index),
      status: conditionString(item, "status", index),
      reason: conditionString(item, "reason", index),
      message: conditionString(item, "message", index),
    };
  });
}

/** The first condition of `type` whose status is `status`, if any. */
export function findCondition(
  conditions: readonly Condition[],
  type: string,
  status: string,
): Condition | undefined {
  return conditions.find((c) => c.type === type && c.status === status);
}

/** The object's kind, "" when absent. */
export function kindOf(obj: Record<string, unknown>): string {
  return typeof obj.kind === "string" ? obj.kind : "";
}

/** The object's API group from its apiVersion ("" for the core group or when absent). */
export function groupOf(obj: Record<string, unknown>): string {
  const apiVersion = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}
