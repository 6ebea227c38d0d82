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
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void> | undefined;

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
 * the debug page in debug mode — reported to the caller. Synchronous when the app
 * answered without a promise.
 */
export function respond(app: Flagon, ctx: AppContext): Outcome | Promise<Outcome> {
  let response: Response | Promise<Response>;
  try {
    response = app.fullDispatchRequest(ctx);
  } catch (error) {
    return handleError(app, ctx, error);
  }
  if (!isThenable(response)) return { response, error: undefined, escaped: false };
  return response.then(
    (answered): Outcome => ({ response: answered, error: undefined, escaped: false }),
    (error: unknown) => handleError(app, ctx, error),
  );
}

async function handleError(app: Flagon, ctx: AppContext, error: unknown): Promise<Outcome> {
  try {
    return { response: await app.handleException(ctx, error), error, escaped: false };
  } catch (escapedError) {
    app.logException(ctx, escapedError);
    const response = app.debug ? debugErrorResponse(escapedError) : new InternalServerError().getResponse();
    return { response, error: escapedError, escaped: true };
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && typeof value === "object" && typeof (value as PromiseLike<unknown>).then === "function";

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
  return function listener(req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
    const request = requestFor(app, req);
    const ctx = new AppContext(app, { request });
    const failure = ctx.enter(handle, app, ctx, request, res, propagate);
    if (failure instanceof Pending) return failure.promise;
    if (failure !== undefined) return Promise.reject(failure);
    return undefined;
  };
}

// The rest of a request that went asynchronous: one promise, rejected with the failure.
class Pending {
  constructor(readonly promise: Promise<void>) {}
}

/**
 * One request from context to teardown: the error to reject with, if any. Synchronous
 * from start to end when nothing on the way returns a promise.
 */
function handle(app: Flagon, ctx: AppContext, request: Request, res: ServerResponse, propagate: boolean): unknown {
  let response: Response | Promise<Response>;
  try {
    response = app.fullDispatchRequest(ctx);
  } catch (error) {
    return new Pending(handleAsync(app, ctx, request, res, propagate, undefined, error));
  }
  if (isThenable(response)) return new Pending(handleAsync(app, ctx, request, res, propagate, response, undefined));
  const failure = send(app, ctx, request, res, propagate, { response, error: undefined, escaped: false });
  return isThenable(failure) ? new Pending(Promise.resolve(failure).then(rejectWith)) : failure;
}

function rejectWith(failure: unknown): void {
  if (failure !== undefined) throw failure;
}

// A dispatch that returned a promise, or an error being handled: awaited in one function
// rather than through a chain of then() calls (each a promise hooked by AsyncLocalStorage).
async function handleAsync(
  app: Flagon,
  ctx: AppContext,
  request: Request,
  res: ServerResponse,
  propagate: boolean,
  pending: Promise<Response> | undefined,
  thrown: unknown,
): Promise<void> {
  let outcome: Outcome;
  if (pending === undefined) {
    outcome = await handleError(app, ctx, thrown);
  } else {
    try {
      outcome = { response: await pending, error: undefined, escaped: false };
    } catch (error) {
      outcome = await handleError(app, ctx, error);
    }
  }
  let failure = send(app, ctx, request, res, propagate, outcome);
  if (isThenable(failure)) failure = await failure;
  if (failure !== undefined) throw failure;
}

function send(app: Flagon, ctx: AppContext, request: Request, res: ServerResponse, propagate: boolean, outcome: Outcome): unknown {
  const rethrow = propagate && (app.testing || app.config.PROPAGATE_EXCEPTIONS === true);
  let written: boolean;
  try {
    written = outcome.response.writeSync(res, request);
  } catch (writeError) {
    return sendAsync(app, ctx, request, res, rethrow, outcome, writeError);
  }
  if (!written) return sendAsync(app, ctx, request, res, rethrow, outcome, undefined);
  let failure: unknown = rethrow && outcome.escaped ? outcome.error : undefined;
  let torn: Promise<void> | void = undefined;
  try {
    torn = ctx.teardown(outcome.error);
  } catch (teardownError) {
    app.logger.error("Error in a teardown function", teardownError);
    if (rethrow) failure ??= teardownError;
  }
  if (torn !== undefined || request.needsClose) return finishAsync(app, request, rethrow, failure, torn);
  return failure;
}

async function finishAsync(app: Flagon, request: Request, rethrow: boolean, failure: unknown, torn: Promise<void> | void): Promise<unknown> {
  try {
    await torn;
  } catch (teardownError) {
    app.logger.error("Error in a teardown function", teardownError);
    if (rethrow) failure ??= teardownError;
  }
  await request.close();
  return failure;
}

// Streams, close callbacks and write errors: the general path.
async function sendAsync(
  app: Flagon,
  ctx: AppContext,
  request: Request,
  res: ServerResponse,
  rethrow: boolean,
  outcome: Outcome,
  earlyError: unknown,
): Promise<unknown> {
  let failure: unknown = rethrow && outcome.escaped ? outcome.error : undefined;
  try {
    if (earlyError !== undefined) throw earlyError;
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
