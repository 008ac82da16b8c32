// A KubeClient that lets a test step in just before chosen writes reach the apiserver: to make a
// concurrent writer act at the racy moment, or to stop the apiserver in the middle of an apply.
import { KubeConfig } from "@kubernetes/client-node";
import {
  type ApplyOptions,
  KubeClient,
  type KubeClientOptions,
  type PatchOptions,
} from "../../src/kube/client.ts";
import type { KubeObject, ObjectKey, ResourceRef } from "../../src/kube/object.ts";

/** One write about to be sent. */
export type HookedWrite =
  | { readonly verb: "apply"; readonly object: KubeObject; readonly dryRun: boolean }
  | {
      readonly verb: "patch";
      readonly resource: ResourceRef;
      readonly key: ObjectKey;
      readonly patch: unknown;
      readonly subresource: string | undefined;
    };

/** Runs before a write; the write waits for it. */
export type WriteHook = (write: HookedWrite) => void | Promise<void>;

/** A KubeClient whose apply and patch calls run the registered hooks first. */
export class HookedClient extends KubeClient {
  readonly hooks: WriteHook[] = [];

  /** A hooked client from a kubeconfig file (its current context). */
  static fromKubeconfig(path: string, options: Omit<KubeClientOptions, "kubeConfig"> = {}): HookedClient {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    return new HookedClient({ ...options, kubeConfig });
  }

  override async apply(obj: unknown, options: ApplyOptions = {}): Promise<KubeObject> {
    await this.#run({ verb: "apply", object: obj as KubeObject, dryRun: options.dryRun === true });
    return super.apply(obj, options);
  }

  override async patch(
    resource: ResourceRef,
    key: ObjectKey,
    patch: unknown,
    options: PatchOptions = {},
  ): Promise<KubeObject> {
    await this.#run({ verb: "patch", resource, key, patch, subresource: options.subresource });
    return super.patch(resource, key, patch, options);
  }

  async #run(write: HookedWrite): Promise<void> {
    for (const hook of [...this.hooks]) await hook(write);
  }
}
