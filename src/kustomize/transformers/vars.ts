// Legacy `vars`: values taken from fields of objects and substituted for $(NAME) in the fields
// kustomize's varReference table lists, after name references are fixed.
import { type Slot, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import type { VarEntry } from "../kustomization.ts";
import { effectiveNamespace, isClusterScoped, parseApiVersion } from "../resid.ts";
import { BuildError, isObj, type ResMap, type Resource } from "../resource.ts";
import { splitFieldPath } from "./replacements.ts";

/** Vars declared anywhere in a build, and the resource each refers to. */
export interface VarSet {
  readonly vars: VarEntry[];
  readonly sources: Map<string, Resource>;
}

/** Records a kustomization's vars and the objects they point at (as kustomize does after each level). */
export function mergeVars(rm: ResMap, incoming: readonly VarEntry[], set: VarSet): void {
  for (const v of incoming) {
    const ref = v.objref;
    const gv = ref.apiVersion
      ? parseApiVersion(ref.apiVersion)
      : { group: ref.group ?? "", version: ref.version ?? "" };
    const kind = ref.kind ?? "";
    const type = {
      apiVersion: ref.apiVersion ?? (gv.group ? `${gv.group}/${gv.version}` : gv.version),
      kind,
    };
    const withNs = (ref.namespace ?? "") !== "" || isClusterScoped(type);
    const matched = rm.list.filter((r) => {
      const g = r.gvk();
      if (g.group !== gv.group || g.version !== gv.version) return false;
      const ids = [
        ...r.prevIds,
        { kind: r.kind, name: r.name, namespace: effectiveNamespace(r.type, r.namespace) },
      ];
      return ids.some(
        (id) =>
          id.kind === kind &&
          id.name === (ref.name ?? "") &&
          (!withNs || id.namespace === effectiveNamespace(type, ref.namespace ?? "")),
      );
    });
    if (matched.length > 1) {
      throw new BuildError(
        `found ${matched.length} resId matches for var ${v.name} (unable to disambiguate)`,
      );
    }
    if (matched[0] !== undefined && !set.sources.has(v.name)) set.sources.set(v.name, matched[0]);
    if (set.vars.some((x) => x.name === v.name)) throw new BuildError(`var '${v.name}' already encountered`);
    set.vars.push(v);
  }
}

function fieldValue(r: Resource, fieldPath: string): unknown {
  let cur: unknown = r.obj;
  for (const raw of splitFieldPath(fieldPath)) {
    const m = /^(.*)\[(\d+)\]$/.exec(raw);
    const keys = m ? [m[1] as string, Number(m[2])] : [raw];
    for (const k of keys) {
      if (k === "") continue;
      if (typeof k === "number") cur = Array.isArray(cur) ? cur[k] : undefined;
      else if (Array.isArray(cur) && /^\d+$/.test(k)) cur = cur[Number(k)];
      else cur = isObj(cur) ? cur[k] : undefined;
      if (cur === undefined) return undefined;
    }
  }
  return cur;
}

/** Expands $(NAME) references the way Kubernetes does ($$ escapes); a lone reference keeps the value's type. */
export function expand(input: string, values: Map<string, unknown>, used: Set<string>): unknown {
  const whole = /^\$\(([^)]*)\)$/.exec(input);
  if (whole !== null && values.has(whole[1] as string)) {
    used.add(whole[1] as string);
    return values.get(whole[1] as string);
  }
  let out = "";
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== "$" || i + 1 >= input.length) {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 2;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += "$(";
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      if (values.has(name)) {
        used.add(name);
        const v = values.get(name);
        out += typeof v === "string" ? v : JSON.stringify(v);
      } else out += `$(${name})`;
      i = close + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

/** Substitutes every var into the varReference fields of every object. */
export function resolveVars(rm: ResMap, set: VarSet): void {
  if (set.vars.length === 0) return;
  const values = new Map<string, unknown>();
  for (const v of set.vars) {
    const src = set.sources.get(v.name);
    if (src === undefined) {
      throw new BuildError(`var '${v.name}' cannot be mapped to a field in the set of known resources`);
    }
    const value = fieldValue(src, v.fieldref?.fieldpath || "metadata.name");
    if (value === undefined)
      throw new BuildError(`field specified in var '${v.name}' not found in corresponding resource`);
    // kustomize substitutes only scalars: a var holding a map or list leaves its references as written.
    if (isObj(value) || Array.isArray(value)) continue;
    values.set(v.name, value);
  }
  const used = new Set<string>();
  const sub = (slot: Slot): void => {
    const v = slotGet(slot);
    if (typeof v === "string") slotSet(slot, expand(v, values, used));
  };
  for (const r of rm.list) {
    const gvk = r.gvk();
    for (const fs of rm.config.varReference) {
      if (!specSelects(fs, gvk)) continue;
      visitPath(r.obj, fs.path, false, (slot) => {
        const v = slotGet(slot);
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            if (typeof v[i] !== "string") throw new BuildError("invalid value type expect a string");
            sub({ holder: v, key: i });
          }
        } else if (isObj(v)) {
          for (const k of Object.keys(v)) sub({ holder: v, key: k });
        } else sub(slot);
      });
    }
  }
}
