/**
 * `Rule`: one URL pattern with its endpoint, methods and options, and `RuleFactory`,
 * the base of everything a `Map` accepts.
 */
import { iterMultiItems, PATH_SAFE, quote, urlencode } from "../utils.js";
import { BaseConverter, ValidationError } from "./converters.js";
import type { MapAdapter } from "./adapter.js";
import type { Map } from "./map.js";
import { parseConverterArgs, tokenizeRule, type RuleToken } from "./rule-parser.js";
import { compileParts, type RulePart, type TraceEntry } from "./rule-parts.js";

/** Computes a redirect target from the matched values (Werkzeug's callable `redirect_to`). */
export type RedirectFunction = (adapter: MapAdapter, values: Record<string, unknown>) => string;

/** Options of a `Rule`, Werkzeug's keyword arguments in camelCase. */
export interface RuleOptions {
  /** What the match returns: usually the name of a view. */
  endpoint?: unknown;
  /** Allowed methods (case-insensitive); GET adds HEAD. All methods when omitted. */
  methods?: Iterable<string>;
  /** Values for the view that the URL does not carry; also used for URL building. */
  defaults?: Record<string, unknown>;
  /** Subdomain rule string (`"<user>"`), when the map matches subdomains. */
  subdomain?: string;
  /** Host rule string (`"<lang>.example.com"`), when the map matches hosts. */
  host?: string;
  /** Redirect `/branch` to `/branch/` (overrides the map's setting). */
  strictSlashes?: boolean;
  /** Redirect URLs with repeated slashes to the merged form (overrides the map's setting). */
  mergeSlashes?: boolean;
  /** Redirect matches of this rule: a rule-like string (`"foo/<slug>"`) or a function. */
  redirectTo?: string | RedirectFunction;
  /** This rule is an alias: matches redirect to the canonical rule of the endpoint. */
  alias?: boolean;
  /** Only build URLs with this rule; never match it. */
  buildOnly?: boolean;
  /** Match WebSocket requests (ws/wss) instead of HTTP ones. */
  websocket?: boolean;
}

/** Anything a `Map` accepts: a rule or a factory producing rules. */
export abstract class RuleFactory {
  /** The rules this factory stands for, ready to be bound to `map`. */
  abstract getRules(map: Map): Iterable<Rule>;
}

const WEBSOCKET_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * One URL pattern. Placeholders are `<converter(args):name>` (Werkzeug syntax) or
 * `:name` / `*name` / `{optional}` (path-to-regexp syntax).
 *
 * @example
 * new Rule("/post/<int:id>", { endpoint: "show_post", methods: ["GET", "POST"] });
 * new Rule("/users/:id", { endpoint: "user" });
 */
export class Rule extends RuleFactory {
  /** The rule string as given (with factory prefixes applied). */
  rule: string;
  endpoint: unknown;
  /** Upper-case allowed methods, or undefined for all. */
  methods: Set<string> | undefined;
  defaults: Record<string, unknown> | undefined;
  subdomain: string | undefined;
  host: string | undefined;
  strictSlashes: boolean | undefined;
  mergeSlashes: boolean | undefined;
  redirectTo: string | RedirectFunction | undefined;
  alias: boolean;
  buildOnly: boolean;
  websocket: boolean;
  /** Names of all values this rule provides: placeholders and defaults. */
  arguments: Set<string>;
  /** The map this rule is bound to (set by `Map.add`). */
  map: Map | undefined = undefined;

  /** @internal Parts by segment, domain first (for the matcher). */
  _parts: RulePart[] = [];
  /** @internal Placeholder names and their converters, in rule order. */
  _converters: Array<[string, BaseConverter]> = [];
  /** @internal Literal and dynamic pieces, domain then `|` then path. */
  _trace: TraceEntry[] = [];
  /** @internal For path-to-regexp rules with optional groups: which expansion this is. */
  _variant = 0;
  /** @internal Arguments that have no default: building needs a value for each. */
  _required: string[] = [];
  /** @internal `methods` as an array, for iterating without an iterator object. */
  _methodList: string[] = [];
  /** @internal Another rule of the endpoint provides defaults for this one (set by `Map.update`). */
  _hasDefaultsProvider = false;
  /** @internal A match may turn into a redirect (alias, defaults, `redirectTo`); set by `Map.update`. */
  _mayRedirect = true;
  /** @internal Every converter keeps the matched text as it is (no `toValue` to call). */
  _plainValues = true;
  /** @internal Builds the values object from the captured texts (and the defaults). */
  _makeValues: (captured: string[]) => Record<string, unknown> = () => ({});
  /** @internal The fully static path of the rule (no placeholders), else undefined. */
  _staticPath: string | undefined = undefined;
  /** @internal The fully static domain part, else undefined. */
  _staticDomain: string | undefined = undefined;
  #domainOps: BuildOp[] = [];
  #pathOps: BuildOp[] = [];
  #converterByName: Record<string, BaseConverter> = Object.create(null);

