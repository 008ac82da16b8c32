// Reads the variables of spec.postBuild.substituteFrom: ConfigMaps and Secrets in the Kustomization's
// namespace, in spec order; a missing one fails the build unless marked optional.
import type { Kustomization } from "../../api/kustomization.ts";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { BuildFailedError } from "./render.ts";

/** The variable maps of every substituteFrom entry (Secret values decoded). */
export async function readSubstituteFrom(
  client: KubeClient,
  ks: Kustomization,
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  const namespace = ks.metadata.namespace ?? "";
  for (const ref of ks.spec.postBuild?.substituteFrom ?? []) {
    const secret = ref.kind === "Secret";
    const resource = { group: "", version: "v1", plural: secret ? "secrets" : "configmaps" };
    try {
      const obj = (await client.get(resource, { namespace, name: ref.name })) as { data?: unknown };
      const data =
        typeof obj.data === "object" && obj.data !== null ? (obj.data as Record<string, unknown>) : {};
      const vars: Record<string, string> = {};
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== "string") continue;
        vars[k] = secret ? Buffer.from(v, "base64").toString("utf8") : v;
      }
      out.push(vars);
    } catch (err) {
      if (isNotFound(err) && ref.optional) continue;
      throw new BuildFailedError(
        `substitute from '${ref.kind}/${namespace}/${ref.name}' failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return out;
}
