// Name references: after renames (prefix, suffix, namespace, hash), every field that names a
// ConfigMap, Secret, ServiceAccount, Service, Role… is pointed at the object's new name.
import { type FieldSpec, type Slot, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import { effectiveNamespace, type Gvk, gvkSelected, isClusterScoped } from "../resid.ts";
import { BuildError, isObj, type ResMap, type Resource } from "../resource.ts";

function prevGvks(r: Resource): Gvk[] {
  const g = r.gvk();
  return r.prevIds.map((p) => ({ group: g.group, version: g.version, kind: p.kind }));
}

function orgGvk(r: Resource): Gvk {
  const first = r.prevIds[0];
  const g = r.gvk();
  return first === undefined ? g : { group: g.group, version: g.version, kind: first.kind };
}

function orgEffectiveNamespace(r: Resource): string {
  const first = r.prevIds[0];
  return first === undefined ? effectiveNamespace(r.type, r.namespace) : first.namespace;
}

function sameEndingSubSlice(a: readonly string[], b: readonly string[]): boolean {
  let shortest = a;
  let longest = b;
  if (shortest.length > longest.length) [shortest, longest] = [longest, shortest];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--) if (longest[i + diff] !== shortest[i]) return false;
  return true;
}

function affixesEqual(r: Resource, o: Resource, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const pe = r.prefixes.length === 0 || o.prefixes.length === 0;
    const se = r.suffixes.length === 0 || o.suffixes.length === 0;
    return (
      (pe || sameEndingSubSlice(r.prefixes, o.prefixes)) && (se || sameEndingSubSlice(r.suffixes, o.suffixes))
    );
  }
  return sameEndingSubSlice(r.prefixes, o.prefixes) && sameEndingSubSlice(r.suffixes, o.suffixes);
}

/** Which resources a referrer may point at: same namespace, cluster-scoped, or a RoleBinding's subjects' namespaces. */
function referableBy(referrer: Resource): (t: Resource) => boolean {
  if (isClusterScoped(referrer.type)) return () => true;
  const refNs = effectiveNamespace(referrer.type, referrer.namespace);
  const rbNamespaces = new Set<string>();
  if (referrer.kind === "RoleBinding" && Array.isArray(referrer.obj.subjects)) {
    for (const s of referrer.obj.subjects) {
      if (isObj(s) && s.kind === "ServiceAccount" && typeof s.namespace === "string")
        rbNamespaces.add(s.namespace);
    }
  }
  return (t) =>
    isClusterScoped(t.type) ||
    effectiveNamespace(t.type, t.namespace) === refNs ||
    rbNamespaces.has(t.namespace);
}

interface Ctx {
  readonly referrer: Resource;
  readonly referable: (t: Resource) => boolean;
  readonly byPrevName: Map<string, Resource[]>;
  readonly target: Partial<Gvk>;
  readonly path: string;
}

function select(
  ctx: Ctx,
  oldName: string,
  allowed: (r: Resource) => boolean,
  identical: (rs: Resource[]) => boolean,
): Resource | undefined {
  let c = (ctx.byPrevName.get(oldName) ?? []).filter(allowed);
  c = c.filter((r) => prevGvks(r).some((g) => gvkSelected(g, ctx.target)));
  if (ctx.path.endsWith("roleRef/name")) {
    const roleRef = ctx.referrer.obj.roleRef;
    if (isObj(roleRef) && typeof roleRef.apiGroup === "string" && typeof roleRef.kind === "string") {
      const sel = { group: roleRef.apiGroup, kind: roleRef.kind };
      c = c.filter((r) => prevGvks(r).some((g) => gvkSelected(g, sel)));
    }
  }
  const referrer = ctx.referrer;
  if (!isClusterScoped(referrer.type)) {
    const ns = effectiveNamespace(referrer.type, referrer.namespace);
    c = c.filter(
      (r) =>
        isClusterScoped(r.type) ||
        r.kind === "ServiceAccount" ||
        effectiveNamespace(r.type, r.namespace) === ns,
    );
  }
  if (c.length === 1) return c[0];
  c = c.filter((r) => affixesEqual(r, referrer, true));
  if (c.length > 1) c = c.filter((r) => affixesEqual(r, referrer, false));
  if (c.length === 1) return c[0];
  if (c.length === 0) return undefined;
  if (identical(c)) return c[0];
  throw new BuildError(
    `updating name reference in '${ctx.path}' field of '${referrer.idText()}': found multiple possible referrals: ${c.map((r) => r.idText()).join(", ")}`,
  );
}

