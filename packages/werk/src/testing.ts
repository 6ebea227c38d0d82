/**
 * The test client: send requests to a Node request listener in-process, without a socket,
 * keep cookies between them and follow redirects. Werkzeug's `werkzeug.test.Client`,
 * built on light-my-request's `inject`.
 */
import { dumpCookie, type DumpCookieOptions } from "./http/cookies.js";
import { Headers, type HeadersInit } from "./http/headers.js";
import type { NodeListener } from "./serving.js";
import { CookieJar, parseSetCookie, type TestCookie } from "./testing/cookie-jar.js";
import { hostname, sendRequest, type PreparedRequest } from "./testing/transport.js";
import {
  encodeForm,
  encodeMultipart,
  encodeQuery,
  formPairs,
  hasFiles,
  joinQuery,
  parseAbsoluteUrl,
  resolveTarget,
  type EncodedBody,
  type FormFieldValue,
  type FormInit,
  type QueryInit,
  type RequestTarget,
  type TestFile,
} from "./testing/encode.js";
import type { TestResponse } from "./testing/response.js";

export { encodeMultipart, type EncodedBody, type FormFieldValue, type FormInit, type QueryInit, type TestFile };
export { TestResponse, type SentRequest, type TestResponseInit } from "./testing/response.js";
export type { TestCookie } from "./testing/cookie-jar.js";

/** Options of `createTestClient`: defaults for every request the client makes. */
export interface TestClientOptions {
  /** Keep cookies from `Set-Cookie` and send them back. Default true. */
  useCookies?: boolean;
  /** Scheme, host and path prefix of relative paths. Default `http://localhost`. */
  baseUrl?: string;
  /** Headers sent with every request; a request's own headers replace same-named ones. */
  headers?: HeadersInit;
  /** The client address the listener sees on `req.socket.remoteAddress`. Default `127.0.0.1`. */
  remoteAddr?: string;
  /** Follow redirects unless a request says otherwise. Default false. */
  followRedirects?: boolean;
  /** The most redirects one request follows before failing. Default 20, the Fetch standard's limit. */
  maxRedirects?: number;
}

/** Options of one request (`client.get(path, options)`). */
export interface TestRequestOptions {
  /** Query arguments, appended to any query in the path; arrays repeat the key. */
  query?: QueryInit;
  /** Request headers; these replace the client's default headers of the same name. */
  headers?: HeadersInit;
  /**
   * The body: a string or bytes are sent as they are (no content type unless given);
   * fields become an urlencoded form, or multipart when a value is a `TestFile`.
   */
  data?: string | Uint8Array | FormInit<FormFieldValue | TestFile>;
  /** A value sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Form fields, urlencoded (multipart when `files` is given too). */
  form?: FormInit<FormFieldValue>;
  /** Files to upload; makes the body `multipart/form-data` (with `form` fields, if any). */
  files?: Readonly<Record<string, TestFile | readonly TestFile[]>>;
  /** The `Content-Type` to send, replacing the one the body would get. */
  contentType?: string;
  /** HTTP Basic credentials, `[username, password]`. */
  auth?: readonly [string, string];
  /** Follow redirects; `response.history` then holds the responses before the last. */
  followRedirects?: boolean;
  /** Scheme, host and path prefix for this request only. */
  baseUrl?: string;
  /** The client address for this request (Werkzeug's `environ_overrides["REMOTE_ADDR"]`). */
  remoteAddr?: string;
}

/** Options of `client.open`: those of a request plus its method (default `GET`). */
export interface OpenOptions extends TestRequestOptions {
  method?: string;
}

/** Where a cookie lives in the jar. Default: the client's host (`localhost`) and `/`. */
export interface CookieLocation {
  domain?: string;
  path?: string;
}

/** Options of `client.setCookie`: `dumpCookie`'s, plus whether subdomains get it too. */
export interface SetTestCookieOptions extends Omit<DumpCookieOptions, "domain" | "path"> {
  domain?: string;
  path?: string;
  /** Send only to exactly `domain`, not its subdomains. Default true. */
  originOnly?: boolean;
}

/** Thrown when following redirects loops or goes on too long. Werkzeug's `ClientRedirectError`. */
export class ClientRedirectError extends Error {
  override name = "ClientRedirectError";
}

// https://fetch.spec.whatwg.org/#redirect-status plus 305, which Werkzeug's client long followed.
const REDIRECT_CODES = new Set([301, 302, 303, 305, 307, 308]);
// Headers describing a body, dropped with it when a redirect turns the request into GET.
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location", "transfer-encoding"];

