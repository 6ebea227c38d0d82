/**
 * Blueprints (Flask's `flask.blueprints`): routes, hooks and handlers declared without an
 * app, recorded as deferred functions and applied when the blueprint is registered with
 * `app.registerBlueprint(bp, options)`, once per registration, through a
 * `BlueprintSetupState` that prefixes rules and endpoints.
 */
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sendFromDirectory, type Request, type Response } from "@flagon/werk";
import type { Flagon } from "./app.js";
import { appContextOrThrow } from "./ctx.js";
import {
  applyController,
  boundDecorator,
  getBlueprintOptions,
  getControllerEntries,
  type AnyClass,
  type BlueprintOptions,
  type BoundDecorator,
  type HookKind,
} from "./decorators.js";
import { Scaffold, errorClassAndCode, type AddUrlRuleOptions, type ErrorClass, type MemberDecoratorArgs, type ScopeKey } from "./scaffold.js";

/** Options of `app.registerBlueprint(bp, options)`; each overrides the blueprint's own. */
export interface RegisterBlueprintOptions {
  /** Prefix of the blueprint's rules for this registration. */
  urlPrefix?: string;
  /** Subdomain of the blueprint's rules for this registration. */
  subdomain?: string;
  /** The name to register under, for registering one blueprint twice (`"bp2"` gives endpoints `"bp2.view"`). */
  name?: string;
  /** Default view values, merged over the blueprint's `urlDefaults`. */
  urlDefaults?: Record<string, unknown>;
  /** The dotted name of the parent blueprint: set by nested registration. @internal */
  namePrefix?: string;
}

/** A function recorded on a blueprint, called with the setup state at each registration. */
export type DeferredSetupFunction = (state: BlueprintSetupState) => void;

// What each blueprint-only hook is on the app it reaches.
const APP_WIDE_KINDS: Partial<Record<HookKind, HookKind>> = {
  beforeAppRequest: "beforeRequest",
  afterAppRequest: "afterRequest",
  teardownAppRequest: "teardownRequest",
  appErrorHandler: "errorHandler",
  appContextProcessor: "contextProcessor",
  appUrlValuePreprocessor: "urlValuePreprocessor",
  appUrlDefaults: "urlDefaults",
  appTemplateFilter: "templateFilter",
  appTemplateGlobal: "templateGlobal",
  appTemplateTest: "templateTest",
};

// The blueprint-only decorator methods that may be used bare (see `bindDecorators`).
const BARE_APP_DECORATORS = [
  "beforeAppRequest",
  "afterAppRequest",
  "teardownAppRequest",
  "appContextProcessor",
  "appUrlValuePreprocessor",
  "appUrlDefaults",
  "appTemplateFilter",
  "appTemplateGlobal",
  "appTemplateTest",
];

/**
 * What one registration of a blueprint resolved: its app, dotted name, URL prefix,
 * subdomain and default values (Flask's `BlueprintSetupState`). Deferred functions get it.
 */
export class BlueprintSetupState {
  readonly app: Flagon;
  readonly blueprint: Blueprint;
  /** The options given to `registerBlueprint`. */
  readonly options: RegisterBlueprintOptions;
  /** False when the same blueprint was registered before (under another name). */
  readonly firstRegistration: boolean;
  /** The subdomain of the blueprint's rules, if any. */
  readonly subdomain: string | undefined;
  /** The prefix of the blueprint's rules, if any. */
  readonly urlPrefix: string | undefined;
  /** The name registered under, without its parents'. */
  readonly name: string;
  /** The dotted name of the parent blueprints, "" at the top. */
  readonly namePrefix: string;
  /** Default view values for every rule of this registration. */
  readonly urlDefaults: Record<string, unknown>;

