/**
 * `Map`: the collection of rules plus the settings shared by all of them; bound to a
 * host it gives a `MapAdapter` that matches and builds URLs.
 */
import { domainToASCII } from "node:url";
import { BadHost } from "../http/exceptions.js";
import { MapAdapter, type QueryArgs } from "./adapter.js";
import { DEFAULT_CONVERTERS, type ConverterClass } from "./converters.js";
import { CompiledMatcher } from "./matcher-compiled.js";
import type { Matcher, MatcherClass } from "./matcher-tree.js";
import type { Rule, RuleFactory } from "./rules.js";

/** Options of a `Map`, Werkzeug's keyword arguments in camelCase. */
export interface MapOptions {
  /** The subdomain rules get when they name none (and `bindToRequest` falls back to). */
  defaultSubdomain?: string;
  /** Redirect `/branch` to `/branch/` for rules ending in a slash. Default true. */
  strictSlashes?: boolean;
  /** Redirect URLs with repeated slashes to the merged URL. Default true. */
  mergeSlashes?: boolean;
  /** Redirect to the rule that provides defaults when a URL spells them out. Default true. */
  redirectDefaults?: boolean;
  /** Extra converter classes by name; they override the defaults of the same name. */
  converters?: Record<string, ConverterClass>;
  /** Sort query-string parameters when building. */
  sortParameters?: boolean;
  /** Sort key for query parameters, called with `[key, value]`. */
  sortKey?: (pair: [string, unknown]) => unknown;
  /** Match rules on the full host (`Rule.host`) instead of subdomains. */
  hostMatching?: boolean;
  /** Match rules on the subdomain (`Rule.subdomain`). Default true; off with host matching. */
  subdomainMatching?: boolean;
  /**
   * The matcher implementation (default `Map.defaultMatcher`, the code-generating
   * `CompiledMatcher`; `StateMachineMatcher` interprets the same tree without `new Function`).
   */
  matcher?: MatcherClass;
}

/** Options of `Map.bind`. */
export interface BindOptions {
  subdomain?: string;
  urlScheme?: string;
  defaultMethod?: string;
  pathInfo?: string;
  queryArgs?: QueryArgs;
}

/** The parts of a Node request `bindToRequest` reads. */
export interface IncomingRequestLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket?: { encrypted?: boolean; localAddress?: string; localPort?: number } | null;
}

/** The parts of a werk `Request` `bindToRequest` reads. */
export interface WerkRequestLike {
  method: string;
  /** Validated against the request's trusted hosts when read. */
  host: string;
  scheme: string;
  scriptRoot: string;
  rawPath: string;
  queryString: string;
  /** The Node message underneath, read for the Connection and Upgrade headers. */
  raw: { headers: Record<string, string | string[] | undefined> };
}

/**
 * All URL rules of an application and the settings they share.
 *
 * @example
 * const map = new Map([
 *   new Rule("/", { endpoint: "index" }),
 *   new Rule("/post/<int:id>", { endpoint: "post" }),
 * ]);
 * map.bind("example.com").match("/post/3"); // ["post", { id: 3 }]
 */
export class Map {
  /** The converters every map starts with; subclasses may replace this table. */
  static defaultConverters: Readonly<Record<string, ConverterClass>> = DEFAULT_CONVERTERS;
  /** The matcher class maps use unless `opts.matcher` names another. */
  static defaultMatcher: MatcherClass = CompiledMatcher;

  defaultSubdomain: string;
  strictSlashes: boolean;
  redirectDefaults: boolean;
  subdomainMatching: boolean;
  hostMatching: boolean;
  /** Converter classes by name, used when rules are added. */
  converters: Record<string, ConverterClass>;
  sortParameters: boolean;
  sortKey: ((pair: [string, unknown]) => unknown) | undefined;

  /** @internal The compiled matcher. */
  readonly _matcher: Matcher;
  /** @internal Rules by endpoint, sorted for building by `update()`. */
  readonly _rulesByEndpoint = new globalThis.Map<unknown, Rule[]>();
  /** @internal Rules changed since the last `update()`. */
  _dirty = true;
  #warned = new Set<string>();
  #hosts = new globalThis.Map<string, string>();