function buildBody(opts: TestRequestOptions): Partial<EncodedBody> {
  const { data, json, form, files } = opts;
  if (json !== undefined) {
    if (data !== undefined || form !== undefined || files !== undefined) {
      throw new TypeError("A request takes json or data/form/files, not both: pass the body one way.");
    }
    const text = JSON.stringify(json) as string | undefined;
    if (text === undefined) throw new TypeError(`The json option cannot be serialised: got ${typeof json}.`);
    return { body: Buffer.from(text, "utf8"), contentType: "application/json" };
  }
  if (typeof data === "string" || data instanceof Uint8Array) {
    if (form !== undefined || files !== undefined) {
      throw new TypeError("A raw string or Buffer as data cannot be combined with form or files.");
    }
    return { body: typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data) };
  }
  const pairs: Array<[string, FormFieldValue | TestFile]> = [];
  if (data != null) pairs.push(...formPairs(data));
  if (form !== undefined) pairs.push(...formPairs(form));
  if (files !== undefined) pairs.push(...formPairs<TestFile>(files));
  if (files === undefined && pairs.length === 0) return {};
  if (files !== undefined || hasFiles(pairs)) return encodeMultipart(pairs);
  return encodeForm(pairs as Array<[string, FormFieldValue]>);
}

function parseBaseUrl(baseUrl: string): RequestTarget {
  const base = parseAbsoluteUrl(baseUrl);
  if (base === undefined) {
    throw new TypeError(`baseUrl must be an absolute http(s) URL such as "http://localhost", got ${JSON.stringify(baseUrl)}.`);
  }
  return base;
}

/**
 * Werkzeug's test `Client` for a Node request listener. Create one with `createTestClient`.
 *
 * Each call resolves when the listener has ended the response and, if it returned a
 * promise, when that promise has settled too: work the listener does before `res.end()`
 * or before its promise resolves (teardown hooks) has run. An error the listener throws,
 * or a rejected promise, rejects the call.
 */
export class TestClient {
  /** The listener under test. */
  readonly listener: NodeListener;
  #jar: CookieJar | null;
  #base: RequestTarget;
  #headers: Headers;
  #remoteAddr: string;
  #followRedirects: boolean;
  #maxRedirects: number;

  constructor(listener: NodeListener, options: TestClientOptions = {}) {
    if (typeof listener !== "function") {
      throw new TypeError(`createTestClient needs a request listener (req, res) => ..., got ${typeof listener}.`);
    }
    this.listener = listener;
    this.#jar = options.useCookies === false ? null : new CookieJar();
    this.#base = parseBaseUrl(options.baseUrl ?? "http://localhost");
    this.#headers = new Headers(options.headers);
    this.#remoteAddr = options.remoteAddr ?? "127.0.0.1";
    this.#followRedirects = options.followRedirects ?? false;
    this.#maxRedirects = options.maxRedirects ?? 20;
  }

