/**
 * What app and blueprint share (Flask's `Scaffold`): route registration in its three
 * forms, request hooks, error handlers and template helpers, kept in plain arrays keyed
 * by blueprint name (`null` for the app), so a hook behaves the same wherever declared.
 */
import { DEFAULT_EXCEPTIONS, HTTPException, type RouteParams } from "@flagon/werk";
import {
  applyController,
  boundDecorator,
  getBlueprintOptions,
  type AnyClass,
  type BoundDecorator,
  type HookKind,
  type MethodRouteOptions,
  type RouteOptions,
  type ScaffoldLike,
} from "./decorators.js";

/** A blueprint name, or null for the application itself. */
export type ScopeKey = string | null;

/** A view: called with the URL values, typed from the rule string. */
export type RouteView<R extends string = string> = (params: RouteParams<R>) => unknown;

/** An error class a handler can be registered for. */
export type ErrorClass = abstract new (...args: any[]) => Error;

/** A handler for an error: returns what a view may return. */
export type ErrorHandler<E = any> = (error: E) => unknown;

/** Options of `addUrlRule`: the view, its endpoint, methods, and werk rule options. */
export interface AddUrlRuleOptions extends RouteOptions {
  view?: (...args: any[]) => unknown;
}

type HookList = Function[];

/** The arguments of a method decorator, in either TypeScript mode, so hook methods work bare on methods. */
export type MemberDecoratorArgs =
  | [target: object, key: string | symbol, descriptor: PropertyDescriptor]
  | [value: Function, context: ClassMethodDecoratorContext];

/** Error handlers by scope, then status code (null for non-HTTP errors), then class. */
export type ErrorHandlerSpec = globalThis.Map<ScopeKey, globalThis.Map<number | null, globalThis.Map<ErrorClass, ErrorHandler>>>;

function listFor(table: globalThis.Map<ScopeKey, HookList>, key: ScopeKey): HookList {
  let list = table.get(key);
  if (list === undefined) table.set(key, (list = []));
  return list;
}

// The decorator methods that may be used bare, as `@app.beforeRequest` over a method.
const BARE_DECORATORS = [
  "beforeRequest",
  "afterRequest",
  "teardownRequest",
  "teardownAppcontext",
  "beforeFirstRequest",
  "urlValuePreprocessor",
  "urlDefaults",
  "contextProcessor",
  "templateFilter",
  "templateGlobal",
  "templateTest",
];

/** Work out the class and status code an error handler is registered for (Flask's `_get_exc_class_and_code`). */
export function errorClassAndCode(codeOrClass: number | ErrorClass): [ErrorClass, number | null] {
  if (typeof codeOrClass === "number") {
    const cls = DEFAULT_EXCEPTIONS[codeOrClass];
    if (cls === undefined) {
      throw new RangeError(
        `${codeOrClass} is not a recognized HTTP error code. Use a subclass of HTTPException with that code instead.`,
      );
    }
    return [cls, codeOrClass];
  }
  if (typeof codeOrClass !== "function") {
    throw new TypeError(`${String(codeOrClass)} is an instance, not a class. Handlers can only be registered for Error classes or status codes.`);
  }
  if (!(codeOrClass.prototype instanceof Error) && (codeOrClass as unknown) !== Error) {
    throw new TypeError(`"${codeOrClass.name}" is not a subclass of Error. Handlers can only be registered for Error classes or status codes.`);
  }
  if (codeOrClass.prototype instanceof HTTPException || (codeOrClass as unknown) === HTTPException) {
    return [codeOrClass, (codeOrClass as unknown as { code?: number }).code ?? null];
  }
  return [codeOrClass, null];
}

/**
 * The registration half of app and Blueprint. Every form — `app.get("/", fn)`,
 * `@app.get("/")` on a method, `@get("/")` on a class registered with `register`, and
 * `addUrlRule` — ends in `addUrlRule` / `registerHook`.
 */
export abstract class Scaffold implements ScaffoldLike {
  /** View functions by endpoint. */
  readonly viewFunctions: Record<string, Function> = Object.create(null);
  readonly beforeRequestFuncs = new globalThis.Map<ScopeKey, HookList>();
  readonly afterRequestFuncs = new globalThis.Map<ScopeKey, HookList>();
  readonly teardownRequestFuncs = new globalThis.Map<ScopeKey, HookList>();
  readonly urlValuePreprocessors = new globalThis.Map<ScopeKey, HookList>();
  readonly urlDefaultFunctions = new globalThis.Map<ScopeKey, HookList>();
  readonly templateContextProcessors = new globalThis.Map<ScopeKey, HookList>();
  /** Error handlers by scope, then status code (null for non-HTTP errors), then class. */
  readonly errorHandlerSpec: ErrorHandlerSpec = new globalThis.Map();
  readonly teardownAppcontextFuncs: HookList = [];
  readonly beforeFirstRequestFuncs: HookList = [];
  /** Template filters, globals and tests by name (used by the templating layer). */
  readonly templateFilters: Record<string, Function> = Object.create(null);
  readonly templateGlobals: Record<string, Function> = Object.create(null);
  readonly templateTests: Record<string, Function> = Object.create(null);