  constructor(rules?: Iterable<RuleFactory> | null, opts: MapOptions = {}) {
    const MatcherImpl = opts.matcher ?? (this.constructor as typeof Map).defaultMatcher;
    this._matcher = new MatcherImpl(opts.mergeSlashes ?? true);
    this.defaultSubdomain = opts.defaultSubdomain ?? "";
    this.strictSlashes = opts.strictSlashes ?? true;
    this.redirectDefaults = opts.redirectDefaults ?? true;
    this.hostMatching = opts.hostMatching ?? false;
    this.subdomainMatching = (opts.subdomainMatching ?? true) && !this.hostMatching;
    const ctor = this.constructor as typeof Map;
    this.converters = { ...ctor.defaultConverters, ...opts.converters };
    this.sortParameters = opts.sortParameters ?? false;
    this.sortKey = opts.sortKey;
    for (const factory of rules ?? []) this.add(factory);
  }

  /** Redirect URLs with repeated slashes to their merged form. */
  get mergeSlashes(): boolean {
    return this._matcher.mergeSlashes;
  }
  set mergeSlashes(value: boolean) {
    this._matcher.mergeSlashes = value;
  }

  /** The matcher behind this map (for inspection and benchmarks). */
  get matcher(): Matcher {
    return this._matcher;
  }

  /** Add a rule or rule factory; every rule it yields is bound to this map. */
  add(factory: RuleFactory): void {
    for (const original of factory.getRules(this)) {
      for (const rule of original.expandVariants()) this.#addRule(rule);
    }
    this._dirty = true;
  }

  #addRule(rule: Rule): void {
    rule.bind(this);
    if (!rule.buildOnly) this._matcher.add(rule);
    const list = this._rulesByEndpoint.get(rule.endpoint);
    if (list === undefined) this._rulesByEndpoint.set(rule.endpoint, [rule]);
    else list.push(rule);
  }

  /** All rules, or those of one endpoint (empty for an unknown endpoint). */
  iterRules(endpoint?: unknown): Rule[] {
    this.update();
    if (endpoint !== undefined) return [...(this._rulesByEndpoint.get(endpoint) ?? [])];
    const all: Rule[] = [];
    for (const rules of this._rulesByEndpoint.values()) all.push(...rules);
    return all;
  }

  /** Does some rule of `endpoint` take all of these arguments? */
  isEndpointExpecting(endpoint: unknown, ...args: string[]): boolean {
    this.update();
    for (const rule of this._rulesByEndpoint.get(endpoint) ?? []) {
      if (args.every((a) => rule.arguments.has(a))) return true;
    }
    return false;
  }

  /** Sort transitions and build order after changes; cheap when nothing changed. */
  update(): void {
    if (!this._dirty) return;
    this._matcher.update();
    for (const rules of this._rulesByEndpoint.values()) {
      rules.sort((a, b) => {
        const x = a.buildCompareKey();
        const y = b.buildCompareKey();
        return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
      });
      // Matching only looks for a defaults redirect where one can exist.
      rules.forEach((rule, i) => {
        rule._hasDefaultsProvider = rules.slice(0, i).some((r) => r.providesDefaultsFor(rule));
        rule._mayRedirect = rule.alias || rule._hasDefaultsProvider || rule.redirectTo !== undefined;
      });
    }
    this._dirty = false;
  }

  /**
   * Bind to a server name (`host[:port]`) and script name, giving an adapter that
   * matches and builds URLs.
   *
   * @example
   * const urls = map.bind("example.com", "/", { urlScheme: "https" });
   */
  bind(serverName: string, scriptName: string | null = "/", opts: BindOptions = {}): MapAdapter {
    let subdomain = opts.subdomain;
    if (this.hostMatching) {
      if (subdomain !== undefined) throw new Error("Passing a subdomain to bind() is invalid when host matching is enabled.");
    } else {
      subdomain ??= this.defaultSubdomain;
    }
    return new MapAdapter(this, {
      serverName: this.#normalizedHost(serverName),
      scriptName: scriptName ?? "/",
      subdomain,
      urlScheme: opts.urlScheme ?? "http",
      pathInfo: opts.pathInfo ?? "/",
      defaultMethod: opts.defaultMethod ?? "GET",
      queryArgs: opts.queryArgs,
    });
  }

  /**
   * Bind to what a request says: its host, scheme, method, path and query. With
   * subdomain matching, the subdomain is what the Host has in front of `serverName`.
   */
  bindToRequest(req: IncomingRequestLike | WerkRequestLike, opts: { serverName?: string; subdomain?: string } = {}): MapAdapter {
    const info = requestInfo(req);
    let serverName: string;
    if (opts.serverName === undefined || this.hostMatching) serverName = info.host;
    else serverName = stripDefaultPort(opts.serverName.toLowerCase(), info.scheme);

    let subdomain = opts.subdomain;
    if (subdomain === undefined && this.subdomainMatching) {
      const current = info.host.split(".");
      const real = serverName.split(".");
      const suffix = current.slice(current.length - real.length);
      if (current.length < real.length || suffix.join(".") !== real.join(".")) {
        this.#warnOnce(
          `Current server name "${info.host}" isn't under configured server name "${serverName}"; ` +
            `couldn't determine the subdomain, using the default "${this.defaultSubdomain}".`,
        );
      } else {
        subdomain = current.slice(0, current.length - real.length).join(".");
      }
    }
    return this.bind(serverName, info.scriptName, {
      urlScheme: info.scheme,
      subdomain,
      defaultMethod: info.method,
      pathInfo: info.path,
      queryArgs: info.query,
    });
  }

  // Lower-cased and IDNA-encoded, remembered: a server sees few distinct hosts, and
  // binding happens on every request.
  #normalizedHost(serverName: string): string {
    let normalized = this.#hosts.get(serverName);
    if (normalized === undefined) {
      const lower = serverName.toLowerCase();
      const colon = lower.indexOf(":");
      const name = colon < 0 ? lower : lower.slice(0, colon);
      normalized = encodeHostname(name) + (colon < 0 ? "" : lower.slice(colon));
      if (this.#hosts.size >= 256) this.#hosts.clear();
      this.#hosts.set(serverName, normalized);
    }
    return normalized;
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message) || this.#warned.size > 100) return;
    this.#warned.add(message);
    process.emitWarning(message, { code: "FLAGON_SUBDOMAIN_UNKNOWN" });
  }

  toString(): string {
    return `${this.constructor.name}([${this.iterRules().map(String).join(", ")}])`;
  }
}

