/**
 * `Flagon`: the application (Flask's `Flask`). Holds the URL map, configuration, views
 * and hooks, and runs one request through them: `fullDispatchRequest` takes a context
 * holding a `Request` and returns a werk `Response`; only `adapters/` know Node's `http`
 * or Fetch.
 */
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BadRequest,
  BadRequestKeyError,
  BuildError,
  HTTPException,
  InternalServerError,
  Map as UrlMap,
  MethodNotAllowed,
  Request as WerkRequest,
  Response,
  RequestRedirect,
  Rule,
  sendFromDirectory,
  routingError,
  runSimple,
  type MapAdapter,
  type SimpleServer,
  type TestClient,
  type TestClientOptions,
  type RouteLookup,
} from "@flagon/werk";
import { handleFetch, type FetchOptions } from "./adapters/fetch.js";
import { createListener, type NodeListener } from "./adapters/node.js";
import { Blueprint, type RegisterBlueprintOptions } from "./blueprints.js";
import { Config } from "./config.js";
import { templateEnvironment, type TemplateEnvironment } from "./templating.js";
import { AppContext, currentContext, type ContextApp } from "./ctx.js";
import type { AnyClass } from "./decorators.js";
import {
  callUrlDefaults,
  callUrlValuePreprocessors,
  checkResponse,
  findErrorHandler,
  hasHooks,
  isThenable,
  runAfterRequest,
  runBeforeRequest,
  runContextProcessors,
  runTeardownRequest,
  runTeardowns,
} from "./hooks.js";
import { DefaultLogger, type Logger } from "./logging.js";
import { makeResponseFrom } from "./responses.js";
import { Scaffold, type AddUrlRuleOptions, type ErrorHandler } from "./scaffold.js";
import { SecureCookieSessionInterface, type AnySessionInterface, type SessionMixin } from "./sessions.js";
import { testClient, testRequestContext, type FlagonClient, type TestRequestContextOptions } from "./testing.js";
import { Request } from "./wrappers.js";

/** Options of `new Flagon(name, opts)`. */
export interface FlagonOptions {
  /** The folder the app's files (static, templates, config) are relative to. */
  rootPath?: string;
  /** Folder of static files, relative to rootPath; null for none. Default "static". */
  staticFolder?: string | null;
  /** URL prefix of static files. Default "/" + the folder's name. */
  staticUrlPath?: string | null;
  /** Host of the static route, with host matching. */
  staticHost?: string;
  /** Folder of templates, relative to rootPath. Default "templates". */
  templateFolder?: string | null;
  /** Match rules on the full host (`Rule.host`). */
  hostMatching?: boolean;
  /** Match rules on subdomains of SERVER_NAME. */
  subdomainMatching?: boolean;
}

/** Extra options of `addUrlRule` beyond the route options. */
type UrlRuleOptions = AddUrlRuleOptions;

/** Attributes a view function may carry (Flask's `view_func.methods`, `provide_automatic_options`). */
interface ViewAttributes {
  methods?: unknown;
  provideAutomaticOptions?: boolean;
}

// The lookup recorded when the URL map could not even be bound to the request.
const UNROUTABLE = Object.freeze({ status: 400 }) as RouteLookup;

const NO_BLUEPRINTS: readonly string[] = Object.freeze([]);

/** The blueprint scopes of a context's request, innermost first; none without a request. */
function scopesOf(ctx: AppContext | undefined): readonly string[] {
  return ctx?.hasRequest ? (ctx.request as Request).blueprintScopes() : NO_BLUEPRINTS;
}

function nameAndRoot(importMetaUrlOrName: string | undefined, rootPath: string | undefined): [string, string] {
  if (importMetaUrlOrName?.startsWith("file:")) {
    const file = fileURLToPath(importMetaUrlOrName);
    return [basename(file, extname(file)), rootPath ?? dirname(file)];
  }
  return [importMetaUrlOrName ?? "flagon", rootPath ?? process.cwd()];
}

