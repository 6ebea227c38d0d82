/**
 * `MapAdapter`: a `Map` bound to one server name, script name and scheme. It matches
 * request paths to endpoints and builds URLs back from endpoints and values.
 */
import { BadRequest, HTTPException, MethodNotAllowed, NotFound } from "../http/exceptions.js";
import { PATH_SAFE, iterMultiItems, quote, urlencode } from "../utils.js";
import { BuildError, RequestRedirect, WebsocketMismatch } from "./exceptions.js";
import type { Map } from "./map.js";
import type { Rule } from "./rules.js";

/** Query arguments: a raw query string or a mapping (arrays repeat the key). */
export type QueryArgs = string | Record<string, unknown> | Iterable<[string, unknown]> | null | undefined;

/** Options of `MapAdapter.match`. */
export interface MatchOptions {
  /** Return the matched `Rule` instead of its endpoint. */
  returnRule?: boolean;
  /** Query arguments kept on redirects (defaults to the bound ones). */
  queryArgs?: QueryArgs;
  /** Match WebSocket rules (defaults to the bound scheme being ws/wss). */
  websocket?: boolean;
}

/** Options of `MapAdapter.build`. */
export interface BuildOptions {
  /** Build with a rule that accepts this method. */
  method?: string;
  /** Always return an absolute URL. */
  forceExternal?: boolean;
  /** Put values no rule part uses into the query string. Default true. */
  appendUnknown?: boolean;
  /** The scheme for absolute URLs (defaults to the bound one). */
  urlScheme?: string;
  /** A fragment to append (`#anchor`). */
  anchor?: string;
}

/** What `bind` hands to the adapter. */
export interface AdapterSettings {
  serverName: string;
  scriptName: string;
  subdomain: string | undefined;
  urlScheme: string;
  pathInfo: string;
  defaultMethod: string;
  queryArgs: QueryArgs;
}

/** Values given to `build`: a plain object, or a MultiDict-like object with `lists()`. */
export type BuildValues = Record<string, unknown> | { lists(): Iterable<[string, unknown[]]> } | null | undefined;

// Routing errors carry no useful stack, and capturing one is most of the cost of a 404.
function quiet<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** A successful lookup: the rule and its converted values. */
export interface RouteMatch {
  readonly status: 200;
  readonly rule: Rule;
  readonly values: Record<string, unknown>;
}

/**
 * A lookup that did not reach a rule: 308 (redirect to `newUrl`), 400 (malformed
 * path, or a WebSocket mismatch), 404, or 405 (`validMethods`).
 */
export interface RouteMiss {
  readonly status: 308 | 400 | 404 | 405;
  readonly newUrl?: string;
  readonly validMethods?: string[];
  readonly websocketMismatch?: boolean;
}

/** The outcome of `MapAdapter.lookup`. */
export type RouteLookup = RouteMatch | RouteMiss;

const NOT_FOUND: RouteMiss = Object.freeze({ status: 404 });
const MALFORMED_PATH: RouteMiss = Object.freeze({ status: 400 });
const WEBSOCKET_MISMATCH: RouteMiss = Object.freeze({ status: 400, websocketMismatch: true });

// Request methods arrive upper-case almost always; skip toUpperCase's new string then.
function upperMethod(method: string): string {
  switch (method) {
    case "GET":
    case "POST":
    case "HEAD":
    case "PUT":
    case "PATCH":
    case "DELETE":
    case "OPTIONS":
      return method;
    default:
      return method.toUpperCase();
  }
}

/** The exception `match` throws for a lookup that missed. */
export function routingError(miss: RouteMiss): HTTPException {
  switch (miss.status) {
    case 308:
      return new RequestRedirect(miss.newUrl!);
    case 405:
      return new MethodNotAllowed(miss.validMethods);
    case 400:
      return miss.websocketMismatch
        ? new WebsocketMismatch()
        : new BadRequest("The URL path contains malformed percent-encoding or invalid UTF-8.");
    default:
      return new NotFound();
  }
}

/**
 * A map bound to one request's host, script name and scheme.
 *
 * @example
 * const urls = map.bind("example.com");
 * urls.match("/post/3");            // ["post", { id: 3 }]
 * urls.build("post", { id: 3 });    // "/post/3"
 */
