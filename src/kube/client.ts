import { KubeConfig } from "@kubernetes/client-node";
import { z } from "zod";
import { Discovery, type ResourceInfo } from "./discovery.ts";
import { ApiError, StatusSchema } from "./errors.ts";
import {
  KubeListSchema,
  type KubeObject,
  KubeObjectSchema,
  type ObjectKey,
  parseApiVersion,
  type ResourceRef,
} from "./object.ts";
import { type Impersonation, Transport } from "./transport.ts";

/** The request kinds counted for metrics. */
export type RequestVerb = "get" | "list" | "watch" | "create" | "apply" | "patch" | "delete" | "discovery";

/** Requests sent, per verb, and how many failed. */
export type RequestCounters = Record<RequestVerb, number> & { errors: number };

/** Options of a client. */
export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  /** Field manager of apply and patches; default "driftless". */
  fieldManager?: string;
  impersonate?: Impersonation;
  timeoutMs?: number;
  userAgent?: string;
  /** Counters to add to (shared between clients); fresh ones when absent. */
  counters?: RequestCounters;
  /** Discovery cache to share with another client of the same server. */
  discovery?: Discovery;
}

/** Filters of a list or watch. */
export interface ListOptions {
  /** Namespace to list in; absent lists across all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
  signal?: AbortSignal;
}

/** One page of a list. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

/** Options of a watch. */
export interface WatchOptions extends Omit<ListOptions, "limit" | "continue"> {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/** One event of a watch (ERROR events are thrown as ApiError instead). */
export type WatchEvent =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject }
  | { type: "BOOKMARK"; resourceVersion: string };

/** Options common to writes. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  signal?: AbortSignal;
}

/** Options of a server-side apply. */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields other managers own (default true, as Flux does). */
  force?: boolean;
  /** Resource to apply to (with its scope when known); resolved through discovery when absent. */
  resource?: ResourceRef & { namespaced?: boolean };
  /** Apply to a subresource such as "status". */
  subresource?: string;
}

/** Options of a patch. */
export interface PatchOptions extends WriteOptions {
  /** "merge" (RFC 7386, the default), "json" (RFC 6902) or "strategic". */
  type?: "merge" | "json" | "strategic";
  subresource?: string;
}

/** Options of a delete. */
export interface DeleteOptions extends Omit<WriteOptions, "fieldManager"> {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
}

const PATCH_TYPES = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
} as const;

const WatchLineSchema = z.object({ type: z.string(), object: z.unknown() });

/** A thin client of the Kubernetes API: JSON in and out as is, typed errors, request counters. */
export class KubeClient {
  readonly transport: Transport;
  readonly discovery: Discovery;
  readonly counters: RequestCounters;
  readonly fieldManager: string;
  readonly #options: KubeClientOptions;