/**
 * A Flagon application: routes, hooks, error handlers, configuration.
 *
 * @example
 * const app = new Flagon(import.meta.url);
 * app.get("/", () => "Hello, World!");
 * app.get("/post/<int:id>", ({ id }) => ({ id }));
 * http.createServer(app.listener).listen(5000);
 */
export class Flagon extends Scaffold implements ContextApp {
  /** The application's name (from the module file name, or as given). */
  readonly name: string;
  /** The folder relative paths are resolved against. */
  readonly rootPath: string;
  /** The URL rules. */
  readonly urlMap: UrlMap;
  /** Configuration values (Flask's keys and defaults). */
  readonly config: Config;
  /** Where errors and messages go; replace with any object having debug/info/warn/error. */
  logger: Logger;
  /** The class adapters build requests with (Flask's `request_class`). */
  requestClass: typeof Request = Request;
  /** Opens and saves sessions; null sessions until one is configured. */
  sessionInterface: AnySessionInterface<Flagon> = new SecureCookieSessionInterface();
  staticFolder: string | null;
  staticUrlPath: string | null;
  templateFolder: string | null;
  /** Handlers for `urlFor` build errors: return a URL, or undefined to try the next. */
  readonly urlBuildErrorHandlers: Array<(error: BuildError, endpoint: string, values: Record<string, unknown>) => string | undefined> = [];
  /** Registered blueprints by dotted name, in registration order (one blueprint may appear under several names). */
  readonly blueprints = new globalThis.Map<string, Blueprint>();

  #gotFirstRequest = false;
  #firstRequest: Promise<void> | null = null;
  #listener: NodeListener | undefined;

  constructor(importMetaUrlOrName?: string, opts: FlagonOptions = {}) {
    super();
    [this.name, this.rootPath] = nameAndRoot(importMetaUrlOrName, opts.rootPath);
    this.config = new Config(this.rootPath);
    this.logger = new DefaultLogger(this.name);
    this.urlMap = new UrlMap([], { hostMatching: opts.hostMatching ?? false });
    this.subdomainMatching = opts.subdomainMatching ?? false;
    // As Flask: a trailing slash is dropped, and "" means the root folder itself.
    this.staticFolder = opts.staticFolder === undefined ? "static" : opts.staticFolder === null ? null : opts.staticFolder.replace(/[\\/]+$/, "");
    this.templateFolder = opts.templateFolder === undefined ? "templates" : opts.templateFolder;
    this.staticUrlPath =
      opts.staticUrlPath !== undefined
        ? opts.staticUrlPath
        : this.staticFolder !== null
          ? `/${basename(this.staticFolder)}`.replace(/\/+$/, "")
          : null;
    if (this.staticFolder !== null && this.staticUrlPath !== null) {
      if (Boolean(opts.staticHost) !== this.urlMap.hostMatching) {
        throw new Error(
          "Invalid staticHost/hostMatching combination: with a static folder, give staticHost exactly when hostMatching is on " +
            "(or pass staticFolder: null).",
        );
      }
      const url = this.staticUrlPath.replace(/\/+$/, "");
      this.addUrlRule(`${url}/<path:filename>`, {
        endpoint: "static",
        host: opts.staticHost,
        view: ({ filename }: { filename: string }) => this.sendStaticFile(filename),
      });
    }
  }

  /** Whether subdomains of SERVER_NAME are matched to `Rule.subdomain`. */
  subdomainMatching: boolean;

  /** Debug mode (`config.DEBUG`): detailed error pages, errors propagate. */
  get debug(): boolean {
    return Boolean(this.config.DEBUG);
  }
  set debug(value: boolean) {
    this.config.DEBUG = value;
  }

  /** Testing mode (`config.TESTING`): errors reach the test instead of a 500 page. */
  get testing(): boolean {
    return Boolean(this.config.TESTING);
  }
  set testing(value: boolean) {
    this.config.TESTING = value;
  }

