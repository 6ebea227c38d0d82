/**
 * Helpers for views: `urlFor`, `redirect`, `abort`, `makeResponse`, `jsonify`,
 * `sendFile`, `sendFromDirectory` — the current app and request are found through the
 * active context.
 */
import {
  BuildError,
  Request,
  Response,
  abort as werkAbort,
  redirect as werkRedirect,
  sendFile as werkSendFile,
  sendFromDirectory as werkSendFromDirectory,
  type SendFileOptions,
  type SendFileSource,
} from "@flagon/werk";
import type { Flagon } from "./app.js";
import { appContextOrThrow, currentContext, requestContextOrThrow, type AppContext } from "./ctx.js";
import { jsonResponse } from "./responses.js";

/** Special `urlFor` keys, Flask's underscore arguments. */
export interface UrlForOptions {
  /**
   * `true` for an absolute URL (scheme and host), `false` for a path. Default: a path
   * inside a request, absolute outside one (built from SERVER_NAME).
   */
  _external?: boolean;
  /** A fragment, quoted and appended as `#anchor`. */
  _anchor?: string;
  /** Build with the rule that accepts this method. */
  _method?: string;
  /** The scheme of the absolute URL; implies `_external` unless it is `false` (an error). */
  _scheme?: string;
}

/** What `urlFor` takes: rule values (the rest go to the query string) and the special keys. */
export type UrlForValues = Record<string, unknown> & UrlForOptions;

/**
 * Build a URL for an endpoint: values fill the rule's placeholders, the rest go to the
 * query string. Inside a request the URL is a path (or absolute when the rule is on
 * another subdomain or host) and `".view"` is relative to the current blueprint; outside
 * one it is absolute, from SERVER_NAME, APPLICATION_ROOT and PREFERRED_URL_SCHEME.
 * `app.urlDefaults` functions fill in values first; a failed build goes to
 * `app.urlBuildErrorHandlers`, and throws the `BuildError` when none answers.
 *
 * @example
 * urlFor("show_post", { id: 3 });                 // "/post/3"
 * urlFor("index", { page: 2, _external: true });  // "http://localhost/?page=2"
 * urlFor("index", { _anchor: "top" });            // "/#top"
 */
export function urlFor(endpoint: string, values: UrlForValues = {}): string {
  const ctx = appContextOrThrow();
  const app = ctx.app as unknown as Flagon;
  const { _external, _anchor, _method, _scheme, ...rest } = values;
  let external = _external;
  if (ctx.hasRequest) {
    if (endpoint.charCodeAt(0) === 46 /* "." */) {
      const blueprint = currentBlueprint(ctx, app);
      endpoint = blueprint === undefined ? endpoint.slice(1) : blueprint + endpoint;
    }
    // Inside a request a path is enough, unless a scheme asks for an absolute URL.
    external ??= _scheme !== undefined;
  } else {
    // Outside a request there is no current host for a path to be relative to.
    external ??= true;
  }
  const adapter = ctx.urlAdapter;
  if (adapter === null) {
    // A request whose Host could not be bound (untrusted, malformed) has no adapter either.
    if (ctx.hasRequest && ctx.routingError !== undefined) throw ctx.routingError;
    throw new Error(
      "Unable to build URLs outside an active request without 'SERVER_NAME' configured. Also configure " +
        "'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as needed: app.config.SERVER_NAME = \"example.com\".",
    );
  }
  // Refused rather than ignored: a scheme on a path would silently drop, e.g., https.
  if (_scheme !== undefined && !external) {
    throw new TypeError(
      `urlFor("${endpoint}"): '_scheme' ("${_scheme}") needs an absolute URL, but '_external' is false. ` +
        "Drop '_external: false' or '_scheme'.",
    );
  }
  app.injectUrlDefaults(endpoint, rest);
  try {
    return adapter.build(endpoint, rest, { method: _method, forceExternal: external, urlScheme: _scheme, anchor: _anchor });
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    // Handlers see the special keys too, as in Flask, to build the URL their own way. A
    // copy: the error may hold `rest` itself, and its message lists the values.
    return app.handleUrlBuildError(error, endpoint, { ...rest, _anchor, _method, _scheme, _external: external });
  }
}