  constructor(blueprint: Blueprint, app: Flagon, options: RegisterBlueprintOptions, firstRegistration: boolean) {
    this.app = app;
    this.blueprint = blueprint;
    this.options = options;
    this.firstRegistration = firstRegistration;
    this.subdomain = options.subdomain ?? blueprint.subdomain;
    this.urlPrefix = options.urlPrefix ?? blueprint.urlPrefix;
    this.name = options.name ?? blueprint.name;
    this.namePrefix = options.namePrefix ?? "";
    this.urlDefaults = { ...blueprint.urlValuesDefaults, ...options.urlDefaults };
  }

  /** The registered name with its parents': `"parent.child"`. */
  get dottedName(): string {
    return this.namePrefix === "" ? this.name : `${this.namePrefix}.${this.name}`;
  }

  /**
   * Add a rule to the app: prefixed with `urlPrefix` (one slash between them), endpoint
   * prefixed with the dotted name, on the registration's subdomain unless the rule names
   * one, with the registration's default values under the rule's own.
   */
  addUrlRule(rule: string, opts: AddUrlRuleOptions = {}): void {
    const prefix = this.urlPrefix;
    if (prefix !== undefined) rule = rule ? `${prefix.replace(/\/+$/, "")}/${rule.replace(/^\/+/, "")}` : prefix;
    const { endpoint, defaults, subdomain, ...rest } = opts;
    const name = endpoint ?? opts.view?.name;
    if (!name) throw new TypeError(`The rule "${rule}" of blueprint "${this.name}" needs an endpoint: give opts.endpoint or a named view.`);
    const merged = defaults === undefined ? this.urlDefaults : { ...this.urlDefaults, ...defaults };
    this.app.addUrlRule(rule, {
      ...rest,
      endpoint: `${this.dottedName}.${name}`,
      subdomain: subdomain ?? this.subdomain,
      // No defaults at all rather than an empty object: werk then skips them when matching.
      defaults: Object.keys(merged).length === 0 ? undefined : merged,
    });
  }
}

/** Options of `new Blueprint(name, options)`. */
export type BlueprintInit = BlueprintOptions;

const classBlueprints = new WeakMap<Function, Blueprint>();

/**
 * A set of routes, hooks, error handlers and template helpers to register on an app,
 * under a name (endpoints become `"name.view"`), a URL prefix and a subdomain. Everything
 * registered on it is recorded and applied at each `app.registerBlueprint(bp)`; its
 * hooks and error handlers run only for its own requests, the `app*` variants
 * (`beforeAppRequest`, `appErrorHandler`, ...) for every request of the app.
 *
 * @example
 * const admin = new Blueprint("admin", { urlPrefix: "/admin" });
 * admin.beforeRequest(() => { if (!session.user) return redirect(urlFor("login")); });
 * admin.get("/", function index() { return "dashboard"; });   // endpoint "admin.index"
 * app.registerBlueprint(admin);                                // GET /admin/
 */
export class Blueprint extends Scaffold {
  /** The blueprint's name: the first part of its endpoints. */
  readonly name: string;
  /** Prefix of every rule, unless a registration gives another. */
  urlPrefix: string | undefined;
  /** Subdomain of every rule, unless a registration gives another. */
  subdomain: string | undefined;
  /** Default view values of every rule (Flask's `url_values_defaults`). */
  urlValuesDefaults: Record<string, unknown>;
  /** The folder `staticFolder` and `templateFolder` are relative to; the app's rootPath when undefined. */
  rootPath: string | undefined;
  /** Folder of the blueprint's static files, served at `staticUrlPath`; null for none. */
  staticFolder: string | null;
  /** Folder of the blueprint's templates, searched after the app's; null for none. */
  templateFolder: string | null;
  /** Functions to call with the setup state at each registration (Flask's `deferred_functions`). */
  readonly deferredFunctions: DeferredSetupFunction[] = [];

  #staticUrlPath: string | null;
  #children: Array<[Blueprint, RegisterBlueprintOptions]> = [];
  #gotRegisteredOnce = false;
  #staticView: ((values: { filename: string }) => Promise<Response>) | null = null;
  #anonymousEndpoints = new Set<string>();