  constructor() {
    this.bindDecorators(BARE_DECORATORS);
  }

  /**
   * Give the instance bound copies of decorator methods usable bare: TypeScript's legacy
   * decorators call `@app.beforeRequest` without `app` as `this` (Python's bound methods
   * need no such help).
   */
  protected bindDecorators(keys: readonly string[]): void {
    const self = this as unknown as Record<string, Function>;
    for (const key of keys) {
      Object.defineProperty(this, key, { value: self[key]!.bind(this), writable: true, configurable: true });
    }
  }

  /** Add a URL rule: the one place every route registration ends in. */
  abstract addUrlRule(rule: string, opts?: AddUrlRuleOptions): void;

  /** Refuse setup once serving has begun (the app overrides this). */
  protected checkSetupFinished(_method: string): void {}

  /**
   * Route a URL rule to a view, as a decorator (`@app.route("/x")` on a method) or with
   * the view as a second argument.
   *
   * @example
   * app.route("/post/<int:id>", { methods: ["GET", "POST"] })(({ id }) => `post ${id}`);
   * app.route("/about", () => "about");
   */
  route<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  route<R extends string>(rule: R, opts?: RouteOptions): BoundDecorator;
  route<R extends string>(rule: R, optsOrView?: RouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    if (typeof optsOrView === "function") {
      this.addUrlRule(rule, { view: optsOrView });
      return optsOrView;
    }
    const opts = optsOrView ?? {};
    return boundDecorator(
      (fn, info) => this.addUrlRule(rule, { ...opts, endpoint: opts.endpoint ?? info.name, view: this.#sameView(fn, info.bound) }),
      `route("${rule}")`,
    );
  }

  // A method decorated with several routes gets one wrapper per decorator; the first one
  // stands for all, so the endpoint keeps a single view (Flask compares bound methods equal).
  #viewsByMethod = new WeakMap<Function, (...args: any[]) => unknown>();
  #sameView(fn: Function, bound: (...args: any[]) => unknown): (...args: any[]) => unknown {
    const known = this.#viewsByMethod.get(fn);
    if (known !== undefined) return known;
    this.#viewsByMethod.set(fn, bound);
    return bound;
  }

  /**
   * Register a view for an endpoint whose rule was added to `urlMap` directly.
   *
   * @example
   * app.urlMap.add(new Rule("/bar", { endpoint: "bar" }));
   * app.endpoint("bar")(() => "bar");
   */
  endpoint(endpoint: string): BoundDecorator {
    return boundDecorator((fn, info) => {
      this.checkSetupFinished("endpoint");
      this.viewFunctions[endpoint] = this.#sameView(fn, info.bound);
    }, `endpoint("${endpoint}")`);
  }

  /** `route` with GET: `app.get("/", () => "hi")` or `@app.get("/")`. */
  get<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  get<R extends string>(rule: R, opts?: MethodRouteOptions): BoundDecorator;
  get<R extends string>(rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    return this.#methodRoute("GET", rule, optsOrView);
  }

  /** `route` with POST. */
  post<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  post<R extends string>(rule: R, opts?: MethodRouteOptions): BoundDecorator;
  post<R extends string>(rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    return this.#methodRoute("POST", rule, optsOrView);
  }

  /** `route` with PUT. */
  put<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  put<R extends string>(rule: R, opts?: MethodRouteOptions): BoundDecorator;
  put<R extends string>(rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    return this.#methodRoute("PUT", rule, optsOrView);
  }

  /** `route` with PATCH. */
  patch<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  patch<R extends string>(rule: R, opts?: MethodRouteOptions): BoundDecorator;
  patch<R extends string>(rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    return this.#methodRoute("PATCH", rule, optsOrView);
  }

  /** `route` with DELETE. */
  delete<R extends string>(rule: R, view: RouteView<R>): RouteView<R>;
  delete<R extends string>(rule: R, opts?: MethodRouteOptions): BoundDecorator;
  delete<R extends string>(rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    return this.#methodRoute("DELETE", rule, optsOrView);
  }

  #methodRoute<R extends string>(method: string, rule: R, optsOrView?: MethodRouteOptions | RouteView<R>): BoundDecorator | RouteView<R> {
    if (optsOrView !== undefined && typeof optsOrView !== "function" && "methods" in optsOrView) {
      throw new TypeError(`Use the route() decorator to pass methods; ${method.toLowerCase()}() always routes ${method}.`);
    }
    if (typeof optsOrView === "function") {
      this.addUrlRule(rule, { methods: [method], view: optsOrView });
      return optsOrView;
    }
    return this.route(rule, { ...optsOrView, methods: [method] });
  }