/**
 * The blueprint part of the matched endpoint (`"admin"` for `"admin.users"`), Flask's
 * `request.blueprint`. Flask matches when the context is pushed; contexts built with
 * `testRequestContext` are not matched yet, so match here on first need.
 */
function currentBlueprint(ctx: AppContext, app: Flagon): string | undefined {
  let route = ctx.route;
  if (route === undefined && ctx.routingError === undefined && ctx.urlAdapter !== null) route = app.matchRequest(ctx);
  if (route?.status !== 200) return undefined;
  const endpoint = String(route.rule.endpoint);
  const dot = endpoint.lastIndexOf(".");
  return dot < 0 ? undefined : endpoint.slice(0, dot);
}

/**
 * A redirect response to `location`: 302 by default; 301/308 for permanent moves,
 * 303 after a POST, 307 to repeat the method.
 *
 * @example
 * return redirect(urlFor("login"));        // 302, Location: /login
 * return redirect("https://example.com", 301);
 */
export function redirect(location: string, code = 302): Response {
  return werkRedirect(location, code);
}

/**
 * Stop the request with an HTTP error: `abort(404)` throws `NotFound`,
 * `abort(403, "Not yours")` a `Forbidden` with that description, `abort(response)` sends
 * that response as it is. An unknown code throws a `RangeError`.
 */
export function abort(status: number | Response, description?: string): never {
  return werkAbort(status, description);
}

/**
 * Turn a view-style return value into a `Response`, to change it before returning it.
 * No arguments give an empty 200; several are read as a tuple: `makeResponse(body, 404)`,
 * `makeResponse(body, 201, { Location: "/x" })`.
 *
 * @example
 * const response = makeResponse("created", 201);
 * response.headers.set("X-Id", "7");
 * return response;
 */
export function makeResponse(...args: unknown[]): Response {
  const app = appContextOrThrow().app as unknown as Flagon;
  return app.makeResponse(args.length === 0 ? "" : args.length === 1 ? args[0] : args);
}

/**
 * A JSON response (`application/json`): one argument is serialised as it is, several as
 * an array, none as `null`. Pretty-printed (two-space indent) when the current app is in
 * debug mode. Return `[jsonify(value), 201]` for another status.
 *
 * @example
 * jsonify({ ok: true });   // {"ok":true}
 * jsonify(1, 2, 3);        // [1,2,3]
 */
export function jsonify(...args: unknown[]): Response {
  const app = currentContext()?.app as unknown as Flagon | undefined;
  const value = args.length === 0 ? null : args.length === 1 ? args[0] : args;
  return jsonResponse(value, undefined, app?.debug === true);
}

/**
 * Send a file as the response to the current request, with conditional (304) and range
 * (206) answers. A relative path is relative to the app's `rootPath`; `maxAge` defaults
 * to `SEND_FILE_MAX_AGE_DEFAULT`. Never pass a path from the client: use
 * `sendFromDirectory`.
 *
 * @example
 * app.get("/report", () => sendFile("reports/2024.pdf", { asAttachment: true }));
 */
export function sendFile(source: SendFileSource, opts: SendFileOptions = {}): Promise<Response> {
  const ctx = requestContextOrThrow();
  return werkSendFile(source, ctx.request as Request, fileOptions(ctx.app as unknown as Flagon, opts));
}

/**
 * Send `path` (which may come from the client) from inside `directory` (relative to the
 * app's `rootPath`): a path escaping the directory, or not naming a file, is a 404.
 *
 * @example
 * app.get("/uploads/<path:name>", ({ name }) => sendFromDirectory("uploads", name));
 */
export function sendFromDirectory(directory: string, path: string, opts: SendFileOptions = {}): Promise<Response> {
  const ctx = requestContextOrThrow();
  return werkSendFromDirectory(directory, path, ctx.request as Request, fileOptions(ctx.app as unknown as Flagon, opts));
}

function fileOptions(app: Flagon, opts: SendFileOptions): SendFileOptions {
  return { root: app.rootPath, maxAge: app.config.SEND_FILE_MAX_AGE_DEFAULT, ...opts };
}
