/**
 * `Flagon`: the application (Flask's `Flask`). Holds the URL map, configuration, views
 * and hooks, and runs one request through them: `handleRequest` takes a werk `Request`
 * and returns a werk `Response`; only `adapters/` know Node's `http` or Fetch.
 */
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BuildError,
  HTTPException,
  InternalServerError,
  Map as UrlMap,
  MethodNotAllowed,
  Request,
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
import { createListener, type NodeListener } from "./adapters/node.js";
import { Config } from "./config.js";
import { AppContext, currentContext, type ContextApp } from "./ctx.js";
import { DefaultLogger, type Logger } from "./logging.js";
import { makeResponseFrom } from "./responses.js";
import { Scaffold, type AddUrlRuleOptions, type ErrorClass, type ErrorHandler } from "./scaffold.js";
import { NullSessionInterface, type SessionInterface, type SessionMixin } from "./sessions.js";
import { testClient, testRequestContext, type TestRequestContextOptions } from "./testing.js";

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

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";

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
  /** Opens and saves sessions; null sessions until one is configured. */
  sessionInterface: SessionInterface<Flagon> = new NullSessionInterface();
  staticFolder: string | null;
  staticUrlPath: string | null;
  templateFolder: string | null;
  /** Handlers for `urlFor` build errors: return a URL, or undefined to try the next. */
  readonly urlBuildErrorHandlers: Array<(error: BuildError, endpoint: string, values: Record<string, unknown>) => string | undefined> = [];

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
    this.staticFolder = opts.staticFolder === undefined ? "static" : opts.staticFolder;
    this.templateFolder = opts.templateFolder === undefined ? "templates" : opts.templateFolder;
    this.staticUrlPath =
      opts.staticUrlPath !== undefined ? opts.staticUrlPath : this.staticFolder ? `/${basename(this.staticFolder)}` : null;
    if (this.staticFolder !== null && this.staticUrlPath !== null) {
      if (Boolean(opts.staticHost) !== this.urlMap.hostMatching) {
        throw new Error("Invalid static_host/host_matching combination: give staticHost exactly when hostMatching is on.");
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
    const methods = new Set((givenMethods ?? (view as { methods?: string[] } | undefined)?.methods ?? ["GET"]).map((m) => m.toUpperCase()));
    let endpoint = givenEndpoint ?? (view?.name || undefined);
    if (endpoint === undefined) {
      if (view === undefined) throw new TypeError(`The rule "${rule}" needs an endpoint: give opts.endpoint or a view.`);
      // An anonymous view is named by its rule (and methods, when the rule is taken).
      endpoint = rule in this.viewFunctions ? `${rule} [${[...methods].join(", ")}]` : rule;
    }
    const automatic = provideAutomaticOptions ?? (!methods.has("OPTIONS") && this.config.PROVIDE_AUTOMATIC_OPTIONS);
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

  // ---- contexts -------------------------------------------------------------------

  /** A URL adapter for a request (routing) or, without one, for SERVER_NAME (urlFor). */
  createUrlAdapter(request: unknown | null): MapAdapter | null {
    const config = this.config;
    if (request instanceof Request) {
      if (config.TRUSTED_HOSTS) request.trustedHosts = config.TRUSTED_HOSTS;
      const subdomain = this.subdomainMatching || this.urlMap.hostMatching ? undefined : this.urlMap.defaultSubdomain || undefined;
      return this.urlMap.bindToRequest(request, { serverName: config.SERVER_NAME ?? undefined, subdomain });
    }
    if (config.SERVER_NAME) {
      return this.urlMap.bind(config.SERVER_NAME, config.APPLICATION_ROOT, { urlScheme: config.PREFERRED_URL_SCHEME });
    }
    return null;
  }

  /** The session for a request, or a null session. */
  openSession(request: unknown): SessionMixin {
    return this.sessionInterface.openSession(this, request as Request) ?? this.sessionInterface.makeNullSession(this);
  }

  /** An application context (no request): `app.appContext().run(() => urlFor("index"))`. */
  appContext(): AppContext {
    return new AppContext(this);
  }

  /** A request context for a werk Request. */
  requestContext(request: Request): AppContext {
    return new AppContext(this, { request });
  }

  async doTeardownRequest(_ctx: AppContext, error: unknown): Promise<void> {
    const funcs = this.teardownRequestFuncs.get(null);
    if (!funcs) return;
    for (let i = funcs.length - 1; i >= 0; i--) {
      const rv = funcs[i]!(error);
      if (isThenable(rv)) await rv;
    }
  }

  async doTeardownAppcontext(_ctx: AppContext, error: unknown): Promise<void> {
    const funcs = this.teardownAppcontextFuncs;
    for (let i = funcs.length - 1; i >= 0; i--) {
      const rv = funcs[i]!(error);
      if (isThenable(rv)) await rv;
    }
  }

  // ---- the request's way through ------------------------------------------------

  /**
   * Handle one request in its context: routing, hooks, view, response, session save.
   * Teardown is the caller's (`ctx.teardown`), after the response has been written.
   */
  async fullDispatchRequest(ctx: AppContext): Promise<Response> {
    let rv: unknown;
    try {
      if (!this.#gotFirstRequest) await this.#runBeforeFirstRequest();
      const request = ctx.request as Request;
      await request.loadBody();
      rv = await this.preprocessRequest(ctx);
      if (rv === undefined) rv = await this.dispatchRequest(ctx);
    } catch (error) {
      rv = await this.handleUserException(ctx, error);
    }
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

  /** Route the request; the outcome is kept on the context. @internal */
  matchRequest(ctx: AppContext): RouteLookup {
    if (ctx.routingError !== undefined) throw ctx.routingError;
    const adapter = ctx.urlAdapter!;
    const request = ctx.request as Request;
    const found = adapter.lookup(undefined, request.method);
    ctx.route = found;
    return found;
  }

  /** URL value preprocessors, then beforeRequest hooks; a returned value answers early. */
  async preprocessRequest(ctx: AppContext): Promise<unknown> {
    const found = ctx.route ?? this.matchRequest(ctx);
    const preprocessors = this.urlValuePreprocessors.get(null);
    if (preprocessors && found.status === 200) {
      for (const fn of preprocessors) fn(found.rule.endpoint, found.values);
    }
    const before = this.beforeRequestFuncs.get(null);
    if (before) {
      for (let i = 0; i < before.length; i++) {
        let rv = before[i]!();
        if (isThenable(rv)) rv = await rv;
        if (rv !== undefined && rv !== null) return rv;
      }
    }
    return undefined;
  }

  /** Call the view for the matched rule (or answer OPTIONS, or raise the routing error). */
  async dispatchRequest(ctx: AppContext): Promise<unknown> {
    const found = ctx.route ?? this.matchRequest(ctx);
    if (found.status !== 200) throw routingErrorFor(found);
    const request = ctx.request as Request;
    const rule = found.rule as Rule & { provideAutomaticOptions?: boolean };
    if (rule.provideAutomaticOptions && request.method === "OPTIONS") return this.makeDefaultOptionsResponse(ctx);
    const view = this.viewFunctions[rule.endpoint as string];
    if (view === undefined) {
      throw new Error(`No view function is registered for the endpoint "${String(rule.endpoint)}".`);
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
    const ctx = currentContext();
    const name = endpoint ?? (ctx?.route?.status === 200 ? String(ctx.route.rule.endpoint) : "view");
    return makeResponseFrom(rv, name, this.debug);
  }

  /** Make the response, run afterRequest functions, save the session. */
  async finalizeRequest(ctx: AppContext, rv: unknown, fromErrorHandler = false): Promise<Response> {
    let response = this.makeResponse(rv);
    try {
      response = await this.processResponse(ctx, response);
    } catch (error) {
      if (!fromErrorHandler) throw error;
      this.logger.error("Request finalizing failed with an error while handling an error", error);
    }
    return response;
  }

  /** afterThisRequest callbacks, then afterRequest hooks (last registered first), then the session. */
  async processResponse(ctx: AppContext, response: Response): Promise<Response> {
    for (const fn of ctx.afterRequestFunctions) {
      let rv = fn(response);
      if (isThenable(rv)) rv = await rv;
      if (rv !== undefined) response = rv as Response;
    }
    const after = this.afterRequestFuncs.get(null);
    if (after) {
      for (let i = after.length - 1; i >= 0; i--) {
        let rv = after[i]!(response);
        if (isThenable(rv)) rv = await rv;
        if (!(rv instanceof Response)) {
          throw new TypeError(`The afterRequest function "${after[i]!.name || "anonymous"}" must return the response it was given (or another Response).`);
        }
        response = rv;
      }
    }
    const session = ctx.openedSession as SessionMixin | null;
    if (session !== null && !this.sessionInterface.isNullSession(session)) {
      await this.sessionInterface.saveSession(this, session, response);
    }
    return response;
  }

  // ---- errors -------------------------------------------------------------------

  /** The handler registered for an error, most specific class first. */
  findErrorHandler(error: unknown): ErrorHandler | undefined {
    if (!(error instanceof Error)) return undefined;
    const byCode = this.errorHandlerSpec.get(null);
    if (byCode === undefined) return undefined;
    const ctor = error.constructor;
    const code = error instanceof HTTPException ? (error.code ?? null) : null;
    for (const c of code !== null ? [code, null] : [null]) {
      const handlers = byCode.get(c);
      if (handlers === undefined) continue;
      for (let cls: unknown = ctor; typeof cls === "function" && cls !== Object; cls = Object.getPrototypeOf(cls)) {
        const handler = handlers.get(cls as ErrorClass);
        if (handler !== undefined) return handler;
      }
    }
    return undefined;
  }

  /** An HTTP exception as a response, through its handler if one is registered. */
  async handleHttpException(error: HTTPException): Promise<unknown> {
    if (error.code === undefined || error instanceof RequestRedirect) return error;
    const handler = this.findErrorHandler(error);
    if (handler === undefined) return error;
    const rv = handler(error);
    return isThenable(rv) ? await rv : rv;
  }

  /** Errors from hooks and views: HTTP exceptions become responses, others go to handlers or up. */
  async handleUserException(_ctx: AppContext, error: unknown): Promise<unknown> {
    if (error instanceof HTTPException && !this.trapHttpException(error)) return this.handleHttpException(error);
    const handler = this.findErrorHandler(error);
    if (handler === undefined) throw error;
    const rv = handler(error);
    return isThenable(rv) ? await rv : rv;
  }

  /** Whether an HTTP exception should propagate like any error (TRAP_HTTP_EXCEPTIONS). */
  trapHttpException(error: HTTPException): boolean {
    if (this.config.TRAP_HTTP_EXCEPTIONS) return true;
    const trapBadRequest = this.config.TRAP_BAD_REQUEST_ERRORS ?? this.debug;
    return Boolean(trapBadRequest) && error.constructor.name === "BadRequestKeyError";
  }

  /**
   * An error nothing handled: logged, then a 500 (through a registered 500 handler), or
   * re-thrown when PROPAGATE_EXCEPTIONS (default: TESTING or DEBUG) is on.
   */
  async handleException(ctx: AppContext, error: unknown): Promise<Response> {
    const propagate = this.config.PROPAGATE_EXCEPTIONS ?? (this.testing || this.debug);
    if (propagate) throw error;
    this.logException(ctx, error);
    let serverError: unknown = new InternalServerError(undefined, { originalError: error });
    const handler = this.findErrorHandler(serverError);
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

  /** An in-process test client (no sockets), with a cookie jar. */
  testClient(opts?: TestClientOptions): TestClient {
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
   * Use a production server (node:http with `app.listener`, behind a proxy) in production.
   */
  async run(opts: { host?: string; port?: number; debug?: boolean } = {}): Promise<SimpleServer> {
    if (opts.debug !== undefined) this.debug = opts.debug;
    if (this.debug && this.logger instanceof DefaultLogger) this.logger.level = "debug";
    return runSimple(this.listener, { host: opts.host ?? "127.0.0.1", port: opts.port ?? 5000 });
  }

  // ---- URLs and files -------------------------------------------------------------

  /** Let urlDefaults functions fill in values for an endpoint. */
  injectUrlDefaults(endpoint: string, values: Record<string, unknown>): void {
    const funcs = this.urlDefaultFunctions.get(null);
    if (funcs) for (const fn of funcs) fn(endpoint, values);
  }

  /** Answer a BuildError through `urlBuildErrorHandlers`, or throw it. */
  handleUrlBuildError(error: BuildError, endpoint: string, values: Record<string, unknown>): string {
    for (const handler of this.urlBuildErrorHandlers) {
      const rv = handler(error, endpoint, values);
      if (rv !== undefined) return rv;
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

/** The exception a routing miss stands for (methods sorted for a stable Allow). */
function routingErrorFor(found: Exclude<RouteLookup, { status: 200 }>): HTTPException {
  if (found.status === 405) return new MethodNotAllowed([...(found.validMethods ?? [])].sort());
  return routingError(found);
}
