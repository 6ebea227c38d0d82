/**
 * Testing helpers: the app's test client (werk's, driving the app's listener in process)
 * and `testRequestContext`, which builds a request without any server.
 */
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { Response, TestClient, encodeMultipart, type TestClientOptions, type TestFile, type TestRequestOptions } from "@flagon/werk";
import type { Flagon } from "./app.js";
import { createListener, requestFor, type NodeListener } from "./adapters/node.js";
import { AppContext } from "./ctx.js";
import type { AnySessionInterface, SessionMixin } from "./sessions.js";

/** Options of `app.testRequestContext(path, opts)`. */
export interface TestRequestContextOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Query arguments appended to the path. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** A raw body (string or bytes); with `contentType`. */
  data?: string | Buffer;
  contentType?: string;
  /** A JSON body. */
  json?: unknown;
  /** A form body: urlencoded, or multipart when a value is a file. */
  form?: Record<string, string | TestFile>;
  /**
   * Scheme, host and mount prefix, e.g. "https://example.com/app". Default: built from
   * PREFERRED_URL_SCHEME, SERVER_NAME (else "localhost") and APPLICATION_ROOT, as Flask's.
   */
  baseUrl?: string;
  /** A subdomain put in front of the default host (`subdomain: "api"` gives api.localhost). */
  subdomain?: string;
  /** The scheme of the default base URL, instead of PREFERRED_URL_SCHEME. */
  urlScheme?: string;
}

/** Flask's default base URL for test requests: scheme, SERVER_NAME or localhost, APPLICATION_ROOT. */
function defaultBaseUrl(app: Flagon, opts: { subdomain?: string; urlScheme?: string } = {}): string {
  const config = app.config;
  let host = config.SERVER_NAME || "localhost";
  if (opts.subdomain) host = `${opts.subdomain}.${host}`;
  const root = (config.APPLICATION_ROOT || "/").replace(/^\/+/, "");
  return `${opts.urlScheme ?? config.PREFERRED_URL_SCHEME ?? "http"}://${host}/${root}`;
}

/** A werk request built in memory, as the app would receive it. */
export function buildTestRequest(app: Flagon, path = "/", opts: TestRequestContextOptions = {}): ReturnType<typeof requestFor> {
  const base = new URL(opts.baseUrl ?? defaultBaseUrl(app, opts));
  // The base URL's path is where the app is mounted (WSGI's SCRIPT_NAME); `path` is below it.
  const scriptRoot = base.pathname.replace(/\/+$/, "");
  const target = new URL(path, "http://placeholder");
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) ? new URL(path) : new URL(scriptRoot + target.pathname + target.search, base);
  for (const [key, value] of Object.entries(opts.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
  }
  let body: Buffer | undefined;
  const headers: Record<string, string> = { host: url.host };
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    headers["content-type"] = "application/json";
  } else if (opts.form !== undefined) {
    const pairs = Object.entries(opts.form);
    if (pairs.some(([, v]) => typeof v === "object")) {
      const encoded = encodeMultipart(pairs);
      body = encoded.body;
      headers["content-type"] = encoded.contentType;
    } else {
      body = Buffer.from(new URLSearchParams(pairs as Array<[string, string]>).toString());
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
  } else if (opts.data !== undefined) {
    body = Buffer.from(opts.data);
    if (opts.contentType) headers["content-type"] = opts.contentType;
  }
  if (body !== undefined) headers["content-length"] = String(body.length);
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;

  const socket = new Socket();
  if (url.protocol === "https:") Object.defineProperty(socket, "encrypted", { value: true });
  Object.defineProperty(socket, "remoteAddress", { value: "127.0.0.1" });
  const req = new IncomingMessage(socket);
  req.method = (opts.method ?? "GET").toUpperCase();
  req.url = url.pathname + url.search;
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flat();
  if (body !== undefined && body.length) req.push(body);
  req.push(null);
  return requestFor(app, req, url.href.startsWith(base.origin) ? scriptRoot : undefined);
}

/** A request context for a request built in memory (Flask's `test_request_context`). */
export function testRequestContext(app: Flagon, path = "/", opts: TestRequestContextOptions = {}): AppContext {
  return new AppContext(app, { request: buildTestRequest(app, path, opts) });
}