  /** Register the standalone-decorated methods of a class (`@get`, `@beforeRequest`, ...). */
  register(controller: AnyClass, instance?: object): void {
    const declared = typeof controller === "function" ? getBlueprintOptions(controller) : undefined;
    if (declared !== undefined) {
      // Its routes would land here unprefixed and unnamed, which is never what @blueprint meant.
      throw new TypeError(
        `${controller.name || "This class"} is declared @blueprint("${declared.name}"): register it with ` +
          `registerBlueprint(${controller.name || "Class"}), not register().`,
      );
    }
    applyController(this, controller, instance);
  }

  /** Register a hook of any kind (the decorator layer's entry point). */
  registerHook(kind: HookKind, fn: Function, arg?: unknown): void {
    this.checkSetupFinished(kind);
    switch (kind) {
      case "beforeRequest":
        listFor(this.beforeRequestFuncs, null).push(fn);
        return;
      case "afterRequest":
        listFor(this.afterRequestFuncs, null).push(fn);
        return;
      case "teardownRequest":
        listFor(this.teardownRequestFuncs, null).push(fn);
        return;
      case "teardownAppcontext":
        this.teardownAppcontextFuncs.push(fn);
        return;
      case "beforeFirstRequest":
        this.beforeFirstRequestFuncs.push(fn);
        return;
      case "urlValuePreprocessor":
        listFor(this.urlValuePreprocessors, null).push(fn);
        return;
      case "urlDefaults":
        listFor(this.urlDefaultFunctions, null).push(fn);
        return;
      case "contextProcessor":
        listFor(this.templateContextProcessors, null).push(fn);
        return;
      case "errorHandler":
        this.registerErrorHandler(arg as number | ErrorClass, fn as ErrorHandler);
        return;
      case "templateFilter":
        this.templateFilters[(arg as string | undefined) ?? fn.name] = fn;
        return;
      case "templateGlobal":
        this.templateGlobals[(arg as string | undefined) ?? fn.name] = fn;
        return;
      case "templateTest":
        this.templateTests[(arg as string | undefined) ?? fn.name] = fn;
        return;
      default:
        this.registerAppWideHook(kind, fn, arg);
    }
  }

  /** The `app*` hook kinds only make sense on a blueprint. */
  protected registerAppWideHook(kind: HookKind, _fn: Function, _arg: unknown): void {
    throw new TypeError(`${kind} is a blueprint hook that applies to the whole app; on the app itself use the plain hook instead.`);
  }

  /** Register `fn` for errors of a status code or class (Flask's `register_error_handler`). */
  registerErrorHandler(codeOrClass: number | ErrorClass, fn: ErrorHandler): void {
    this.checkSetupFinished("errorHandler");
    const [cls, code] = errorClassAndCode(codeOrClass);
    let byCode = this.errorHandlerSpec.get(null);
    if (byCode === undefined) this.errorHandlerSpec.set(null, (byCode = new globalThis.Map()));
    let byClass = byCode.get(code);
    if (byClass === undefined) byCode.set(code, (byClass = new globalThis.Map()));
    byClass.set(cls, fn);
  }

  /**
   * Handle errors of a status code or class: `@app.errorHandler(404)` on a method, or
   * `app.errorHandler(404)(fn)`.
   */
  errorHandler(codeOrClass: number | ErrorClass): BoundDecorator {
    errorClassAndCode(codeOrClass);
    return boundDecorator((_fn, info) => this.registerErrorHandler(codeOrClass, info.bound), "errorHandler()");
  }

  /** Run before each request; a returned value other than undefined answers the request. */
  beforeRequest<F extends Function>(fn: F): F;
  beforeRequest(...args: MemberDecoratorArgs): void;
  beforeRequest(...args: unknown[]): unknown;
  beforeRequest(...args: unknown[]): unknown {
    return this.hookDecorator("beforeRequest", args);
  }

  /** Run after each request with the response; must return a response. */
  afterRequest<F extends Function>(fn: F): F;
  afterRequest(...args: MemberDecoratorArgs): void;
  afterRequest(...args: unknown[]): unknown;
  afterRequest(...args: unknown[]): unknown {
    return this.hookDecorator("afterRequest", args);
  }

  /** Run at the end of every request, even after errors, with the error (or undefined). */
  teardownRequest<F extends Function>(fn: F): F;
  teardownRequest(...args: MemberDecoratorArgs): void;
  teardownRequest(...args: unknown[]): unknown;
  teardownRequest(...args: unknown[]): unknown {
    return this.hookDecorator("teardownRequest", args);
  }

