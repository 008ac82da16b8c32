// The driftless API: Flux-compatible GitRepository and Kustomization schemas and the value formats they use.
export * from "./condition.ts";
export * from "./duration.ts";
export * from "./gitrepository.ts";
export * from "./inventory.ts";
export * from "./kustomization.ts";
export * from "./meta.ts";
export * from "./revision.ts";
export * from "./toolkit.ts";
export * from "./validation.ts";
