/**
 * The Fetch adapter: serves Fetch-API runtimes (Deno, Bun, workers, anything that hands
 * over a `Request` and wants a `Response`). The Fetch request becomes the Node
 * `IncomingMessage` werk's `Request` wraps, so the app runs exactly as under
 * `app.listener`: same context, same `respond`, same limits; only the transport differs.
 */
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { ReadableStream } from "node:stream/web";
import { InternalServerError, type Request, type Response } from "@flagon/werk";
import type { Flagon } from "../app.js";
import { AppContext } from "../ctx.js";
import { debugErrorResponse } from "../debug.js";
import { requestFor, respond } from "./node.js";

/** Options of `handleFetch`: what the runtime knows and the Fetch `Request` does not. */
export interface FetchOptions {
  /** The client's address (`request.remoteAddr`), e.g. Deno's `info.remoteAddr.hostname`. */
  remoteAddress?: string;
}

type FetchBodyReader = ReadableStreamDefaultReader<Uint8Array>;

/**
 * Build the Node `IncomingMessage` for a Fetch request: method, path and query, headers
 * (a Host from the URL when the runtime gave none), TLS for https URLs, and the body
 * streamed in as it is read. Returns the message and the body's reader (null without a
 * body), which the caller cancels when the request ends.
 */
export function incomingMessageFor(request: globalThis.Request, opts: FetchOptions = {}): [IncomingMessage, FetchBodyReader | null] {
  const url = new URL(request.url);
  const socket = new Socket();
  if (url.protocol === "https:") Object.defineProperty(socket, "encrypted", { value: true });
  if (opts.remoteAddress !== undefined) Object.defineProperty(socket, "remoteAddress", { value: opts.remoteAddress });
  const req = new IncomingMessage(socket);
  req.method = request.method.toUpperCase();
  req.url = url.pathname + url.search;
  req.httpVersion = "1.1";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;

  // Fetch's Headers are lower-case and already joined with ", ", except Set-Cookie,
  // which Node keeps as an array too.
  const headers: IncomingMessage["headers"] = {};
  const rawHeaders: string[] = [];
  for (const [name, value] of request.headers) {
    if (name === "set-cookie") continue;
    headers[name] = value;
    rawHeaders.push(name, value);
  }
  const cookies = request.headers.getSetCookie();
  if (cookies.length > 0) {
    headers["set-cookie"] = cookies;
    for (const cookie of cookies) rawHeaders.push("set-cookie", cookie);
  }
  if (headers.host === undefined) {
    // `new Request(url)` has no Host (a forbidden header); routing and urlFor need one.
    headers.host = url.host;
    rawHeaders.unshift("host", url.host);
  }
  const body = request.body;
  if (body !== null && headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) {
    // A body of unknown length, as HTTP/1.1 would send it: without this werk sees no body.
    headers["transfer-encoding"] = "chunked";
    rawHeaders.push("transfer-encoding", "chunked");
  }
  req.headers = headers;
  req.rawHeaders = rawHeaders;

  if (body === null) {
    req.push(null);
    return [req, null];
  }
  const reader = body.getReader();
  // Node calls `_read` when its buffer has room. IncomingMessage never reads ahead by
  // itself (the HTTP parser pushes into it), so this keeps pulling while `push` says there
  // is room and stops when it says there is not: a large body is read no faster than the
  // app consumes it, and a body the app stops reading (413) is not read further.
  let isPulling = false;
  let isWanted = false;
  const pull = async (): Promise<void> => {
    isPulling = true;
    try {
      while (isWanted && !req.destroyed) {
        isWanted = false;
        let step = await reader.read();
        while (!step.done && step.value.byteLength === 0) step = await reader.read();
        if (step.done) {
          req.complete = true;
          req.push(null);
          return;
        }
        if (req.push(Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength))) isWanted = true;
      }
    } catch (error) {
      // The client's body failed (a disconnect): werk reports ClientDisconnected.
      req.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      isPulling = false;
    }
  };
  req._read = () => {
    isWanted = true;
    if (!isPulling) void pull();
  };
  return [req, reader];
}

/**
 * Serve one Fetch request with the app (`app.fetch`): the Fetch-API twin of
 * `app.listener`. In production it never rejects: errors are logged and answered with a
 * 500 (the debug page with DEBUG on). With TESTING on, an error that escaped every
 * handler rejects, as the listener does.
 *
 * Teardown functions run once the body has been produced: at once for a buffered body;
 * for a streamed one when the consumer has read it to the end or cancelled it (a body
 * never read nor cancelled keeps its request context until then).
 *
 * @example
 * Deno.serve((request) => handleFetch(app, request));
 * export default { fetch: (request: Request) => handleFetch(app, request) }; // Bun, workers
 */
