import type { CommandEntry } from "./command.ts";

/** Every CLI command, in the order the usage text lists them; each module is imported only when used. */
export const commands: readonly CommandEntry[] = [
  {
    name: "build",
    summary: "render a kustomization (as kustomize build) or a Flux Kustomization",
    load: async () => (await import("./build.ts")).buildCommand,
  },
  {
    name: "controller",
    summary: "run the GitRepository and Kustomization controllers",
    load: async () => (await import("./controller.ts")).controllerCommand,
  },
  {
    name: "diff",
    summary: "show what applying a directory (or a Kustomization) would change on the cluster",
    load: async () => (await import("./diff.ts")).diffCommand,
  },
  {
    name: "get",
    summary: "list GitRepositories and Kustomizations with revision, Ready, message and age",
    load: async () => (await import("./get.ts")).getCommand,
  },
  {
    name: "reconcile",
    summary: "reconcile a Kustomization or GitRepository now and wait for it (as flux reconcile)",
    load: async () => (await import("./reconcile.ts")).reconcileCommand,
  },
  {
    name: "suspend",
    summary: "suspend reconciliation of a Kustomization or GitRepository",
    load: async () => (await import("./suspend.ts")).suspendCommand,
  },
  {
    name: "resume",
    summary: "resume a suspended Kustomization or GitRepository and wait for it",
    load: async () => (await import("./suspend.ts")).resumeCommand,
  },
  {
    name: "version",
    summary: "print the version",
    load: async () => (await import("./version.ts")).versionCommand,
  },
];