  /** Run when an app context ends (after each request too), with the error if any. */
  teardownAppcontext<F extends Function>(fn: F): F;
  teardownAppcontext(...args: MemberDecoratorArgs): void;
  teardownAppcontext(...args: unknown[]): unknown;
  teardownAppcontext(...args: unknown[]): unknown {
    return this.hookDecorator("teardownAppcontext", args);
  }

  /** Run once, before the first request is handled. */
  beforeFirstRequest<F extends Function>(fn: F): F;
  beforeFirstRequest(...args: MemberDecoratorArgs): void;
  beforeFirstRequest(...args: unknown[]): unknown;
  beforeFirstRequest(...args: unknown[]): unknown {
    return this.hookDecorator("beforeFirstRequest", args);
  }

  /** Called with `(endpoint, values)` before hooks run; may change the values. */
  urlValuePreprocessor<F extends Function>(fn: F): F;
  urlValuePreprocessor(...args: MemberDecoratorArgs): void;
  urlValuePreprocessor(...args: unknown[]): unknown;
  urlValuePreprocessor(...args: unknown[]): unknown {
    return this.hookDecorator("urlValuePreprocessor", args);
  }

  /** Called with `(endpoint, values)` by `urlFor`; may fill in values. */
  urlDefaults<F extends Function>(fn: F): F;
  urlDefaults(...args: MemberDecoratorArgs): void;
  urlDefaults(...args: unknown[]): unknown;
  urlDefaults(...args: unknown[]): unknown {
    return this.hookDecorator("urlDefaults", args);
  }

  /** Returns an object of values added to every template's context. */
  contextProcessor<F extends Function>(fn: F): F;
  contextProcessor(...args: MemberDecoratorArgs): void;
  contextProcessor(...args: unknown[]): unknown;
  contextProcessor(...args: unknown[]): unknown {
    return this.hookDecorator("contextProcessor", args);
  }

  /**
   * Register the function as a template filter, named after it or the given name: bare
   * (`app.templateFilter(fn)`, `@app.templateFilter` on a method), called
   * (`app.templateFilter()(fn)`) or named (`app.templateFilter("reverse")(fn)`).
   */
  templateFilter<F extends Function>(fn: F): F;
  templateFilter(name?: string): BoundDecorator;
  templateFilter(...args: MemberDecoratorArgs): void;
  templateFilter(...args: unknown[]): unknown;
  templateFilter(...args: unknown[]): unknown {
    return this.templateHelper("templateFilter", args);
  }

  /** Register `fn` as a template filter named `name` (default: its own name). */
  addTemplateFilter(fn: Function, name?: string): void {
    this.registerHook("templateFilter", fn, name);
  }

  /** Register the function as a template global (as `templateFilter`). */
  templateGlobal<F extends Function>(fn: F): F;
  templateGlobal(name?: string): BoundDecorator;
  templateGlobal(...args: MemberDecoratorArgs): void;
  templateGlobal(...args: unknown[]): unknown;
  templateGlobal(...args: unknown[]): unknown {
    return this.templateHelper("templateGlobal", args);
  }

  /** Register `fn` as a template global named `name` (default: its own name). */
  addTemplateGlobal(fn: Function, name?: string): void {
    this.registerHook("templateGlobal", fn, name);
  }

  /** Register the function as a template test (as `templateFilter`). */
  templateTest<F extends Function>(fn: F): F;
  templateTest(name?: string): BoundDecorator;
  templateTest(...args: MemberDecoratorArgs): void;
  templateTest(...args: unknown[]): unknown;
  templateTest(...args: unknown[]): unknown {
    return this.templateHelper("templateTest", args);
  }

  /** Register `fn` as a template test named `name` (default: its own name). */
  addTemplateTest(fn: Function, name?: string): void {
    this.registerHook("templateTest", fn, name);
  }

  /** The decorator behind the hook methods: registers `kind` for a function or method. */
  protected hookDecorator(kind: HookKind, args: unknown[], arg?: unknown): unknown {
    const decorate = boundDecorator((_fn, info) => this.registerHook(kind, info.bound, arg), kind) as (...a: unknown[]) => unknown;
    return decorate(...args);
  }

  /** The decorator behind the template helper methods: bare, called, or given a name. */
  protected templateHelper(kind: HookKind, args: unknown[]): unknown {
    const [first] = args;
    if (args.length <= 1 && (first === undefined || typeof first === "string")) {
      if (first === "") throw new TypeError(`${kind}("") needs a non-empty name, or none to use the function's name.`);
      return boundDecorator((_fn, info) => this.registerHook(kind, info.bound, first ?? info.name), kind);
    }
    return this.hookDecorator(kind, args);
  }
}