  constructor(string: string, opts: RuleOptions = {}) {
    super();
    if (typeof string !== "string" || !string.startsWith("/")) {
      throw new SyntaxError(`URL rule "${String(string)}" must start with a slash.`);
    }
    this.rule = string;
    this.endpoint = opts.endpoint;
    this.defaults = opts.defaults;
    this.subdomain = opts.subdomain;
    this.host = opts.host;
    this.strictSlashes = opts.strictSlashes;
    this.mergeSlashes = opts.mergeSlashes;
    this.redirectTo = opts.redirectTo;
    this.alias = opts.alias ?? false;
    this.buildOnly = opts.buildOnly ?? false;
    this.websocket = opts.websocket ?? false;
    this.methods = normalizeMethods(opts.methods, this.websocket);
    this.arguments = new Set(opts.defaults ? Object.keys(opts.defaults) : []);
  }

  /** Leaf rules do not end with a slash. */
  get isLeaf(): boolean {
    return !this.rule.endsWith("/");
  }

  /** Branch rules end with a slash (and redirect there under strict slashes). */
  get isBranch(): boolean {
    return this.rule.endsWith("/");
  }

  /** An unbound copy of this rule, of the same class, for another map or factory. */
  empty(): this {
    const Ctor = this.constructor as new (s: string, o: RuleOptions) => this;
    return new Ctor(this.rule, this.getEmptyKwargs());
  }

  /** The options `empty()` passes to the copy; override to carry subclass options. */
  getEmptyKwargs(): RuleOptions {
    return {
      defaults: this.defaults ? { ...this.defaults } : undefined,
      subdomain: this.subdomain,
      methods: this.methods ? new Set(this.methods) : undefined,
      buildOnly: this.buildOnly,
      endpoint: this.endpoint,
      strictSlashes: this.strictSlashes,
      mergeSlashes: this.mergeSlashes,
      redirectTo: this.redirectTo,
      alias: this.alias,
      host: this.host,
      websocket: this.websocket,
    };
  }

  /** A rule yields itself. */
  *getRules(_map: Map): Iterable<Rule> {
    yield this;
  }

  /**
   * This rule plus one copy per further expansion of its path-to-regexp optional
   * groups (`/a{/:b}` stands for `/a/:b` and `/a`), the fullest first. @internal
   */
  expandVariants(): Rule[] {
    const count = tokenizeRule(this.rule).length;
    const rules: Rule[] = [this];
    for (let i = 1; i < count; i++) {
      const copy = this.empty();
      copy._variant = i;
      rules.push(copy);
    }
    return rules;
  }

  /** Bind this rule to a map and compile it; a rule belongs to one map only. */
  bind(map: Map, rebind = false): void {
    if (this.map !== undefined && !rebind) {
      throw new Error(`The URL rule ${String(this)} is already bound to a map. Use rule.empty() for a copy.`);
    }
    this.map = map;
    this.strictSlashes ??= map.strictSlashes;
    this.mergeSlashes ??= map.mergeSlashes;
    this.subdomain ??= map.defaultSubdomain;
    this.compile();
  }

  /** Recompile after changing the rule in place. */
  refresh(): void {
    this.bind(this.requireMap(), true);
  }

  /** The converter instance for a placeholder, from the map's converter classes. */
  getConverter(variableName: string, converterName: string, args: unknown[], kwargs: Record<string, unknown>): BaseConverter {
    const map = this.requireMap();
    const Converter = map.converters[converterName];
    if (Converter === undefined) {
      throw new Error(
        `The converter "${converterName}" used by <${converterName}:${variableName}> in "${this.rule}" does not exist. ` +
          `Known converters: ${Object.keys(map.converters).join(", ")}.`,
      );
    }
    return Object.keys(kwargs).length ? new Converter(map, ...args, kwargs) : new Converter(map, ...args);
  }

