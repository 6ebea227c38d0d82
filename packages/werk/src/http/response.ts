/**
 * `Response`: status, headers and body of an HTTP response, and how to write one to a
 * Node `ServerResponse` or turn it into a Fetch `Response`. Werkzeug's
 * `sansio/response.py` and `wrappers/response.py` in one class.
 */
import { STATUS_CODES, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { WWWAuthenticate } from "./auth.js";
import {
  byteLength,
  FileBody,
  isStreamBody,
  readAll,
  sliceChunks,
  toBytes,
  type StreamBody,
} from "./body.js";
import { CacheControl } from "./cache-control.js";
import { isResourceModified } from "./conditional.js";
import { dumpCookie, type DumpCookieOptions } from "./cookies.js";
import { httpDate, parseDate } from "./dates.js";
import { ETags, generateEtag, quoteEtag, unquoteEtag } from "./etag.js";
import { RequestedRangeNotSatisfiable } from "./exceptions.js";
import { dumpOptionsHeader, parseListHeader, parseOptionsHeader } from "./header-values.js";
import { Headers, type HeadersInit } from "./headers.js";
import { ContentRange, Range } from "./range.js";
import { combineErrors, toFetch, writeToNode, type OutgoingParts } from "./response-writer.js";
import { iriToUri } from "./urls.js";
import { parsePlainInt } from "./_internal.js";

/** Everything a `Response` can carry as its body. */
export type ResponseBody = string | Uint8Array | readonly (string | Uint8Array)[] | StreamBody | null | undefined;

/** Options of `new Response(body, options)`. */
export interface ResponseOptions {
  /** A status code (`404`) or line (`"404 NOT FOUND"`, `"299 CUSTOM"`). Default 200. */
  status?: number | string;
  /** Headers; a werk `Headers` is used as it is, anything else is copied. */
  headers?: HeadersInit | null;
  /** The media type; text types get `; charset=utf-8`. Default `text/html`. */
  mimetype?: string | null;
  /** The full `Content-Type`, used as given; wins over `mimetype`. */
  contentType?: string | null;
}

/** Options of `setCookie`; see `dumpCookie`. */
export type SetCookieOptions = Pick<
  DumpCookieOptions,
  "maxAge" | "expires" | "path" | "domain" | "secure" | "httpOnly" | "sameSite" | "partitioned"
>;

/** Options of `deleteCookie`: those that identify which cookie to remove. */
export type DeleteCookieOptions = Omit<SetCookieOptions, "maxAge" | "expires">;

/**
 * Request headers as `makeConditional` reads them: a werk or Fetch `Headers` (with
 * `get`), or Node's `IncomingHttpHeaders` object.
 */
export type HeaderLookup =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * What `makeConditional` needs from a request: its method and headers. A werk
 * `Request`, a Node `IncomingMessage` and a Fetch `Request` all fit.
 */
export interface ConditionalRequest {
  readonly method?: string | undefined;
  readonly headers: HeaderLookup;
}

/** Options of `makeConditional`. */
export interface MakeConditionalOptions {
  /** Serve ranges: `true` for bytes, or the unit to advertise in `Accept-Ranges`. */
  acceptRanges?: boolean | string;
  /** The complete length of the content, needed to answer a Range request. */
  completeLength?: number | null;
}

/** What `writeTo` and `toFetchResponse` need from the request: its method. */
export interface MethodOnly {
  readonly method?: string | undefined;
}

// Mime types that are text without saying so in their name (Werkzeug's `_charset_mimetypes`).
const CHARSET_MIMETYPES = new Set([
  "application/ecmascript",
  "application/javascript",
  "application/sql",
  "application/xml",
  "application/xml-dtd",
  "application/xml-external-parsed-entity",
]);

/**
 * The `Content-Type` for a mimetype: text types (`text/*`, `*+xml`, JavaScript, ...)
 * get `; charset=…`, the others stay as they are (Werkzeug's `get_content_type`).
 */
export function getContentType(mimetype: string, charset = "utf-8"): string {
  if (mimetype.startsWith("text/") || CHARSET_MIMETYPES.has(mimetype) || mimetype.endsWith("+xml")) {
    return `${mimetype}; charset=${charset}`;
  }
  return mimetype;
}

const DEFAULT_CONTENT_TYPE = "text/html; charset=utf-8";

// "NOT FOUND": Werkzeug's status lines spell the phrase in capitals.
const PHRASES: Record<number, string> = Object.create(null) as Record<number, string>;
function defaultPhrase(code: number): string {
  let phrase = PHRASES[code];
  if (phrase === undefined) {
    phrase = STATUS_CODES[code]?.toUpperCase() ?? "UNKNOWN";
    PHRASES[code] = phrase;
  }
  return phrase;
}

// RFC 9110 §6.4.1 (and Werkzeug's `get_app_iter`): these never carry a body.
function forbidsBody(code: number): boolean {
  return (code >= 100 && code < 200) || code === 204 || code === 304;
}

// Werkzeug's `remove_entity_headers` for 304 (Expires and Content-Location stay, RFC 9110 §15.4.5).
const NOT_MODIFIED_DROPS = new Set([
  "allow",
  "content-encoding",
  "content-language",
  "content-length",
  "content-md5",
  "content-range",
  "content-type",
  "last-modified",
]);

// A Location that needs `iriToUri` before it can go on the wire.
const NEEDS_IRI_RE = /[^\x21-\x7e]|\\/;

function readRequestHeader(request: ConditionalRequest, name: string): string | undefined {
  const headers = request.headers;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  }
  const value = (headers as Readonly<Record<string, string | readonly string[] | undefined>>)[name.toLowerCase()];
  return typeof value === "string" || value === undefined ? value : value.join(", ");
}

