// kustomize decodes kustomization files (and JSON patches written as YAML) with sigs.k8s.io/yaml, i.e.
// go-yaml v2 and YAML 1.1, where plain `yes`, `no`, `on`, `off`, `y` and `n` are booleans; driftless's
// readers follow go-yaml v3 (YAML 1.2), where they are strings. This turns those plain scalars back
// into booleans in an already parsed document.
import type { Node as YamlNode } from "yaml";
import { isObj } from "./resource.ts";
import { yamlLib } from "./yaml/yaml-lib.ts";

const TRUE = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"]);
const FALSE = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
// A cheap test that the text may hold such a scalar, so most files never load the yaml library.
const MAYBE = /(^|[\s:[{,-])(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)[ \t]*($|#|,|\]|\})/m;

/** Sets the YAML 1.1 booleans of document `index` of text into value (its parsed form); returns value. */
export function applyYaml11Booleans(text: string, value: unknown, index = 0): unknown {
  if (!MAYBE.test(text)) return value;
  const Y = yamlLib();
  const docs = Y.parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list.filter((d) => d.contents !== null)[index];
  if (doc === undefined || doc.errors.length > 0) return value;
  const walk = (node: unknown, holder: unknown, key: string | number | undefined): void => {
    if (Y.isScalar(node)) {
      if (node.type !== "PLAIN" || typeof node.value !== "string" || key === undefined) return;
      const b = TRUE.has(node.value) ? true : FALSE.has(node.value) ? false : undefined;
      if (b === undefined) return;
      if (Array.isArray(holder) && typeof key === "number") holder[key] = b;
      else if (isObj(holder) && typeof key === "string" && key in holder) holder[key] = b;
      return;
    }
    const here =
      key === undefined
        ? holder
        : Array.isArray(holder)
          ? holder[key as number]
          : isObj(holder)
            ? holder[key as string]
            : undefined;
    if (Y.isMap(node)) {
      if (!isObj(here)) return;
      for (const pair of node.items) {
        const k = pair.key;
        if (!Y.isScalar(k) || k.value === null) continue;
        walk(pair.value as YamlNode | null, here, String(k.value));
      }
    } else if (Y.isSeq(node)) {
      if (!Array.isArray(here)) return;
      for (let i = 0; i < node.items.length; i++) walk(node.items[i], here, i);
    }
  };
  walk(doc.contents, value, undefined);
  return value;
}
