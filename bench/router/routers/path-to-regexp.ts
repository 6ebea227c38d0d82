import { compile, match, type MatchFunction, type PathFunction } from "path-to-regexp";
import { NOT_FOUND, type MatchResult, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

interface Layer {
  method: string;
  handler: string;
  match: MatchFunction<Record<string, string>>;
}

/**
 * A linear scan over path-to-regexp `match` functions, one per route in registration
 * order, the way Express's router walks its layers. Unlike Express (which falls
 * through to 404), the scan remembers paths that matched with another method and
 * answers 405, since it has walked every layer by then anyway.
 */
export default function create(): RouterAdapter {
  const layers: Layer[] = [];
  const builders = new Map<string, PathFunction<Record<string, string>>>();
  return {
    name: "path-to-regexp scan",
    version: pkgVersion("path-to-regexp"),
    supports405: true,
    add(method, path, handler) {
      layers.push({ method, handler, match: match<Record<string, string>>(path) });
      builders.set(handler, compile<Record<string, string>>(path));
    },
    match(method, path): MatchResult {
      let allow: string[] | undefined;
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i]!;
        const found = layer.match(path);
        if (found === false) continue;
        if (layer.method === method) return { status: 200, handler: layer.handler, params: found.params };
        (allow ??= []).push(layer.method);
      }
      return allow === undefined ? NOT_FOUND : { status: 405, allow };
    },
    build(handler, params) {
      const fn = builders.get(handler);
      if (fn === undefined) throw new Error(`no route named ${handler}`);
      return fn(params);
    },
  };
}
