// configMapGenerator and secretGenerator: objects made from literals, env files and files.
import path from "node:path";
import type { GeneratorArgs, GeneratorOptions } from "../kustomization.ts";
import type { Loader } from "../loader.ts";
import { type Behavior, BuildError, type Obj, Resource } from "../resource.ts";

interface Pair {
  key: string;
  value: Buffer | string;
}

function unquote(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return s;
  return s[0] === '"' || s[0] === "'" ? s.slice(1, -1) : s;
}

function literalPair(src: string): Pair {
  const i = src.indexOf("=");
  if (i <= 0) throw new BuildError(`invalid literal source ${src}, expected key=value`);
  return { key: src.slice(0, i), value: unquote(src.slice(i + 1)) };
}

// kustomize (v5.8) checks no key names: any text before the first `=` is a key, a line without `=`
// is a key with an empty value, and a line with an empty key is skipped. Lines must be UTF-8.
function envPairs(bytes: Buffer, file: string): Pair[] {
  const out: Pair[] = [];
  const lines: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    lines.push(bytes.subarray(start, end > start && bytes[end - 1] === 0x0d ? end - 1 : end));
    start = end + 1;
  }
  lines.forEach((raw, n) => {
    if (!isUtf8(raw)) throw new BuildError(`env source file ${file}: line ${n + 1} has invalid UTF-8 bytes`);
    let line = raw.toString("utf8");
    if (n === 0) line = line.replace(/^\uFEFF/, "");
    line = line.replace(/^\s+/, "");
    if (line === "" || line.startsWith("#")) return;
    const i = line.indexOf("=");
    const key = i < 0 ? line : line.slice(0, i);
    if (key === "") return;
    out.push({ key, value: i < 0 ? "" : line.slice(i + 1) });
  });
  return out;
}

function filePair(ldr: Loader, src: string): Pair {
  const i = src.indexOf("=");
  let key: string;
  let file: string;
  if (i < 0) {
    file = src;
    key = path.basename(src);
  } else {
    key = src.slice(0, i);
    file = src.slice(i + 1);
    if (key === "") throw new BuildError(`key name for file path ${file} missing`);
    if (file === "") throw new BuildError(`file path for key name ${key} missing`);
  }
  return { key, value: ldr.readBytes(file) };
}

function collect(ldr: Loader, args: GeneratorArgs): Pair[] {
  const pairs: Pair[] = [];
  const envs = [...(args.envs ?? []), ...(args.env !== undefined && args.env !== "" ? [args.env] : [])];
  for (const e of envs) pairs.push(...envPairs(ldr.readBytes(e), e));
  for (const l of args.literals ?? []) pairs.push(literalPair(l));
  for (const f of args.files ?? []) pairs.push(filePair(ldr, f));
  return pairs;
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

function mergeOptions(
  local: GeneratorOptions | undefined,
  global: GeneratorOptions | undefined,
): GeneratorOptions {
  if (global === undefined) return local ?? {};
  const l = local ?? {};
  return {
    labels: { ...(global.labels ?? {}), ...(l.labels ?? {}) },
    annotations: { ...(global.annotations ?? {}), ...(l.annotations ?? {}) },
    disableNameSuffixHash: global.disableNameSuffixHash === true || l.disableNameSuffixHash === true,
    immutable: global.immutable === true || l.immutable === true,
  };
}

function behaviorOf(b: string | undefined): Behavior {
  switch (b ?? "") {
    case "":
    case "create":
      return b === "create" ? "create" : "unspecified";
    case "merge":
      return "merge";
    case "replace":
      return "replace";
    default:
      // kustomize reads any other text (`CREATE`, a typo) as no behavior at all.
      return "unspecified";
  }
}

/** Makes the ConfigMap or Secret one generator entry describes. */
export function generate(
  kind: "ConfigMap" | "Secret",
  ldr: Loader,
  args: GeneratorArgs,
  globalOptions: GeneratorOptions | undefined,
): Resource {
  const name = args.name ?? "";
  if (name === "") throw new BuildError(`a ${kind.toLowerCase()} generator must have a name`);
  const opts = mergeOptions(args.options, globalOptions);
  const meta: Obj = { name };
  if (args.namespace !== undefined && args.namespace !== "") meta.namespace = args.namespace;
  if (opts.labels !== undefined && Object.keys(opts.labels).length > 0) meta.labels = { ...opts.labels };
  if (opts.annotations !== undefined && Object.keys(opts.annotations).length > 0) {
    meta.annotations = { ...opts.annotations };
  }
  const obj: Obj = { apiVersion: "v1", kind, metadata: meta };
  const data: Obj = {};
  const binary: Obj = {};
  const seen = new Set<string>();
  for (const p of collect(ldr, args)) {
    if (seen.has(p.key)) {
      throw new BuildError(`${kind.toLowerCase()} ${name} illegally repeats the key \`${p.key}\``);
    }
    seen.add(p.key);
    const buf = typeof p.value === "string" ? Buffer.from(p.value, "utf8") : p.value;
    if (kind === "Secret") data[p.key] = buf.toString("base64");
    else if (isUtf8(buf)) data[p.key] = buf.toString("utf8");
    else binary[p.key] = buf.toString("base64");
  }
  if (kind === "Secret") obj.type = args.type !== undefined && args.type !== "" ? args.type : "Opaque";
  if (Object.keys(data).length > 0) obj.data = data;
  if (Object.keys(binary).length > 0) obj.binaryData = binary;
  if (opts.immutable === true) obj.immutable = true;
  const r = new Resource(obj);
  r.needsHash = opts.disableNameSuffixHash !== true;
  r.behavior = behaviorOf(args.behavior);
  return r;
}
