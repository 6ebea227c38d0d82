/**
 * Flagon's router (`@flagon/werk`'s `Map` / `Rule` / `MapAdapter`), loaded with a dynamic
 * import so the rest of the benchmark runs while the routing package is missing or broken.
 *
 * Two columns: `lookup` (the non-throwing API the framework uses) and `match`
 * (Werkzeug's API, which throws NotFound / MethodNotAllowed).
 *
 * Rules use Werkzeug syntax (`/users/<username>`), one `Rule` per method and path, the
 * endpoint being the handler name. Lookups go through `map.bind("localhost").match(path,
 * method)`, which returns `[endpoint, values]` or throws `NotFound` / `MethodNotAllowed`.
 */
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { NOT_FOUND, type MatchResult, type RouterAdapter } from "../types.js";
import { pkgVersion } from "./util.js";

// Types only (erased at run time): the module itself is imported dynamically below, so a
// missing or broken routing package costs the Flagon column, not the whole run.
type WerkModule = typeof import("@flagon/werk");
type WerkMapAdapter = import("@flagon/werk").MapAdapter;

/** `/repos/:owner/:repo` → `/repos/<owner>/<repo>`. */
export function toWerkzeug(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "<$1>");
}

/** Where `@flagon/werk` resolves to (source or a built dist), relative to the cwd. */
export function werkLocation(): string {
  try {
    return relative(process.cwd(), fileURLToPath(import.meta.resolve("@flagon/werk")));
  } catch (error) {
    return `unresolvable (${(error as Error).message})`;
  }
}

/** Import `@flagon/werk` and check it exports what the adapter needs; throws with the reason if not. */
export async function loadWerk(): Promise<WerkModule> {
  const mod: WerkModule = await import("@flagon/werk");
  const exported = mod as unknown as Record<string, unknown>;
  const missing = ["Map", "Rule", "NotFound", "MethodNotAllowed"].filter((name) => typeof exported[name] !== "function");
  if (missing.length > 0) throw new Error(`@flagon/werk does not export ${missing.join(", ")}`);
  return mod;
}

/**
 * Flagon as the framework routes: `adapter.lookup(path, method)`, which reports a miss
 * (404, 405 with the allowed methods, 308 redirects) as a value instead of throwing.
 */
export default async function create(): Promise<RouterAdapter> {
  return createFlagon("Flagon", "lookup");
}

/** Flagon through Werkzeug's throwing API, `adapter.match(path, method)`. */
export async function createThrowing(): Promise<RouterAdapter> {
  return createFlagon("Flagon match()", "match");
}

// Both Flagon columns share one map, so they time the same generated matcher through
// two APIs (an application has one map; two would make the adapter's call site
// polymorphic, which no real app sees).
let shared: { map: InstanceType<WerkModule["Map"]>; added: Set<string> } | undefined;

async function createFlagon(name: string, api: "lookup" | "match"): Promise<RouterAdapter> {
  const werk = await loadWerk();
  const { NotFound, MethodNotAllowed } = werk;
  shared ??= { map: new werk.Map(), added: new Set() };
  const { map, added } = shared;
  // Bound once (a Flask app binds per request; that cost is not part of these numbers).
  let adapter: WerkMapAdapter | undefined;
  const bound = (): WerkMapAdapter => (adapter ??= map.bind("localhost"));
  return {
    name,
    version: `${pkgVersion("@flagon/werk")} (${werkLocation()})`,
    supports405: true,
    add(method, path, handler) {
      if (adapter !== undefined) throw new Error("add() after finish()");
      const key = `${method} ${path}`;
      if (added.has(key)) return;
      added.add(key);
      map.add(new werk.Rule(toWerkzeug(path), { endpoint: handler, methods: [method] }));
    },
    finish() {
      bound().lookup("/");
    },
    match:
      api === "lookup"
        ? (method, path): MatchResult => {
            const found = bound().lookup(path, method);
            if (found.status === 200) {
              return { status: 200, handler: found.rule.endpoint as string, params: found.values as Record<string, string> };
            }
            if (found.status === 405) return { status: 405, allow: found.validMethods ?? [] };
            return NOT_FOUND;
          }
        : (method, path): MatchResult => {
            try {
              const [endpoint, values] = bound().match(path, method);
              return { status: 200, handler: endpoint as string, params: values as Record<string, string> };
            } catch (error) {
              if (error instanceof NotFound) return NOT_FOUND;
              if (error instanceof MethodNotAllowed) return { status: 405, allow: error.validMethods ?? [] };
              throw error;
            }
          },
    build(handler, params) {
      return bound().build(handler, params);
    },
  };
}
