/**
 * The shapes the decorator layer shares with the app and Blueprint: what it registers into
 * (`ScaffoldLike`), what it records (`ControllerEntry`) and the decorator call signatures.
 */
import type { RuleOptions } from "@flagon/werk";

/**
 * Every kind of hook a scaffold accepts. The `app*` kinds are the Blueprint variants that
 * apply to the whole app (Flask's `before_app_request`, `app_errorhandler`, ...).
 */
export type HookKind =
  | "beforeRequest"
  | "afterRequest"
  | "teardownRequest"
  | "teardownAppcontext"
  | "beforeFirstRequest"
  | "urlValuePreprocessor"
  | "urlDefaults"
  | "errorHandler"
  | "contextProcessor"
  | "templateFilter"
  | "templateGlobal"
  | "templateTest"
  | "beforeAppRequest"
  | "afterAppRequest"
  | "teardownAppRequest"
  | "appErrorHandler"
  | "appContextProcessor"
  | "appUrlValuePreprocessor"
  | "appUrlDefaults"
  | "appTemplateFilter"
  | "appTemplateGlobal"
  | "appTemplateTest";

/**
 * What every registration path ends in: the app and Blueprint implement it (Flask's
 * `Scaffold`), so decorators need to know nothing else about them.
 *
 * @example
 * const scaffold: ScaffoldLike = {
 *   addUrlRule(rule, opts) { map.add(new Rule(rule, { ...opts, endpoint: opts.endpoint })); },
 *   registerHook(kind, fn, arg) { hooks[kind].push([fn, arg]); },
 * };
 */
export interface ScaffoldLike {
  /** Add a URL rule whose matches call `opts.view`; the other options are werk rule options. */
  addUrlRule(
    rule: string,
    opts: {
      endpoint?: string;
      // A view's parameters depend on its rule, so no narrower function type fits all views.
      view: (...args: any[]) => unknown;
      methods?: string[];
      [ruleOption: string]: unknown;
    },
  ): void;
  /**
   * Register a hook. `arg` is the status code or error class for `errorHandler` /
   * `appErrorHandler`, the name for template filters, globals and tests, else undefined.
   */
  registerHook(kind: HookKind, fn: Function, arg?: unknown): void;
}

/**
 * Options of a route: werk's rule options, with the endpoint a string that defaults to the
 * method or function name, plus Flask's `provide_automatic_options`.
 */
export interface RouteOptions extends Omit<RuleOptions, "endpoint" | "methods"> {
  /** Name for `urlFor`; the method or function name when omitted. */
  endpoint?: string;
  /** Allowed methods; `["GET"]` when omitted (Flask's default), GET adding HEAD. */
  methods?: string[];
  /** Answer OPTIONS automatically for this rule (Flask's `provide_automatic_options`). */
  provideAutomaticOptions?: boolean;
}

/** Route options for `get`/`post`/...: the method is the decorator's, so no `methods`. */
export type MethodRouteOptions = Omit<RouteOptions, "methods">;

/** A route recorded on a class by `@route` / `@get` / ...: registered by `applyController`. */
export interface RouteEntry {
  kind: "route";
  rule: string;
  options: RouteOptions;
  /** The decorated method's name. */
  key: string | symbol;
  isStatic: boolean;
}

/** A hook recorded on a class by `@beforeRequest`, `@errorHandler(404)`, ... */
export interface HookEntry {
  kind: "hook";
  hook: HookKind;
  /** Status code or error class (error handlers), name (template helpers), else undefined. */
  arg: unknown;
  key: string | symbol;
  isStatic: boolean;
}

/** One registration recorded on a controller class. */
export type ControllerEntry = RouteEntry | HookEntry;

/**
 * Any class: controllers are instantiated with `new cls()`, but a class whose constructor
 * takes arguments is still accepted when an instance is given or its methods are static.
 */
export type AnyClass = abstract new (...args: never[]) => unknown;

/**
 * A method decorator working in both TypeScript modes: legacy (`experimentalDecorators`,
 * called with `(target, key, descriptor)`) and standard TC39 (called with
 * `(method, context)`).
 */
export interface MemberDecorator {
  // The descriptor is required so that TypeScript rejects these on properties.
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): void;
  // `any` as in TypeScript's own ClassMethodDecoratorContext constraint, which it must meet.
  <This, Value extends (this: This, ...args: any) => any>(
    value: Value,
    context: ClassMethodDecoratorContext<This, Value>,
  ): void;
}

/** A hook decorator usable bare (`@beforeRequest`) or called (`@beforeRequest()`). */
export interface HookDecorator extends MemberDecorator {
  (): MemberDecorator;
}

/**
 * A template helper decorator: bare (`@templateFilter`), called (`@templateFilter()`) or
 * named (`@templateFilter("reverse")`); the name defaults to the method name.
 */
export interface TemplateHelperDecorator extends MemberDecorator {
  (name?: string): MemberDecorator;
}

/** A class decorator working in both TypeScript modes (legacy `(ctor)`, TC39 `(ctor, context)`). */
export interface ClassDecoratorBoth {
  <C extends AnyClass>(value: C, context?: ClassDecoratorContext<C>): void;
}

/**
 * What `boundDecorator` returns: a method decorator (both modes) that also takes a plain
 * function and returns it, Flask's `@app.route("/")` over a `def`.
 */
export interface BoundDecorator extends MemberDecorator {
  <F extends (...args: never[]) => unknown>(fn: F): F;
}

/** Options of a Blueprint declared with `@blueprint(name, options)`. */
export interface BlueprintOptions {
  /** Prefix of every rule of the blueprint (`"/admin"`). */
  urlPrefix?: string;
  /** Subdomain the blueprint's rules match, when the app matches subdomains. */
  subdomain?: string;
  /** Default values for the views of the blueprint. */
  urlDefaults?: Record<string, unknown>;
  /** Folder of the blueprint's templates, searched after the app's. */
  templateFolder?: string;
  /** Folder of the blueprint's static files. */
  staticFolder?: string;
  /** URL path of the static files; the folder name under the prefix when omitted. */
  staticUrlPath?: string;
  /** Folder the relative folders above resolve against (Flask's `root_path`). */
  rootPath?: string;
}

/** What `@blueprint(name, options)` recorded on a class: its name and options. */
export interface BlueprintDeclaration extends BlueprintOptions {
  name: string;
}
