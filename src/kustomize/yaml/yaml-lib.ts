// The `yaml` library, loaded on first use: the line reader reads nearly every stream a build meets, and
// loading the library (some 70 CommonJS modules) costs a short `driftless build` more than its reading.
import { createRequire } from "node:module";

type YamlLib = typeof import("yaml");

let lib: YamlLib | undefined;

/** The `yaml` module (its CommonJS build, loaded synchronously on the first call). */
export function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)("yaml") as YamlLib;
  return lib;
}