  /** Compile parts, trace and builder from the rule string and the map's settings. */
  compile(): void {
    const map = this.requireMap();
    const domainRule = map.subdomainMatching ? this.subdomain : map.hostMatching ? this.host : undefined;
    this._trace = [];
    this._converters = [];
    const makeConverter = (name: string, converter: string, argstr: string | undefined): BaseConverter => {
      const [args, kwargs] = argstr === undefined ? [[], {}] : parseConverterArgs(argstr);
      return this.getConverter(name, converter, args, kwargs);
    };

    let domainParts: RulePart[];
    if (domainRule === undefined || domainRule === null) {
      domainParts = [staticPart("")];
    } else {
      domainParts = compileParts(tokenizeRule(domainRule)[0]!, makeConverter, this._trace, this._converters);
    }
    this._trace.push([false, "|"]);
    const path = this.mergeSlashes ? this.rule.replace(/\/{2,}/g, "/") : this.rule;
    const variants = tokenizeRule(path);
    const tokens = variants[Math.min(this._variant, variants.length - 1)]!;
    const pathParts = compileParts(tokens, makeConverter, this._trace, this._converters);
    this._parts = [...domainParts, ...pathParts];

    for (const [name] of this._converters) this.arguments.add(name);
    this._methodList = this.methods ? [...this.methods] : [];
    this._required = [...this.arguments].filter((name) => !(this.defaults && Object.hasOwn(this.defaults, name)));
    this._plainValues = this._converters.every(([, conv]) => conv.toValue === BaseConverter.prototype.toValue);
    this._makeValues = valuesFactory(this._converters, this.defaults, this._plainValues);
    this.#converterByName = Object.create(null);
    for (const [name, conv] of this._converters) this.#converterByName[name] = conv;

    const isStaticDomain = domainParts.every((p) => p.static);
    const isStaticPath = !tokens.some((t) => t.type === "variable");
    this._staticDomain = isStaticDomain ? domainParts.map((p) => p.content).join("") : undefined;
    this._staticPath = isStaticPath ? tokensToText(tokens) : undefined;
    this.compileBuilder();
  }

  private compileBuilder(): void {
    const defaults = this.defaults ?? {};
    const domainOps: BuildOp[] = [];
    const pathOps: BuildOp[] = [];
    let ops = domainOps;
    for (const [isDynamic, data] of this._trace) {
      if (!isDynamic && data === "|" && ops === domainOps) {
        ops = pathOps;
        continue;
      }
      let op: BuildOp;
      if (isDynamic && Object.hasOwn(defaults, data)) op = this.#converterByName[data]!.toUrl(defaults[data]);
      else if (isDynamic) op = { name: data, converter: this.#converterByName[data]! };
      else op = quote(data, PATH_SAFE);
      const last = ops[ops.length - 1];
      // Fold neighbouring literals so building concatenates as few pieces as possible.
      if (typeof op === "string" && typeof last === "string") ops[ops.length - 1] = last + op;
      else ops.push(op);
    }
    this.#domainOps = domainOps;
    this.#pathOps = pathOps;
  }

  /**
   * Assemble `[domainPart, path]` from values (unknown ones to the query string when
   * `appendUnknown`), or undefined when a converter refuses a value.
   * @internal
   */
  build(values: Record<string, unknown>, appendUnknown = true): [string, string] | undefined {
    try {
      const domain = runOps(this.#domainOps, values);
      let path = runOps(this.#pathOps, values);
      if (appendUnknown) {
        const query = this.encodeQueryVars(values);
        if (query) path += "?" + query;
      }
      return [domain, path];
    } catch (err) {
      if (err instanceof ValidationError) return undefined;
      throw err;
    }
  }

  private encodeQueryVars(values: Record<string, unknown>): string {
    let pairs: Array<[string, unknown]> | undefined;
    for (const key in values) {
      if (this.arguments.has(key)) continue;
      (pairs ??= []).push(...iterMultiItems({ [key]: values[key] }));
    }
    if (pairs === undefined) return "";
    const map = this.requireMap();
    if (map.sortParameters) {
      const sortKey = map.sortKey;
      if (sortKey) pairs.sort((a, b) => compareSortKeys(sortKey(a), sortKey(b)));
      else pairs.sort((a, b) => compareSortKeys(a[0], b[0]) || compareSortKeys(String(a[1]), String(b[1])));
    }
    return urlencode(pairs);
  }

  /** Does this rule carry defaults for `rule`: same endpoint and arguments, another path? @internal */
  providesDefaultsFor(rule: Rule): boolean {
    return Boolean(
      !this.buildOnly &&
        this.defaults &&
        Object.keys(this.defaults).length &&
        this.endpoint === rule.endpoint &&
        !this.equals(rule) &&
        setsEqual(this.arguments, rule.arguments),
    );
  }

  /** Can this rule build a URL from these values (and method)? @internal */
  suitableFor(values: Record<string, unknown>, method?: string): boolean {
    if (method !== undefined && this.methods !== undefined && !this.methods.has(method)) return false;
    const defaults = this.defaults;
    const required = this._required;
    for (let i = 0; i < required.length; i++) if (!Object.hasOwn(values, required[i]!)) return false;
    if (defaults) {
      for (const key in defaults) if (Object.hasOwn(values, key) && values[key] !== defaults[key]) return false;
    }
    return true;
  }

  /** Sort key among rules of one endpoint for building: non-aliases, most arguments first. @internal */
  buildCompareKey(): [number, number, number] {
    return [this.alias ? 1 : 0, -this.arguments.size, -Object.keys(this.defaults ?? {}).length];
  }

  /** Would this rule match exactly like `other` (same parts, overlapping methods)? @internal */
  isDuplicate(other: Rule): boolean {
    if (this.websocket !== other.websocket) return false;
    const a = this.methods;
    const b = other.methods;
    let overlap = a === undefined || b === undefined || setsEqual(a, b);
    if (!overlap) for (const m of a!) if (m !== "HEAD" && m !== "OPTIONS" && b!.has(m)) overlap = true;
    return overlap && this._parts.length === other._parts.length && this._parts.every((p, i) => samePart(p, other._parts[i]!));
  }

  /** Two rules are equal when their literal and dynamic pieces are. */
  equals(other: Rule): boolean {
    return this._trace.length === other._trace.length && this._trace.every(([d, s], i) => other._trace[i]![0] === d && other._trace[i]![1] === s);
  }

  /** The converter for a placeholder name. @internal */
  converterFor(name: string): BaseConverter | undefined {
    return this.#converterByName[name];
  }

  override toString(): string {
    if (this.map === undefined) return `<${this.constructor.name} (unbound)>`;
    let text = "";
    for (const [isDynamic, data] of this._trace) text += isDynamic ? `<${data}>` : data;
    text = text.replace(/^\|+/, "");
    const methods = this.methods ? ` (${[...this.methods].sort().join(", ")})` : "";
    return `<${this.constructor.name} '${text}'${methods} -> ${String(this.endpoint)}>`;
  }

  private requireMap(): Map {
    if (this.map === undefined) throw new Error(`The URL rule "${this.rule}" is not bound to a map; add it to a Map first.`);
    return this.map;
  }
}

/**
 * A function turning captured texts into the values object, compiled to one object
 * literal per rule: matching then allocates exactly one object, with a stable shape.
 */
function valuesFactory(
  converters: Array<[string, BaseConverter]>,
  defaults: Record<string, unknown> | undefined,
  plain: boolean,
): (captured: string[]) => Record<string, unknown> {
  const names = converters.map(([name]) => name);
  const convs = converters.map(([, conv]) => conv);
  const defaultKeys = Object.keys(defaults ?? {});
  const loop = (captured: string[]): Record<string, unknown> => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < convs.length; i++) values[names[i]!] = plain ? captured[i] : convs[i]!.toValue(captured[i]!);
    for (const key of defaultKeys) values[key] = defaults![key];
    return values;
  };
  // "__proto__" in an object literal would set the prototype instead of a key.
  if ([...names, ...defaultKeys].includes("__proto__")) return loop;
  const fields = names.map((name, i) => `${JSON.stringify(name)}: ${plain ? `s[${i}]` : `c[${i}].toValue(s[${i}])`}`);
  for (const key of defaultKeys) fields.push(`${JSON.stringify(key)}: d[${JSON.stringify(key)}]`);
  try {
    return new Function("c", "d", `return function values(s) { return { ${fields.join(", ")} }; };`)(convs, defaults);
  } catch {
    // Runtimes that forbid code generation (strict CSP) get the loop.
    return loop;
  }
}

/** A literal piece, or a placeholder filled by its converter. */
type BuildOp = string | { name: string; converter: BaseConverter };

function runOps(ops: BuildOp[], values: Record<string, unknown>): string {
  let out = "";
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    out += typeof op === "string" ? op : op.converter.toUrl(values[op.name]);
  }
  return out;
}

