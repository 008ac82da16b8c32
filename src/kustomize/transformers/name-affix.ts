// namePrefix / nameSuffix: renames objects, remembering the old names for name references.
import { namePrefixSpecs, nameSuffixSpecs } from "../config/builtin.ts";
import { specSelects } from "../fieldspec.ts";
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
export function applyNamePrefix(rm: ResMap, prefix: string): void {
  if (prefix === "") return;
  for (const r of rm.list) {
    const gvk = orgGvk(r);
    if (skipped(gvk)) continue;
    for (const fs of namePrefixSpecs) {
      if (!specSelects(fs, gvk)) continue;
      r.prefixes.push(prefix);
      r.storePreviousId();
      r.name = prefix + r.name;
    }
  }
}

/** Applies a kustomization's `nameSuffix`. */
export function applyNameSuffix(rm: ResMap, suffix: string): void {
  if (suffix === "") return;
  for (const r of rm.list) {
    const gvk = orgGvk(r);
    if (skipped(gvk)) continue;
    for (const fs of nameSuffixSpecs) {
      if (!specSelects(fs, gvk)) continue;
      r.suffixes.push(suffix);
      r.storePreviousId();
      r.name = r.name + suffix;
    }
  }
}
