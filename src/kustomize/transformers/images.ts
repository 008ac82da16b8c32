// `images`: rewrites container images by name (new name, tag, digest), wherever containers appear.
import { type FieldSpec, slotGet, slotSet, specSelects, visitPath } from "../fieldspec.ts";
import type { ImageEntry } from "../kustomization.ts";
import { isObj, type ResMap } from "../resource.ts";

/** Splits an image reference into name, tag and digest as kustomize does. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf("/");
  const offset = Math.max(slash, 0);
  const search = slash > 0 ? image.slice(slash) : image;
  let at = search.indexOf("@");
  let colon = search.indexOf(":");
  if (colon < 0 && at < 0) return { name: image, tag: "", digest: "" };
  if (at >= 0 && (at < colon || colon < 0)) {
    at += offset;
    return { name: image.slice(0, at), tag: "", digest: image.slice(at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    at += offset;
    colon += offset;
    return { name: image.slice(0, colon), tag: image.slice(colon + 1, at), digest: image.slice(at + 1) };
  }
  colon += offset;
  return { name: image.slice(0, colon), tag: image.slice(colon + 1), digest: "" };
}

const matchers = new Map<string, RegExp | null>();

function matches(value: string, name: string): boolean {
  let re = matchers.get(name);
  if (re === undefined) {
    try {
      re = new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`);
    } catch {
      re = null;
    }
    matchers.set(name, re);
  }
  return re?.test(value) === true;
}

function update(value: unknown, img: ImageEntry): string | undefined {
  if (typeof value !== "string" || !matches(value, img.name)) return undefined;
  let { name, tag, digest } = splitImage(value);
  if (img.newName) name = img.newName;
  if (img.newTag && img.digest) {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag) {
    tag = img.newTag;
    digest = "";
  } else if (img.digest) {
    tag = "";
    digest = img.digest;
  } else if (img.tagSuffix) {
    tag += img.tagSuffix;
    digest = "";
  }
  if (tag !== "") name += `:${tag}`;
  if (digest !== "") name += `@${digest}`;
  return name;
}

function walkContainers(node: unknown, img: ImageEntry): void {
  if (Array.isArray(node)) {
    for (const x of node) walkContainers(x, img);
    return;
  }
  if (!isObj(node)) return;
  for (const [k, v] of Object.entries(node)) {
    walkContainers(v, img);
    if ((k === "containers" || k === "initContainers") && Array.isArray(v)) {
      for (const c of v) {
        if (!isObj(c)) continue;
        const next = update(c.image, img);
        if (next !== undefined) c.image = next;
      }
    }
  }
}

/** Applies a kustomization's `images` (and legacy `imageTags`). */
export function applyImages(rm: ResMap, images: readonly ImageEntry[], specs: readonly FieldSpec[]): void {
  for (const img of images) {
    for (const r of rm.list) {
      if (r.kind === "CustomResourceDefinition") continue;
      walkContainers(r.obj, img);
      const gvk = r.gvk();
      for (const fs of specs) {
        if (!specSelects(fs, gvk)) continue;
        visitPath(r.obj, fs.path, false, (s) => {
          const next = update(slotGet(s), img);
          if (next !== undefined) slotSet(s, next);
        });
      }
    }
  }
}