  protected override checkSetupFinished(method: string): void {
    if (this.#gotFirstRequest) {
      throw new Error(
        `The setup method "${method}" can no longer be called on the application. It has already handled ` +
          "its first request, any changes will not be applied consistently. Make sure all imports, " +
          "decorators, functions, etc. needed to set up the application are done before running it.",
      );
    }
  }

  /**
   * Connect a URL rule to a view (the form every route registration ends in).
   *
   * @example
   * app.addUrlRule("/", { endpoint: "index", view: () => "Hello" });
   */
  addUrlRule(rule: string, opts: UrlRuleOptions = {}): void {
    this.checkSetupFinished("addUrlRule");
    const { view, endpoint: givenEndpoint, methods: givenMethods, provideAutomaticOptions, ...ruleOptions } = opts;
    const viewAttrs = view as ViewAttributes | undefined;
    const listed: unknown = givenMethods ?? viewAttrs?.methods ?? ["GET"];
    if (typeof listed === "string" || !Array.isArray(listed) || !listed.every((m) => typeof m === "string")) {
      throw new TypeError(
        `Allowed methods must be a list of strings, for example: app.route("${rule}", { methods: ["POST"] }); got ${JSON.stringify(listed)}.`,
      );
    }
    const methods = new Set((listed as string[]).map((m) => m.toUpperCase()));
    let endpoint = givenEndpoint ?? (view?.name || undefined);
    if (endpoint === undefined) {
      if (view === undefined) throw new TypeError(`The rule "${rule}" needs an endpoint: give opts.endpoint or a view.`);
      // An anonymous view is named by its rule (and methods, when the rule is taken).
      endpoint = rule in this.viewFunctions ? `${rule} [${[...methods].join(", ")}]` : rule;
    }
    const automatic =
      provideAutomaticOptions ?? viewAttrs?.provideAutomaticOptions ?? (!methods.has("OPTIONS") && this.config.PROVIDE_AUTOMATIC_OPTIONS);
    if (automatic) methods.add("OPTIONS");
    const urlRule = new Rule(rule, { ...ruleOptions, endpoint, methods });
    (urlRule as Rule & { provideAutomaticOptions?: boolean }).provideAutomaticOptions = automatic;
    this.urlMap.add(urlRule);
    if (view !== undefined) {
      const existing = this.viewFunctions[endpoint];
      if (existing !== undefined && existing !== view) {
        throw new Error(`View function mapping is overwriting an existing endpoint function: ${endpoint}`);
      }
      this.viewFunctions[endpoint] = view;
    }
  }

  /**
   * Register a blueprint, or a `@blueprint` class: its rules, hooks and handlers join the
   * app under its name (or `options.name`, to register one blueprint twice).
   *
   * @example
   * app.registerBlueprint(admin, { urlPrefix: "/admin" });
   * app.registerBlueprint(admin, { urlPrefix: "/staff", name: "staff" });  // endpoints "staff.*"
   */
  registerBlueprint(blueprint: Blueprint | AnyClass, options: RegisterBlueprintOptions = {}): void {
    this.checkSetupFinished("registerBlueprint");
    const bp = blueprint instanceof Blueprint ? blueprint : Blueprint.fromClass(blueprint);
    bp.registerOnApp(this, options);
  }

  /** The registered blueprints, in registration order (once per name they are registered under). */
  iterBlueprints(): IterableIterator<Blueprint> {
    return this.blueprints.values();
  }

  // ---- contexts -------------------------------------------------------------------

  /** A URL adapter for a request (routing) or, without one, for SERVER_NAME (urlFor). */
  createUrlAdapter(request: unknown | null): MapAdapter | null {
    const config = this.config;
    if (request instanceof WerkRequest) {
      if (config.TRUSTED_HOSTS) request.trustedHosts = config.TRUSTED_HOSTS;
      // Without subdomain matching every host is served as the default subdomain, so a
      // request for www.example.com still matches rules that name no subdomain.
      const subdomain = this.subdomainMatching || this.urlMap.hostMatching ? undefined : (this.urlMap.defaultSubdomain ?? "");
      return this.urlMap.bindToRequest(request, { serverName: config.SERVER_NAME ?? undefined, subdomain });
    }
    if (config.SERVER_NAME) {
      return this.urlMap.bind(config.SERVER_NAME, config.APPLICATION_ROOT, { urlScheme: config.PREFERRED_URL_SCHEME });
    }
    return null;
  }

