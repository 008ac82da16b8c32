// Inventory entry ids as Flux's kustomize-controller stores them in `status.inventory.entries[].id`:
// "<namespace>_<name>_<group>_<kind>" (cli-utils ObjMetadata encoding), with the API version kept
// separately in `v`. Cluster-scoped objects have an empty namespace, core objects an empty group:
// "_flux-system__Namespace", "default_app_apps_Deployment".
import { z } from "zod";

const SEPARATOR = "_";
/** RBAC names may contain ":", which the encoding writes as "__". */
const COLON_TRANSCODED = "__";
const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_KINDS: ReadonlySet<string> = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** One applied object in a Kustomization's inventory. */
export const InventoryEntrySchema = z.object({
  id: z.string(),
  v: z.string(),
});
/** One applied object in a Kustomization's inventory. */
export type InventoryEntry = z.infer<typeof InventoryEntrySchema>;

/** `status.inventory` of a Kustomization. */
export const ResourceInventorySchema = z.object({
  entries: z.array(InventoryEntrySchema),
});
/** `status.inventory` of a Kustomization. */
export type ResourceInventory = z.infer<typeof ResourceInventorySchema>;

/** What identifies an object across versions: namespace, name, group and kind. */
export interface ObjMetadata {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  readonly kind: string;
}

/** An object reference with its version, as an inventory entry decodes to. */
export interface ObjReference extends ObjMetadata {
  readonly version: string;
}

/** Thrown for an inventory id that does not have the four fields. */
export class InvalidInventoryIdError extends Error {
  override name = "InvalidInventoryIdError";
  readonly id: string;
  constructor(id: string) {
    super(`unable to parse stored object metadata: ${id}`);
    this.id = id;
  }
}

/** Encodes object metadata as an inventory id. */
export function formatObjMetadata(m: ObjMetadata): string {
  const name =
    m.group === RBAC_GROUP && RBAC_KINDS.has(m.kind) ? m.name.replaceAll(":", COLON_TRANSCODED) : m.name;
  return [m.namespace, name, m.group, m.kind].join(SEPARATOR);
}

/**
 * Decodes an inventory id. The namespace is everything before the first "_", the kind after the last and
 * the group after the one before it (names, namespaces, groups and kinds never contain "_").
 */
export function parseObjMetadata(id: string): ObjMetadata {
  const first = id.indexOf(SEPARATOR);
  if (first === -1) throw new InvalidInventoryIdError(id);
  const namespace = id.slice(0, first);
  let rest = id.slice(first + 1);
  const last = rest.lastIndexOf(SEPARATOR);
  if (last === -1) throw new InvalidInventoryIdError(id);
  const kind = rest.slice(last + 1);
  rest = rest.slice(0, last);
  const beforeLast = rest.lastIndexOf(SEPARATOR);
  if (beforeLast === -1) throw new InvalidInventoryIdError(id);
  const group = rest.slice(beforeLast + 1);
  const name = rest.slice(0, beforeLast).replaceAll(COLON_TRANSCODED, ":");
  return { namespace, name, group, kind };
}

/** Splits an apiVersion into group ("" for the core group) and version. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash === -1
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The minimal shape of a Kubernetes object needed to place it in an inventory. */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string | undefined };
}

/** The inventory entry for an object. */
export function inventoryEntry(obj: ObjectIdentity): InventoryEntry {
  const { group, version } = splitApiVersion(obj.apiVersion);
  const id = formatObjMetadata({
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    group,
    kind: obj.kind,
  });
  return { id, v: version };
}

/** Decodes an inventory entry into a reference with its version. */
export function parseInventoryEntry(entry: InventoryEntry): ObjReference {
  return { ...parseObjMetadata(entry.id), version: entry.v };
}

/** The apiVersion of a decoded entry ("v1" for the core group, "apps/v1" otherwise). */
export function referenceApiVersion(ref: { readonly group: string; readonly version: string }): string {
  return ref.group === "" ? ref.version : `${ref.group}/${ref.version}`;
}
