/**
 * Standalone decorators: `@route`, `@get`, ..., `@beforeRequest`, `@errorHandler(404)`,
 * `@templateFilter`, `@blueprint(...)`. They only record entries on the class; the class is
 * registered later, with `app.register(Class)` (which calls `applyController`) or as a
 * Blueprint.
 */
import { recordBlueprint, recordEntry } from "./metadata.js";
import { classSite, keyName, looksLikeMemberDecoration, methodSite } from "./site.js";
import type {
  AnyClass,
  BlueprintOptions,
  ClassDecoratorBoth,
  HookDecorator,
  HookKind,
  MemberDecorator,
  MethodRouteOptions,
  RouteOptions,
  TemplateHelperDecorator,
} from "./types.js";

/**
 * Register the decorated method as the view of `rule`; the endpoint defaults to the method
 * name. Stack several on one method to give it several rules.
 *
 * @example
 * class Blog {
 *   @route("/", { methods: ["GET", "POST"] })
 *   @route("/page/<int:page>")
 *   index(values: { page?: number }) { return "..."; }
 * }
 * app.register(Blog);
 */
export function route(rule: string, options: RouteOptions = {}): MemberDecorator {
  const label = `@route(${JSON.stringify(rule)})`;
  if (typeof rule !== "string") {
    throw new TypeError(`@route takes the rule string first, e.g. @route("/users/<int:id>"); got ${typeof rule}.`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${label}: the options must be an object, e.g. { methods: ["POST"] }; got ${typeof options}.`);
  }
  const recorded: RouteOptions = { ...options };
  if (options.methods !== undefined) recorded.methods = [...options.methods];
  return function decorate(...args: unknown[]): void {
    const site = methodSite(label, args);
    recordEntry(site.metadata, { kind: "route", rule, options: recorded, key: site.key, isStatic: site.isStatic });
  } as MemberDecorator;
}

function methodRoute(method: string, name: string) {
  return (rule: string, options: MethodRouteOptions = {}): MemberDecorator => {
    if (typeof options === "object" && options !== null && "methods" in options) {
      // Flask's shortcut decorators refuse it too: the method is the decorator's.
      throw new TypeError(`@${name}(${JSON.stringify(rule)}) sets the method itself; use @route to pass "methods".`);
    }
    return route(rule, { ...options, methods: [method] });
  };
}

/**
 * `@route` for GET requests (HEAD follows). `get`, `post`, `put`, `patch` and `del`
 * (DELETE, `delete` being a reserved word) refuse a `methods` option.
 *
 * @example
 * class Users { @get("/users/<int:id>") show(values: { id: number }) { return { id: values.id }; } }
 */
export const get = methodRoute("GET", "get");
/** `@route` for POST requests: `@post("/users") create() { ... }`. */
export const post = methodRoute("POST", "post");
/** `@route` for PUT requests: `@put("/users/<int:id>") replace(values: { id: number }) { ... }`. */
export const put = methodRoute("PUT", "put");
/** `@route` for PATCH requests: `@patch("/users/<int:id>") update(values: { id: number }) { ... }`. */
export const patch = methodRoute("PATCH", "patch");
/** `@route` for DELETE requests: `@del("/users/<int:id>") remove(values: { id: number }) { ... }`. */
export const del = methodRoute("DELETE", "del");

function hookDecorator(hook: HookKind): HookDecorator {
  const decorate = function (...args: unknown[]): void {
    const site = methodSite(`@${hook}`, args);
    recordEntry(site.metadata, { kind: "hook", hook, arg: undefined, key: site.key, isStatic: site.isStatic });
  };
  return function hookOrFactory(...args: unknown[]): MemberDecorator | void {
    if (args.length === 0) return decorate as MemberDecorator;
    decorate(...args);
  } as HookDecorator;
}

/**
 * Run the method before each request; a value it returns is the response and the view is
 * skipped. Bare (`@beforeRequest`) or called (`@beforeRequest()`), like every hook here.
 *
 * @example
 * class Auth { @beforeRequest loadUser() { g.user = findUser(session.userId); } }
 */
export const beforeRequest = hookDecorator("beforeRequest");
/**
 * Run the method with each response after the view; it returns the response to send.
 *
 * @example
 * @afterRequest noStore(response: Response) { response.headers.set("Cache-Control", "no-store"); return response; }
 */
export const afterRequest = hookDecorator("afterRequest");
/** Run the method when the request context ends, with the error if one escaped: `@teardownRequest close(error?: unknown) { db.release(); }`. */
export const teardownRequest = hookDecorator("teardownRequest");
/** Run the method when the app context ends, with the error if one escaped: `@teardownAppcontext closeDb() { ... }`. */
export const teardownAppcontext = hookDecorator("teardownAppcontext");
/** Run the method once, before the app's first request: `@beforeFirstRequest warmUp() { ... }`. */
export const beforeFirstRequest = hookDecorator("beforeFirstRequest");
/**
 * Run the method with `(endpoint, values)` after matching, to pull values out.
 *
 * @example
 * @urlValuePreprocessor pullLang(endpoint: string, values: Record<string, unknown>) { g.lang = values.lang; delete values.lang; }
 */
export const urlValuePreprocessor = hookDecorator("urlValuePreprocessor");
/**
 * Run the method with `(endpoint, values)` when building URLs, to fill in values.
 *
 * @example
 * @urlDefaults addLang(endpoint: string, values: Record<string, unknown>) { values.lang ??= g.lang; }
 */
export const urlDefaults = hookDecorator("urlDefaults");
/** Merge the object the method returns into every template's context: `@contextProcessor site() { return { siteName: "Blog" }; }`. */
export const contextProcessor = hookDecorator("contextProcessor");
/** Blueprint only: `@beforeRequest` for every request of the app: `@beforeAppRequest track() { ... }`. */
export const beforeAppRequest = hookDecorator("beforeAppRequest");
/** Blueprint only: `@afterRequest` for every request of the app: `@afterAppRequest stamp(response: Response) { return response; }`. */
export const afterAppRequest = hookDecorator("afterAppRequest");
/** Blueprint only: `@teardownRequest` for every request of the app: `@teardownAppRequest release() { ... }`. */
export const teardownAppRequest = hookDecorator("teardownAppRequest");
/** Blueprint only: `@contextProcessor` for every template of the app: `@appContextProcessor nav() { return { menu }; }`. */
export const appContextProcessor = hookDecorator("appContextProcessor");
/** Blueprint only: `@urlValuePreprocessor` for every endpoint of the app: `@appUrlValuePreprocessor pull(endpoint: string, values: Record<string, unknown>) { ... }`. */
export const appUrlValuePreprocessor = hookDecorator("appUrlValuePreprocessor");
/** Blueprint only: `@urlDefaults` for every endpoint of the app: `@appUrlDefaults fill(endpoint: string, values: Record<string, unknown>) { ... }`. */
export const appUrlDefaults = hookDecorator("appUrlDefaults");

function errorHandlerDecorator(hook: "errorHandler" | "appErrorHandler") {
  // Rest arguments so that a bare `@errorHandler` (JavaScript callers) can be told apart.
  return function errorHandlerFactory(...args: unknown[]): MemberDecorator {
    if (looksLikeMemberDecoration(args)) {
      throw new TypeError(`@${hook} needs what it handles: @${hook}(404) or @${hook}(SomeErrorClass).`);
    }
    const codeOrErrorClass = args[0];
    const isCode = typeof codeOrErrorClass === "number" && Number.isInteger(codeOrErrorClass);
    if (!isCode && typeof codeOrErrorClass !== "function") {
      throw new TypeError(
        `@${hook} takes an HTTP status code or an error class, e.g. @${hook}(404) or ` +
          `@${hook}(ValidationError); got ${String(codeOrErrorClass)}.`,
      );
    }
    const label = `@${hook}(${errorName(codeOrErrorClass as number | Function)})`;
    return function decorate(...decorated: unknown[]): void {
      const site = methodSite(label, decorated);
      recordEntry(site.metadata, { kind: "hook", hook, arg: codeOrErrorClass, key: site.key, isStatic: site.isStatic });
    } as MemberDecorator;
  } as (codeOrErrorClass: number | AnyClass) => MemberDecorator;
}

function errorName(codeOrErrorClass: number | Function): string {
  return typeof codeOrErrorClass === "function" ? codeOrErrorClass.name : String(codeOrErrorClass);
}

/**
 * Handle an HTTP error code or an error class (and its subclasses) with the method; it
 * receives the error and returns the response.
 *
 * @example
 * class Errors { @errorHandler(404) notFound(error: NotFound) { return ["Nothing here", 404]; } }
 */
export const errorHandler = errorHandlerDecorator("errorHandler");
/** Blueprint only: `@errorHandler` for errors anywhere in the app: `@appErrorHandler(500) crashed(error: Error) { return ["Sorry", 500]; }`. */
export const appErrorHandler = errorHandlerDecorator("appErrorHandler");

function templateHelperDecorator(hook: HookKind): TemplateHelperDecorator {
  const named = (name: string | undefined) =>
    function decorate(...args: unknown[]): void {
      const site = methodSite(name === undefined ? `@${hook}` : `@${hook}("${name}")`, args);
      const arg = name ?? keyName(site.key);
      recordEntry(site.metadata, { kind: "hook", hook, arg, key: site.key, isStatic: site.isStatic });
    };
  const unnamed = named(undefined);
  return function helperOrFactory(...args: unknown[]): MemberDecorator | void {
    if (args.length <= 1 && (args[0] === undefined || typeof args[0] === "string")) {
      const name = args[0] as string | undefined;
      if (name === "") throw new TypeError(`@${hook}("") needs a non-empty name, or none to use the method name.`);
      return (name === undefined ? unnamed : named(name)) as MemberDecorator;
    }
    unnamed(...args);
  } as TemplateHelperDecorator;
}

/**
 * Make the method a template filter, named after the method or the given name. Bare,
 * called, or named.
 *
 * @example
 * class Filters { @templateFilter("reverse") rev(s: string) { return [...s].reverse().join(""); } }
 * // {{ "abc" | reverse }}
 */
export const templateFilter = templateHelperDecorator("templateFilter");
/** Make the method a template global function (named like `@templateFilter`): `@templateGlobal("now") clock() { return new Date(); }`. */
export const templateGlobal = templateHelperDecorator("templateGlobal");
/** Make the method a template test (named like `@templateFilter`): `@templateTest prime(n: number) { ... }` for `{% if n is prime %}`. */
export const templateTest = templateHelperDecorator("templateTest");
/** Blueprint only: `@templateFilter` for every template of the app: `@appTemplateFilter("money") money(n: number) { ... }`. */
export const appTemplateFilter = templateHelperDecorator("appTemplateFilter");
/** Blueprint only: `@templateGlobal` for every template of the app: `@appTemplateGlobal version() { return "1.0"; }`. */
export const appTemplateGlobal = templateHelperDecorator("appTemplateGlobal");
/** Blueprint only: `@templateTest` for every template of the app: `@appTemplateTest odd(n: number) { return n % 2 === 1; }`. */
export const appTemplateTest = templateHelperDecorator("appTemplateTest");

/**
 * Declare the class a Blueprint named `name`: its decorated methods become the blueprint's
 * routes and hooks (endpoints `"name.method"`). The options are `new Blueprint`'s.
 *
 * @example
 * @blueprint("admin", { urlPrefix: "/admin" })
 * class Admin { @get("/") dashboard() { return "..."; } }
 * app.registerBlueprint(Admin);
 */
export function blueprint(name: string, options: BlueprintOptions = {}): ClassDecoratorBoth {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`@blueprint needs a non-empty name first, e.g. @blueprint("admin"); got ${JSON.stringify(name)}.`);
  }
  if (name.includes(".")) {
    // Flask refuses dots too: they separate blueprint names in endpoints ("parent.child.view").
    throw new TypeError(`@blueprint("${name}"): the name may not contain a dot ".".`);
  }
  const declaration = Object.freeze({ ...options, name });
  return function decorate(...args: unknown[]): void {
    const site = classSite(`@blueprint("${name}")`, args);
    recordBlueprint(site.metadata, declaration);
  } as ClassDecoratorBoth;
}