/** Options of `client.sessionTransaction`: the request the session is opened for. */
export interface SessionTransactionOptions extends TestRequestOptions {
  /** The path of that request (cookies are those the client would send there). Default "/". */
  path?: string;
}

// Marks the client's own transaction requests, which its listener answers itself.
const TRANSACTION_HEADER = "x-flagon-session-transaction";

/**
 * The app's test client (Flask's `FlaskClient`): werk's `TestClient` driving the app's
 * listener, plus `sessionTransaction` to read and change the session between requests.
 */
export class FlagonClient extends TestClient {
  /** The application under test. */
  readonly app: Flagon;
  readonly #usesCookies: boolean;
  readonly #transactions = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();

  constructor(app: Flagon, opts: TestClientOptions = {}) {
    const appListener = createListener(app, { propagate: true });
    const transactions = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();
    const listener: NodeListener = (req, res) => {
      const id = req.headers[TRANSACTION_HEADER];
      const transaction = typeof id === "string" ? transactions.get(id) : undefined;
      return transaction === undefined ? appListener(req, res) : transaction(req, res);
    };
    super(listener, opts);
    this.app = app;
    this.#usesCookies = opts.useCookies !== false;
    this.#transactions = transactions;
  }

  /**
   * Open the session the client's cookies carry, let `fn` read or change it, and store
   * the result back in the client's cookies, through the app's session interface (so
   * it works with cookie and server-side sessions). Resolves to what `fn` returns; if
   * `fn` throws, nothing is saved.
   *
   * @example
   * await client.sessionTransaction((sess) => { sess.userId = 7; });
   * await client.get("/dashboard"); // as user 7
   */
  async sessionTransaction<T>(fn: (session: SessionMixin) => T | Promise<T>, opts: SessionTransactionOptions = {}): Promise<T> {
    if (!this.#usesCookies) {
      throw new TypeError("Cookies are disabled. Create the client with { useCookies: true } to use sessionTransaction.");
    }
    const { path = "/", ...requestOptions } = opts;
    const id = randomUUID();
    let result: T | undefined;
    // The transaction travels as a request so that the cookie jar picks the cookies to
    // send and stores the Set-Cookie headers, exactly as for the app's own responses.
    this.#transactions.set(id, async (req, res) => {
      result = await runTransaction(this.app, req, res, fn);
    });
    try {
      await this.open(path, { ...requestOptions, headers: { ...requestOptions.headers, [TRANSACTION_HEADER]: id } });
    } finally {
      this.#transactions.delete(id);
    }
    return result as T;
  }
}

async function runTransaction<T>(app: Flagon, req: IncomingMessage, res: ServerResponse, fn: (session: SessionMixin) => T | Promise<T>): Promise<T> {
  const request = requestFor(app, req);
  const ctx = new AppContext(app, { request });
  const iface = app.sessionInterface as AnySessionInterface<Flagon>;
  const session = await ctx.enter(() => iface.openSession(app, request));
  if (session === null || iface.isNullSession(session)) {
    throw new Error("Session backend did not open a session: set app.config.SECRET_KEY (or check the session interface).");
  }
  // Outside the transaction's context: `request` in `fn` is still the test's own.
  const result = await fn(session);
  const response = new Response("");
  if (!iface.isNullSession(session)) await ctx.enter(() => iface.saveSession(app, session, response));
  if (response.statusCode !== 200) {
    throw new Error(`Saving the session failed: the session interface answered ${response.status}.`);
  }
  await response.writeTo(res, request);
  return result;
}

/**
 * The app's test client: werk's client driving the app's listener in process, with
 * `sessionTransaction`. Its base URL defaults to PREFERRED_URL_SCHEME and SERVER_NAME
 * (else localhost). Unlike `app.listener`, its listener rejects with an error that
 * escaped every handler when TESTING or PROPAGATE_EXCEPTIONS is on, so the test sees the
 * original error.
 */
export function testClient(app: Flagon, opts: TestClientOptions = {}): FlagonClient {
  const config = app.config;
  const baseUrl = opts.baseUrl ?? `${config.PREFERRED_URL_SCHEME || "http"}://${config.SERVER_NAME || "localhost"}`;
  return new FlagonClient(app, { ...opts, baseUrl });
}
