// The builtin ValueAddTransformer: writes one value (by default the kustomization directory's name)
// into a field of the selected objects, or inserts it into a file path the field holds.
import path from "node:path";
import { z } from "zod";
import { splitPath } from "../fieldspec.ts";
import type { Loader } from "../loader.ts";
import { isClusterScoped } from "../resid.ts";
import { BuildError, isObj, type Obj, type ResMap, type Resource } from "../resource.ts";
import { select } from "../transformers/selector.ts";
import { parseYamlStream } from "../yaml/parse.ts";
import { configError, parseConfig, targetSchema } from "./config.ts";
import type { Transform } from "./transformers.ts";

const targetConfig = z.object({
  selector: targetSchema,
  fieldPath: z.string().optional(),
  filePathPosition: z.number().optional(),
});
type Target = z.infer<typeof targetConfig>;
const targetsConfig = z.object({ targets: z.array(targetConfig).optional() });
const valueAddConfig = targetsConfig.extend({
  value: z.string().optional(),
  targetFilePath: z.string().optional(),
});

// Go's filepath split into parts, a leading "" marking an absolute path.
function pathSplit(p: string): string[] {
  if (p === "") return [];
  const absolute = p.startsWith("/");
  const parts = p.split("/").filter((x) => x !== "");
  return absolute ? ["", ...parts] : parts;
}

function pathJoin(parts: readonly string[]): string {
  if (parts.length === 0) return "";
  if (parts[0] === "") return `/${path.join(...parts.slice(1))}`.replace(/\/\.$/, "/");
  return path.join(...parts);
}

/** Inserts part into a file path at position pos (0 first), keeping an absolute path absolute. */
export function insertPathPart(p: string, pos: number, part: string): string {
  if (part === "") return p;
  const parts = pathSplit(p);
  let at = Math.min(Math.max(pos, 0), parts.length);
  if (parts.length > 0 && parts[0] === "" && at < parts.length) at++;
  return pathJoin([...parts.slice(0, at), part, ...parts.slice(at)]);
}

function setNamespace(r: Resource, value: string): void {
  if (!isClusterScoped(r.type)) r.meta(true).namespace = value;
  if (r.kind !== "RoleBinding" && r.kind !== "ClusterRoleBinding") return;
  const subjects = r.obj.subjects;
  if (!Array.isArray(subjects)) return;
  for (const s of subjects) if (isObj(s) && s.name === "default") s.namespace = value;
}

function setField(r: Resource, t: Target, value: string): void {
  const fields = splitPath(t.fieldPath ?? "");
  let node: Obj = r.obj;
  for (const f of fields.slice(0, -1)) {
    const next = node[f];
    if (next === undefined || next === null) node[f] = {};
    else if (!isObj(next)) throw new BuildError(`${r.idText()}: field ${f} of ${t.fieldPath} is not a map`);
    node = node[f] as Obj;
  }
  const last = fields.at(-1) ?? "";
  const old = node[last];
  if (isObj(old) || Array.isArray(old))
    throw new BuildError(`${r.idText()}: field ${t.fieldPath} is not a scalar`);
  const pos = t.filePathPosition ?? 0;
  const text = old === undefined || old === null ? "" : String(old);
  node[last] = pos > 0 ? insertPathPart(text, pos - 1, value) : value;
}

/** Configures a ValueAddTransformer. */
export function valueAdd(config: Resource, ldr: Loader): Transform {
  const c = parseConfig(config, valueAddConfig);
  const value = (c.value ?? "").trim() || path.basename(ldr.root);
  const targets = [...(c.targets ?? [])];
  if ((c.targetFilePath ?? "") !== "") {
    const file = c.targetFilePath ?? "";
    const doc = parseYamlStream(ldr.read(file), path.join(ldr.root, file))[0];
    const parsed = targetsConfig.safeParse(doc ?? {});
    if (!parsed.success) throw configError(config, `${file}: invalid targets`);
    targets.push(...(parsed.data.targets ?? []));
  }
  if (targets.length === 0) throw configError(config, "must specify at least one target");
  for (const t of targets) {
    if ((t.fieldPath ?? "") === "") throw configError(config, "fieldPath cannot be empty");
    if ((t.filePathPosition ?? 0) < 0)
      throw configError(config, `value of FilePathPosition (${t.filePathPosition}) cannot be negative`);
  }
  return (rm: ResMap) => {
    for (const t of targets) {
      for (const r of t.selector === undefined ? [...rm.list] : select(rm, t.selector)) {
        if (t.fieldPath === "metadata/namespace") setNamespace(r, value);
        else setField(r, t, value);
      }
    }
  };
}
