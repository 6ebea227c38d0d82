import { UnsupportedPathError, type Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { TrieRouter } from "hono/router/trie-router";
import { NO_PARAMS, NOT_FOUND, type MatchResult, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

/**
 * Hono's routers return every handler whose route matches (middleware style), in
 * registration order; an app runs the first one, so that is the answer here. The
 * RegExpRouter gives params as an index map into a shared stash; the TrieRouter gives
 * them as an object. Either way the adapter returns a plain params object, as
 * `c.req.param()` would (without its lazy percent-decoding).
 *
 * The RegExpRouter refuses a route whose param sits beside a static segment for the same
 * method (`GET /gists/:gist_id` next to `GET /gists/public`): it throws
 * UnsupportedPathError, upon which Hono's default SmartRouter would fall back to the
 * TrieRouter for the whole app. Here the refused routes are skipped and listed in
 * `rejected`, and the RegExpRouter is timed on the rest of the table.
 */
function adapter(name: string, router: Router<string>): RouterAdapter {
  const rejected: string[] = [];
  return {
    name,
    version: pkgVersion("hono"),
    supports405: false,
    rejected,
    add(method, path, handler) {
      try {
        router.add(method, path, handler);
      } catch (error) {
        if (!(error instanceof UnsupportedPathError)) throw error;
        rejected.push(`${method} ${path}: UnsupportedPathError`);
      }
    },
    match(method, path): MatchResult {
      const result = router.match(method, path);
      const first = result[0][0];
      if (first === undefined) return NOT_FOUND;
      const stash = result[1];
      if (stash === undefined) return { status: 200, handler: first[0], params: first[1] as Record<string, string> };
      const indexes = first[1] as Record<string, number>;
      let params: Record<string, string> | undefined;
      for (const key in indexes) (params ??= {})[key] = stash[indexes[key]!]!;
      return { status: 200, handler: first[0], params: params ?? NO_PARAMS };
    },
  };
}

export function createRegExpRouter(): RouterAdapter {
  return adapter("hono RegExpRouter", new RegExpRouter<string>());
}

export function createTrieRouter(): RouterAdapter {
  return adapter("hono TrieRouter", new TrieRouter<string>());
}
