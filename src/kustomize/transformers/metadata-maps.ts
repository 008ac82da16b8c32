// commonLabels, labels and commonAnnotations: set string entries in the maps their field specs name.
import type { TransformerConfig } from "../config/transformer-config.ts";
import { type FieldSpec, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import type { Kustomization } from "../kustomization.ts";
import { BuildError, isObj, type ResMap } from "../resource.ts";
import { rawMetadataText } from "../yaml/parse.ts";

/** Sets entries in the maps at the given field specs of every selected object. */
export function setMapEntries(
  rm: ResMap,
  entries: Record<string, string>,
  specs: readonly FieldSpec[],
): void {
  const keys = Object.keys(entries);
  if (keys.length === 0) return;
  for (const r of rm.list) {
    const gvk = r.gvk();
    for (const fs of specs) {
      if (!specSelects(fs, gvk)) continue;
      visitPath(r.obj, fs.path, fs.create === true, (slot) => {
        let m = slotGet(slot);
        if (m === undefined || m === null) {
          m = {};
          slotSet(slot, m);
        }
        if (!isObj(m)) throw new BuildError(`${r.idText()}: field ${fs.path} is not a map`);
        const raw = rawMetadataText.get(m);
        for (const k of keys) {
          m[k] = entries[k];
          raw?.delete(k);
        }
      });
    }
  }
}

function dedupe(specs: readonly FieldSpec[]): FieldSpec[] {
  const seen = new Set<string>();
  const out: FieldSpec[] = [];
  for (const s of specs) {
    const k = `${s.group ?? ""}|${s.version ?? ""}|${s.kind ?? ""}|${s.path}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(s);
  }
  return out;
}

/** Applies `labels` entries then `commonLabels`, as kustomize orders them. */
export function applyLabels(rm: ResMap, k: Kustomization, cfg: TransformerConfig): void {
  for (const l of k.labels ?? []) {
    let specs: FieldSpec[] = dedupe([...(l.fields ?? []), ...cfg.labels]);
    if (l.includeSelectors === true) specs = dedupe([...specs, ...cfg.commonLabels]);
    else {
      if (l.includeTemplates === true) specs = dedupe([...specs, ...cfg.templateLabels]);
      specs = dedupe([...specs, { path: "metadata/labels", create: true }]);
    }
    setMapEntries(rm, l.pairs ?? {}, specs);
  }
  setMapEntries(rm, k.commonLabels ?? {}, cfg.commonLabels);
}

/** Applies `commonAnnotations`. */
export function applyAnnotations(
  rm: ResMap,
  annotations: Record<string, string> | undefined,
  specs: readonly FieldSpec[],
): void {
  setMapEntries(rm, annotations ?? {}, specs);
}