  constructor(name: string, opts: BlueprintInit = {}) {
    super();
    this.bindDecorators(BARE_APP_DECORATORS);
    this.name = checkName(name, "new Blueprint");
    this.urlPrefix = opts.urlPrefix;
    this.subdomain = opts.subdomain;
    this.urlValuesDefaults = { ...opts.urlDefaults };
    const root = opts.rootPath;
    this.rootPath = root === undefined ? undefined : root.startsWith("file:") ? dirname(fileURLToPath(root)) : root;
    this.staticFolder = opts.staticFolder === undefined ? null : opts.staticFolder.replace(/[\\/]+$/, "");
    this.templateFolder = opts.templateFolder ?? null;
    this.#staticUrlPath = opts.staticUrlPath === undefined ? null : opts.staticUrlPath.replace(/\/+$/, "");
  }

  /**
   * The Blueprint a `@blueprint(name, options)` class stands for: created on first use
   * with the class's decorated methods registered on it, the same one afterwards.
   *
   * @example
   * @blueprint("admin", { urlPrefix: "/admin" })
   * class Admin { @get("/") index() { return "dashboard"; } }
   * Blueprint.fromClass(Admin).name; // "admin"
   */
  static fromClass(cls: AnyClass): Blueprint {
    let bp = classBlueprints.get(cls);
    if (bp !== undefined) return bp;
    const declared = typeof cls === "function" ? getBlueprintOptions(cls) : undefined;
    if (declared === undefined) {
      const name = (typeof cls === "function" && cls.name) || "the class";
      throw new TypeError(
        `Cannot register ${name} as a blueprint: it has no @blueprint("name") decorator. Decorate it with ` +
          `@blueprint("name", { urlPrefix: "/..." }), or register its routes on the app itself with app.register(${name}).`,
      );
    }
    const { name, ...options } = declared;
    bp = new Blueprint(name, options);
    // A blueprint of static files alone declares no routes; that is not an error here.
    if (getControllerEntries(cls).length !== 0) applyController(bp, cls);
    classBlueprints.set(cls, bp);
    return bp;
  }