function staticPart(content: string): RulePart {
  return {
    content,
    final: false,
    static: true,
    suffixed: false,
    weight: { numberStatic: 0, staticWeights: [], numberArguments: 0, argumentWeights: [] },
    groups: [],
    converters: [],
  };
}

function tokensToText(tokens: RuleToken[]): string {
  let text = "";
  for (const t of tokens) text += t.type === "slash" ? "/" : t.type === "static" ? t.value : "";
  return text;
}

function samePart(a: RulePart, b: RulePart): boolean {
  return a.content === b.content && a.static === b.static && a.final === b.final && a.suffixed === b.suffixed && JSON.stringify(a.weight) === JSON.stringify(b.weight);
}

function setsEqual<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function compareSortKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function normalizeMethods(methods: Iterable<string> | undefined, websocket: boolean): Set<string> | undefined {
  if (methods === undefined || methods === null) return undefined;
  if (typeof methods === "string") {
    throw new TypeError(`"methods" must be a list of strings such as ["GET", "POST"], not the string "${methods}".`);
  }
  const set = new Set<string>();
  for (const m of methods) set.add(String(m).toUpperCase());
  if (set.has("GET")) set.add("HEAD");
  if (websocket) {
    for (const m of set) {
      if (!WEBSOCKET_METHODS.has(m)) throw new RangeError(`WebSocket rules can only use GET, HEAD and OPTIONS, not ${m}.`);
    }
  }
  return set;
}
