// Patch and replacement targets: gvk, regex name and namespace, label and annotation selectors.
import type { Selector } from "../kustomization.ts";
import { effectiveNamespace } from "../resid.ts";
import { BuildError, isObj, type ResMap, type Resource } from "../resource.ts";

const regexCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      throw new BuildError(`invalid regular expression in target selector: ${pattern}`);
    }
    regexCache.set(pattern, re);
  }
  return re;
}

interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

function parseSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of text) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur.trim() !== "") parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m !== null) {
      out.push({
        key: m[1] as string,
        op: m[2] as "in" | "notin",
        values: (m[3] as string).split(",").map((v) => v.trim()),
      });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (m !== null) {
      out.push({ key: m[1] as string, op: m[2] === "!=" ? "!=" : "=", values: [m[3] as string] });
      continue;
    }
    m = /^!\s*(\S+)$/.exec(p);
    if (m !== null) {
      out.push({ key: m[1] as string, op: "!", values: [] });
      continue;
    }
    if (/^\S+$/.test(p)) {
      out.push({ key: p, op: "exists", values: [] });
      continue;
    }
    throw new BuildError(`unable to parse requirement: ${p}`);
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : String(x);
  return out;
}

function matchesSelector(text: string | undefined, map: unknown): boolean {
  if (text === undefined || text === "") return true;
  const m = stringMap(map);
  for (const r of parseSelector(text)) {
    const has = Object.hasOwn(m, r.key);
    const v = m[r.key];
    switch (r.op) {
      case "=":
        if (!has || v !== r.values[0]) return false;
        break;
      case "!=":
        if (has && v === r.values[0]) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v as string)) return false;
        break;
      case "notin":
        if (has && r.values.includes(v as string)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The original (first) id of a resource: name, namespace and kind before any rename. */
export function orgId(r: Resource): { name: string; namespace: string; kind: string } {
  const first = r.prevIds[0];
  if (first !== undefined) return first;
  return { name: r.name, namespace: effectiveNamespace(r.type, r.namespace), kind: r.kind };
}

/** Whether a resource is selected (original or current name and namespace both tried). */
export function selects(s: Selector, r: Resource): boolean {
  const org = orgId(r);
  const curNs = effectiveNamespace(r.type, r.namespace);
  if (s.namespace) {
    const re = anchored(s.namespace);
    if (!re.test(org.namespace) && !re.test(curNs)) return false;
  }
  if (s.name) {
    const re = anchored(s.name);
    if (!re.test(org.name) && !re.test(r.name)) return false;
  }
  const g = r.gvk();
  if (s.group && !anchored(s.group).test(g.group)) return false;
  if (s.version && !anchored(s.version).test(g.version)) return false;
  if (s.kind && !anchored(s.kind).test(g.kind)) return false;
  const meta = r.meta();
  if (!matchesSelector(s.labelSelector, meta.labels)) return false;
  if (!matchesSelector(s.annotationSelector, meta.annotations)) return false;
  return true;
}

/** The resources a selector picks, in order. */
export function select(rm: ResMap, s: Selector): Resource[] {
  return rm.list.filter((r) => selects(s, r));
}
