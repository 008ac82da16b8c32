import { z } from "zod";
import { ApiError, isNotFound } from "./errors.ts";
import { formatApiVersion, type GroupVersionKind, type ResourceRef } from "./object.ts";
import type { Transport } from "./transport.ts";

/** What discovery knows about one resource. */
export interface ResourceInfo extends ResourceRef {
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

const ApiResourceListSchema = z.looseObject({
  resources: z.array(
    z.looseObject({
      name: z.string(),
      kind: z.string(),
      namespaced: z.boolean(),
      verbs: z.array(z.string()).optional(),
    }),
  ),
});

const ApiGroupListSchema = z.looseObject({
  groups: z.array(
    z.looseObject({
      name: z.string(),
      preferredVersion: z.looseObject({ version: z.string() }).optional(),
      versions: z.array(z.looseObject({ version: z.string() })),
    }),
  ),
});

/** Maps kinds to resources (plural, namespaced) per group/version, cached until invalidated. */
export class Discovery {
  readonly #transport: Transport;
  readonly #count: () => void;
  readonly #byGroupVersion = new Map<string, Promise<ResourceInfo[]>>();
  #groups: Promise<Map<string, string>> | undefined;

  constructor(transport: Transport, count: () => void = () => {}) {
    this.#transport = transport;
    this.#count = count;
  }

  /** Resolves a kind to its resource; refetches the group/version once when the kind is unknown (new CRDs). */
  async resourceFor(gvk: GroupVersionKind): Promise<ResourceInfo> {
    const gv = formatApiVersion(gvk.group, gvk.version);
    let found = (await this.resources(gvk.group, gvk.version)).find((r) => r.kind === gvk.kind);
    if (!found) {
      this.invalidate(gvk.group, gvk.version);
      found = (await this.resources(gvk.group, gvk.version)).find((r) => r.kind === gvk.kind);
    }
    if (!found) {
      throw new ApiError({
        status: 404,
        reason: "NoKindMatch",
        message: `no kind ${gvk.kind} is served in ${gv}`,
        request: `discovery ${gv}`,
      });
    }
    return found;
  }

  /** The top-level resources served in one group/version ([] when the group/version is not served). */
  async resources(group: string, version: string): Promise<ResourceInfo[]> {
    const gv = formatApiVersion(group, version);
    let entry = this.#byGroupVersion.get(gv);
    if (!entry) {
      entry = this.#fetch(group, version);
      this.#byGroupVersion.set(gv, entry);
      // A failed fetch must not stay cached.
      entry.catch(() => this.#byGroupVersion.delete(gv));
    }
    return entry;
  }

  /** The preferred version of each served group ("" is the core group). */
  async preferredVersions(): Promise<Map<string, string>> {
    if (!this.#groups) {
      this.#groups = this.#fetchGroups();
      this.#groups.catch(() => {
        this.#groups = undefined;
      });
    }
    return this.#groups;
  }

  /** Forgets one group/version, or everything when called without arguments. */
  invalidate(group?: string, version?: string): void {
    if (group === undefined || version === undefined) {
      this.#byGroupVersion.clear();
      this.#groups = undefined;
      return;
    }
    this.#byGroupVersion.delete(formatApiVersion(group, version));
    this.#groups = undefined;
  }

  async #fetch(group: string, version: string): Promise<ResourceInfo[]> {
    const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
    this.#count();
    let body: string;
    try {
      body = (await this.#transport.request({ method: "GET", path })).body;
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const list = ApiResourceListSchema.parse(JSON.parse(body));
    return list.resources
      .filter((r) => !r.name.includes("/"))
      .map((r) => ({
        group,
        version,
        plural: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs ?? [],
      }));
  }

  async #fetchGroups(): Promise<Map<string, string>> {
    this.#count();
    const result = new Map<string, string>([["", "v1"]]);
    const body = (await this.#transport.request({ method: "GET", path: "/apis" })).body;
    for (const g of ApiGroupListSchema.parse(JSON.parse(body)).groups) {
      const preferred = g.preferredVersion?.version ?? g.versions[0]?.version;
      if (preferred) result.set(g.name, preferred);
    }
    return result;
  }
}