/** `UrlMap` is `Map` under a name that does not shadow the global `Map`. */
export { Map as UrlMap };

function encodeHostname(name: string): string {
  if (name === "" || /^[\x21-\x7e]*$/.test(name)) return name;
  const ascii = domainToASCII(name);
  if (!ascii) throw new BadHost(`The host name "${name}" cannot be encoded with IDNA.`);
  return ascii;
}

function stripDefaultPort(host: string, scheme: string): string {
  if ((scheme === "http" || scheme === "ws") && host.endsWith(":80")) return host.slice(0, -3);
  if ((scheme === "https" || scheme === "wss") && host.endsWith(":443")) return host.slice(0, -4);
  return host;
}

interface RequestInfo {
  host: string;
  scheme: string;
  method: string;
  scriptName: string;
  path: string;
  query: string;
}

function isWerkRequest(req: IncomingRequestLike | WerkRequestLike): req is WerkRequestLike {
  return typeof (req as WerkRequestLike).raw === "object" && typeof (req as WerkRequestLike).rawPath === "string";
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

function requestInfo(req: IncomingRequestLike | WerkRequestLike): RequestInfo {
  let info: RequestInfo;
  let connection: string | string[] | undefined;
  let upgrade: string | string[] | undefined;
  if (isWerkRequest(req)) {
    // Reading `host` validates it against the request's trusted hosts.
    info = {
      host: req.host.toLowerCase(),
      scheme: req.scheme,
      method: req.method,
      scriptName: req.scriptRoot || "/",
      path: req.rawPath,
      query: req.queryString,
    };
    // The raw Node headers: building the full Headers object is not needed here.
    upgrade = req.raw.headers.upgrade;
    connection = req.raw.headers.connection;
  } else {
    const scheme = req.socket?.encrypted ? "https" : "http";
    const h = req.headers;
    let host = headerText(h.host ?? h[":authority"]).toLowerCase();
    if (!host && req.socket?.localAddress) host = `${req.socket.localAddress}:${req.socket.localPort ?? ""}`;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    info = {
      host: stripDefaultPort(host, scheme),
      scheme,
      method: req.method ?? "GET",
      scriptName: "/",
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? "" : url.slice(q + 1),
    };
    upgrade = h.upgrade;
    connection = h.connection;
  }
  // Only a WebSocket upgrade changes the scheme; most requests have no Upgrade header.
  if (upgrade !== undefined && headerText(upgrade).toLowerCase() === "websocket") {
    const upgrading = headerText(connection).toLowerCase().split(",").some((v) => v.trim() === "upgrade");
    if (upgrading) info.scheme = info.scheme === "https" ? "wss" : "ws";
  }
  return info;
}
