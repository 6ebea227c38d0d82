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
} from "@flagon/werk";
import type { Flagon } from "./app.js";
import { appContextOrThrow, currentContext, requestContextOrThrow } from "./ctx.js";
import { jsonResponse } from "./responses.js";

/** Special `urlFor` keys, Flask's underscore arguments. */
export interface UrlForOptions {
  /** An absolute URL (scheme and host). */
  _external?: boolean;
  /** A fragment: `#anchor`. */
  _anchor?: string;
  /** Build with the rule for this method. */
  _method?: string;
  /** The scheme of an external URL (implies `_external`). */
  _scheme?: string;
}

/**
 * Build a URL for an endpoint: values fill the rule's placeholders, the rest go to the
 * query string. `".view"` is relative to the current blueprint.
 *
 * @example
 * urlFor("show_post", { id: 3 });                 // "/post/3"
 * urlFor("index", { page: 2, _external: true });  // "http://localhost/?page=2"
 */
export function urlFor(endpoint: string, values: Record<string, unknown> & UrlForOptions = {}): string {
  const ctx = appContextOrThrow();
  const app = ctx.app as unknown as Flagon;
  const { _external, _anchor, _method, _scheme, ...rest } = values;
  let external = _external;
  const adapter = ctx.urlAdapter;
  if (adapter === null) {
    throw new Error(
      "Unable to build URLs outside an active request without 'SERVER_NAME' configured. Also configure " +
        "'APPLICATION_ROOT' and 'PREFERRED_URL_SCHEME' as needed.",
    );
  }
  if (ctx.hasRequest && endpoint.startsWith(".")) {
    const route = ctx.route;
    const current = route?.status === 200 ? String(route.rule.endpoint) : "";
    const dot = current.lastIndexOf(".");
    endpoint = dot >= 0 ? current.slice(0, dot) + endpoint : endpoint.slice(1);
  }
  // Outside a request, URLs are always external (there is no current host to be relative to).
  if (!ctx.hasRequest) external ??= true;
  if (_scheme !== undefined && !external) {
    throw new Error("When specifying '_scheme', '_external' must be true.");
  }
  app.injectUrlDefaults(endpoint, rest);
  try {
    return adapter.build(endpoint, rest, {
      method: _method,
      forceExternal: external,
      urlScheme: _scheme,
      anchor: _anchor,
    });
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    return app.handleUrlBuildError(error, endpoint, rest);
  }
}

/** A redirect response (302 by default) to `location`. */
export function redirect(location: string, code = 302): Response {
  return werkRedirect(location, code);
}

/** Stop the request with an HTTP error: `abort(404)`, `abort(403, "Not yours")`, `abort(response)`. */
export function abort(status: number | Response, description?: string): never {
  return werkAbort(status, description);
}

/**
 * Turn a view-style return value into a `Response` to change it before returning:
 * `const r = makeResponse(["hi", 201]); r.headers.set("X", "1")`.
 */
export function makeResponse(...args: unknown[]): Response {
  const rv = args.length === 0 ? "" : args.length === 1 ? args[0] : args;
  const ctx = currentContext();
  const app = ctx?.app as unknown as Flagon | undefined;
  if (app === undefined) throw new Error("Working outside of application context: makeResponse needs an app.");
  return app.makeResponse(rv);
}

/**
 * A JSON response: one argument is serialised as it is, several as an array, keyword
 * style objects as an object. Pretty-printed in debug mode.
 *
 * @example
 * jsonify({ ok: true });   // {"ok":true}, application/json
 * jsonify(1, 2, 3);        // [1,2,3]
 */
export function jsonify(...args: unknown[]): Response {
  const ctx = currentContext();
  const pretty = Boolean((ctx?.app as unknown as Flagon | undefined)?.debug);
  return jsonResponse(args.length === 1 ? args[0] : args, undefined, pretty);
}

/** Send a file (path or stream) as the response, for the current request. */
export function sendFile(pathOrReadable: Parameters<typeof werkSendFile>[0], opts: SendFileOptions = {}): Promise<Response> {
  const ctx = requestContextOrThrow();
  const app = ctx.app as unknown as Flagon;
  return werkSendFile(pathOrReadable, ctx.request as Request, { maxAge: app.config.SEND_FILE_MAX_AGE_DEFAULT ?? undefined, ...opts });
}

/** Send a file from a directory, safely (404 on `..` escapes or missing files). */
export function sendFromDirectory(directory: string, path: string, opts: SendFileOptions = {}): Promise<Response> {
  const ctx = requestContextOrThrow();
  const app = ctx.app as unknown as Flagon;
  return werkSendFromDirectory(directory, path, ctx.request as Request, { maxAge: app.config.SEND_FILE_MAX_AGE_DEFAULT ?? undefined, ...opts });
}
