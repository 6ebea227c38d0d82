/**
 * `BaseRequest`: the URL and header half of a request, everything that needs no body.
 * Werkzeug keeps this half in `sansio/request.py` and the body in `wrappers/request.py`;
 * `Request` (request.ts) extends this class with the body. Constructing one stores the
 * Node message and options, nothing else; every property is parsed on first read and cached.
 */
import type { IncomingMessage } from "node:http";
import { Accept, CharsetAccept, LanguageAccept, MIMEAccept, parseAcceptHeader } from "./accept.js";
import { Authorization } from "./auth.js";
import { parseCookie } from "./cookies.js";
import { parseDate } from "./dates.js";
import { ETags } from "./etag.js";
import { parseListHeader, parseOptionsHeader } from "./header-values.js";
import { Headers } from "./headers.js";
import type { ImmutableMultiDict } from "./multidict.js";
import { IfRange, Range } from "./range.js";
import { getHost, iriHost, iriPath, iriQuery, parseQueryString, type ServerAddress, unquote } from "./request-url.js";
import { parsePlainInt } from "./_internal.js";

/** Options of `new BaseRequest(req, options)`, shared by `Request`. */
export interface BaseRequestOptions {
  /** Host names this server answers to (`.example.com` includes subdomains); others give 400. */
  trustedHosts?: readonly string[] | null;
  /** The prefix the application is mounted under (`/app`); `path` is what follows it. */
  scriptRoot?: string;
}

const UNSET: unique symbol = Symbol("unset");
const ABSOLUTE_URL_RE = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/i;

/**
 * The URL, client and header properties of a request, read lazily from a Node
 * `IncomingMessage`. Use `Request`, which adds the body; this class is its base.
 */
export class BaseRequest {
  /** The Node request this wraps. */
  readonly raw: IncomingMessage;
  /** Host names this server answers to; `null` or empty: any host. */
  trustedHosts: readonly string[] | null;

  readonly #scriptRoot: string;
  #method: string | undefined;
  #rawPath: string | undefined;
  #queryString: string | undefined;
  #authority: string | undefined;
  #path: string | undefined;
  #host: string | undefined;
  #url: string | undefined;
  #baseUrl: string | undefined;
  #headers: Headers | undefined;
  #args: ImmutableMultiDict<string> | undefined;
  #cookies: ImmutableMultiDict<string> | undefined;
  #mimetype: string | undefined;
  #mimetypeParams: Record<string, string> | undefined;
  #contentLength: number | undefined | typeof UNSET = UNSET;
  #accessRoute: string[] | undefined;
  #acceptMimetypes: MIMEAccept | undefined;
  #acceptLanguages: LanguageAccept | undefined;
  #acceptCharsets: CharsetAccept | undefined;
  #acceptEncodings: Accept | undefined;
  #authorization: Authorization | undefined | typeof UNSET = UNSET;
  #ifMatch: ETags | undefined;
  #ifNoneMatch: ETags | undefined;
  #ifModifiedSince: Date | undefined | typeof UNSET = UNSET;
  #ifUnmodifiedSince: Date | undefined | typeof UNSET = UNSET;
  #range: Range | undefined | typeof UNSET = UNSET;
  #ifRange: IfRange | undefined;

  constructor(req: IncomingMessage, options?: BaseRequestOptions) {
    this.raw = req;
    this.trustedHosts = options?.trustedHosts ?? null;
    const root = options?.scriptRoot;
    this.#scriptRoot = root === undefined || root === "/" ? "" : root.replace(/\/+$/, "");
  }

  // ---------------------------------------------------------------- URL

