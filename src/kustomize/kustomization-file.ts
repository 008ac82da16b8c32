// The kustomization file of a directory: found, read as kustomize reads it (sigs.k8s.io/yaml: repeated
// keys take the last value, nulls become Go's zero values), checked and folded into its current fields.
import path from "node:path";
import {
  describeIssue,
  foldKeys,
  KUSTOMIZATION_FILE_NAMES,
  type Kustomization,
  kustomizationSchema,
} from "./kustomization.ts";
import type { Loader } from "./loader.ts";
import { BuildError, isObj, type Obj } from "./resource.ts";
import { parseYamlStream, parseYamlStreamComplete, YamlError } from "./yaml/parse.ts";
import { applyYaml11Booleans } from "./yaml11-booleans.ts";

/** A loaded kustomization and where it came from. */
export interface LoadedKustomization {
  readonly kustomization: Kustomization;
  readonly file: string;
}

/** Finds and parses the kustomization file of a directory; undefined when it has none. */
export function readKustomization(ldr: Loader): LoadedKustomization | undefined {
  const names = ldr.names();
  const found = KUSTOMIZATION_FILE_NAMES.filter(
    (n) => names.has(n) && ldr.kindOf(path.join(ldr.root, n)) === "file",
  );
  if (found.length === 0) return undefined;
  if (found.length > 1) {
    throw new BuildError(`Found multiple kustomization files under: ${ldr.root}`);
  }
  const file = found[0] as string;
  const text = ldr.read(file);
  const version = /^%YAML[ \t]+(\S+)/m.exec(text)?.[1];
  if (version !== undefined && version !== "1.1")
    throw new BuildError(`${path.join(ldr.root, file)}: found incompatible YAML document (%YAML ${version})`);
  const docs = parseKustomizationText(text, path.join(ldr.root, file));
  if (docs.length === 0 || firstDocumentEmpty(text))
    throw new BuildError(`kustomization file is empty: ${path.join(ldr.root, file)}`);
  const doc = applyYaml11Booleans(text, docs[0]);
  return { kustomization: parseKustomization(doc, path.join(ldr.root, file)), file };
}

// kustomize reads a kustomization file with sigs.k8s.io/yaml, which lets a repeated key take the last
// value: the strict readers are tried first and the lenient one only when they refuse the text.
function parseKustomizationText(text: string, file: string): unknown[] {
  try {
    return parseYamlStream(text, file);
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    try {
      return parseYamlStreamComplete(text, file, undefined, false);
    } catch {
      throw new BuildError(e.message);
    }
  }
}

// kustomize decodes only the first document: `---` followed by another `---` is an empty kustomization.
function firstDocumentEmpty(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  if (lines[0]?.trimEnd() !== "---") return false;
  const next = lines[1];
  return next === undefined || /^(---|\.\.\.)(\s|$)/.test(next);
}

// In a map of strings Go's JSON decoding turns null into "" (the key stays).
function blankNulls(m: unknown): unknown {
  if (!isObj(m)) return m;
  const out: Obj = {};
  for (const [k, v] of Object.entries(m)) out[k] = v === null ? "" : v;
  return out;
}

function nullsInStringMaps(doc: unknown): unknown {
  if (!isObj(doc)) return doc;
  const d: Obj = { ...doc };
  for (const k of ["commonLabels", "commonAnnotations", "openapi"]) if (k in d) d[k] = blankNulls(d[k]);
  const opts = (o: unknown): unknown =>
    isObj(o) ? { ...o, labels: blankNulls(o.labels), annotations: blankNulls(o.annotations) } : o;
  if (isObj(d.generatorOptions)) d.generatorOptions = opts(d.generatorOptions);
  for (const g of ["configMapGenerator", "secretGenerator"]) {
    if (Array.isArray(d[g]))
      d[g] = d[g].map((a) => (isObj(a) && isObj(a.options) ? { ...a, options: opts(a.options) } : a));
  }
  if (Array.isArray(d.labels))
    d.labels = d.labels.map((l) => (isObj(l) ? { ...l, pairs: blankNulls(l.pairs) } : l));
  return d;
}

// Go's JSON decoding leaves a field at its zero value when the document says null.
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

// kustomize calls a kustomization empty when every field but apiVersion and kind holds Go's zero value
// after the deprecated lists are folded in (so `bases: []` is empty, `resources: []` is not).
function isZeroKustomization(k: Kustomization): boolean {
  return Object.entries(k).every(
    ([key, v]) =>
      key === "apiVersion" ||
      key === "kind" ||
      v === undefined ||
      v === "" ||
      v === false ||
      v === 0 ||
      ((key === "bases" || key === "imageTags") && Array.isArray(v) && v.length === 0),
  );
}

/** Checks a kustomization document's fields and folds deprecated ones into their successors. */
export function parseKustomization(doc: unknown, file: string): Kustomization {
  const cleaned = dropNulls(nullsInStringMaps(doc ?? {}));
  if (isObj(cleaned) && Object.keys(cleaned).length === 0)
    throw new BuildError(`kustomization file is empty: ${file}`);
  const parsed = kustomizationSchema.safeParse(foldKeys(cleaned));
  if (!parsed.success) throw new BuildError(`invalid Kustomization: ${file}: ${describeIssue(parsed.error)}`);
  const k = parsed.data;
  if (isZeroKustomization(k)) throw new BuildError(`kustomization file is empty: ${file}`);
  // Charts are refused; helmGlobals alone (or empty chart lists) inflate nothing, as in kustomize.
  const charts = (v: unknown): boolean => v !== undefined && !(Array.isArray(v) && v.length === 0);
  if (charts(k.helmCharts) || charts(k.helmChartInflationGenerator)) {
    throw new BuildError(
      `${file}: helmCharts are not supported by driftless (render the chart and commit the output)`,
    );
  }
  return k;
}
