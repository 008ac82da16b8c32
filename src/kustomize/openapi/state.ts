// Which schema a build merges with. kustomize keeps this in kyaml's process-wide state, and its quirks
// decide merges, so one build's state copies them:
// - the top kustomization's `openapi` field is applied first; a nested kustomization's only when no
//   schema is set yet (the first one met in accumulation order wins, for the rest of the build);
// - `openapi.path` replaces the built-in Kubernetes schema, unless the built-in one was already
//   parsed (the custom definitions are then added over it) or its parsing had been put off by a
//   scope check on a type kyaml has no precomputed answer for (it is then added over the custom one);
// - the schema is parsed lazily, on the first merge or scope check that needs it, so a broken custom
//   file fails only a build that uses it.
import { BuildError } from "../resource.ts";
import { builtinLayer, Catalog, type Layer, type SchemaNode } from "./catalog.ts";
import { kustomizationLayer, layerFromFile } from "./document.ts";

/** The only built-in Kubernetes schema version kustomize v5.8.1 carries. */
export const BUILTIN_OPENAPI_VERSION = "v1.21.2";

// Types whose scope kyaml answers from a precomputed table, without touching the schema.
const PRECOMPUTED = new Set(
  [
    "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
    "apiextensions.k8s.io/v1 CustomResourceDefinition",
    "apiextensions.k8s.io/v1beta1 CustomResourceDefinition",
    "apiregistration.k8s.io/v1 APIService",
    "apiregistration.k8s.io/v1beta1 APIService",
    "apps/v1 ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet",
    "autoscaling/v1 HorizontalPodAutoscaler Scale",
    "autoscaling/v2beta1 HorizontalPodAutoscaler",
    "autoscaling/v2beta2 HorizontalPodAutoscaler",
    "batch/v1 CronJob Job",
    "batch/v1beta1 CronJob",
    "certificates.k8s.io/v1 CertificateSigningRequest",
    "certificates.k8s.io/v1beta1 CertificateSigningRequest",
    "coordination.k8s.io/v1 Lease",
    "coordination.k8s.io/v1beta1 Lease",
    "discovery.k8s.io/v1 EndpointSlice",
    "discovery.k8s.io/v1beta1 EndpointSlice",
    "events.k8s.io/v1 Event",
    "events.k8s.io/v1beta1 Event",
    "extensions/v1beta1 Ingress",
    "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema PriorityLevelConfiguration",
    "networking.k8s.io/v1 Ingress IngressClass NetworkPolicy",
    "networking.k8s.io/v1beta1 Ingress IngressClass",
    "node.k8s.io/v1 RuntimeClass",
    "node.k8s.io/v1beta1 RuntimeClass",
    "policy/v1 PodDisruptionBudget",
    "policy/v1beta1 PodDisruptionBudget PodSecurityPolicy",
    "rbac.authorization.k8s.io/v1 ClusterRole ClusterRoleBinding Role RoleBinding",
    "rbac.authorization.k8s.io/v1beta1 ClusterRole ClusterRoleBinding Role RoleBinding",
    "scheduling.k8s.io/v1 PriorityClass",
    "scheduling.k8s.io/v1beta1 PriorityClass",
    "storage.k8s.io/v1 CSIDriver CSINode StorageClass VolumeAttachment",
    "storage.k8s.io/v1beta1 CSIDriver CSINode CSIStorageCapacity StorageClass VolumeAttachment",
    "v1 ComponentStatus ConfigMap Endpoints Event LimitRange Namespace Node NodeProxyOptions",
    "v1 PersistentVolume PersistentVolumeClaim Pod PodAttachOptions PodExecOptions",
    "v1 PodPortForwardOptions PodProxyOptions PodTemplate ReplicationController ResourceQuota",
    "v1 Secret Service ServiceAccount ServiceProxyOptions",
  ].flatMap((line) => {
    const [av, ...kinds] = line.split(" ");
    return kinds.map((k) => `${av} ${k}`);
  }),
);

/** A kustomization's `openapi` field and the text of the file its `path` names. */
export interface OpenApiSetting {
  readonly field: Readonly<Record<string, string>>;
  readonly text?: string;
  readonly file?: string;
}

