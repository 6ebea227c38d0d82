/**
 * The Node adapter: Flagon's WSGI callable. Wraps Node's request in a werk `Request`,
 * runs the app in a request context, writes the `Response`, then tears down.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { InternalServerError, Request, Response } from "@flagon/werk";
import type { Flagon } from "../app.js";
import { AppContext } from "../ctx.js";
import { debugErrorResponse } from "../debug.js";

/** A Node request listener, usable with `http.createServer`, `https` or Express. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Build the werk Request for a Node request, with the app's limits. */
export function requestFor(app: Flagon, req: IncomingMessage): Request {
  const config = app.config;
  return new Request(req, {
    maxContentLength: config.MAX_CONTENT_LENGTH,
    maxFormMemorySize: config.MAX_FORM_MEMORY_SIZE,
    maxFormParts: config.MAX_FORM_PARTS,
    trustedHosts: config.TRUSTED_HOSTS,
  });
}

/**
 * Run a request context through the app: the response, plus an error that escaped every
 * handler (PROPAGATE_EXCEPTIONS) — already answered with a 500, reported to the caller.
 */
export async function respond(app: Flagon, ctx: AppContext): Promise<{ response: Response; error: unknown; escaped: boolean }> {
  let error: unknown = undefined;
  try {
    try {
      return { response: await app.fullDispatchRequest(ctx), error, escaped: false };
    } catch (err) {
      error = err;
      return { response: await app.handleException(ctx, err), error, escaped: false };
    }
  } catch (escapedError) {
    app.logException(ctx, escapedError);
    const response = app.debug ? debugErrorResponse(escapedError) : new InternalServerError().getResponse();
    return { response, error: escapedError, escaped: true };
  }
}

/**
 * The listener for `app.listener`. It never rejects in production: errors are logged and
 * answered with a 500. With TESTING on, an error that escaped every handler rejects the
 * listener's promise after the 500 is written, so the test client sees it.
 */
export function createListener(app: Flagon): NodeListener {
  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = requestFor(app, req);
    const ctx = new AppContext(app, { request });
    const outcome = await ctx.enter(async () => {
      const result = await respond(app, ctx);
      try {
        await result.response.writeTo(res, request);
      } catch (writeError) {
        app.logger.error(`Error while sending the response to ${request.path} [${request.method}]`, writeError);
      }
      try {
        await ctx.teardown(result.error);
      } catch (teardownError) {
        app.logger.error("Error in a teardown function", teardownError);
      }
      await request.close();
      return result;
    });
    if (outcome.escaped && app.testing) throw outcome.error;
  };
}
