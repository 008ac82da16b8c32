// The order objects are applied in, as Flux does: cluster definitions (CRDs, Namespaces, ClusterRoles)
// first and waited for, then class definitions (*Class kinds), then everything else; inside a stage,
// kustomize's legacy kind order, then namespace and name.
import type { KubeObject } from "../kube/object.ts";
import { KIND_ORDER_FIRST, KIND_ORDER_LAST } from "../kustomize/kind-order.ts";

const rank = new Map<string, number>([
  ...KIND_ORDER_FIRST.map((k, i): [string, number] => [k, i]),
  ...KIND_ORDER_LAST.map((k, i): [string, number] => [k, 1000 + i]),
]);

/** The stage an object is applied in: 0 cluster definitions, 1 class definitions, 2 the rest. */
export function stageOf(obj: Pick<KubeObject, "kind" | "apiVersion">): 0 | 1 | 2 {
  if (obj.kind === "CustomResourceDefinition" || obj.kind === "Namespace" || obj.kind === "ClusterRole")
    return 0;
  if (obj.kind.endsWith("Class")) return 1;
  return 2;
}

/** Compares two objects by kind order, then kind, namespace and name. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  const ra = rank.get(a.kind) ?? 500;
  const rb = rank.get(b.kind) ?? 500;
  if (ra !== rb) return ra - rb;
  return (
    cmp(a.kind, b.kind) ||
    cmp(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
    cmp(a.metadata.name ?? "", b.metadata.name ?? "")
  );
}

/** The objects split into the three stages, each sorted. */
export function stages(objects: readonly KubeObject[]): KubeObject[][] {
  const out: KubeObject[][] = [[], [], []];
  for (const o of objects) out[stageOf(o)]?.push(o);
  return out.map((s) => s.sort(compareObjects));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