export async function handleFetch(app: Flagon, request: globalThis.Request, opts: FetchOptions = {}): Promise<globalThis.Response> {
  let reader: FetchBodyReader | null = null;
  let outcome: { response: globalThis.Response; error: unknown; escaped: boolean };
  try {
    const [req, bodyReader] = incomingMessageFor(request, opts);
    reader = bodyReader;
    const werkRequest = requestFor(app, req);
    const ctx = new AppContext(app, { request: werkRequest });
    outcome = await ctx.enter(() => serve(app, ctx, werkRequest, bodyReader));
  } catch (error) {
    // Only a fault of this adapter gets here; the app's own errors were answered inside.
    app.logger.error(`Error while serving ${request.method} ${request.url}`, error);
    void reader?.cancel().catch(() => {});
    if (app.testing) throw error;
    return new InternalServerError().getResponse().toFetchResponse(request);
  }
  if (outcome.escaped && app.testing) throw outcome.error;
  return outcome.response;
}

async function serve(
  app: Flagon,
  ctx: AppContext,
  request: Request,
  reader: FetchBodyReader | null,
): Promise<{ response: globalThis.Response; error: unknown; escaped: boolean }> {
  const result = await respond(app, ctx);
  let tornDown = false;
  // Teardown runs in the request's context (teardown functions may read `request` or
  // `g`) even when the consumer's last read, which triggers it, comes from elsewhere.
  const finish = (): Promise<void> =>
    ctx.enter(async () => {
      if (tornDown) return;
      tornDown = true;
      try {
        await ctx.teardown(result.error);
      } catch (teardownError) {
        app.logger.error("Error in a teardown function", teardownError);
      }
      // Whatever of the body the app left unread is released, not read (spec 7: a 413
      // does not read the rest).
      if (reader !== null) await reader.cancel().catch(() => {});
      try {
        await request.close();
      } catch (closeError) {
        app.logger.error("Error while releasing the request's uploaded files", closeError);
      }
    });
  let response: globalThis.Response;
  try {
    response = await toFetch(app, ctx, request, result.response, finish);
  } catch (sendError) {
    // A streamed body that failed before its first chunk: nothing is sent yet, so a 500
    // can still replace it.
    app.logger.error(`Error while sending the response to ${request.path} [${request.method}]`, sendError);
    const fallback = app.debug ? debugErrorResponse(sendError) : new InternalServerError().getResponse();
    response = await toFetch(app, ctx, request, fallback, finish);
  }
  return { response, error: result.error, escaped: result.escaped };
}

// The werk response as a Fetch response; `finish` runs when werk closes the response.
async function toFetch(
  app: Flagon,
  ctx: AppContext,
  request: Request,
  response: Response,
  finish: () => Promise<void>,
): Promise<globalThis.Response> {
  response.callOnClose(finish);
  const isStreamed = response.isStreamed;
  const fetchResponse = await response.toFetchResponse(request);
  if (!isStreamed || fetchResponse.body === null) return fetchResponse;
  const body = inContext(app, ctx, request, fetchResponse.body as unknown as ReadableStream<Uint8Array>);
  return new globalThis.Response(body as unknown as globalThis.ReadableStream<Uint8Array>, {
    status: fetchResponse.status,
    statusText: fetchResponse.statusText,
    headers: fetchResponse.headers,
  });
}

/**
 * A streamed body read inside the request's context, as `app.listener` writes it: the
 * view's generator may use `request`, `session` and `g` while it yields. A failing body
 * is logged (the client only sees a cut-off stream).
 */
function inContext(app: Flagon, ctx: AppContext, request: Request, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        ctx.enter(async () => {
          try {
            const step = await reader.read();
            if (step.done) controller.close();
            else controller.enqueue(step.value);
          } catch (error) {
            app.logger.error(`Error in the streamed body of ${request.path} [${request.method}]`, error);
            controller.error(error);
          }
        }),
      cancel: (reason) => ctx.enter(() => reader.cancel(reason)),
    },
    // The inner stream already holds one chunk ahead; a second buffer would only add latency.
    { highWaterMark: 0 },
  );
}
