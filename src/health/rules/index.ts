import type { Rule } from "../status.ts";
import { alwaysReadyRule } from "./always-ready.ts";
import { customResourceDefinitionRule } from "./custom-resource-definition.ts";
import { daemonSetRule } from "./daemon-set.ts";
import { deploymentRule } from "./deployment.ts";
import { fluxRule } from "./flux.ts";
import { jobRule } from "./job.ts";
import { persistentVolumeClaimRule } from "./persistent-volume-claim.ts";
import { podRule } from "./pod.ts";
import { podDisruptionBudgetRule } from "./pod-disruption-budget.ts";
import { replicaSetRule } from "./replica-set.ts";
import { serviceRule } from "./service.ts";
import { statefulSetRule } from "./stateful-set.ts";

/** The kind rules, keyed by "group/Kind" ("Kind" alone for the core group). */
export const rules: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  ["Service", serviceRule],
  ["Pod", podRule],
  ["Secret", alwaysReadyRule],
  ["ConfigMap", alwaysReadyRule],
  ["PersistentVolumeClaim", persistentVolumeClaimRule],
  ["apps/StatefulSet", statefulSetRule],
  ["apps/DaemonSet", daemonSetRule],
  ["extensions/DaemonSet", daemonSetRule],
  ["apps/Deployment", deploymentRule],
  ["extensions/Deployment", deploymentRule],
  ["apps/ReplicaSet", replicaSetRule],
  ["extensions/ReplicaSet", replicaSetRule],
  ["policy/PodDisruptionBudget", podDisruptionBudgetRule],
  ["batch/Job", jobRule],
  ["batch/CronJob", alwaysReadyRule],
  ["apiextensions.k8s.io/CustomResourceDefinition", customResourceDefinitionRule],
  // Flux's kinds that report a Ready condition (notification's Alert and Provider are static and have none).
  ["source.toolkit.fluxcd.io/GitRepository", fluxRule],
  ["source.toolkit.fluxcd.io/OCIRepository", fluxRule],
  ["source.toolkit.fluxcd.io/HelmRepository", fluxRule],
  ["source.toolkit.fluxcd.io/HelmChart", fluxRule],
  ["source.toolkit.fluxcd.io/Bucket", fluxRule],
  ["source.toolkit.fluxcd.io/ExternalArtifact", fluxRule],
  ["kustomize.toolkit.fluxcd.io/Kustomization", fluxRule],
  ["helm.toolkit.fluxcd.io/HelmRelease", fluxRule],
  ["notification.toolkit.fluxcd.io/Receiver", fluxRule],
  ["image.toolkit.fluxcd.io/ImageRepository", fluxRule],
  ["image.toolkit.fluxcd.io/ImagePolicy", fluxRule],
  ["image.toolkit.fluxcd.io/ImageUpdateAutomation", fluxRule],
]);

/** The rule for an object's group and kind, if one is registered. */
export function ruleFor(group: string, kind: string): Rule | undefined {
  return rules.get(group === "" ? kind : `${group}/${kind}`);
}
