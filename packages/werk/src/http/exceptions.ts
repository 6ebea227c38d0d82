/**
 * HTTP exceptions: throw one anywhere below a view and it becomes an error response.
 *
 * Each class stands for one status code and renders a small HTML page. Client
 * mistakes are always `HTTPException`s with a description that is safe to show.
 */
import { STATUS_CODES } from "node:http";
import { escapeHtml } from "../utils.js";
// A cycle (response.ts imports these classes), safe because neither module uses the
// other's exports while it is being evaluated, only inside methods.
import { Response } from "./response.js";

/** Headers an exception adds to its response, as `[name, value]` pairs. */
export type HeaderPairs = Array<[string, string]>;

/**
 * The base of every HTTP error. `code` is the status, `description` a safe message.
 *
 * @example
 * throw new HTTPException("Something is off", { code: 400 });
 */
export class HTTPException extends Error {
  /** The HTTP status code (set by each subclass). */
  static code: number | undefined = undefined;
  /** The default description of the subclass. */
  static description = "";

  /** The HTTP status code of this error. */
  code: number | undefined;
  /** A human readable description, safe to show to the client. */
  description: string;
  /** A response that replaces the rendered page (set by `abort(response)`). */
  response: Response | undefined;

  constructor(description?: string, opts: { code?: number; response?: Response; cause?: unknown } = {}) {
    const ctor = new.target as typeof HTTPException;
    const desc = description ?? ctor.description;
    super(desc, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code ?? ctor.code;
    this.description = desc;
    this.response = opts.response;
  }

  /** The status phrase, e.g. "Not Found". */
  get statusName(): string {
    return statusPhrase(this.code);
  }

  /** The HTML body of the error page. */
  getBody(): string {
    const name = escapeHtml(this.statusName);
    return (
      "<!doctype html>\n<html lang=en>\n" +
      `<title>${this.code ?? "???"} ${name}</title>\n` +
      `<h1>${name}</h1>\n` +
      `<p>${escapeHtml(this.description)}</p>\n`
    );
  }

  /** The headers of the error page. */
  getHeaders(): HeaderPairs {
    return [["Content-Type", "text/html; charset=utf-8"]];
  }

  /**
   * The error as a `Response`: the HTML page with the status and `getHeaders()` (Allow
   * for 405, WWW-Authenticate for 401, ...), or the response given to `abort(response)`.
   * An exception without a code answers 500.
   */
  getResponse(): Response {
    if (this.response !== undefined) return this.response;
    return new Response(this.getBody(), { status: this.code ?? 500, headers: this.getHeaders() });
  }

  override toString(): string {
    return `${this.code ?? "???"} ${this.statusName}: ${this.description}`;
  }
}

// `name` is a read-only-ish property of Error; keep it per class for readable stacks.
function define<T extends HTTPExceptionClass>(cls: T, code: number, description: string): T {
  cls.code = code;
  cls.description = description;
  Object.defineProperty(cls.prototype, "name", { value: cls.name, writable: true, configurable: true });
  return cls;
}

/** An HTTP exception class: constructible, with its status code and default description. */
export type HTTPExceptionClass = (new (...args: any[]) => HTTPException) & {
  code: number | undefined;
  description: string;
};

/** The phrase for a status code ("Not Found"), or "Unknown Error". */
export function statusPhrase(code: number | undefined): string {
  return (code !== undefined && STATUS_CODES[code]) || "Unknown Error";
}

/** 400: the request could not be understood. */
export class BadRequest extends HTTPException {}
define(BadRequest, 400, "The browser (or proxy) sent a request that this server could not understand.");

/** 400: a required key was missing from form data or query arguments. */
export class BadRequestKeyError extends BadRequest {
  /** The missing key. */
  key: string;
  constructor(key: string, description?: string) {
    super(description ?? `The request is missing the required key "${key}".`);
    this.key = key;
  }
}
define(BadRequestKeyError, 400, BadRequest.description);

/** 400: the client went away while the body was being read. */
export class ClientDisconnected extends BadRequest {}
define(ClientDisconnected, 400, "The client disconnected before the request body was read completely.");

/** 400: something about the request looked like an attack. */
export class SecurityError extends BadRequest {}
define(SecurityError, 400, BadRequest.description);

/** 400: the Host header is not one of the trusted hosts or is malformed. */
export class BadHost extends BadRequest {}
define(BadHost, 400, "The host name in the request is not valid for this server.");

/** 401: the request needs credentials. `wwwAuthenticate` fills the challenge header. */
export class Unauthorized extends HTTPException {
  /** Values of the `WWW-Authenticate` header, e.g. `['Basic realm="api"']`. */
  wwwAuthenticate: string[];
  constructor(description?: string, opts: { wwwAuthenticate?: string | string[] } = {}) {
    super(description);
    const w = opts.wwwAuthenticate;
    this.wwwAuthenticate = w === undefined ? [] : Array.isArray(w) ? w : [w];
  }
  override getHeaders(): HeaderPairs {
    const headers = super.getHeaders();
    for (const value of this.wwwAuthenticate) headers.push(["WWW-Authenticate", value]);
    return headers;
  }
}
define(Unauthorized, 401, "The server could not verify that you are authorized to access the URL requested.");

/** 403: the client may not access this resource. */
export class Forbidden extends HTTPException {}
define(Forbidden, 403, "You don't have the permission to access the requested resource.");

/** 404: nothing lives at this URL. */
export class NotFound extends HTTPException {}
define(NotFound, 404, "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.");

/** 405: the URL exists but not for this method; `validMethods` fills `Allow`. */
export class MethodNotAllowed extends HTTPException {
  /** The methods the URL accepts, sent as the `Allow` header. */
  validMethods: string[] | undefined;
  constructor(validMethods?: Iterable<string>, description?: string) {
    super(description);
    this.validMethods = validMethods === undefined ? undefined : [...validMethods];
  }
  override getHeaders(): HeaderPairs {
    const headers = super.getHeaders();
    if (this.validMethods) headers.push(["Allow", this.validMethods.join(", ")]);
    return headers;
  }
}
define(MethodNotAllowed, 405, "The method is not allowed for the requested URL.");

/** 406: no representation matches the Accept headers. */
export class NotAcceptable extends HTTPException {}
define(NotAcceptable, 406, "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.");

/** 408: the client took too long to send the request. */
export class RequestTimeout extends HTTPException {}
define(RequestTimeout, 408, "The server closed the network connection because the browser didn't finish the request within the specified time.");

/** 409: the request conflicts with the resource's current state. */
export class Conflict extends HTTPException {}
define(Conflict, 409, "A conflict happened while processing the request. The resource might have been modified while the request was being processed.");

/** 410: the resource existed but is gone for good. */
export class Gone extends HTTPException {}
define(Gone, 410, "The requested URL is no longer available on this server and there is no forwarding address.");

/** 411: a Content-Length header is required. */
export class LengthRequired extends HTTPException {}
define(LengthRequired, 411, "A request with this method requires a valid Content-Length header.");

/** 412: a precondition header did not hold. */
export class PreconditionFailed extends HTTPException {}
define(PreconditionFailed, 412, "The precondition on the request for the URL failed positive evaluation.");

/** 413: the body is larger than the server accepts. */
export class RequestEntityTooLarge extends HTTPException {}
define(RequestEntityTooLarge, 413, "The data value transmitted exceeds the capacity limit.");

/** 414: the URL is too long. */
export class RequestURITooLarge extends HTTPException {}
define(RequestURITooLarge, 414, "The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed.");

/** 415: the body's media type is not supported. */
export class UnsupportedMediaType extends HTTPException {}
define(UnsupportedMediaType, 415, "The server does not support the media type transmitted in the request.");

/** 416: the requested range cannot be served. `length` fills `Content-Range`. */
export class RequestedRangeNotSatisfiable extends HTTPException {
  /** The complete length of the resource, sent as `Content-Range: bytes *\/length`. */
  length: number | undefined;
  /** The range unit. */
  units: string;
  constructor(description?: string, opts: { length?: number; units?: string } = {}) {
    super(description);
    this.length = opts.length;
    this.units = opts.units ?? "bytes";
  }
  override getHeaders(): HeaderPairs {
    const headers = super.getHeaders();
    if (this.length !== undefined) headers.push(["Content-Range", `${this.units} */${this.length}`]);
    return headers;
  }
}
define(RequestedRangeNotSatisfiable, 416, "The server cannot provide the requested range.");

/** 417: the Expect header cannot be met. */
export class ExpectationFailed extends HTTPException {}
define(ExpectationFailed, 417, "The server could not meet the requirements of the Expect header.");

/** 418: the server is a teapot. */
export class ImATeapot extends HTTPException {}
define(ImATeapot, 418, "This server is a teapot, not a coffee machine.");

/** 421: the request reached a server that cannot answer for this host. */
export class MisdirectedRequest extends HTTPException {}
define(MisdirectedRequest, 421, "The server is not able to produce a response for this request.");

/** 422: the body is well-formed but semantically wrong. */
export class UnprocessableEntity extends HTTPException {}
define(UnprocessableEntity, 422, "The request was well-formed but was unable to be followed due to semantic errors.");

/** 423: the resource is locked. */
export class Locked extends HTTPException {}
define(Locked, 423, "The resource that is being accessed is locked.");

/** 424: a request this one depends on failed. */
export class FailedDependency extends HTTPException {}
define(FailedDependency, 424, "The method could not be performed on the resource because the requested action depended on another action and that action failed.");

/** 428: the request must be conditional. */
export class PreconditionRequired extends HTTPException {}
define(PreconditionRequired, 428, 'This request is required to be conditional; try using "If-Match" or "If-Unmodified-Since".');

/** Base for errors that may carry a `Retry-After` header (seconds or a date). */
class RetryAfterException extends HTTPException {
  /** Seconds to wait, or the date after which to retry. */
  retryAfter: number | Date | undefined;
  constructor(description?: string, opts: { retryAfter?: number | Date } = {}) {
    super(description);
    this.retryAfter = opts.retryAfter;
  }
  override getHeaders(): HeaderPairs {
    const headers = super.getHeaders();
    const r = this.retryAfter;
    if (r !== undefined) headers.push(["Retry-After", r instanceof Date ? r.toUTCString() : String(Math.trunc(r))]);
    return headers;
  }
}

/** 429: the client sent too many requests. */
export class TooManyRequests extends RetryAfterException {}
define(TooManyRequests, 429, "This user has exceeded an allotted request count. Try again later.");

/** 431: one header or all headers together are too large. */
export class RequestHeaderFieldsTooLarge extends HTTPException {}
define(RequestHeaderFieldsTooLarge, 431, "One or more header fields exceeds the maximum size.");

/** 451: unavailable for legal reasons. */
export class UnavailableForLegalReasons extends HTTPException {}
define(UnavailableForLegalReasons, 451, "Unavailable for legal reasons.");

/** 500: the server failed; `originalError` keeps what was thrown. */
export class InternalServerError extends HTTPException {
  /** The error that caused this one, if any. */
  originalError: unknown;
  constructor(description?: string, opts: { originalError?: unknown } = {}) {
    super(description, { cause: opts.originalError });
    this.originalError = opts.originalError;
  }
}
define(InternalServerError, 500, "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.");

/** 501: the method is not implemented. */
export class NotImplemented extends HTTPException {}
define(NotImplemented, 501, "The server does not support the action requested by the browser.");

/** 502: an upstream server answered badly. */
export class BadGateway extends HTTPException {}
define(BadGateway, 502, "The proxy server received an invalid response from an upstream server.");

/** 503: the service is down for now; may carry `Retry-After`. */
export class ServiceUnavailable extends RetryAfterException {}
define(ServiceUnavailable, 503, "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.");

/** 504: an upstream server did not answer in time. */
export class GatewayTimeout extends HTTPException {}
define(GatewayTimeout, 504, "The connection to an upstream server timed out.");

/** 505: the HTTP version is not supported. */
export class HTTPVersionNotSupported extends HTTPException {}
define(HTTPVersionNotSupported, 505, "The server does not support the HTTP protocol version used in the request.");

/** Every standard error class by status code, for `abort(code)`. */
export const DEFAULT_EXCEPTIONS: Readonly<Record<number, HTTPExceptionClass>> = Object.freeze({
  400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 405: MethodNotAllowed,
  406: NotAcceptable, 408: RequestTimeout, 409: Conflict, 410: Gone, 411: LengthRequired,
  412: PreconditionFailed, 413: RequestEntityTooLarge, 414: RequestURITooLarge,
  415: UnsupportedMediaType, 416: RequestedRangeNotSatisfiable, 417: ExpectationFailed,
  418: ImATeapot, 421: MisdirectedRequest, 422: UnprocessableEntity, 423: Locked,
  424: FailedDependency, 428: PreconditionRequired, 429: TooManyRequests,
  431: RequestHeaderFieldsTooLarge, 451: UnavailableForLegalReasons, 500: InternalServerError,
  501: NotImplemented, 502: BadGateway, 503: ServiceUnavailable, 504: GatewayTimeout,
  505: HTTPVersionNotSupported,
});