const sameNames = (rs: Resource[]): boolean => rs.every((r) => r.name === rs[0]?.name);
const sameNamesAndNamespaces = (rs: Resource[]): boolean =>
  rs.every((r) => r.name === rs[0]?.name && r.namespace === rs[0]?.namespace);

function setScalar(ctx: Ctx, slot: Slot): void {
  const v = slotGet(slot);
  if (typeof v !== "string") return;
  const ref = select(ctx, v, ctx.referable, sameNames);
  if (ref !== undefined && ref.name !== v) slotSet(slot, ref.name);
}

function setMapping(ctx: Ctx, node: Record<string, unknown>, all: readonly Resource[]): void {
  if (!("name" in node)) {
    throw new BuildError(
      `updating name reference in '${ctx.path}' field of '${ctx.referrer.idText()}': path config error; no 'name' field in node`,
    );
  }
  let allowed = ctx.referable;
  if ("namespace" in node && typeof node.namespace === "string") {
    const ns = node.namespace;
    const candidates = all.filter(ctx.referable);
    const byOrg = candidates.filter((r) => orgEffectiveNamespace(r) === ns);
    const list = new Set(
      byOrg.length > 0
        ? byOrg
        : candidates.filter(
            (r) => !isClusterScoped(r.type) && effectiveNamespace(r.type, r.namespace) === ns,
          ),
    );
    allowed = (r) => list.has(r);
  }
  const oldName = typeof node.name === "string" ? node.name : String(node.name);
  const ref = select(ctx, oldName, allowed, sameNamesAndNamespaces);
  if (ref === undefined) return;
  if (ref.name === oldName && ref.namespace === "") return;
  node.name = ref.name;
  if (ref.namespace !== "") node.namespace = ref.namespace;
}

/** Points every name reference at the current name of the object it refers to. */
export function fixNameReferences(rm: ResMap): void {
  const plans = new Map<Resource, { target: Partial<Gvk>; path: string; spec: FieldSpec }[]>();
  for (const back of rm.config.nameReference) {
    const target = { group: back.group, version: back.version, kind: back.kind };
    for (const spec of back.referrers) {
      for (const r of rm.list) {
        if (!specSelects(spec, orgGvk(r))) continue;
        let list = plans.get(r);
        if (list === undefined) {
          list = [];
          plans.set(r, list);
        }
        list.push({ target, path: spec.path, spec });
      }
    }
  }
  const byPrevName = new Map<string, Resource[]>();
  for (const r of rm.list) {
    for (const name of new Set(r.prevIds.map((p) => p.name))) {
      const list = byPrevName.get(name);
      if (list === undefined) byPrevName.set(name, [r]);
      else list.push(r);
    }
  }
  for (const [r, list] of plans) {
    const referable = referableBy(r);
    for (const p of list) {
      const ctx: Ctx = { referrer: r, referable, byPrevName, target: p.target, path: p.path };
      visitPath(r.obj, p.path, false, (slot) => {
        const v = slotGet(slot);
        if (v === null || v === undefined) return;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const item = v[i];
            if (isObj(item)) setMapping(ctx, item, rm.list);
            else setScalar(ctx, { holder: v, key: i });
          }
        } else if (isObj(v)) setMapping(ctx, v, rm.list);
        else setScalar(ctx, slot);
      });
    }
  }
}