  /** URL path of the static files (under the prefix): by default "/" and the static folder's name. */
  get staticUrlPath(): string | null {
    if (this.#staticUrlPath !== null) return this.#staticUrlPath;
    return this.staticFolder === null ? null : `/${basename(this.staticFolder)}`.replace(/\/+$/, "");
  }
  set staticUrlPath(value: string | null) {
    this.#staticUrlPath = value === null ? null : value.replace(/\/+$/, "");
  }

  /** Whether the blueprint serves static files. */
  get hasStaticFolder(): boolean {
    return this.staticFolder !== null;
  }

  /** The static folder as an absolute path (relative to `rootPath`, else the app's), or null. */
  staticFolderPath(app?: { rootPath: string }): string | null {
    return this.staticFolder === null ? null : resolve(this.#root(app), this.staticFolder);
  }

  /** The template folder as an absolute path (relative to `rootPath`, else the app's), or null. */
  templateFolderPath(app?: { rootPath: string }): string | null {
    return this.templateFolder === null ? null : resolve(this.#root(app), this.templateFolder);
  }

  #root(app: { rootPath: string } | undefined): string {
    if (this.rootPath !== undefined) return this.rootPath;
    if (app !== undefined) return app.rootPath;
    return (appContextOrThrow().app as unknown as Flagon).rootPath;
  }

  protected override checkSetupFinished(method: string): void {
    if (this.#gotRegisteredOnce) {
      throw new Error(
        `The setup method "${method}" can no longer be called on the blueprint "${this.name}". It has already ` +
          "been registered at least once, any changes will not be applied consistently. Make sure all imports, " +
          "decorators, functions, etc. needed to set up the blueprint are done before registering it.",
      );
    }
  }

  /** Record a function to call with the setup state at each registration. */
  record(fn: DeferredSetupFunction): void {
    this.checkSetupFinished("record");
    this.deferredFunctions.push(fn);
  }

  /** Record a function to call at the first registration only (not when registered again under another name). */
  recordOnce(fn: DeferredSetupFunction): void {
    this.record(function once(state) {
      if (state.firstRegistration) fn(state);
    });
  }

  /** The setup state of one registration (override to use a subclass of `BlueprintSetupState`). */
  makeSetupState(app: Flagon, options: RegisterBlueprintOptions, firstRegistration = false): BlueprintSetupState {
    return new BlueprintSetupState(this, app, options, firstRegistration);
  }

  /**
   * Record a URL rule: at each registration it is added to the app with the prefix and
   * the endpoint `"name.endpoint"`. Endpoints (and view names) may not contain dots.
   */
  addUrlRule(rule: string, opts: AddUrlRuleOptions = {}): void {
    this.checkSetupFinished("addUrlRule");
    const { endpoint, view } = opts;
    if (endpoint !== undefined && endpoint.includes(".")) {
      throw new TypeError(
        `Blueprint "${this.name}": the endpoint "${endpoint}" may not contain a dot "."; dots separate ` +
          `blueprint names in endpoints ("${this.name}.view").`,
      );
    }
    if (endpoint === undefined && view?.name.includes(".")) {
      throw new TypeError(
        `Blueprint "${this.name}": the view name "${view.name}" may not contain a dot "."; give an endpoint ` +
          `without dots: route("${rule}", { endpoint: "..." }).`,
      );
    }
    const recorded = { ...opts, endpoint: endpoint ?? (view?.name || this.#anonymousEndpoint(rule, opts)) };
    this.record(function addUrlRule(state) {
      state.addUrlRule(rule, recorded);
    });
  }

  // An unnamed view is named by its rule, as on the app: the rule and its methods when
  // the rule is taken. Dots would make the name look nested, so such rules need a name.
  #anonymousEndpoint(rule: string, opts: AddUrlRuleOptions): string {
    if (opts.view === undefined) throw new TypeError(`The rule "${rule}" of blueprint "${this.name}" needs an endpoint: give opts.endpoint or a view.`);
    if (rule === "" || rule.includes(".")) {
      throw new TypeError(
        `Blueprint "${this.name}": the view of "${rule}" has no name to make its endpoint of. Use a named ` +
          `function or pass an endpoint: route("${rule}", { endpoint: "..." }).`,
      );
    }
    let endpoint = rule;
    if (this.#anonymousEndpoints.has(endpoint)) {
      const methods = opts.methods ?? (opts.view as { methods?: unknown }).methods;
      endpoint = `${rule} [${Array.isArray(methods) ? methods.map((m) => String(m).toUpperCase()).join(", ") : "GET"}]`;
    }
    this.#anonymousEndpoints.add(endpoint);
    return endpoint;
  }

  /** Route the `app*` hook kinds to the app at the first registration. */
  protected override registerAppWideHook(kind: HookKind, fn: Function, arg: unknown): void {
    const appKind = APP_WIDE_KINDS[kind];
    if (appKind === undefined) return super.registerAppWideHook(kind, fn, arg);
    if (appKind === "errorHandler") errorClassAndCode(arg as number | ErrorClass);
    this.recordOnce(function registerOnApp(state) {
      state.app.registerHook(appKind, fn, arg);
    });
  }

  /** `beforeRequest` for every request of the app, not only the blueprint's. */
  beforeAppRequest<F extends Function>(fn: F): F;
  beforeAppRequest(...args: MemberDecoratorArgs): void;
  beforeAppRequest(...args: unknown[]): unknown;
  beforeAppRequest(...args: unknown[]): unknown {
    return this.hookDecorator("beforeAppRequest", args);
  }

  /** `afterRequest` for every request of the app. */
  afterAppRequest<F extends Function>(fn: F): F;
  afterAppRequest(...args: MemberDecoratorArgs): void;
  afterAppRequest(...args: unknown[]): unknown;
  afterAppRequest(...args: unknown[]): unknown {
    return this.hookDecorator("afterAppRequest", args);
  }

  /** `teardownRequest` for every request of the app. */
  teardownAppRequest<F extends Function>(fn: F): F;
  teardownAppRequest(...args: MemberDecoratorArgs): void;
  teardownAppRequest(...args: unknown[]): unknown;
  teardownAppRequest(...args: unknown[]): unknown {
    return this.hookDecorator("teardownAppRequest", args);
  }

  /** `contextProcessor` for every template the app renders. */
  appContextProcessor<F extends Function>(fn: F): F;
  appContextProcessor(...args: MemberDecoratorArgs): void;
  appContextProcessor(...args: unknown[]): unknown;
  appContextProcessor(...args: unknown[]): unknown {
    return this.hookDecorator("appContextProcessor", args);
  }

  /** `urlValuePreprocessor` for every endpoint of the app. */
  appUrlValuePreprocessor<F extends Function>(fn: F): F;
  appUrlValuePreprocessor(...args: MemberDecoratorArgs): void;
  appUrlValuePreprocessor(...args: unknown[]): unknown;
  appUrlValuePreprocessor(...args: unknown[]): unknown {
    return this.hookDecorator("appUrlValuePreprocessor", args);
  }

  /** `urlDefaults` for every endpoint of the app. */
  appUrlDefaults<F extends Function>(fn: F): F;
  appUrlDefaults(...args: MemberDecoratorArgs): void;
  appUrlDefaults(...args: unknown[]): unknown;
  appUrlDefaults(...args: unknown[]): unknown {
    return this.hookDecorator("appUrlDefaults", args);
  }

  /** `errorHandler` for errors anywhere in the app: `bp.appErrorHandler(404)(fn)`. */
  appErrorHandler(codeOrClass: number | ErrorClass): BoundDecorator {
    errorClassAndCode(codeOrClass);
    return boundDecorator((_fn, info) => this.registerHook("appErrorHandler", info.bound, codeOrClass), "appErrorHandler()");
  }

  /** A template filter for every template of the app: bare, called, or named (as `templateFilter`). */
  appTemplateFilter<F extends Function>(fn: F): F;
  appTemplateFilter(name?: string): BoundDecorator;
  appTemplateFilter(...args: MemberDecoratorArgs): void;
  appTemplateFilter(...args: unknown[]): unknown;
  appTemplateFilter(...args: unknown[]): unknown {
    return this.templateHelper("appTemplateFilter", args);
  }

  /** Register `fn` as an app-wide template filter named `name` (default: its own name). */
  addAppTemplateFilter(fn: Function, name?: string): void {
    this.registerHook("appTemplateFilter", fn, name);
  }

  /** A template global for every template of the app (as `appTemplateFilter`). */
  appTemplateGlobal<F extends Function>(fn: F): F;
  appTemplateGlobal(name?: string): BoundDecorator;
  appTemplateGlobal(...args: MemberDecoratorArgs): void;
  appTemplateGlobal(...args: unknown[]): unknown;
  appTemplateGlobal(...args: unknown[]): unknown {
    return this.templateHelper("appTemplateGlobal", args);
  }

  /** Register `fn` as an app-wide template global named `name` (default: its own name). */
  addAppTemplateGlobal(fn: Function, name?: string): void {
    this.registerHook("appTemplateGlobal", fn, name);
  }

  /** A template test for every template of the app (as `appTemplateFilter`). */
  appTemplateTest<F extends Function>(fn: F): F;
  appTemplateTest(name?: string): BoundDecorator;
  appTemplateTest(...args: MemberDecoratorArgs): void;
  appTemplateTest(...args: unknown[]): unknown;
  appTemplateTest(...args: unknown[]): unknown {
    return this.templateHelper("appTemplateTest", args);
  }

  /** Register `fn` as an app-wide template test named `name` (default: its own name). */
  addAppTemplateTest(fn: Function, name?: string): void {
    this.registerHook("appTemplateTest", fn, name);
  }

  /**
   * Nest a blueprint (or `@blueprint` class) in this one: registered with this one, its
   * prefix and subdomain are composed with this one's and its endpoints are
   * `"parent.child.view"`.
   *
   * @example
   * parent.registerBlueprint(child, { urlPrefix: "/child" });
   * app.registerBlueprint(parent, { urlPrefix: "/parent" });  // /parent/child/..., "parent.child.view"
   */
  registerBlueprint(blueprint: Blueprint | AnyClass, options: RegisterBlueprintOptions = {}): void {
    this.checkSetupFinished("registerBlueprint");
    const child = blueprint instanceof Blueprint ? blueprint : Blueprint.fromClass(blueprint);
    if (child === this) throw new Error(`Cannot register the blueprint "${this.name}" on itself.`);
    this.#children.push([child, options]);
  }

  /**
   * Apply the blueprint to `app` (Flask's `Blueprint.register`; `app.registerBlueprint`
   * calls it): claim the dotted name, add the static route, hand the blueprint's hooks and
   * handlers to the app under that name, run the deferred functions, then register the
   * nested blueprints with composed options.
   */
  registerOnApp(app: Flagon, options: RegisterBlueprintOptions = {}): void {
    const selfName = options.name === undefined ? this.name : checkName(options.name, "registerBlueprint's name option");
    const name = options.namePrefix ? `${options.namePrefix}.${selfName}` : selfName;
    const existing = app.blueprints.get(name);
    if (existing !== undefined) {
      throw new Error(
        `The name "${selfName}" is already registered for ${existing === this ? "this" : "a different"} blueprint` +
          `${selfName !== name ? ` ("${name}")` : ""}. Give the registration a unique name: ` +
          `registerBlueprint(bp, { name: "..." }).`,
      );
    }
    let firstRegistration = true;
    for (const bp of app.blueprints.values()) {
      if (bp === this) {
        firstRegistration = false;
        break;
      }
    }
    app.blueprints.set(name, this);
    this.#gotRegisteredOnce = true;
    const state = this.makeSetupState(app, options, firstRegistration);
    if (this.hasStaticFolder) {
      state.addUrlRule(`${this.staticUrlPath}/<path:filename>`, { endpoint: "static", view: this.#serveStatic() });
    }
    this.#mergeInto(app, name, firstRegistration);
    for (const deferred of this.deferredFunctions) deferred(state);
    for (const [child, childOptions] of this.#children) child.registerOnApp(app, nestedOptions(state, child, childOptions, name));
  }

  // Flask's `_merge_blueprint_funcs`: the app keeps the blueprint's hooks and handlers
  // under the registered name, so they run for the requests of that registration only.
  #mergeInto(app: Flagon, name: string, firstRegistration: boolean): void {
    const scoped = (key: ScopeKey): string => (key === null ? name : `${name}.${key}`);
    for (const [key, byCode] of this.errorHandlerSpec) {
      const copy = new globalThis.Map<number | null, globalThis.Map<ErrorClass, (error: any) => unknown>>();
      for (const [code, byClass] of byCode) copy.set(code, new globalThis.Map(byClass));
      app.errorHandlerSpec.set(scoped(key), copy);
    }
    for (const endpoint in this.viewFunctions) app.viewFunctions[endpoint] = this.viewFunctions[endpoint]!;
    extend(this.beforeRequestFuncs, app.beforeRequestFuncs, scoped);
    extend(this.afterRequestFuncs, app.afterRequestFuncs, scoped);
    extend(this.teardownRequestFuncs, app.teardownRequestFuncs, scoped);
    extend(this.urlDefaultFunctions, app.urlDefaultFunctions, scoped);
    extend(this.urlValuePreprocessors, app.urlValuePreprocessors, scoped);
    extend(this.templateContextProcessors, app.templateContextProcessors, scoped);
    // Templates and app contexts belong to the whole app, so these cannot be scoped.
    Object.assign(app.templateFilters, this.templateFilters);
    Object.assign(app.templateGlobals, this.templateGlobals);
    Object.assign(app.templateTests, this.templateTests);
    if (firstRegistration) {
      app.teardownAppcontextFuncs.push(...this.teardownAppcontextFuncs);
      app.beforeFirstRequestFuncs.push(...this.beforeFirstRequestFuncs);
    }
  }

  /** The view of the static route: a file from `staticFolder` (404 on escape or absence). */
  sendStaticFile(filename: string): Promise<Response> {
    const ctx = appContextOrThrow();
    const folder = this.staticFolderPath(ctx.app as unknown as Flagon);
    if (folder === null) {
      throw new Error(`The blueprint "${this.name}" has no static folder; pass staticFolder to new Blueprint to serve static files.`);
    }
    const maxAge = this.getSendFileMaxAge(filename);
    return sendFromDirectory(folder, filename, ctx.hasRequest ? (ctx.request as Request) : null, { maxAge });
  }

  /** The max-age of static files: `SEND_FILE_MAX_AGE_DEFAULT` of the current app (override per blueprint). */
  getSendFileMaxAge(_filename: string): number | null {
    return (appContextOrThrow().app as unknown as Flagon).config.SEND_FILE_MAX_AGE_DEFAULT ?? null;
  }

  // One function per blueprint, so registering it twice adds the same view under two endpoints.
  #serveStatic(): (values: { filename: string }) => Promise<Response> {
    return (this.#staticView ??= ({ filename }) => this.sendStaticFile(filename));
  }

  override toString(): string {
    return `<Blueprint ${this.name}>`;
  }
}

function checkName(name: unknown, where: string): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`${where}: a blueprint name must be a non-empty string; got ${JSON.stringify(name)}.`);
  }
  if (name.includes(".")) {
    throw new TypeError(`${where}: the blueprint name "${name}" may not contain a dot "."; dots separate nested blueprint names.`);
  }
  return name;
}

function extend(
  from: globalThis.Map<ScopeKey, Function[]>,
  to: globalThis.Map<ScopeKey, Function[]>,
  scoped: (key: ScopeKey) => string,
): void {
  for (const [key, funcs] of from) {
    const name = scoped(key);
    const list = to.get(name);
    if (list === undefined) to.set(name, [...funcs]);
    else list.push(...funcs);
  }
}

/**
 * A nested blueprint's options under its parent's registration: subdomains joined as
 * `child.parent`, prefixes joined with one slash, the parent's dotted name as prefix.
 */
function nestedOptions(
  state: BlueprintSetupState,
  child: Blueprint,
  given: RegisterBlueprintOptions,
  parentName: string,
): RegisterBlueprintOptions {
  const options = { ...given, namePrefix: parentName };
  const subdomain = given.subdomain ?? child.subdomain;
  if (state.subdomain != null && subdomain != null) options.subdomain = `${subdomain}.${state.subdomain}`;
  else if (subdomain != null) options.subdomain = subdomain;
  else if (state.subdomain != null) options.subdomain = state.subdomain;
  const prefix = given.urlPrefix ?? child.urlPrefix;
  if (state.urlPrefix != null && prefix != null) options.urlPrefix = `${state.urlPrefix.replace(/\/+$/, "")}/${prefix.replace(/^\/+/, "")}`;
  else if (prefix != null) options.urlPrefix = prefix;
  else if (state.urlPrefix != null) options.urlPrefix = state.urlPrefix;
  return options;
}
