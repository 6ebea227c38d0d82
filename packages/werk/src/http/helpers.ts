/**
 * Response helpers for views: `redirect` and `abort` (Werkzeug's `utils.redirect` and
 * `exceptions.abort` / `Aborter`).
 */
import { escapeHtml } from "../utils.js";
import { DEFAULT_EXCEPTIONS, HTTPException, type HTTPExceptionClass } from "./exceptions.js";
import { Response } from "./response.js";
import { iriToUri } from "./urls.js";

/**
 * A response that sends the client to `location`, with a small HTML page linking there
 * for clients that do not follow redirects. Non-ASCII locations are encoded for the
 * header (`iriToUri`); the page escapes the location, so it cannot inject markup.
 *
 * `code` defaults to 302, as in Flask. Use 303 after a form POST, 307/308 to keep the
 * method and body, 301/308 for permanent moves.
 *
 * @example
 * return redirect("/login");             // 302 Found, Location: /login
 * return redirect("/posts/7", 303);
 */
export function redirect(location: string, code = 302): Response {
  const html = escapeHtml(location);
  const response = new Response(
    "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n" +
      `<p>You should be redirected automatically to the target URL: <a href="${html}">${html}</a>. ` +
      "If not, click the link.\n",
    { status: code, mimetype: "text/html" },
  );
  response.headers.set("Location", iriToUri(location));
  return response;
}

/**
 * Raises HTTP exceptions by status code, from a table that can be changed or extended
 * (Werkzeug's `Aborter`; Flask keeps one per app as `app.aborter`).
 *
 * @example
 * const aborter = new Aborter(undefined, { 499: ClientClosedRequest });
 * aborter.abort(499);
 */
export class Aborter {
  /** Status code -> exception class. */
  readonly mapping: Record<number, HTTPExceptionClass>;

  constructor(mapping?: Readonly<Record<number, HTTPExceptionClass>> | null, extra?: Readonly<Record<number, HTTPExceptionClass>> | null) {
    this.mapping = { ...(mapping ?? DEFAULT_EXCEPTIONS), ...(extra ?? {}) };
  }

  /**
   * Throw the exception for `status` (with `description` instead of the default one), or
   * throw an `HTTPException` carrying `status` when it is a `Response`. A code without an
   * exception class is a programming error: a `RangeError` (Werkzeug's `LookupError`).
   */
  abort(status: number | Response, description?: string): never {
    if (status instanceof Response) throw new HTTPException(undefined, { response: status, code: status.statusCode });
    const cls = Object.hasOwn(this.mapping, status) ? this.mapping[status] : undefined;
    if (cls === undefined) {
      throw new RangeError(`No HTTP exception for status ${status}: abort() knows ${Object.keys(this.mapping).join(", ")}.`);
    }
    // Construct without arguments: subclasses differ in their first parameter
    // (MethodNotAllowed takes the valid methods), the description is common to all.
    const error = new cls();
    if (description !== undefined) {
      error.description = description;
      error.message = description;
    }
    throw error;
  }
}

const defaultAborter = new Aborter();

/**
 * Stop handling the request with an HTTP error: `abort(404)` throws `NotFound`,
 * `abort(403, "Only the author may edit this post.")` a `Forbidden` with that
 * description, `abort(response)` an `HTTPException` whose `getResponse()` is `response`.
 *
 * @example
 * if (post === undefined) abort(404);
 */
export function abort(status: number | Response, description?: string): never {
  return defaultAborter.abort(status, description);
}