export class MapAdapter {
  readonly map: Map;
  serverName: string;
  subdomain: string;
  urlScheme: string;
  pathInfo: string;
  defaultMethod: string;
  queryArgs: QueryArgs;
  /** Whether the bound scheme is ws or wss. */
  websocket: boolean;
  #scriptName = "/";
  // The script name without trailing slashes, prefixed to every built path.
  #scriptRoot = "";

  constructor(map: Map, s: AdapterSettings) {
    this.map = map;
    this.serverName = s.serverName;
    this.scriptName = s.scriptName;
    this.subdomain = s.subdomain ?? "";
    this.urlScheme = s.urlScheme;
    this.pathInfo = s.pathInfo;
    this.defaultMethod = s.defaultMethod;
    this.queryArgs = s.queryArgs;
    this.websocket = s.urlScheme === "ws" || s.urlScheme === "wss";
  }

  /** The path the application is mounted under; always ends with a slash. */
  get scriptName(): string {
    return this.#scriptName;
  }
  set scriptName(value: string) {
    this.#scriptName = value.endsWith("/") ? value : value + "/";
    this.#scriptRoot = this.#scriptName.replace(/\/+$/, "");
  }

  /**
   * Match a path (percent-encoded, as in the request line) and method to a rule.
   * Returns `[endpoint, values]`, or `[rule, values]` with `returnRule`.
   *
   * Throws `NotFound`, `MethodNotAllowed` (with `validMethods`), `RequestRedirect`
   * (strict or merged slashes, defaults, aliases, `redirectTo`), `WebsocketMismatch`,
   * or `BadRequest` for malformed percent-encoding.
   *
   * @example
   * map.bind("example.com").match("/post/3"); // ["post", { id: 3 }]
   */
  match(pathInfo?: string | null, method?: string | null, opts?: MatchOptions & { returnRule?: false }): [unknown, Record<string, unknown>];
  match(pathInfo: string | null | undefined, method: string | null | undefined, opts: MatchOptions & { returnRule: true }): [Rule, Record<string, unknown>];
  match(pathInfo?: string | null, method?: string | null, opts?: MatchOptions): [unknown, Record<string, unknown>] {
    const found = this.lookup(pathInfo, method, opts);
    if (found.status !== 200) throw quiet(() => routingError(found));
    return [opts?.returnRule ? found.rule : found.rule.endpoint, found.values];
  }

