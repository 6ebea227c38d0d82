/**
 * What a test request gives back: `TestResponse` (status, headers, body, the request that
 * was sent, the redirects before it). Werkzeug's `TestResponse`, fully buffered.
 */
import { Headers } from "../http/headers.js";
import { parseSetCookie, type TestCookie } from "./cookie-jar.js";

/** The request as the test client sent it, kept on `response.request`. */
export interface SentRequest {
  /** The method, upper-case. */
  readonly method: string;
  /** The full URL: `http://localhost/path?query`. */
  readonly url: string;
  /** `http` or `https`. */
  readonly scheme: "http" | "https";
  /** The `Host` header: host name and, when not the default, port. */
  readonly host: string;
  /** The path, still percent-encoded, without the query string. */
  readonly path: string;
  /** The query string without `?` ("" when none). */
  readonly queryString: string;
  /** Every header sent, `Cookie` from the jar included. */
  readonly headers: Headers;
  /** The body sent, or `undefined` for none. */
  readonly body: Buffer | undefined;
  /** The client address the listener saw on `req.socket.remoteAddress`. */
  readonly remoteAddr: string;
}

/** The parts of a finished response the client collected from the listener. */
export interface TestResponseInit {
  statusCode: number;
  statusMessage: string;
  headers: Headers;
  data: Buffer;
  request: SentRequest;
}

/**
 * A response received by the test client: status, headers and the whole body, plus the
 * request that produced it and, after followed redirects, the responses before it.
 */
export class TestResponse {
  /** The numeric status, `404`. */
  readonly statusCode: number;
  /** The status line as Werkzeug shows it: code and upper-cased reason, `"404 NOT FOUND"`. */
  readonly status: string;
  /** The headers the listener set (not those Node adds on the wire, like `Date`). */
  readonly headers: Headers;
  /** The body, whole. Empty for `HEAD` and for 204/304. */
  readonly data: Buffer;
  /** What was sent to get this response. */
  readonly request: SentRequest;
  /** With `followRedirects`, the redirect responses that came before this one, oldest first. */
  history: readonly TestResponse[];
  #text: string | undefined;
  #json: { value: unknown } | undefined;

  constructor(init: TestResponseInit) {
    this.statusCode = init.statusCode;
    this.status = `${init.statusCode} ${init.statusMessage.toUpperCase()}`;
    this.headers = init.headers;
    this.data = init.data;
    this.request = init.request;
    this.history = [];
    this.#text = undefined;
    this.#json = undefined;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return (this.#text ??= this.data.toString("utf8"));
  }

  /**
   * The body parsed as JSON, on first read. Throws a `SyntaxError` naming the status,
   * content type and the start of the body when it is not JSON.
   */
  get json(): unknown {
    if (this.#json === undefined) {
      try {
        this.#json = { value: JSON.parse(this.text) as unknown };
      } catch (error) {
        const preview = this.text.length > 200 ? `${this.text.slice(0, 200)}…` : this.text;
        throw new SyntaxError(
          `The response body is not valid JSON (status ${this.status}, content type ` +
            `${JSON.stringify(this.contentType ?? null)}): ${JSON.stringify(preview)}.`,
          { cause: error },
        );
      }
    }
    return this.#json.value;
  }

  /** True if the mimetype is `application/json` or `application/*+json` (Werkzeug's `is_json`). */
  get isJson(): boolean {
    const mt = this.mimetype;
    return mt !== undefined && (mt === "application/json" || (mt.startsWith("application/") && mt.endsWith("+json")));
  }

  /** The body as a Buffer; async to match `Response.getData()`. */
  getData(): Promise<Buffer> {
    return Promise.resolve(this.data);
  }

  /** The `Content-Type` header, parameters included. */
  get contentType(): string | undefined {
    return this.headers.get("content-type");
  }

  /** The content type without parameters, lower-case: `text/html`. */
  get mimetype(): string | undefined {
    const ct = this.contentType;
    if (ct === undefined) return undefined;
    return ct.split(";", 1)[0]!.trim().toLowerCase();
  }

  /** The `Location` header as sent (possibly relative). */
  get location(): string | undefined {
    return this.headers.get("location");
  }

  /** The cookies this response set, parsed (deletions included, with an expiry in the past). */
  get cookies(): TestCookie[] {
    const host = this.request.host.replace(/:\d+$/, "");
    const result: TestCookie[] = [];
    for (const header of this.headers.getAll("set-cookie")) {
      const cookie = parseSetCookie(header, host, this.request.path);
      if (cookie !== undefined) result.push(cookie);
    }
    return result;
  }
}