  /** The session for a request, or a null session. */
  openSession(request: unknown): SessionMixin | Promise<SessionMixin> {
    const iface = this.sessionInterface;
    const session = iface.openSession(this, request as Request);
    if (session instanceof Promise) return session.then((opened) => opened ?? iface.makeNullSession(this));
    return session ?? iface.makeNullSession(this);
  }

  /** An application context (no request): `app.appContext().run(() => urlFor("index"))`. */
  appContext(): AppContext {
    return new AppContext(this);
  }

  /** A request context for a werk Request. */
  requestContext(request: Request): AppContext {
    return new AppContext(this, { request });
  }

  /**
   * Run the teardownRequest functions with the request's unhandled error (or undefined):
   * the request's blueprints' first, innermost out, then the app's, each last registered
   * first. All of them run; errors are thrown afterwards (one as it is, several as an
   * AggregateError).
   */
  doTeardownRequest(ctx: AppContext, error: unknown): void | Promise<void> {
    const names = scopesOf(ctx);
    if (hasHooks(this.teardownRequestFuncs, names)) return runTeardownRequest(this.teardownRequestFuncs, names, error);
  }

  /** Run the teardownAppcontext functions, last registered first; all run, errors are thrown afterwards. */
  doTeardownAppcontext(_ctx: AppContext, error: unknown): void | Promise<void> {
    const funcs = this.teardownAppcontextFuncs;
    if (funcs.length !== 0) return runTeardowns(funcs, error, "Errors during app teardown");
  }

  // ---- the request's way through ------------------------------------------------