function setDateHeader(headers: Headers, name: string, value: Date | number | null | undefined): void {
  if (value == null) headers.delete(name);
  else headers.set(name, httpDate(value));
}

/**
 * An HTTP response: a status, headers and a body, which may be text, bytes or a stream.
 *
 * Construction is cheap: the `Headers` object is created on first use and the body is
 * encoded only when the response is written. A body that is a string or bytes is
 * "buffered" (sent with `Content-Length`); an iterable or stream is "streamed" (sent in
 * chunks, pulled as the client reads).
 *
 * @example
 * const response = new Response("<h1>Hello</h1>");            // 200, text/html; charset=utf-8
 * new Response(JSON.stringify(data), { mimetype: "application/json", status: 201 });
 * new Response(fs.createReadStream("big.csv"), { mimetype: "text/csv" });
 * response.setCookie("theme", "dark", { httpOnly: true, sameSite: "Lax" });
 * http.createServer((req, res) => void response.writeTo(res, req).catch(console.error));
 */
export class Response {
  /** The mimetype used when neither `mimetype`, `contentType` nor a Content-Type header is given. */
  static defaultMimetype = "text/html";
  /** `setCookie` warns when a `Set-Cookie` header grows past this size (0 disables). */
  static maxCookieSize = 4093;

  #statusCode: number;
  // A custom reason phrase ("200 TEA POT"); undefined means the standard one.
  #statusText: string | undefined;
  // Created on first use; until then `#contentType` holds the only header.
  #headers: Headers | null;
  #contentType: string | null;
  // Exactly one of `#body` (buffered) and `#stream` (streamed) is in use.
  #body: string | Uint8Array;
  #stream: StreamBody | null;
  #reading: Promise<Buffer> | null;
  #onClose: Array<() => unknown> | null;
  #closed: boolean;

  constructor(body?: ResponseBody, options?: ResponseOptions) {
    this.#statusCode = 200;
    this.#statusText = undefined;
    this.#headers = null;
    this.#contentType = DEFAULT_CONTENT_TYPE;
    this.#body = "";
    this.#stream = null;
    this.#reading = null;
    this.#onClose = null;
    this.#closed = false;
    if (body != null) this.#setBody(body);
    if (options !== undefined) this.#applyOptions(options);
    else if (new.target !== Response && new.target.defaultMimetype !== "text/html") {
      this.#contentType = getContentType(new.target.defaultMimetype);
    }
  }