  /**
   * `match` without exceptions: the outcome as a value, for hot paths (a framework
   * turns a miss into a response without paying for a throw). `routingError(miss)`
   * gives the exception `match` would throw.
   *
   * @example
   * const found = urls.lookup("/post/3", "GET");
   * if (found.status === 200) found.rule.endpoint; // "post", found.values = { id: 3 }
   */
  lookup(pathInfo?: string | null, method?: string | null, opts?: MatchOptions): RouteLookup {
    const map = this.map;
    if (map._dirty) map.update();
    let path = pathInfo ?? this.pathInfo;
    if (path.indexOf("%") >= 0) {
      try {
        path = decodeURIComponent(path);
      } catch {
        return MALFORMED_PATH;
      }
    }
    const verb = upperMethod(method || this.defaultMethod);
    const websocket = opts?.websocket ?? this.websocket;
    const domain = map.subdomainMatching ? this.subdomain : map.hostMatching ? this.serverName : "";
    let pathPart = "";
    // Werkzeug routes "/" + path_info without its leading slashes.
    if (path) pathPart = path.charCodeAt(0) === 47 && path.charCodeAt(1) !== 47 ? path : "/" + path.replace(/^\/+/, "");

    const matcher = map._matcher;
    const rule = matcher.match(domain, pathPart, verb, websocket);
    if (rule === null) {
      const failure = matcher.failure;
      if (failure.redirectPath !== undefined) {
        const url = this.makeRedirectUrl(quote(failure.redirectPath, PATH_SAFE), opts?.queryArgs ?? this.queryArgs);
        return { status: 308, newUrl: url };
      }
      if (failure.allowed !== null) return { status: 405, validMethods: failure.allowed };
      if (failure.websocketMismatch) return WEBSOCKET_MISMATCH;
      return NOT_FOUND;
    }
    const values = matcher.values;
    if (!rule._mayRedirect) return { status: 200, rule, values };
    if (rule.alias && map.redirectDefaults) {
      return { status: 308, newUrl: this.makeAliasRedirectUrl(rule.endpoint, values, verb, opts?.queryArgs ?? this.queryArgs) };
    }
    if (rule._hasDefaultsProvider && map.redirectDefaults) {
      const target = this.getDefaultRedirect(rule, verb, values, opts?.queryArgs ?? this.queryArgs);
      if (target !== undefined) return { status: 308, newUrl: target };
    }
    if (rule.redirectTo !== undefined) return { status: 308, newUrl: this.#redirectTarget(rule, values) };
    return { status: 200, rule, values };
  }

  /** Like `match`, but only says whether the path matches (a redirect counts as a match). */
  test(pathInfo?: string | null, method?: string | null): boolean {
    try {
      this.match(pathInfo, method);
    } catch (err) {
      if (err instanceof RequestRedirect) return true;
      if (err instanceof HTTPException) return false;
      throw err;
    }
    return true;
  }

  /** The methods the path accepts (empty when nothing matches it). */
  allowedMethods(pathInfo?: string | null): string[] {
    try {
      this.match(pathInfo, "--");
    } catch (err) {
      if (err instanceof MethodNotAllowed) return err.validMethods ?? [];
      if (err instanceof HTTPException) return [];
      throw err;
    }
    return [];
  }

  /**
   * Match, then call `viewFunc(endpoint, values)` and return what it returns. Redirects
   * are returned as exceptions (usable as responses); other HTTP errors are returned too
   * with `catchHttpExceptions`, else thrown.
   */
  dispatch<T>(
    viewFunc: (endpoint: unknown, values: Record<string, unknown>) => T,
    pathInfo?: string | null,
    method?: string | null,
    catchHttpExceptions = false,
  ): T | HTTPException {
    try {
      let matched: [unknown, Record<string, unknown>];
      try {
        matched = this.match(pathInfo, method);
      } catch (err) {
        if (err instanceof RequestRedirect) return err;
        throw err;
      }
      return viewFunc(matched[0], matched[1]);
    } catch (err) {
      if (catchHttpExceptions && err instanceof HTTPException) return err;
      throw err;
    }
  }

  /** The full host for a domain part: a subdomain (joined to the server name) or a host. */
  getHost(domainPart?: string | null): string {
    if (this.map.hostMatching) return domainPart ?? this.serverName;
    const subdomain = domainPart ?? this.subdomain;
    return subdomain ? `${subdomain}.${this.serverName}` : this.serverName;
  }

  /** The absolute URL for a (quoted) path under the script name, with query arguments. */
  makeRedirectUrl(pathInfo: string, queryArgs?: QueryArgs, domainPart?: string | null): string {
    const args = queryArgs ?? this.queryArgs;
    const query = args ? encodeQueryArgs(args) : "";
    const script = this.scriptName.replace(/^\/+|\/+$/g, "");
    const path = (script ? script + "/" : "") + pathInfo.replace(/^\/+/, "");
    return `${this.urlScheme || "http"}://${this.getHost(domainPart)}/${path}${query ? "?" + query : ""}`;
  }

  private makeAliasRedirectUrl(endpoint: unknown, values: Record<string, unknown>, method: string, queryArgs: QueryArgs): string {
    let url = this.build(endpoint, values, { method, appendUnknown: false, forceExternal: true });
    const query = queryArgs ? encodeQueryArgs(queryArgs) : "";
    if (query) url += "?" + query;
    return url;
  }

  /** The URL of a rule that provides the matched values as defaults, if one does. @internal */
  getDefaultRedirect(rule: Rule, method: string, values: Record<string, unknown>, queryArgs: QueryArgs): string | undefined {
    const rules = this.map._rulesByEndpoint.get(rule.endpoint);
    if (rules === undefined || rules.length < 2) return undefined;
    for (const r of rules) {
      // Rules after the matched one have a lower priority for defaults.
      if (r === rule) break;
      if (r.providesDefaultsFor(rule) && r.suitableFor(values, method)) {
        Object.assign(values, r.defaults);
        const built = r.build(values)!;
        return this.makeRedirectUrl(built[1], queryArgs, built[0]);
      }
    }
    return undefined;
  }

  #redirectTo(rule: Rule, values: Record<string, unknown>): string {
    const target = rule.redirectTo!;
    if (typeof target === "function") return target(this, values);
    return target.replace(/<([^>]+)>/g, (_, name: string) => {
      const converter = rule.converterFor(name);
      const value = values[name];
      return converter ? converter.toUrl(value) : quote(String(value), PATH_SAFE);
    });
  }

