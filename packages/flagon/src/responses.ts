/**
 * Turning what a view returns into a `Response` (Flask's `make_response`): strings,
 * JSON-able objects and arrays, bytes, streams, generators and async iterables, responses, HTTP
 * exceptions, and `[body, status]`, `[body, headers]`, `[body, status, headers]` tuples.
 */
import { Readable } from "node:stream";
import { Headers, HTTPException, Response } from "@flagon/werk";

/** Headers as a view may return them. */
export type HeadersLike = Headers | Record<string, string | string[]> | Array<[string, string]>;

/** Everything a view may return. */
export type ViewReturn =
  | string
  | Response
  | Uint8Array
  | Readable
  | AsyncIterable<string | Uint8Array>
  | Generator<string | Uint8Array>
  | Record<string, unknown>
  | unknown[]
  | [body: unknown, status: number | string]
  | [body: unknown, headers: HeadersLike]
  | [body: unknown, status: number | string, headers: HeadersLike];

function isAsyncIterable(value: unknown): value is AsyncIterable<string | Uint8Array> {
  return value !== null && typeof value === "object" && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

// A generator streams its chunks, as in Flask; other iterables (Map, Set) are not bodies.
function isGenerator(value: unknown): value is Iterable<string | Uint8Array> {
  return Object.prototype.toString.call(value) === "[object Generator]";
}

function isPlainJson(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Serialise to JSON the way `jsonify` does (`undefined` values dropped, Dates as ISO strings). */
export function toJson(value: unknown, pretty = false): string {
  let text: string | undefined;
  try {
    // Without a replacer V8 serialises on its fast path; only a bigint needs one (it throws).
    text = JSON.stringify(value, null, pretty ? 2 : undefined);
  } catch (error) {
    if (!(error instanceof TypeError) || !/BigInt/i.test(error.message)) throw error;
    text = JSON.stringify(value, bigintAsString, pretty ? 2 : undefined);
  }
  return text === undefined ? "null" : text + (pretty ? "\n" : "");
}

function bigintAsString(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** A JSON response (`application/json`) from any JSON-serialisable value. */
export function jsonResponse(value: unknown, status?: number, pretty = false): Response {
  return new Response(toJson(value, pretty), { status, mimetype: "application/json" });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an object of class ${(value as object).constructor?.name ?? "Object"}`;
  return `a ${typeof value}`;
}

/**
 * Coerce a view's return value to a `Response`. `endpoint` names the view in errors.
 *
 * @example
 * makeResponseFrom(["created", 201, { Location: "/x" }]);
 */
export function makeResponseFrom(rv: unknown, endpoint = "view", prettyJson = false): Response {
  let status: number | string | undefined;
  let headers: HeadersLike | undefined;

  if (Array.isArray(rv) && rv.length >= 2 && rv.length <= 3 && isTupleShape(rv)) {
    if (rv.length === 3) [rv, status, headers] = rv as [unknown, number | string, HeadersLike];
    else if (typeof rv[1] === "number" || typeof rv[1] === "string") [rv, status] = rv as [unknown, number | string];
    else [rv, headers] = rv as [unknown, HeadersLike];
  }

  if (rv === undefined || rv === null) {
    throw new TypeError(
      `The view function for "${endpoint}" did not return a valid response. The function either returned ` +
        `${rv === null ? "null" : "undefined"} or ended without a return statement. Return a string, object, ` +
        "Response or [body, status] tuple.",
    );
  }

  let response: Response;
  if (rv instanceof Response) response = rv;
  else if (rv instanceof HTTPException) response = rv.getResponse();
  else if (typeof rv === "string" || rv instanceof Uint8Array) response = new Response(rv);
  else if (rv instanceof Readable || isAsyncIterable(rv) || isGenerator(rv)) response = new Response(rv as Readable);
  else if (typeof rv === "object" && isPlainJson(rv)) response = jsonResponse(rv, undefined, prettyJson);
  else {
    throw new TypeError(
      `The view function for "${endpoint}" did not return a valid response. It returned ${describe(rv)}; ` +
        "return a string, plain object or array (JSON), Buffer, Readable or async iterable, Response, or a tuple.",
    );
  }

  if (status !== undefined) {
    if (typeof status === "number") response.statusCode = status;
    else response.status = status;
  }
  if (headers !== undefined) {
    const pairs = headers instanceof Headers ? [...headers] : Array.isArray(headers) ? headers : Object.entries(headers);
    for (const [name, value] of pairs) {
      if (Array.isArray(value)) {
        response.headers.delete(name);
        for (const v of value) response.headers.add(name, v);
      } else {
        response.headers.set(name, value);
      }
    }
  }
  return response;
}

// JavaScript has no tuples: a 2- or 3-element array is read as one only when its items
// look like [body, status], [body, headers] or [body, status, headers]. [1, 2] or a list
// of records stays a JSON array; return jsonify(...) to be explicit.
function isStatusLike(value: unknown): boolean {
  if (typeof value === "number") return Number.isInteger(value) && value >= 100 && value <= 599;
  return typeof value === "string" && /^\d{3}(\s|$)/.test(value);
}

function isHeadersLike(value: unknown): boolean {
  if (value instanceof Headers) return true;
  if (Array.isArray(value)) return value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string");
  if (typeof value !== "object" || value === null || !isPlainJson(value)) return false;
  return Object.values(value).every((v) => typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string")));
}

function isBodyLike(value: unknown): boolean {
  return typeof value === "string" || (typeof value === "object" && value !== null);
}

function isTupleShape(rv: unknown[]): boolean {
  if (!isBodyLike(rv[0])) return false;
  if (rv.length === 3) return isStatusLike(rv[1]) && isHeadersLike(rv[2]);
  if (isStatusLike(rv[1])) return true;
  // [records..., {...}] is a JSON list; only a non-JSON body pairs with a headers object.
  return isHeadersLike(rv[1]) && !(typeof rv[0] === "object" && isPlainJson(rv[0] as object));
}