  constructor(options: KubeClientOptions) {
    this.#options = options;
    this.transport = new Transport({
      kubeConfig: options.kubeConfig,
      ...(options.impersonate ? { impersonate: options.impersonate } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    this.fieldManager = options.fieldManager ?? "driftless";
    this.counters = options.counters ?? newCounters();
    this.discovery = options.discovery ?? new Discovery(this.transport, () => this.#count("discovery"));
  }

  /** A client from a kubeconfig file (its current context). */
  static fromFile(path: string, options: Omit<KubeClientOptions, "kubeConfig"> = {}): KubeClient {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    return new KubeClient({ ...options, kubeConfig });
  }

  /**
   * A client from the pod's service account: KUBERNETES_SERVICE_HOST/PORT, the CA and the token (re-read as
   * it rotates) under /var/run/secrets/kubernetes.io/serviceaccount, or under `pathPrefix` + that path.
   */
  static inCluster(
    options: Omit<KubeClientOptions, "kubeConfig"> & { pathPrefix?: string } = {},
  ): KubeClient {
    const { pathPrefix, ...rest } = options;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster(pathPrefix);
    return new KubeClient({ ...rest, kubeConfig });
  }

  /** A client acting as another user through Impersonate-* headers; shares discovery and counters. */
  impersonating(impersonate: Impersonation): KubeClient {
    return new KubeClient({
      ...this.#options,
      impersonate,
      counters: this.counters,
      discovery: this.discovery,
    });
  }

  /** Resolves an object's apiVersion/kind to its resource through discovery. */
  async resourceFor(obj: { apiVersion: string; kind: string }): Promise<ResourceInfo> {
    return this.discovery.resourceFor({ ...parseApiVersion(obj.apiVersion), kind: obj.kind });
  }

  /** Reads one object. */
  async get(
    resource: ResourceRef,
    key: ObjectKey,
    options: { signal?: AbortSignal } = {},
  ): Promise<KubeObject> {
    const body = await this.#call("get", {
      method: "GET",
      path: objectPath(resource, key),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return parseObject(body);
  }

  /** Lists one page of objects; pass `continue` from the result to read the next page. */
  async list(resource: ResourceRef, options: ListOptions = {}): Promise<ListResult> {
    const body = await this.#call("list", {
      method: "GET",
      path: collectionPath(resource, options.namespace),
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        limit: options.limit,
        continue: options.continue,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const list = KubeListSchema.parse(JSON.parse(body));
    const kind = list.kind?.replace(/List$/, "");
    const apiVersion = list.apiVersion;
    // Items of a list carry no apiVersion/kind; restore them from the list so objects are self-describing.
    const items = (list.items ?? []).map((item) =>
      KubeObjectSchema.parse({ apiVersion, kind, ...item, metadata: item.metadata ?? {} }),
    );
    return {
      items,
      resourceVersion: list.metadata?.resourceVersion ?? "",
      ...(list.metadata?.continue ? { continue: list.metadata.continue } : {}),
    };
  }

  /** Lists every page. */
  async listAll(resource: ResourceRef, options: Omit<ListOptions, "continue"> = {}): Promise<ListResult> {
    const items: KubeObject[] = [];
    let token: string | undefined;
    let resourceVersion = "";
    do {
      const page = await this.list(resource, { ...options, ...(token ? { continue: token } : {}) });
      items.push(...page.items);
      resourceVersion = page.resourceVersion;
      token = page.continue;
    } while (token);
    return { items, resourceVersion };
  }

  /** Watches a collection; yields events until the server ends the stream; ERROR events throw ApiError. */
  async *watch(
    resource: ResourceRef,
    options: WatchOptions = {},
  ): AsyncGenerator<WatchEvent, void, undefined> {
    const path = collectionPath(resource, options.namespace);
    const lines = await this.#open({
      method: "GET",
      path,
      query: {
        watch: true,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        allowWatchBookmarks: options.allowWatchBookmarks,
        timeoutSeconds: options.timeoutSeconds,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const line of lines) {
      const event = WatchLineSchema.parse(JSON.parse(line));
      switch (event.type) {
        case "ADDED":
        case "MODIFIED":
        case "DELETED":
          yield { type: event.type, object: parseObject(event.object) };
          break;
        case "BOOKMARK":
          yield {
            type: "BOOKMARK",
            resourceVersion: parseObject(event.object).metadata.resourceVersion ?? "",
          };
          break;
        case "ERROR":
          this.counters.errors++;
          throw ApiError.fromStatus(StatusSchema.parse(event.object), `WATCH ${path}`);
        default:
          throw new Error(`WATCH ${path}: unknown event type ${event.type}`);
      }
    }
  }

  /** Creates an object. */
  async create(resource: ResourceRef, obj: unknown, options: WriteOptions = {}): Promise<KubeObject> {
    const parsed = parseObject(obj);
    const body = await this.#call("create", {
      method: "POST",
      path: collectionPath(resource, parsed.metadata.namespace),
      query: writeQuery(options, this.fieldManager),
      body: JSON.stringify(obj),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return parseObject(body);
  }

  /** Server-side applies an object as is (its JSON, unknown fields kept) and returns the result. */
  async apply(obj: unknown, options: ApplyOptions = {}): Promise<KubeObject> {
    const parsed = parseObject(obj);
    const resource = options.resource ?? (await this.resourceFor(parsed));
    const name = parsed.metadata.name;
    if (!name) throw new Error(`apply ${parsed.kind}: metadata.name is required`);
    const namespace = parsed.metadata.namespace;
    const scoped = resource.namespaced;
    if (scoped === true && !namespace) {
      throw new Error(`apply ${parsed.kind}/${name}: metadata.namespace is required for a namespaced kind`);
    }
    // A cluster-scoped kind is addressed without the namespace a manifest may carry by mistake.
    const key = namespace && scoped !== false ? { namespace, name } : { name };
    const body = await this.#call("apply", {
      method: "PATCH",
      path: objectPath(resource, key, options.subresource),
      query: { ...writeQuery(options, this.fieldManager), force: options.force ?? true },
      contentType: "application/apply-patch+yaml",
      body: JSON.stringify(obj),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return parseObject(body);
  }

  /** Patches an object (merge patch unless `type` says otherwise). */
  async patch(
    resource: ResourceRef,
    key: ObjectKey,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<KubeObject> {
    const body = await this.#call("patch", {
      method: "PATCH",
      path: objectPath(resource, key, options.subresource),
      query: writeQuery(options, this.fieldManager),
      contentType: PATCH_TYPES[options.type ?? "merge"],
      body: JSON.stringify(patch),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return parseObject(body);
  }

  /** Patches the `/status` subresource, which leaves spec, metadata and generation alone. */
  async patchStatus(
    resource: ResourceRef,
    key: ObjectKey,
    patch: unknown,
    options: Omit<PatchOptions, "subresource"> = {},
  ): Promise<KubeObject> {
    return this.patch(resource, key, patch, { ...options, subresource: "status" });
  }

  /** Deletes an object; returns it when it lingers (finalizers, foreground) and undefined when it is gone. */
  async delete(
    resource: ResourceRef,
    key: ObjectKey,
    options: DeleteOptions = {},
  ): Promise<KubeObject | undefined> {
    const deleteOptions = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
      ...(options.preconditions ? { preconditions: options.preconditions } : {}),
      ...(options.dryRun ? { dryRun: ["All"] } : {}),
    };
    const body = await this.#call("delete", {
      method: "DELETE",
      path: objectPath(resource, key),
      body: JSON.stringify(deleteOptions),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const value: unknown = JSON.parse(body);
    const result = KubeObjectSchema.safeParse(value);
    if (!result.success || result.data.kind === "Status") return undefined;
    return result.data;
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  async #call(verb: RequestVerb, spec: Parameters<Transport["request"]>[0]): Promise<string> {
    this.#count(verb);
    try {
      return (await this.transport.request(spec)).body;
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  async #open(spec: Parameters<Transport["stream"]>[0]): Promise<AsyncGenerator<string, void, undefined>> {
    this.#count("watch");
    try {
      return await this.transport.stream(spec);
    } catch (err) {
      this.counters.errors++;
      throw err;
    }
  }

  #count(verb: RequestVerb): void {
    this.counters[verb]++;
  }
}

function newCounters(): RequestCounters {
  return { get: 0, list: 0, watch: 0, create: 0, apply: 0, patch: 0, delete: 0, discovery: 0, errors: 0 };
}

function parseObject(value: unknown): KubeObject {
  return KubeObjectSchema.parse(typeof value === "string" ? JSON.parse(value) : value);
}

function writeQuery(
  options: WriteOptions,
  defaultManager: string,
): Record<string, string | boolean | number | undefined> {
  return { fieldManager: options.fieldManager ?? defaultManager, dryRun: options.dryRun ? "All" : undefined };
}

/** The REST path of a collection: namespaced when a namespace is given. */
export function collectionPath(resource: ResourceRef, namespace?: string): string {
  const base =
    resource.group === "" ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${resource.plural}`;
}

/** The REST path of one object, optionally of one of its subresources. */
export function objectPath(resource: ResourceRef, key: ObjectKey, subresource?: string): string {
  const sub = subresource ? `/${subresource}` : "";
  return `${collectionPath(resource, key.namespace)}/${encodeURIComponent(key.name)}${sub}`;
}