  /**
   * Handle one request in its context: routing, hooks, view, response, session save.
   * Teardown is the caller's (`ctx.teardown`), after the response has been written.
   */
  fullDispatchRequest(ctx: AppContext): Response | Promise<Response> {
    // Synchronous until something returns a promise (a body to read, an async hook or
    // view): a plain request then costs no promise at all, which matters on Node 20,
    // where AsyncLocalStorage hooks every promise.
    const request = ctx.request as Request;
    if (!this.#gotFirstRequest || request.hasBodyToLoad || this.sessionInterface.isAsync === true) {
      return this.#prepare(ctx, request).then(
        () => this.#dispatch(ctx),
        (error: unknown) => this.#handleThenFinalize(ctx, error),
      );
    }
    return this.#dispatch(ctx);
  }

  // What must be awaited before any hook: first-request hooks, the body, an async session.
  async #prepare(ctx: AppContext, request: Request): Promise<void> {
    if (!this.#gotFirstRequest) await this.#runBeforeFirstRequest();
    if (request.hasBodyToLoad) await request.loadBody();
    // Server-side stores open asynchronously, so their sessions load before any hook.
    if (this.sessionInterface.isAsync === true) await ctx.loadSession();
  }

  // beforeRequest hooks, the view, the response: promises only where a step returns one.
  #dispatch(ctx: AppContext): Response | Promise<Response> {
    let rv: unknown;
    try {
      rv = this.preprocessRequest(ctx);
      if (isThenable(rv)) return this.#dispatchAfter(ctx, rv, true);
      if (rv === undefined || rv === null) {
        // A routing miss goes to the error handlers without a throw (a throw is most of a
        // 404's cost), unless a subclass dispatches itself.
        const miss = ctx.route !== undefined && ctx.route.status !== 200 ? (ctx.request as Request).routingException : null;
        if (miss !== null && this.dispatchRequest === DISPATCH_REQUEST) return this.#handleThenFinalize(ctx, miss);
        rv = this.dispatchRequest(ctx);
        if (isThenable(rv)) return this.#dispatchAfter(ctx, rv, false);
      }
    } catch (error) {
      return this.#handleThenFinalize(ctx, error);
    }
    return this.finalizeRequest(ctx, rv);
  }

  // The rest of a dispatch once a beforeRequest hook or the view returned a promise.
  async #dispatchAfter(ctx: AppContext, pending: PromiseLike<unknown>, fromHooks: boolean): Promise<Response> {
    let rv: unknown;
    try {
      rv = await pending;
      if (fromHooks && (rv === undefined || rv === null)) {
        rv = this.dispatchRequest(ctx);
        if (isThenable(rv)) rv = await rv;
      }
    } catch (error) {
      rv = await this.handleUserException(ctx, error);
    }
    return this.finalizeRequest(ctx, rv);
  }

  // An error from a hook or view: answered without a promise when its handler (or the
  // HTTP exception's own page) needs none, as a 404 usually does.
  #handleThenFinalize(ctx: AppContext, error: unknown): Response | Promise<Response> {
    const rv = this.handleUserException(ctx, error);
    if (isThenable(rv)) return Promise.resolve(rv).then((value) => this.finalizeRequest(ctx, value));
    return this.finalizeRequest(ctx, rv);
  }

  #runBeforeFirstRequest(): Promise<void> {
    this.#firstRequest ??= (async () => {
      for (const fn of this.beforeFirstRequestFuncs) {
        const rv = fn();
        if (isThenable(rv)) await rv;
      }
      this.#gotFirstRequest = true;
    })();
    return this.#firstRequest;
  }

  /**
   * Route the request: the outcome is kept on the context, and on the request as
   * `urlRule` and `viewArgs`, or `routingException`. @internal
   */
  matchRequest(ctx: AppContext): RouteLookup {
    const request = ctx.request as Request;
    if (ctx.routingError !== undefined) {
      // Binding failed (an untrusted Host): hooks still run, dispatch raises the error.
      request.routingException = ctx.routingError as Error;
      return (ctx.route = UNROUTABLE);
    }
    const adapter = ctx.urlAdapter!;
    const found = adapter.lookup(undefined, request.method);
    ctx.route = found;
    if (found.status === 200) {
      request.urlRule = found.rule;
      request.viewArgs = found.values;
    } else {
      request.routingException = routingErrorFor(found);
    }
    return found;
  }

  /**
   * URL value preprocessors, then beforeRequest hooks, each kind the app's first, then
   * the request's blueprints' from the outermost in, in registration order; the first
   * value a hook returns answers the request. Synchronous while no hook returns a promise.
   */
  preprocessRequest(ctx: AppContext): unknown {
    const found = ctx.route ?? this.matchRequest(ctx);
    const names = scopesOf(ctx);
    if (found.status === 200) callUrlValuePreprocessors(this.urlValuePreprocessors, names, String(found.rule.endpoint), found.values);
    return runBeforeRequest(this.beforeRequestFuncs, names);
  }

  /**
   * Call the view for the matched rule with its URL values (or answer OPTIONS, or throw
   * the routing error). Returns what the view returns, a promise if it is async.
   */
  dispatchRequest(ctx: AppContext): unknown {
    const found = ctx.route ?? this.matchRequest(ctx);
    const request = ctx.request as Request;
    if (found.status !== 200) throw request.routingException ?? routingErrorFor(found);
    const rule = found.rule as Rule & { provideAutomaticOptions?: boolean };
    if (rule.provideAutomaticOptions && request.method === "OPTIONS") return this.makeDefaultOptionsResponse(ctx);
    const view = this.viewFunctions[rule.endpoint as string];
    if (view === undefined) {
      throw new Error(
        `No view function is registered for the endpoint "${String(rule.endpoint)}". ` +
          "Register one with app.endpoint(name) or pass a view to addUrlRule.",
      );
    }
    return view(found.values);
  }

  /** The automatic answer to OPTIONS: an empty 200 with `Allow`. */
  makeDefaultOptionsResponse(ctx: AppContext): Response {
    const methods = ctx.urlAdapter!.allowedMethods((ctx.request as Request).rawPath);
    const response = new Response("");
    response.headers.set("Allow", methods.sort().join(", "));
    return response;
  }

  /** Turn a view's return value into a response (Flask's `make_response`). */
  makeResponse(rv: unknown, endpoint?: string): Response {
    if (rv instanceof Response) return rv;
    return makeResponseFrom(rv, endpoint ?? endpointOf(currentContext()), this.debug);
  }

  /** Make the response, run afterRequest functions, save the session. */
  finalizeRequest(ctx: AppContext, rv: unknown, fromErrorHandler = false): Response | Promise<Response> {
    const response = rv instanceof Response ? rv : makeResponseFrom(rv, endpointOf(ctx), this.debug);
    let processed: Response | Promise<Response>;
    try {
      processed = this.processResponse(ctx, response);
    } catch (error) {
      return this.#finalizingFailed(error, response, fromErrorHandler);
    }
    if (!isThenable(processed)) return processed;
    return processed.then(undefined, (error: unknown) => this.#finalizingFailed(error, response, fromErrorHandler));
  }

  #finalizingFailed(error: unknown, response: Response, fromErrorHandler: boolean): Response {
    if (!fromErrorHandler) throw error;
    this.logger.error("Request finalizing failed with an error while handling an error", error);
    return response;
  }

  /**
   * afterThisRequest callbacks, then afterRequest hooks (the request's blueprints' first,
   * innermost out, then the app's; each last registered first), then the session is
   * saved. Synchronous when there is nothing to run.
   */
  processResponse(ctx: AppContext, response: Response): Response | Promise<Response> {
    // A permanent session is refreshed even when the view never touched it (Flask opens
    // the session for every request); only then is the cookie parsed.
    if (ctx.openedSession === null && this.sessionInterface.isAsync !== true && this.sessionInterface.needsRefresh?.(this, ctx.request as Request)) {
      ctx.peekSession();
    }
    const names = scopesOf(ctx);
    const hasAfter = hasHooks(this.afterRequestFuncs, names);
    if (ctx.afterRequestFunctions === null && !hasAfter && ctx.openedSession === null) return response;
    return this.#processResponse(ctx, response, hasAfter ? names : null);
  }

  // Only afterThisRequest callbacks and afterRequest hooks can make this asynchronous;
  // without them the session is saved (synchronously, for cookie sessions) and that is all.
  #processResponse(ctx: AppContext, response: Response, names: readonly string[] | null): Response | Promise<Response> {
    if (ctx.afterRequestFunctions === null && names === null) return this.#saveSession(ctx, response);
    return this.#runAfterRequest(ctx, response, names);
  }

  async #runAfterRequest(ctx: AppContext, response: Response, names: readonly string[] | null): Promise<Response> {
    const own = ctx.afterRequestFunctions;
    if (own !== null) {
      for (let i = 0; i < own.length; i++) {
        let rv = own[i]!(response);
        if (isThenable(rv)) rv = await rv;
        if (rv !== undefined) response = checkResponse(rv, own[i]!, "afterThisRequest");
      }
    }
    if (names !== null) response = await runAfterRequest(this.afterRequestFuncs, names, response);
    return this.#saveSession(ctx, response);
  }

  #saveSession(ctx: AppContext, response: Response): Response | Promise<Response> {
    const session = ctx.openedSession as SessionMixin | null;
    if (session === null || this.sessionInterface.isNullSession(session)) return response;
    const saved = this.sessionInterface.saveSession(this, session, response);
    return isThenable(saved) ? Promise.resolve(saved).then(() => response) : response;
  }

  // ---- errors -------------------------------------------------------------------

  /**
   * The handler registered for an error (Flask's `_find_error_handler`): for its status
   * code before for its class, the innermost of `blueprints` first and the app's last,
   * the most specific class first.
   */
  findErrorHandler(error: unknown, blueprints: readonly string[] = NO_BLUEPRINTS): ErrorHandler | undefined {
    return findErrorHandler(this.errorHandlerSpec, error, blueprints);
  }

  /** An HTTP exception as a response, through its handler if one is registered (the request's blueprints' first). */
  handleHttpException(error: HTTPException, ctx: AppContext | undefined = currentContext()): unknown {
    if (error.code === undefined || error instanceof RequestRedirect) return error;
    const handler = this.findErrorHandler(error, scopesOf(ctx));
    if (handler === undefined) return error;
    // What a handler returns may be a promise; callers await it when it is.
    return handler(error);
  }

  /** Errors from hooks and views: HTTP exceptions become responses, others go to handlers or up. */
  handleUserException(ctx: AppContext, error: unknown): unknown {
    if (error instanceof HTTPException && !this.trapHttpException(error)) return this.handleHttpException(error, ctx);
    const handler = this.findErrorHandler(error, scopesOf(ctx));
    if (handler === undefined) throw error;
    return handler(error);
  }

  /**
   * Whether an HTTP exception should propagate like any error instead of becoming its
   * error page: all of them with TRAP_HTTP_EXCEPTIONS; bad requests with
   * TRAP_BAD_REQUEST_ERRORS; missing form/query keys in debug mode when that is unset.
   */
  trapHttpException(error: HTTPException): boolean {
    const config = this.config;
    if (config.TRAP_HTTP_EXCEPTIONS) return true;
    const trapBadRequest = config.TRAP_BAD_REQUEST_ERRORS;
    if (trapBadRequest === null || trapBadRequest === undefined) return this.debug && error instanceof BadRequestKeyError;
    return Boolean(trapBadRequest) && error instanceof BadRequest;
  }

  /** Whether an error no handler took reaches the caller instead of a 500 (default: TESTING or DEBUG). */
  get propagateExceptions(): boolean {
    return this.config.PROPAGATE_EXCEPTIONS ?? (this.testing || this.debug);
  }

  /**
   * An error nothing handled: logged, then a 500 (through a registered 500 handler), or
   * re-thrown when PROPAGATE_EXCEPTIONS (default: TESTING or DEBUG) is on.
   */
  async handleException(ctx: AppContext, error: unknown): Promise<Response> {
    if (this.propagateExceptions) throw error;
    this.logException(ctx, error);
    let serverError: unknown = new InternalServerError(undefined, { originalError: error });
    const handler = this.findErrorHandler(serverError, scopesOf(ctx));
    if (handler !== undefined) {
      serverError = handler(serverError);
      if (isThenable(serverError)) serverError = await serverError;
    }
    return this.finalizeRequest(ctx, serverError, true);
  }

  /** Log an unhandled error with the request line. */
  logException(ctx: AppContext | undefined, error: unknown): void {
    const request = ctx?.hasRequest ? (ctx.request as Request) : undefined;
    this.logger.error(request ? `Exception on ${request.path} [${request.method}]` : "Exception", error);
  }

  // ---- serving ------------------------------------------------------------------

  /**
   * The Node request listener (Flagon's WSGI callable), created once:
   * `http.createServer(app.listener)`.
   */
  get listener(): NodeListener {
    return (this.#listener ??= createListener(this));
  }

  /**
   * Serve a Fetch API request (Deno, Bun, workers, `Request` → `Response`); an arrow
   * function, so `Deno.serve(app.fetch)` works unbound.
   */
  readonly fetch = (request: globalThis.Request, opts?: FetchOptions): Promise<globalThis.Response> => handleFetch(this, request, opts);

  /** An in-process test client (no sockets), with a cookie jar. */
  testClient(opts?: TestClientOptions): FlagonClient {
    return testClient(this, opts);
  }

  /**
   * A request context for a request built in memory:
   * `await app.testRequestContext("/x?y=1").run(() => request.args.get("y"))`.
   */
  testRequestContext(path = "/", opts: TestRequestContextOptions = {}): AppContext {
    return testRequestContext(this, path, opts);
  }

  /**
   * Serve the app with werk's development server (one access-log line per request).
   * Host and port default to SERVER_NAME's, else 127.0.0.1:5000 (as Flask's `run`).
   * Use a production server (node:http with `app.listener`, behind a proxy) in production.
   */
  async run(opts: { host?: string; port?: number; debug?: boolean; log?: boolean } = {}): Promise<SimpleServer> {
    if (opts.debug !== undefined) this.debug = opts.debug;
    if (this.debug && this.logger instanceof DefaultLogger) this.logger.level = "debug";
    const serverName = this.config.SERVER_NAME ?? "";
    const colon = serverName.lastIndexOf(":");
    const snHost = colon < 0 ? serverName : serverName.slice(0, colon);
    const snPort = colon < 0 ? "" : serverName.slice(colon + 1);
    const host = opts.host || snHost || "127.0.0.1";
    const port = opts.port ?? (snPort ? Number(snPort) : 5000);
    return runSimple(this.listener, { host, port, log: opts.log });
  }

  // ---- URLs and files -------------------------------------------------------------

  /** Let urlDefaults functions fill in values for an endpoint: the app's, then its blueprints' from the outermost in. */
  injectUrlDefaults(endpoint: string, values: Record<string, unknown>): void {
    callUrlDefaults(this.urlDefaultFunctions, endpoint, values);
  }

  /**
   * Add what the context processors return to a template context: the app's, then the
   * current request's blueprints' from the outermost in. Values already in `context` (the
   * render call's) win. A promise only when a processor returns one.
   */
  updateTemplateContext(context: Record<string, unknown>, ctx: AppContext | undefined = currentContext()): void | Promise<void> {
    // A context from testRequestContext is not routed yet; Flask routes when it is pushed.
    if (ctx?.hasRequest && ctx.route === undefined && ctx.routingError === undefined && ctx.urlAdapter !== null) {
      this.matchRequest(ctx);
    }
    return runContextProcessors(this.templateContextProcessors, scopesOf(ctx), context);
  }

  /** The app's Nunjucks environment (Flask's `jinja_env`), created on first use. */
  get templates(): TemplateEnvironment {
    return templateEnvironment(this);
  }

  /** Alias of `templates`. */
  get nunjucks(): TemplateEnvironment {
    return this.templates;
  }

  /** Answer a BuildError through `urlBuildErrorHandlers`, or throw it. */
  handleUrlBuildError(error: BuildError, endpoint: string, values: Record<string, unknown>): string {
    for (const handler of this.urlBuildErrorHandlers) {
      try {
        const rv = handler(error, endpoint, values);
        if (rv !== undefined) return rv;
      } catch (err) {
        // A handler may raise its own BuildError; the next handler gets that one.
        if (!(err instanceof BuildError)) throw err;
        error = err;
      }
    }
    throw error;
  }

  /** The static route's view: a file from the static folder (404 on escape or absence). */
  sendStaticFile(filename: string): Promise<Response> {
    if (this.staticFolder === null) throw new Error("The app has no static folder; pass staticFolder to Flagon to serve static files.");
    const maxAge = this.config.SEND_FILE_MAX_AGE_DEFAULT ?? undefined;
    const ctx = currentContext();
    return sendFromDirectory(join(this.rootPath, this.staticFolder), filename, ctx?.hasRequest ? (ctx.request as Request) : null, { maxAge });
  }
}

/** The endpoint a context's request matched, to name the view in errors. */
function endpointOf(ctx: AppContext | undefined): string {
  const route = ctx?.route;
  return route !== undefined && route.status === 200 ? String(route.rule.endpoint) : "view";
}

// The base dispatch: while a subclass keeps it, a routing miss needs no throw.
const DISPATCH_REQUEST = Flagon.prototype.dispatchRequest;

/** The exception a routing miss stands for (methods sorted for a stable Allow). */
function routingErrorFor(found: Exclude<RouteLookup, { status: 200 }>): HTTPException {
  // A routing miss carries no useful stack, and capturing one is most of a 404's cost.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    if (found.status === 405) return new MethodNotAllowed([...(found.validMethods ?? [])].sort());
    return routingError(found);
  } finally {
    Error.stackTraceLimit = limit;
  }
}