/** The schema state of one build. */
export class OpenApiState {
  #version = "";
  #custom: { text: string; file: string } | undefined;
  #initialized = false;
  #builtin: "unparsed" | "delayed" | "parsed" = "unparsed";
  #layers: Layer[] = [];
  #catalog: Catalog | undefined;
  #scopes = new Map<string, boolean>();

  /** Applies a kustomization's `openapi` field (`reset` for the top kustomization). */
  set(setting: OpenApiSetting, reset: boolean): void {
    const isSet = this.#version !== "" || this.#custom !== undefined;
    if (isSet && !reset) return;
    const field = setting.field;
    const versionGiven = Object.hasOwn(field, "version");
    if (setting.text !== undefined) {
      if (versionGiven) throw new BuildError("builtin version and custom schema provided, cannot use both");
      this.#custom = { text: setting.text, file: setting.file ?? "" };
      this.#version = "custom";
      this.#initialized = false;
      return;
    }
    this.#version = versionGiven ? (field.version as string) : "";
    if (this.#version === "") return;
    if (this.#version !== BUILTIN_OPENAPI_VERSION)
      throw new BuildError("the specified OpenAPI version is not built in");
    this.#custom = undefined;
    this.#initialized = false;
  }

  /** Records that kustomize computed the scope of this type (it does for every resource it reads). */
  noteType(apiVersion: string, kind: string): void {
    if (PRECOMPUTED.has(`${apiVersion} ${kind}`) || this.#initialized) return;
    if (this.#custom === undefined && (this.#version === "" || this.#version === BUILTIN_OPENAPI_VERSION)) {
      if (this.#builtin === "unparsed") this.#builtin = "delayed";
      return;
    }
    this.#init();
  }

  /**
   * Whether the schema in use knows this type to be cluster-scoped, for types outside kyaml's
   * precomputed table (undefined for those: the caller's built-in table answers).
   */
  clusterScoped(apiVersion: string, kind: string): boolean | undefined {
    const key = `${apiVersion} ${kind}`;
    if (PRECOMPUTED.has(key)) return undefined;
    this.noteType(apiVersion, kind);
    return this.#scopes.get(key) === false;
  }

  /** The schema of a resource type, if the schema in use describes it. */
  resource(apiVersion: string, kind: string): SchemaNode | undefined {
    return this.#init().resource(`${apiVersion} ${kind}`);
  }

  #init(): Catalog {
    if (this.#initialized && this.#catalog !== undefined) return this.#catalog;
    this.#initialized = true;
    if (this.#custom !== undefined) {
      this.#add(layerFromFile(this.#custom.text, this.#custom.file));
    } else {
      this.#add(builtinLayer);
      this.#builtin = "parsed";
    }
    if (this.#builtin === "delayed") {
      this.#add(builtinLayer);
      this.#builtin = "parsed";
    }
    this.#add(kustomizationLayer);
    this.#catalog = new Catalog([...this.#layers]);
    return this.#catalog;
  }

  // Definitions accumulate across parses, the newest winning; a layer parsed again moves to the end.
  #add(layer: Layer): void {
    this.#layers = this.#layers.filter((l) => l.id !== layer.id);
    this.#layers.push(layer);
    for (const [key, namespaced] of layer.scopes ?? []) {
      if (namespaced) this.#scopes.set(key, true);
      else if (!this.#scopes.has(key)) this.#scopes.set(key, false);
    }
  }
}

/** The schema used outside any build: the built-in one. */
const defaultCatalog = new Catalog([builtinLayer, kustomizationLayer]);

let active: OpenApiState | undefined;

/** Runs fn with state as the schema of strategic merges (builds are synchronous). */
export function withOpenApiState<T>(state: OpenApiState, fn: () => T): T {
  const previous = active;
  active = state;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** The schema state of the running build, if any. */
export function activeOpenApiState(): OpenApiState | undefined {
  return active;
}

/**
 * Whether the running build's schema knows this type to be cluster-scoped (a custom `openapi.path`
 * document's GET paths can say so); undefined outside builds and for kyaml's precomputed types.
 */
export function schemaClusterScoped(apiVersion: string, kind: string): boolean | undefined {
  return active?.clusterScoped(apiVersion, kind);
}

/** The schema of a resource type in the running build (the built-in schema outside builds). */
export function resourceSchema(apiVersion: string, kind: string): SchemaNode | undefined {
  return active === undefined
    ? defaultCatalog.resource(`${apiVersion} ${kind}`)
    : active.resource(apiVersion, kind);
}
