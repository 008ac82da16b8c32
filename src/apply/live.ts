// The live state of the objects an apply sends, read with few requests: where several objects share a
// resource, a namespace and an owner, one LIST (by the owner labels) finds those that exist instead of a
// GET for each. Objects not found that way (new ones, or existing ones without our labels) are told apart
// by their dry run (see apply.ts): a dry-run create has no resourceVersion, and only then is a GET needed.
import type { KubeObject } from "../kube/object.ts";
import { mapConcurrent, type ResourceManager } from "./manager.ts";

/**
 * The live object of each input object found by a LIST of its group (same resource, namespace and owner
 * labels, at least `m.listThreshold` objects), in input order; undefined for the rest. A LIST that fails
 * (e.g. not allowed to the impersonated account) leaves its group to the per-object path.
 */
export async function listLive(
  m: ResourceManager,
  objects: readonly KubeObject[],
  options: { signal?: AbortSignal } = {},
): Promise<(KubeObject | undefined)[]> {
  const out: (KubeObject | undefined)[] = new Array(objects.length).fill(undefined);
  const groups = new Map<string, { list: () => Promise<KubeObject[]>; members: number[] }>();
  for (const [i, obj] of objects.entries()) {
    const selector = ownerSelector(m, obj);
    if (!selector) continue;
    let resource: Awaited<ReturnType<ResourceManager["resourceFor"]>>;
    try {
      resource = await m.resourceFor(obj);
    } catch {
      continue; // not served (yet): its dry run will say why
    }
    const namespace = resource.namespaced ? obj.metadata.namespace : undefined;
    if (resource.namespaced && !namespace) continue;
    const key = `${resource.group}/${resource.version}/${resource.plural}|${namespace ?? ""}|${selector}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        list: async () =>
          (
            await m.client.listAll(resource, {
              labelSelector: selector,
              limit: 500,
              ...(namespace ? { namespace } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            })
          ).items,
        members: [],
      };
      groups.set(key, group);
    }
    group.members.push(i);
  }
  const listed = [...groups.values()].filter((g) => g.members.length >= m.listThreshold);
  await mapConcurrent(listed, m.concurrency, async (g) => {
    let items: KubeObject[];
    try {
      items = await g.list();
    } catch {
      return;
    }
    const byName = new Map(items.map((item) => [item.metadata.name ?? "", item]));
    for (const i of g.members) out[i] = byName.get((objects[i] as KubeObject).metadata.name ?? "");
  });
  return out;
}

/** Whether a dry-run apply's result is an object that exists (a dry-run create has no resourceVersion). */
export function existsPerDryRun(dryRun: KubeObject): boolean {
  return (dryRun.metadata.resourceVersion ?? "") !== "";
}

// "<group>/name=…,<group>/namespace=…" from the object's owner labels; undefined without them.
function ownerSelector(m: ResourceManager, obj: KubeObject): string | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[`${m.owner.group}/name`];
  const namespace = labels[`${m.owner.group}/namespace`];
  if (!name || !namespace) return undefined;
  return `${m.owner.group}/name=${name},${m.owner.group}/namespace=${namespace}`;
}