  /** The method, upper-case: "GET", "POST", ... */
  get method(): string {
    return (this.#method ??= (this.raw.method ?? "GET").toUpperCase());
  }

  /** The prefix the application is mounted under, without a trailing slash ("" at the root). */
  get scriptRoot(): string {
    return this.#scriptRoot;
  }

  /** The path after `scriptRoot`, still percent-encoded as sent (what routing matches). */
  get rawPath(): string {
    if (this.#rawPath === undefined) this.#splitUrl();
    return this.#rawPath!;
  }

  /** The query string as sent, without the "?" ("" when none). */
  get queryString(): string {
    if (this.#queryString === undefined) this.#splitUrl();
    return this.#queryString!;
  }

  /**
   * The path after `scriptRoot`, percent-decoded as UTF-8, always starting with one "/".
   * Bytes that are not valid UTF-8 stay percent-encoded, so a malformed path never throws.
   */
  get path(): string {
    return (this.#path ??= "/" + unquote(this.rawPath).replace(/^\/+/, ""));
  }

  /** `path` and the raw query string: "/search?q=x" (the "?" is always there, as in Werkzeug). */
  get fullPath(): string {
    return `${this.path}?${this.queryString}`;
  }

  /** "http" or "https" (when the connection is TLS). */
  get scheme(): string {
    return (this.raw.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? "https" : "http";
  }

  /** True for HTTPS requests. */
  get isSecure(): boolean {
    return this.scheme === "https";
  }

  /**
   * `host[:port]` the request was sent to: the Host header (or HTTP/2 `:authority`, or
   * the host of an absolute request target), else the server's address; the scheme's
   * default port is dropped. Invalid characters give "". With `trustedHosts` set, a host
   * outside the list throws `SecurityError` (400).
   */
  get host(): string {
    if (this.#host !== undefined) return this.#host;
    if (this.#rawPath === undefined) this.#splitUrl();
    const headers = this.raw.headers;
    const header = this.#authority ?? headers.host ?? headerString(headers[":authority"]);
    // The socket's address costs a system call per connection: read only when no Host header came.
    let server: ServerAddress | null = null;
    if (header === undefined) {
      const socket = this.raw.socket as { localAddress?: string; localPort?: number } | null | undefined;
      if (socket?.localAddress !== undefined && socket.localPort !== undefined) {
        server = { address: socket.localAddress, port: socket.localPort };
      }
    }
    return (this.#host = getHost(this.scheme, header, server, this.trustedHosts));
  }

  /** The full URL as an IRI: "http://example.com/app/search?q=x" (Unicode left decoded). */
  get url(): string {
    if (this.#url === undefined) {
      const query = this.queryString;
      this.#url = query ? `${this.baseUrl}?${iriQuery(query)}` : this.baseUrl;
    }
    return this.#url;
  }

  /** `url` without the query string. */
  get baseUrl(): string {
    return (this.#baseUrl ??= this.urlRoot + iriPath(this.path.slice(1)));
  }

  /** Scheme, host and script root: "http://example.com/app/". */
  get urlRoot(): string {
    return `${this.hostUrl.slice(0, -1)}${iriPath(this.#scriptRoot)}/`;
  }

  /** Scheme and host only: "http://example.com/". */
  get hostUrl(): string {
    return `${this.scheme}://${iriHost(this.host)}/`;
  }

  /** The address of the peer that sent the request (a proxy, if there is one). */
  get remoteAddr(): string | undefined {
    return this.raw.socket?.remoteAddress;
  }

  /**
   * The `X-Forwarded-For` addresses, client first, or else `[remoteAddr]`. Trust only as
   * many entries from the end as there are proxies you run.
   */
  get accessRoute(): string[] {
    if (this.#accessRoute === undefined) {
      const forwarded = this.header("x-forwarded-for");
      const remote = this.remoteAddr;
      this.#accessRoute = forwarded !== undefined ? parseListHeader(forwarded) : remote !== undefined ? [remote] : [];
    }
    return this.#accessRoute;
  }

  /** The query arguments. `+` is a space; malformed escapes are kept as text. */
  get args(): ImmutableMultiDict<string> {
    return (this.#args ??= parseQueryString(this.queryString));
  }

  // ---------------------------------------------------------------- headers

  /** Every header as sent (name spelling, order and repeats kept). */
  get headers(): Headers {
    return (this.#headers ??= headersOf(this.raw));
  }

  /** The cookies sent in `Cookie` headers; a garbled header gives what could be read. */
  get cookies(): ImmutableMultiDict<string> {
    return (this.#cookies ??= parseCookie(this.header("cookie")));
  }

  /** The `Content-Type` header as sent. */
  get contentType(): string | undefined {
    return this.header("content-type");
  }

  /** The content type without parameters, lower-cased: "application/json"; "" when missing. */
  get mimetype(): string {
    if (this.#mimetype === undefined) this.#parseContentType();
    return this.#mimetype!;
  }

  /** The content type's parameters: `{ charset: "utf-8" }`. */
  get mimetypeParams(): Record<string, string> {
    if (this.#mimetypeParams === undefined) this.#parseContentType();
    return this.#mimetypeParams!;
  }

  /**
   * The `Content-Length` header as a number; `undefined` when missing, not a plain
   * non-negative integer, or when the body is chunked.
   */
  get contentLength(): number | undefined {
    if (this.#contentLength === UNSET) {
      const te = this.header("transfer-encoding");
      const cl = this.header("content-length");
      let length = te !== undefined && /\bchunked\b/i.test(te) ? undefined : cl === undefined ? undefined : parsePlainInt(cl);
      if (length !== undefined && length < 0) length = undefined;
      this.#contentLength = length;
    }
    return this.#contentLength;
  }

  /** The `Content-Encoding` header (the body's compression, e.g. "gzip"). */
  get contentEncoding(): string | undefined {
    return this.header("content-encoding");
  }

  /** True if the mimetype is `application/json` or `application/*+json`. */
  get isJson(): boolean {
    const mt = this.mimetype;
    return mt === "application/json" || (mt.startsWith("application/") && mt.endsWith("+json"));
  }

  /** The `Accept` header: `bestMatch(["text/html", "application/json"])`, `quality(type)`. */
  get acceptMimetypes(): MIMEAccept {
    return (this.#acceptMimetypes ??= parseAcceptHeader(this.header("accept"), MIMEAccept));
  }

  /** The `Accept-Language` header. */
  get acceptLanguages(): LanguageAccept {
    return (this.#acceptLanguages ??= parseAcceptHeader(this.header("accept-language"), LanguageAccept));
  }

  /** The `Accept-Charset` header. */
  get acceptCharsets(): CharsetAccept {
    return (this.#acceptCharsets ??= parseAcceptHeader(this.header("accept-charset"), CharsetAccept));
  }

  /** The `Accept-Encoding` header. */
  get acceptEncodings(): Accept {
    return (this.#acceptEncodings ??= parseAcceptHeader(this.header("accept-encoding")));
  }

  /** The `User-Agent` header ("" when missing). */
  get userAgent(): string {
    return this.header("user-agent") ?? "";
  }

  /** The parsed `Authorization` header, `undefined` when missing or malformed. */
  get authorization(): Authorization | undefined {
    if (this.#authorization === UNSET) this.#authorization = Authorization.fromHeader(this.header("authorization"));
    return this.#authorization;
  }

  /** The `If-Match` ETags. */
  get ifMatch(): ETags {
    return (this.#ifMatch ??= ETags.fromHeader(this.header("if-match")));
  }

  /** The `If-None-Match` ETags: `contains`, `containsWeak`, `containsRaw`. */
  get ifNoneMatch(): ETags {
    return (this.#ifNoneMatch ??= ETags.fromHeader(this.header("if-none-match")));
  }

  /** The `If-Modified-Since` date, `undefined` when missing or invalid. */
  get ifModifiedSince(): Date | undefined {
    if (this.#ifModifiedSince === UNSET) this.#ifModifiedSince = parseDate(this.header("if-modified-since"));
    return this.#ifModifiedSince;
  }

  /** The `If-Unmodified-Since` date, `undefined` when missing or invalid. */
  get ifUnmodifiedSince(): Date | undefined {
    if (this.#ifUnmodifiedSince === UNSET) this.#ifUnmodifiedSince = parseDate(this.header("if-unmodified-since"));
    return this.#ifUnmodifiedSince;
  }

  /** The `Range` header (`{ units, ranges }`), `undefined` when missing or malformed. */
  get range(): Range | undefined {
    if (this.#range === UNSET) this.#range = Range.fromHeader(this.header("range"));
    return this.#range;
  }

  /** The `If-Range` header (an ETag or a date; empty when missing). */
  get ifRange(): IfRange {
    return (this.#ifRange ??= IfRange.fromHeader(this.header("if-range")));
  }

  /** The `Referer` header. */
  get referrer(): string | undefined {
    return this.header("referer");
  }

  /** The `Origin` header. */
  get origin(): string | undefined {
    return this.header("origin");
  }

  /** `<Request 'http://localhost/path' [GET]>`, as Werkzeug's repr (the class name is the subclass's). */
  toString(): string {
    let url: string;
    try {
      url = `'${this.url}'`;
    } catch (error) {
      url = `(invalid URL: ${error instanceof Error ? error.message : String(error)})`;
    }
    return `<${this.constructor.name} ${url} [${this.method}]>`;
  }

  /**
   * A request header by its lower-case name, as one string, read straight from Node's
   * parsed headers: cheaper than building `headers`. Node has already joined repeats
   * (Cookie with "; ", lists with ", ") and kept the first of singletons, which is what
   * Werkzeug's `headers.get` gives.
   */
  protected header(name: string): string | undefined {
    return headerString(this.raw.headers[name]);
  }

  #splitUrl(): void {
    let url = this.raw.url ?? "/";
    const hash = url.indexOf("#");
    if (hash >= 0) url = url.slice(0, hash);
    const q = url.indexOf("?");
    let path = q < 0 ? url : url.slice(0, q);
    this.#queryString = q < 0 ? "" : url.slice(q + 1);
    if (path.charCodeAt(0) !== 47 /* / */ && path !== "*") {
      // An absolute-form target (sent to proxies): its authority replaces the Host header (RFC 9112 3.2.2).
      const m = ABSOLUTE_URL_RE.exec(path);
      if (m !== null) {
        this.#authority = m[1];
        path = m[2] || "/";
      } else {
        path = "/" + path;
      }
    }
    const root = this.#scriptRoot;
    if (root !== "" && path.startsWith(root) && (path.length === root.length || path.charCodeAt(root.length) === 47)) {
      path = path.slice(root.length) || "/";
    }
    this.#rawPath = path;
  }

  #parseContentType(): void {
    const [value, params] = parseOptionsHeader(this.contentType ?? "");
    this.#mimetype = value.toLowerCase();
    this.#mimetypeParams = params;
  }
}

function headerString(value: string | string[] | undefined): string | undefined {
  return value === undefined || typeof value === "string" ? value : value.join(", ");
}

// Node's rawHeaders keep the client's spelling; HTTP/2 pseudo-headers (":path") are not fields.
function headersOf(req: IncomingMessage): Headers {
  const raw = req.rawHeaders;
  if (raw === undefined) return new Headers(req.headers);
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.charCodeAt(0) === 58 /* : */) {
      const fields: string[] = [];
      for (let j = 0; j + 1 < raw.length; j += 2) if (raw[j]!.charCodeAt(0) !== 58) fields.push(raw[j]!, raw[j + 1]!);
      return Headers.fromRaw(fields);
    }
  }
  return Headers.fromRaw(raw);
}