  #redirectTarget(rule: Rule, values: Record<string, unknown>): string {
    const netloc = this.subdomain ? `${this.subdomain}.${this.serverName}` : this.serverName;
    return new URL(this.#redirectTo(rule, values), `${this.urlScheme || "http"}://${netloc}${this.scriptName}`).href;
  }

  /**
   * Build a URL for an endpoint from values. Values no rule part uses go to the query
   * string (arrays repeat the key); `null`/`undefined` values are dropped. The URL is a
   * path unless the rule lives on another subdomain or host, or `forceExternal` is set.
   *
   * @example
   * urls.build("post", { id: 3, page: 2 });            // "/post/3?page=2"
   * urls.build("post", { id: 3 }, { forceExternal: true }); // "http://example.com/post/3"
   */
  build(endpoint: unknown, values?: BuildValues, opts: BuildOptions = {}): string {
    const map = this.map;
    map.update();
    const clean = cleanValues(values);
    const appendUnknown = opts.appendUnknown ?? true;
    const found = this.#partialBuild(endpoint, clean, opts.method, appendUnknown);
    if (found === undefined) throw new BuildError(endpoint, clean, opts.method, this);
    const [domainPart, path, websocket] = found;
    const host = this.getHost(domainPart);

    let scheme = opts.urlScheme ?? this.urlScheme;
    let forceExternal = opts.forceExternal ?? false;
    const secure = scheme === "https" || scheme === "wss";
    if (websocket) {
      forceExternal = true;
      scheme = secure ? "wss" : "ws";
    } else if (scheme) {
      scheme = secure ? "https" : "http";
    }

    let skip = 0;
    while (path.charCodeAt(skip) === 47) skip++;
    const relPath = skip === 0 ? path : path.slice(skip);
    let url: string;
    const sameDomain = map.subdomainMatching
      ? domainPart === this.subdomain
      : map.hostMatching
        ? host === this.serverName
        : true;
    if (!forceExternal && sameDomain) {
      url = `${this.#scriptRoot}/${relPath}`;
    } else {
      url = `${scheme ? scheme + ":" : ""}//${host}${this.scriptName.slice(0, -1)}/${relPath}`;
    }
    if (opts.anchor) url += "#" + quote(opts.anchor, "%!#$&'()*+,/:;=?@");
    return url;
  }

  #partialBuild(
    endpoint: unknown,
    values: Record<string, unknown>,
    method: string | undefined,
    appendUnknown: boolean,
  ): [string, string, boolean] | undefined {
    if (method === undefined) {
      const found = this.#partialBuild(endpoint, values, this.defaultMethod, appendUnknown);
      if (found !== undefined) return found;
    }
    let firstMatch: [string, string, boolean] | undefined;
    const rules = this.map._rulesByEndpoint.get(endpoint);
    if (rules === undefined) return undefined;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!rule.suitableFor(values, method)) continue;
      const built = rule.build(values, appendUnknown);
      if (built === undefined) continue;
      const result: [string, string, boolean] = [built[0], built[1], rule.websocket];
      if (!this.map.hostMatching) return result;
      // With host matching, prefer a rule on the bound host.
      if (built[0] === this.serverName) return result;
      firstMatch ??= result;
    }
    return firstMatch;
  }
}

function cleanValues(values: BuildValues): Record<string, unknown> {
  if (!values) return {};
  const out: Record<string, unknown> = {};
  if (typeof (values as { lists?: unknown }).lists === "function") {
    for (const [key, list] of (values as { lists(): Iterable<[string, unknown[]]> }).lists()) {
      if (list.length === 0) continue;
      out[key] = list.length === 1 ? list[0] : list;
    }
    return out;
  }
  const record = values as Record<string, unknown>;
  // Copy only when there is something to drop: building never writes to the values.
  let hasEmpty = false;
  for (const key in record) {
    const value = record[key];
    if (value === null || value === undefined) {
      hasEmpty = true;
      break;
    }
  }
  if (!hasEmpty) return record;
  for (const key in record) {
    const value = record[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

/** Encode query arguments given as a string (kept as is) or a mapping. */
export function encodeQueryArgs(args: QueryArgs): string {
  if (typeof args === "string") return args;
  return urlencode(iterMultiItems(args));
}