  /** Send a `GET` request. */
  get(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "GET" });
  }

  /** Send a `POST` request. */
  post(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "POST" });
  }

  /** Send a `PUT` request. */
  put(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "PUT" });
  }

  /** Send a `PATCH` request. */
  patch(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "PATCH" });
  }

  /** Send a `DELETE` request. */
  delete(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "DELETE" });
  }

  /** Send a `HEAD` request; the response has headers and an empty body. */
  head(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "HEAD" });
  }

  /** Send an `OPTIONS` request. */
  options(path?: string, options?: TestRequestOptions): Promise<TestResponse> {
    return this.open(path, { ...options, method: "OPTIONS" });
  }

  /**
   * Send a request with any method. `path` is a path (`/search?q=x`, joined to the base
   * URL) or an absolute URL (`https://api.example.com/x`), which sets scheme and host.
   */
  async open(path = "/", options: OpenOptions = {}): Promise<TestResponse> {
    const base = options.baseUrl !== undefined ? parseBaseUrl(options.baseUrl) : this.#base;
    const target = resolveTarget(path, base);
    if (options.query !== undefined) target.query = joinQuery(target.query, encodeQuery(options.query));

    const headers = this.#headers.copy();
    if (options.headers !== undefined) {
      // Not `update`: that keeps only the last of repeated pairs, and a test may mean repeats.
      const own = new Headers(options.headers);
      for (const name of own.keys()) headers.delete(name);
      headers.extend(own);
    }
    const { body, contentType } = buildBody(options);
    if (options.contentType !== undefined) headers.set("Content-Type", options.contentType);
    else if (contentType !== undefined && !headers.has("content-type")) headers.set("Content-Type", contentType);
    if (options.auth !== undefined) {
      const [username, password] = options.auth;
      headers.set("Authorization", `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`);
    }

    const request: PreparedRequest = {
      method: (options.method ?? "GET").toUpperCase(),
      target,
      headers,
      body,
      remoteAddr: options.remoteAddr ?? this.#remoteAddr,
    };
    const response = await sendRequest(this.listener, request, this.#jar);
    if (!(options.followRedirects ?? this.#followRedirects)) return response;
    return this.#followRedirectsFrom(response, request);
  }

  /**
   * The stored cookie called `name` for `domain` and `path`, or `undefined`. Throws if
   * the client was made with `useCookies: false`.
   */
  getCookie(name: string, location: CookieLocation = {}): TestCookie | undefined {
    return this.#cookieJar("getCookie").get(name, location.domain ?? hostname(this.#base.host), location.path ?? "/");
  }

  /**
   * Put a cookie in the jar as if a response had set it, to skip the request that would.
   * Options are `dumpCookie`'s; a `maxAge` of 0 or a past `expires` removes it instead.
   */
  setCookie(name: string, value = "", options: SetTestCookieOptions = {}): void {
    const jar = this.#cookieJar("setCookie");
    const { originOnly = true, ...dumpOptions } = options;
    const domain = options.domain ?? hostname(this.#base.host);
    const header = dumpCookie(name, value, { ...dumpOptions, domain, path: options.path ?? "/" });
    const cookie = parseSetCookie(header, domain, "/");
    if (cookie !== undefined) jar.store({ ...cookie, originOnly });
  }

  /** Remove a cookie from the jar, if it is there. */
  deleteCookie(name: string, location: CookieLocation = {}): void {
    this.#cookieJar("deleteCookie").delete(name, location.domain ?? hostname(this.#base.host), location.path ?? "/");
  }

  #cookieJar(method: string): CookieJar {
    if (this.#jar === null) {
      throw new TypeError(`Cookies are disabled, so ${method} cannot be used: create the client with { useCookies: true }.`);
    }
    return this.#jar;
  }

  async #followRedirectsFrom(first: TestResponse, firstRequest: PreparedRequest): Promise<TestResponse> {
    const history: TestResponse[] = [];
    const seen = new Set<string>();
    let response = first;
    let request = firstRequest;
    while (REDIRECT_CODES.has(response.statusCode) && response.location !== undefined) {
      const location = new URL(response.location, response.request.url);
      const entry = `${response.statusCode} ${location.href}`;
      if (seen.has(entry)) {
        throw new ClientRedirectError(`Loop detected: a ${response.statusCode} redirect to ${location.href} was already made.`);
      }
      if (history.length >= this.#maxRedirects) {
        throw new ClientRedirectError(
          `Gave up after ${this.#maxRedirects} redirects (the last to ${location.href}); raise maxRedirects if that many are expected.`,
        );
      }
      seen.add(entry);
      response.history = history.slice();
      history.push(response);
      request = this.#redirectRequest(request, response.statusCode, location, response.location);
      response = await sendRequest(this.listener, request, this.#jar);
    }
    response.history = history;
    return response;
  }

  #redirectRequest(previous: PreparedRequest, statusCode: number, location: URL, rawLocation: string): PreparedRequest {
    const scheme = location.protocol.slice(0, -1);
    if (scheme !== "http" && scheme !== "https") {
      throw new ClientRedirectError(`Cannot follow a redirect to ${location.href}: only http and https URLs can be requested.`);
    }
    const headers = previous.headers.copy();
    // An absolute Location names its host; it replaces any Host header the test set.
    if (parseAbsoluteUrl(rawLocation) !== undefined || rawLocation.startsWith("//")) headers.delete("host");
    let { method, body } = previous;
    // 307/308 repeat the request as it was; the others become a body-less GET (HEAD stays).
    if (statusCode === 303 ? method !== "HEAD" : statusCode !== 307 && statusCode !== 308 && method !== "GET" && method !== "HEAD") {
      method = "GET";
      body = undefined;
      for (const name of BODY_HEADERS) headers.delete(name);
    }
    const target: RequestTarget = { scheme, host: location.host, path: location.pathname, query: location.search.slice(1) };
    return { method, target, headers, body, remoteAddr: previous.remoteAddr };
  }

}

/**
 * A test client for a Node request listener: requests run in-process (no socket), cookies
 * persist between them, redirects can be followed.
 *
 * @example
 * const client = createTestClient((req, res) => {
 *   res.setHeader("Set-Cookie", "seen=1; Path=/");
 *   res.end(`hello ${req.url}`);
 * });
 * const response = await client.get("/greet", { query: { name: "Ada" } });
 * response.status;                 // "200 OK"
 * response.text;                   // "hello /greet?name=Ada"
 * client.getCookie("seen")?.value; // "1"
 * await client.post("/upload", { files: { doc: { content: "hi", filename: "a.txt" } } });
 */
export function createTestClient(listener: NodeListener, options?: TestClientOptions): TestClient {
  return new TestClient(listener, options);
}
