/**
 * The test client's transport: run a Node request listener in-process on a mock
 * request/response pair (light-my-request's `inject`), then collect the finished response.
 * Werkzeug's `run_wsgi_app`, for `node:http` listeners.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import inject from "light-my-request";
import { Headers } from "../http/headers.js";
import type { NodeListener } from "../serving.js";
import { parseSetCookie, type CookieJar } from "./cookie-jar.js";
import type { RequestTarget } from "./encode.js";
import { TestResponse, type SentRequest } from "./response.js";

const USER_AGENT = "werk-test-client";

/** One request, ready to send and to resend for a redirect. */
export interface PreparedRequest {
  method: string;
  target: RequestTarget;
  headers: Headers;
  body: Buffer | undefined;
  remoteAddr: string;
}

/** The host name of a `Host` value, lower-case and without its port. */
export function hostname(host: string): string {
  return host.replace(/:\d*$/, "").toLowerCase();
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/**
 * Send `request` to `listener`, with the jar's cookies, and store the cookies it sets.
 * Resolves when the response has ended and the listener's promise (if any) has settled;
 * rejects with the listener's own error when it throws or rejects.
 */
export async function sendRequest(listener: NodeListener, request: PreparedRequest, jar: CookieJar | null): Promise<TestResponse> {
  const { method, target, body, remoteAddr } = request;
  const headers = new Headers();
  if (!request.headers.has("host")) headers.add("Host", target.host);
  headers.extend(request.headers);
  if (!headers.has("user-agent")) headers.add("User-Agent", USER_AGENT);
  if (body !== undefined && !headers.has("content-length")) headers.set("Content-Length", body.length);
  const host = hostname(headers.get("host", target.host));
  if (jar !== null) {
    const cookies = jar.headerFor(host, target.path);
    if (cookies) {
      const own = headers.get("cookie");
      headers.set("Cookie", own ? `${own}; ${cookies}` : cookies);
    }
  }

  const requestTarget = target.path + (target.query ? `?${target.query}` : "");
  const sent: SentRequest = {
    method,
    url: `${target.scheme}://${headers.get("host", target.host)}${requestTarget}`,
    scheme: target.scheme,
    host: headers.get("host", target.host),
    path: target.path,
    queryString: target.query,
    headers,
    body,
    remoteAddr,
  };

  let settleListener!: (error?: unknown) => void;
  const listenerDone = new Promise<void>((resolve, reject) => {
    settleListener = (error) => (error === undefined ? resolve() : reject(error));
  });
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    // light-my-request normalises the URL (dot segments, escapes); a test may mean the raw target.
    req.url = requestTarget;
    // ...and lower-cases header names; a real server keeps the client's spelling here.
    req.rawHeaders = headers.toList().flat();
    // What Node's TLS server gives: `req.socket.encrypted`, so scheme detection sees https.
    if (target.scheme === "https") (req.socket as { encrypted?: boolean }).encrypted = true;
    let result: unknown;
    try {
      result = listener(req, res);
    } catch (error) {
      settleListener(error ?? new Error("The listener threw a nullish value."));
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        () => settleListener(),
        (error: unknown) => settleListener(error ?? new Error("The listener rejected with a nullish value.")),
      );
    } else {
      settleListener();
    }
  };

  // Repeated request headers are joined as Node's HTTP parser joins them, not left to
  // the injection library (whose joining differs between versions).
  const headerObject: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers.toObject())) {
    if (value === undefined) continue;
    headerObject[name] = Array.isArray(value) ? value.join(name === "cookie" ? "; " : ", ") : String(value);
  }
  const injected = inject(dispatch, {
    method: method as NonNullable<inject.InjectOptions["method"]>,
    url: `${target.scheme}://${target.host}${requestTarget}`,
    headers: headerObject,
    payload: body,
    remoteAddress: remoteAddr,
  });
  let raw: inject.Response;
  try {
    [raw] = await Promise.all([injected, listenerDone]);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "LIGHT_ECONNRESET") {
      throw new Error(`The listener destroyed the response to ${method} ${sent.url} before ending it.`, { cause: error });
    }
    throw error;
  }

  // getRawHeaderNames (Node 15.13+, missing from @types/node 20) keeps the listener's spelling.
  const res = raw.raw.res as ServerResponse & { getRawHeaderNames(): string[] };
  const responseHeaders = new Headers();
  for (const name of res.getRawHeaderNames()) {
    const value = res.getHeader(name);
    if (Array.isArray(value)) for (const v of value) responseHeaders.add(name, v);
    else if (value !== undefined) responseHeaders.add(name, value);
  }
  const response = new TestResponse({
    statusCode: raw.statusCode,
    statusMessage: raw.statusMessage,
    headers: responseHeaders,
    data: raw.rawPayload,
    request: sent,
  });
  if (jar !== null) {
    for (const header of responseHeaders.getAll("set-cookie")) {
      const cookie = parseSetCookie(header, host, target.path);
      if (cookie !== undefined) jar.store(cookie);
    }
  }
  return response;
}
