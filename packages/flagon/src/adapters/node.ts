/**
 * The Node adapter: Flagon's WSGI callable. Wraps Node's request in a werk `Request`,
 * runs the app in a request context, writes the `Response`, then tears down.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { InternalServerError, type Response } from "@flagon/werk";
import type { Flagon } from "../app.js";
import { AppContext } from "../ctx.js";
import { debugErrorResponse } from "../debug.js";
import type { Request } from "../wrappers.js";

/** A Node request listener, usable with `http.createServer`, `https` or Express. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Build the request for a Node request, with the app's limits (and a mount prefix, if any). */
export function requestFor(app: Flagon, req: IncomingMessage, scriptRoot?: string): Request {
  const config = app.config;
  return new app.requestClass(req, {
    maxContentLength: config.MAX_CONTENT_LENGTH,
    maxFormMemorySize: config.MAX_FORM_MEMORY_SIZE,
    maxFormParts: config.MAX_FORM_PARTS,
    trustedHosts: config.TRUSTED_HOSTS,
    scriptRoot,
  });
}

/** What running one request gave: the response, and the error that escaped every handler, if any. */
export interface Outcome {
  response: Response;
  error: unknown;
  escaped: boolean;
}

/**
 * Run a request context through the app: the response, plus an error that escaped every
 * handler (PROPAGATE_EXCEPTIONS, or a failing 500 handler) — already answered with a 500,
 * the debug page in debug mode — reported to the caller.
 */
export async function respond(app: Flagon, ctx: AppContext): Promise<Outcome> {
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

/** Options of `createListener`. */
export interface ListenerOptions {
  /**
   * Reject the listener's promise with an error that escaped every handler, or one thrown
   * by a teardown function, when TESTING or PROPAGATE_EXCEPTIONS is on — after the 500
   * has been written. For the test client only: a server would crash on the rejection.
   */
  propagate?: boolean;
}

/**
 * A Node request listener for the app. `app.listener` never rejects: errors are logged
 * and answered with a 500 (the debug page in debug mode). The test client's listener
 * (`propagate`) hands escaped errors to the test instead, as Flask's test client does.
 */
export function createListener(app: Flagon, opts: ListenerOptions = {}): NodeListener {
  const propagate = opts.propagate === true;
  return async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = requestFor(app, req);
    const ctx = new AppContext(app, { request });
    const failure = await ctx.enter(handle, app, ctx, request, res, propagate);
    if (failure !== undefined) throw failure;
  };
}

// One request from context to teardown; resolves to the error to reject with, if any.
async function handle(app: Flagon, ctx: AppContext, request: Request, res: ServerResponse, propagate: boolean): Promise<unknown> {
  const outcome = await respond(app, ctx);
  const rethrow = propagate && (app.testing || app.config.PROPAGATE_EXCEPTIONS === true);
  let failure: unknown = rethrow && outcome.escaped ? outcome.error : undefined;
  try {
    await outcome.response.writeTo(res, request);
  } catch (writeError) {
    app.logger.error(`Error while sending the response to ${request.path} [${request.method}]`, writeError);
    if (rethrow) failure ??= writeError;
    // A streamed body that failed before its first chunk left nothing sent: answer 500
    // rather than leave the client waiting.
    if (!res.headersSent) {
      const fallback = app.debug ? debugErrorResponse(writeError) : new InternalServerError().getResponse();
      await fallback.writeTo(res, request).catch(() => res.destroy());
    }
  }
  try {
    await ctx.teardown(outcome.error);
  } catch (teardownError) {
    app.logger.error("Error in a teardown function", teardownError);
    if (rethrow) failure ??= teardownError;
  }
  await request.close();
  return failure;
}
