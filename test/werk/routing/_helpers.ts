/**
 * Shared helpers for the routing tests: fake Node requests for `bindToRequest`,
 * a MultiDict stand-in for `build`, and an "expect this to throw" that returns the error.
 */
import { expect } from "vitest";
import { Map, RequestRedirect } from "@flagon/werk";

type BindRequest = Parameters<Map["bindToRequest"]>[0];

export interface FakeRequestOptions {
  method?: string;
  /** Extra headers; names are lower-cased as Node does. */
  headers?: Record<string, string>;
}

/**
 * A minimal stand-in for a Node `IncomingMessage`, like Werkzeug's `create_environ(path, base_url)`.
 *
 * @example
 * fakeRequest("/bar?foo=bar", "http://example.org/")
 */
export function fakeRequest(url: string, baseUrl = "http://localhost/", opts: FakeRequestOptions = {}): BindRequest {
  const base = new URL(baseUrl);
  const headers: Record<string, string> = { host: base.host };
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  const socket = base.protocol === "https:" ? { encrypted: true } : {};
  return { method: opts.method ?? "GET", url, headers, socket } as unknown as BindRequest;
}

/** A stand-in for werk's `MultiDict`: `lists()` yields `[key, values[]]` pairs, as the contract allows. */
export class FakeMultiDict {
  readonly #lists: Array<[string, unknown[]]>;
  /** Like Werkzeug's `MultiDict({key: value})`: a non-array value becomes a one-item list. */
  constructor(mapping: Record<string, unknown>) {
    this.#lists = Object.entries(mapping).map(([k, v]): [string, unknown[]] => [k, Array.isArray(v) ? [...v] : [v]]);
  }
  lists(): Array<[string, unknown[]]> {
    return this.#lists.map(([k, v]): [string, unknown[]] => [k, [...v]]);
  }
}

/** Runs `fn`, asserts that it throws an instance of `cls`, and returns the error for further checks. */
export function catchError<E>(fn: () => unknown, cls: abstract new (...args: never[]) => E): E {
  let thrown: unknown;
  let didThrow = false;
  try {
    fn();
  } catch (err) {
    thrown = err;
    didThrow = true;
  }
  expect(didThrow, `expected ${cls.name} to be thrown`).toBe(true);
  expect(thrown).toBeInstanceOf(cls);
  return thrown as E;
}

/** The `newUrl` of the `RequestRedirect` that `fn` throws. */
export function redirectTarget(fn: () => unknown): string {
  const err = catchError(fn, RequestRedirect);
  expect(err.code).toBe(308);
  return err.newUrl;
}
