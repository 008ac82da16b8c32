// namePrefix / nameSuffix: renames objects, remembering the old names for name references.
import { type FieldSpec, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import type { Gvk } from "../resid.ts";
import type { ResMap, Resource } from "../resource.ts";

function skipped(gvk: Gvk): boolean {
  return (
    gvk.kind === "CustomResourceDefinition" ||
    gvk.kind === "Namespace" ||
    (gvk.kind === "APIService" && gvk.group === "apiregistration.k8s.io")
  );
}

function orgGvk(r: Resource): Gvk {
  const first = r.prevIds[0];
  const g = r.gvk();
  return first === undefined ? g : { group: g.group, version: g.version, kind: first.kind };
}

/** Applies a kustomization's `namePrefix`. */
export function applyNamePrefix(rm: ResMap, prefix: string, specs: readonly FieldSpec[]): void {
  if (prefix === "") return;
  for (const r of rm.list) {
    const gvk = orgGvk(r);
    if (skipped(gvk)) continue;
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      if (fs.path === "metadata/name") {
        r.prefixes.push(prefix);
        r.storePreviousId();
        r.name = prefix + r.name;
        continue;
      }
      visitPath(r.obj, fs.path, fs.create === true, (s) => slotSet(s, `${prefix}${text(slotGet(s))}`));
    }
  }
}

function text(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

/** Applies a kustomization's `nameSuffix`. */
export function applyNameSuffix(rm: ResMap, suffix: string, specs: readonly FieldSpec[]): void {
  if (suffix === "") return;
  for (const r of rm.list) {
    const gvk = orgGvk(r);
    if (skipped(gvk)) continue;
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      if (fs.path === "metadata/name") {
        r.suffixes.push(suffix);
        r.storePreviousId();
        r.name = r.name + suffix;
        continue;
      }
      visitPath(r.obj, fs.path, fs.create === true, (s) => slotSet(s, `${text(slotGet(s))}${suffix}`));
    }
  }
}