  #applyOptions(options: ResponseOptions): void {
    if (options.status !== undefined) this.status = options.status;
    const init = options.headers;
    if (init != null) this.#headers = init instanceof Headers ? init : new Headers(init);
    let contentType = options.contentType ?? undefined;
    if (contentType === undefined) {
      let mimetype = options.mimetype;
      if (mimetype === undefined && !this.#headers?.has("Content-Type")) {
        mimetype = (this.constructor as typeof Response).defaultMimetype;
      }
      if (mimetype != null) contentType = mimetype === "text/html" ? DEFAULT_CONTENT_TYPE : getContentType(mimetype);
    }
    if (this.#headers !== null) {
      if (contentType !== undefined) this.#headers.set("Content-Type", contentType);
      this.#contentType = null;
    } else {
      this.#contentType = contentType ?? null;
    }
  }

  /**
   * A werk `Response` from a Fetch `Response`: status, headers (each `Set-Cookie` kept
   * apart) and body, streamed.
   */
  static fromFetchResponse(response: globalThis.Response): Response {
    const headers = new Headers();
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") headers.add(name, value);
    });
    for (const cookie of response.headers.getSetCookie()) headers.add("Set-Cookie", cookie);
    const status =
      response.statusText && response.statusText !== STATUS_CODES[response.status]
        ? `${response.status} ${response.statusText}`
        : response.status;
    const body = response.body as AsyncIterable<Uint8Array> | null;
    return new Response(body, { status, headers });
  }

  // ---- status ------------------------------------------------------------------------

  /** The status code as a number; setting it resets the phrase to the standard one. */
  get statusCode(): number {
    return this.#statusCode;
  }
  set statusCode(code: number) {
    this.status = code;
  }

  /**
   * The status line: `"404 NOT FOUND"`. Set a number, or a string: `"201"`, or a code
   * with a custom phrase (`"299 ALL GOOD"`); unknown codes read `"299 UNKNOWN"`.
   */
  get status(): string {
    return `${this.#statusCode} ${this.#statusText ?? defaultPhrase(this.#statusCode)}`;
  }
  set status(value: number | string) {
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < 100 || value > 999) {
        throw new RangeError(`A status code must be an integer from 100 to 999, got ${value}.`);
      }
      this.#statusCode = value;
      this.#statusText = undefined;
      return;
    }
    const text = String(value).trim();
    if (!text) throw new TypeError("The status must not be empty: give a code such as 200 or a line such as \"200 OK\".");
    const space = text.indexOf(" ");
    const codeText = space < 0 ? text : text.slice(0, space);
    if (!/^\d{1,3}$/.test(codeText)) {
      // Werkzeug keeps a phrase without a code as "0 phrase"; writing it will fail loudly.
      this.#statusCode = 0;
      this.#statusText = text;
      return;
    }
    this.#statusCode = Number(codeText);
    this.#statusText = space < 0 ? undefined : text.slice(space + 1).trim();
  }

  // ---- headers -----------------------------------------------------------------------

  /** The response headers (multi-valued, case-insensitive). Created on first access. */
  get headers(): Headers {
    let headers = this.#headers;
    if (headers === null) {
      headers = new Headers();
      if (this.#contentType !== null) headers.set("Content-Type", this.#contentType);
      this.#contentType = null;
      this.#headers = headers;
    }
    return headers;
  }
  set headers(value: HeadersInit) {
    this.#headers = value instanceof Headers ? value : new Headers(value);
    this.#contentType = null;
  }

  // Reads without creating the Headers object: the hot path never needs one.
  #header(name: string): string | undefined {
    if (this.#headers !== null) return this.#headers.get(name);
    return name.toLowerCase() === "content-type" ? (this.#contentType ?? undefined) : undefined;
  }

  /** The `Content-Type` header; `null` removes it. */
  get contentType(): string | undefined {
    return this.#header("Content-Type");
  }
  set contentType(value: string | null | undefined) {
    if (this.#headers === null) this.#contentType = value ?? null;
    else if (value == null) this.#headers.delete("Content-Type");
    else this.#headers.set("Content-Type", value);
  }

  /** The media type without parameters (`text/html`); setting one adds the charset for text. */
  get mimetype(): string | undefined {
    const contentType = this.contentType;
    return contentType ? contentType.split(";", 1)[0]!.trim() : undefined;
  }
  set mimetype(value: string | null | undefined) {
    this.contentType = value == null ? null : getContentType(value);
  }

  /** The Content-Type parameters (`{ charset: "utf-8" }`); a copy, assign to change them. */
  get mimetypeParams(): Record<string, string> {
    return parseOptionsHeader(this.contentType ?? "")[1];
  }
  set mimetypeParams(params: Readonly<Record<string, string>>) {
    this.contentType = dumpOptionsHeader(this.mimetype ?? "", params);
  }

  /** True for `application/json` and `application/*+json`. */
  get isJson(): boolean {
    const mimetype = this.mimetype;
    return mimetype === "application/json" || (mimetype !== undefined && mimetype.startsWith("application/") && mimetype.endsWith("+json"));
  }

  /**
   * The body's length in bytes: the `Content-Length` header if set, else the length of a
   * buffered body or file; `undefined` for other streams.
   */
  get contentLength(): number | undefined {
    const header = this.#header("Content-Length");
    if (header !== undefined) {
      const length = parsePlainInt(header);
      return length !== undefined && length >= 0 ? length : undefined;
    }
    if (this.#stream === null) return byteLength(this.#body);
    return this.#stream instanceof FileBody ? this.#stream.length : undefined;
  }
  set contentLength(value: number | string | null | undefined) {
    if (value == null) this.#headers?.delete("Content-Length");
    else this.headers.set("Content-Length", value);
  }

  /** The `Location` header (made a valid URI when written). */
  get location(): string | undefined {
    return this.#header("Location");
  }
  set location(value: string | null | undefined) {
    this.#setHeader("Location", value);
  }

  /** The `Content-Encoding` header. */
  get contentEncoding(): string | undefined {
    return this.#header("Content-Encoding");
  }
  set contentEncoding(value: string | null | undefined) {
    this.#setHeader("Content-Encoding", value);
  }

  /** The `Content-Location` header. */
  get contentLocation(): string | undefined {
    return this.#header("Content-Location");
  }
  set contentLocation(value: string | null | undefined) {
    this.#setHeader("Content-Location", value);
  }

  /** The `Accept-Ranges` header (`"bytes"` or `"none"`). */
  get acceptRanges(): string | undefined {
    return this.#header("Accept-Ranges");
  }
  set acceptRanges(value: string | null | undefined) {
    this.#setHeader("Accept-Ranges", value);
  }

  /** The `Content-Range` header, parsed; `undefined` when missing or malformed. */
  get contentRange(): ContentRange | undefined {
    return ContentRange.fromHeader(this.#header("Content-Range"));
  }
  set contentRange(value: ContentRange | string | null | undefined) {
    const header = value == null ? undefined : typeof value === "string" ? value : value.toHeader();
    this.#setHeader("Content-Range", header || null);
  }

  #setHeader(name: string, value: string | null | undefined): void {
    if (value == null) this.#headers?.delete(name);
    else this.headers.set(name, value);
  }

  /** The `Date` header as a Date; set a Date or Unix seconds, `null` removes it. */
  get date(): Date | undefined {
    return parseDate(this.#header("Date"));
  }
  set date(value: Date | number | null | undefined) {
    setDateHeader(this.headers, "Date", value);
  }

  /** The `Expires` header as a Date; set a Date or Unix seconds, `null` removes it. */
  get expires(): Date | undefined {
    return parseDate(this.#header("Expires"));
  }
  set expires(value: Date | number | null | undefined) {
    setDateHeader(this.headers, "Expires", value);
  }

  /** The `Last-Modified` header as a Date; set a Date or Unix seconds, `null` removes it. */
  get lastModified(): Date | undefined {
    return parseDate(this.#header("Last-Modified"));
  }
  set lastModified(value: Date | number | null | undefined) {
    setDateHeader(this.headers, "Last-Modified", value);
  }

  /**
   * `Retry-After` as the Date to retry at (seconds are counted from now); set a Date or
   * a number of seconds.
   */
  get retryAfter(): Date | undefined {
    const value = this.#header("Retry-After");
    if (value === undefined) return undefined;
    const seconds = parsePlainInt(value);
    return seconds === undefined ? parseDate(value) : new Date(Date.now() + seconds * 1000);
  }
  set retryAfter(value: Date | number | null | undefined) {
    if (value == null) this.#headers?.delete("Retry-After");
    else this.headers.set("Retry-After", value instanceof Date ? httpDate(value) : String(Math.trunc(value)));
  }

  /**
   * `Cache-Control` as an object whose changes are written back to the header:
   * `response.cacheControl.maxAge = 60`.
   */
  get cacheControl(): CacheControl {
    return new CacheControl(this.#header("Cache-Control"), (cacheControl) => {
      if (cacheControl.isEmpty) this.#headers?.delete("Cache-Control");
      else this.headers.set("Cache-Control", cacheControl.toHeader());
    });
  }
  set cacheControl(value: CacheControl | string | null | undefined) {
    const header = value == null ? undefined : String(value);
    this.#setHeader("Cache-Control", header || null);
  }

  /** The names in `Vary`; set a list or a header value. */
  get vary(): string[] {
    return parseListHeader(this.#header("Vary") ?? "");
  }
  set vary(value: string | readonly string[] | null | undefined) {
    const header = value == null ? undefined : typeof value === "string" ? value : value.join(", ");
    this.#setHeader("Vary", header || null);
  }

  /** Add request header names to `Vary`, skipping those already there (any case). */
  addVary(...names: string[]): void {
    if (names.length === 1 && names[0]) {
      // The common call (a session adding "Cookie"): no parsing when Vary is absent or is that name.
      const header = this.#header("Vary");
      if (!header) return this.headers.set("Vary", names[0]);
      if (header.length === names[0].length && header.toLowerCase() === names[0].toLowerCase()) return;
    }
    const current = this.vary;
    const seen = new Set(current.map((name) => name.toLowerCase()));
    for (const name of names) {
      if (seen.has(name.toLowerCase())) continue;
      seen.add(name.toLowerCase());
      current.push(name);
    }
    if (current.length > 0) this.headers.set("Vary", current.join(", "));
  }

  /**
   * The first `WWW-Authenticate` challenge, parsed. Assign a challenge (or a list, one
   * header each) to set it; `null` removes it. The object read is a copy.
   */
  get wwwAuthenticate(): WWWAuthenticate | undefined {
    return WWWAuthenticate.fromHeader(this.#header("WWW-Authenticate"));
  }
  set wwwAuthenticate(value: WWWAuthenticate | string | ReadonlyArray<WWWAuthenticate | string> | null | undefined) {
    const values = value == null ? [] : Array.isArray(value) ? value : [value as WWWAuthenticate | string];
    if (values.length === 0) this.#headers?.delete("WWW-Authenticate");
    else this.headers.setAll("WWW-Authenticate", values.map(String));
  }

  // ---- cookies -----------------------------------------------------------------------

  /**
   * Add a `Set-Cookie` header (one per cookie). Names and attributes are checked and the
   * value quoted by `dumpCookie`, so no argument can inject a header or an attribute.
   * Emits a warning when the header is larger than browsers accept.
   */
  setCookie(name: string, value = "", options: SetCookieOptions = {}): void {
    const maxSize = (this.constructor as typeof Response).maxCookieSize;
    this.headers.add(
      "Set-Cookie",
      dumpCookie(name, value, { ...options, maxSize, onTooLarge: (message) => process.emitWarning(message, "CookieSizeWarning") }),
    );
  }

  /** Tell the client to drop a cookie: an empty value that expired in 1970. */
  deleteCookie(name: string, options: DeleteCookieOptions = {}): void {
    this.setCookie(name, "", { ...options, expires: 0, maxAge: 0 });
  }

  // ---- ETags -------------------------------------------------------------------------

  /** Set the `ETag` header, replacing any previous one. */
  setEtag(etag: string, weak = false): void {
    this.headers.set("ETag", quoteEtag(etag, weak));
  }

  /** The ETag as `[tag, weak]`, or `[undefined, undefined]` when there is none. */
  getEtag(): [etag: string, weak: boolean] | [undefined, undefined] {
    const header = this.#header("ETag");
    return header === undefined ? [undefined, undefined] : unquoteEtag(header);
  }

  /**
   * Set an ETag hashed from the body (buffered bodies only: `await getData()` first for
   * a stream). An existing ETag stays unless `overwrite`.
   */
  addEtag(overwrite = false, weak = false): void {
    if (overwrite || !this.#header("ETag")) this.setEtag(generateEtag(this.data), weak);
  }

  // ---- body --------------------------------------------------------------------------

  /** True if the body is an iterable or stream rather than text or bytes. */
  get isStreamed(): boolean {
    return this.#stream !== null;
  }

  /** The body as given: text, bytes, or the stream (after `getData()`, the bytes read). */
  get body(): string | Uint8Array | StreamBody {
    return this.#stream ?? this.#body;
  }
  set body(value: ResponseBody) {
    this.#setBody(value);
  }

  #setBody(body: ResponseBody): void {
    this.#reading = null;
    if (body == null) {
      this.#body = "";
      this.#stream = null;
    } else if (typeof body === "string" || body instanceof Uint8Array) {
      this.#body = body;
      this.#stream = null;
    } else if (Array.isArray(body)) {
      // A list is a sequence already in memory (Werkzeug's `is_sequence`): not streamed.
      this.#body = Buffer.concat((body as readonly unknown[]).map(toBytes));
      this.#stream = null;
    } else if (isStreamBody(body)) {
      this.#body = "";
      this.#stream = body;
    } else {
      throw new TypeError(
        `Cannot use ${Object.prototype.toString.call(body)} as a response body: give a string, Buffer, ` +
          "Uint8Array, an iterable or async iterable of those, or a Readable stream.",
      );
    }
  }

  /**
   * The body as bytes, synchronously. Streamed bodies must be read with
   * `await getData()` first; before that this throws.
   */
  get data(): Buffer {
    if (this.#stream !== null) {
      throw new TypeError("The response body is a stream; read it with `await response.getData()` first.");
    }
    const body = this.#body;
    if (typeof body === "string") {
      const bytes = Buffer.from(body, "utf8");
      this.#body = bytes;
      return bytes;
    }
    return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }
  set data(value: string | Uint8Array) {
    this.setData(value);
  }

  /** Replace the body with text or bytes (a Content-Length set by hand is dropped). */
  setData(value: string | Uint8Array): void {
    this.#setBody(value);
    this.#headers?.delete("Content-Length");
  }

  /**
   * The body as a Buffer (or text with `asText`). A stream is read once, to the end, and
   * kept: the response is buffered afterwards.
   */
  getData(): Promise<Buffer>;
  getData(asText: false): Promise<Buffer>;
  getData(asText: true): Promise<string>;
  async getData(asText = false): Promise<Buffer | string> {
    const stream = this.#stream;
    if (stream !== null) {
      this.#reading ??= readAll(stream).then((bytes) => {
        if (this.#stream === stream) {
          this.#stream = null;
          this.#body = bytes;
        }
        return bytes;
      });
      const bytes = await this.#reading;
      return asText ? bytes.toString("utf8") : bytes;
    }
    return asText ? this.data.toString("utf8") : this.data;
  }

  /**
   * Make the response self-contained (Werkzeug's `freeze`, for caching): read a streamed
   * body, set `Content-Length` and add an ETag.
   */
  async freeze(): Promise<void> {
    const data = await this.getData();
    this.headers.set("Content-Length", data.byteLength);
    this.addEtag();
  }

  /** Register a function to run once the response has been sent (or discarded). Returns `fn`. */
  callOnClose<F extends () => unknown>(fn: F): F {
    (this.#onClose ??= []).push(fn);
    return fn;
  }

  /**
   * Release the body (destroy a stream not read to the end) and run the `callOnClose`
   * functions, once. `writeTo` and `toFetchResponse` call this; call it yourself for a
   * response you drop. A failing callback does not stop the others; the error is thrown
   * after they ran.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const errors: unknown[] = [];
    const stream = this.#stream;
    if (stream instanceof Readable) {
      if (!stream.destroyed) stream.destroy();
    } else if (stream !== null && typeof (stream as { cancel?: unknown }).cancel === "function") {
      // A web ReadableStream never read (a 304, a HEAD) would hold its source open.
      try {
        if (!(stream as unknown as ReadableStream).locked) await (stream as unknown as ReadableStream).cancel();
      } catch (error) {
        errors.push(error);
      }
    }
    const callbacks = this.#onClose;
    if (callbacks !== null) {
      for (let i = 0; i < callbacks.length; i++) {
        try {
          await callbacks[i]!();
        } catch (error) {
          errors.push(error);
        }
      }
    }
    if (errors.length > 0) throw combineErrors(errors);
  }

  // ---- conditional and range requests ------------------------------------------------

  /**
   * Answer the request's conditions (Werkzeug's `make_conditional`), for GET and HEAD:
   * adds `Date`, becomes `304 Not Modified` when `If-None-Match` / `If-Modified-Since`
   * match the ETag / Last-Modified (or `412` when `If-Match` fails), and with
   * `acceptRanges` serves a satisfiable `Range` as `206 Partial Content`, cutting the body
   * to the range. An unsatisfiable or malformed Range throws `RequestedRangeNotSatisfiable`
   * (416 with `Content-Range: bytes *\/length`). Returns the response.
   *
   * @example
   * response.setEtag("v1");
   * response.makeConditional(request, { acceptRanges: true, completeLength: 11 });
   */
  makeConditional(request: ConditionalRequest, options: MakeConditionalOptions = {}): this {
    const method = (request.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD") return this;
    const headers = this.headers;
    if (!headers.has("Date")) headers.set("Date", httpDate());
    const isPartial = this.#processRange(request, options.completeLength, options.acceptRanges ?? false);
    if (!isPartial) {
      const ifMatch = readRequestHeader(request, "If-Match");
      const modified = isResourceModified({
        etag: headers.get("ETag"),
        lastModified: headers.get("Last-Modified"),
        ifNoneMatch: readRequestHeader(request, "If-None-Match"),
        ifModifiedSince: readRequestHeader(request, "If-Modified-Since"),
        ifMatch,
      });
      if (!modified) this.statusCode = ETags.fromHeader(ifMatch).isEmpty ? 304 : 412;
    }
    return this;
  }

  #processRange(
    request: ConditionalRequest,
    completeLength: number | null | undefined,
    acceptRanges: boolean | string,
  ): boolean {
    if (!acceptRanges) return false;
    const headers = this.headers;
    headers.set("Accept-Ranges", acceptRanges === true ? "bytes" : acceptRanges);
    const rangeHeader = readRequestHeader(request, "Range");
    // Werkzeug 2.0: an empty body has no ranges to serve; send it whole.
    if (!completeLength || rangeHeader === undefined) return false;
    const ifRange = readRequestHeader(request, "If-Range");
    if (
      ifRange !== undefined &&
      isResourceModified({
        etag: headers.get("ETag"),
        lastModified: headers.get("Last-Modified"),
        ifNoneMatch: readRequestHeader(request, "If-None-Match"),
        ifModifiedSince: readRequestHeader(request, "If-Modified-Since"),
        ifMatch: readRequestHeader(request, "If-Match"),
        range: rangeHeader,
        ifRange,
        ignoreIfRange: false,
      })
    ) {
      // The client's partial copy is stale: RFC 9110 §13.1.5 says send the whole thing.
      return false;
    }
    const range = Range.fromHeader(rangeHeader);
    const span = range?.rangeForLength(completeLength);
    if (range === undefined || span === undefined) {
      throw new RequestedRangeNotSatisfiable(undefined, { length: completeLength });
    }
    const [start, stop] = span;
    headers.set("Content-Length", stop - start);
    headers.set("Content-Range", `${range.units} ${start}-${stop - 1}/${completeLength}`);
    this.statusCode = 206;
    this.#sliceBody(start, stop - start);
    return true;
  }

  #sliceBody(start: number, length: number): void {
    const stream = this.#stream;
    if (stream === null) {
      const bytes = this.data;
      this.#body = bytes.subarray(start, start + length);
    } else if (stream instanceof FileBody) {
      this.#stream = stream.slice(start, length);
    } else {
      this.#stream = sliceChunks(stream, start, length);
      // The slice hides the Readable from `close`; a response never sent must still free it.
      if (stream instanceof Readable) this.callOnClose(() => stream.destroy());
    }
  }

  // ---- output ------------------------------------------------------------------------

  // The header list for the wire, as Werkzeug's `get_wsgi_headers` fixes it up: no
  // Content-Length where a body is forbidden, no entity headers on 304, a computed
  // Content-Length for buffered bodies and files, Location made a URI.
  #wireHeaders(code: number, length: number | undefined): string[] {
    const noBody = forbidsBody(code);
    const out: string[] = [];
    let hasLength = false;
    const headers = this.#headers;
    if (headers === null) {
      if (this.#contentType !== null && code !== 304) out.push("Content-Type", this.#contentType);
    } else {
      for (const [name, value] of headers) {
        const key = name.toLowerCase();
        if (key === "content-length") {
          if (noBody) continue;
          hasLength = true;
        } else if (code === 304 && NOT_MODIFIED_DROPS.has(key)) {
          continue;
        } else if ((key === "location" || key === "content-location") && NEEDS_IRI_RE.test(value)) {
          out.push(name, iriToUri(value));
          continue;
        }
        out.push(name, value);
      }
    }
    if (!noBody && !hasLength && length !== undefined) out.push("Content-Length", String(length));
    return out;
  }

  #knownLength(): number | undefined {
    const stream = this.#stream;
    if (stream === null) return byteLength(this.#body);
    return stream instanceof FileBody ? stream.length : undefined;
  }

  // The response as it goes on the wire for a request with or without HEAD.
  #outgoing(isHead: boolean): OutgoingParts {
    const code = this.#statusCode;
    const stream = this.#stream;
    const sendsBody = !isHead && !forbidsBody(code);
    return {
      status: code,
      statusText: this.#statusText,
      headers: this.#wireHeaders(code, this.#knownLength()),
      body: sendsBody && stream === null ? this.#body : null,
      stream: sendsBody ? stream : null,
      close: () => this.close(),
    };
  }

  /**
   * Write the response to a Node `ServerResponse`: status, headers (each `Set-Cookie` on
   * its own line, names spelt as given), then the body. Buffered bodies get a
   * `Content-Length`; streams are sent chunked, reading the next chunk only when the
   * socket has room. HEAD requests, 1xx, 204 and 304 get no body. The `callOnClose`
   * functions run at the end.
   *
   * The promise resolves once the response is sent, or when the client went away
   * mid-stream (the stream is then destroyed). It rejects when something must be
   * logged: if a stream fails before its first chunk nothing has been written and the
   * caller can still answer 500; if it fails later the connection is destroyed, the only
   * way left to tell the client the body is incomplete.
   *
   * @param request The request, for its method (HEAD); defaults to `res.req`.
   */
  async writeTo(res: ServerResponse, request?: MethodOnly | null): Promise<void> {
    if (this.writeSync(res, request)) return;
    await writeToNode(res, this.#outgoing((request ?? res.req)?.method === "HEAD"));
  }

  /**
   * Write a buffered response at once and return true; return false, writing nothing,
   * when the body is streamed or `callOnClose` functions must run (use `writeTo`). Lets
   * a server skip a promise per response in the common case.
   */
  writeSync(res: ServerResponse, request?: MethodOnly | null): boolean {
    if (res.headersSent) {
      throw new Error("Cannot write the response: this ServerResponse has already sent its headers.");
    }
    if (this.#stream !== null || this.#onClose !== null) return false;
    const code = this.#statusCode;
    this.#closed = true;
    res.writeHead(code, this.#statusText, this.#wireHeaders(code, this.#knownLength()));
    if ((request ?? res.req)?.method === "HEAD" || forbidsBody(code)) res.end();
    else res.end(this.#body);
    return true;
  }

  /**
   * The response as a Fetch API `Response` (for `app.fetch`, edge runtimes, tests).
   * Streams become a `ReadableStream` pulled as the consumer reads; `callOnClose`
   * functions run when the body has been read or cancelled.
   */
  async toFetchResponse(request?: MethodOnly | null): Promise<globalThis.Response> {
    const parts = this.#outgoing(request?.method === "HEAD");
    return toFetch({ ...parts, statusText: parts.statusText ?? STATUS_CODES[parts.status] ?? "" });
  }

  /** `<Response 12 bytes [200 OK]>`, as Werkzeug's repr. */
  toString(): string {
    const size = this.#stream === null ? `${byteLength(this.#body)} bytes` : "streamed";
    return `<${this.constructor.name} ${size} [${this.status}]>`;
  }
}
