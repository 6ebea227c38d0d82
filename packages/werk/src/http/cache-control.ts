/**
 * `Cache-Control` as an object: read and set directives by name instead of editing the
 * header string. Werkzeug's `ResponseCacheControl` (`datastructures/cache_control.py`).
 */
import { parseDictHeader, quoteHeaderValue } from "./header-values.js";
import { parsePlainInt, setOwn } from "./_internal.js";

/**
 * The directives of a `Cache-Control` header. Boolean directives (`noCache`, `public`,
 * ...) are present or not; numeric ones (`maxAge`, ...) hold seconds. Unknown directives
 * are kept as they came. When bound to a response (`response.cacheControl`), every
 * change is written back to the header at once.
 *
 * @example
 * response.cacheControl.public = true;
 * response.cacheControl.maxAge = 3600;
 * response.headers.get("Cache-Control"); // "public, max-age=3600"
 */
export class CacheControl {
  // Directive name (lower-case) -> value, `null` for a directive without one.
  #directives: Record<string, string | null>;
  #onUpdate: ((cacheControl: CacheControl) => void) | undefined;

  constructor(header?: string | null, onUpdate?: (cacheControl: CacheControl) => void) {
    this.#directives = Object.create(null) as Record<string, string | null>;
    this.#onUpdate = onUpdate;
    if (header) {
      const parsed = parseDictHeader(header);
      for (const key of Object.keys(parsed)) setOwn(this.#directives, key.toLowerCase(), parsed[key]!);
    }
  }

  /** Parse a `Cache-Control` header; missing gives an empty object. */
  static fromHeader(header: string | null | undefined): CacheControl {
    return new CacheControl(header);
  }

  /** `max-age`: seconds the response stays fresh. */
  get maxAge(): number | undefined {
    return this.#number("max-age");
  }
  set maxAge(value: number | null | undefined) {
    this.#setNumber("max-age", value);
  }

  /** `s-maxage`: `max-age` for shared caches. */
  get sMaxAge(): number | undefined {
    return this.#number("s-maxage");
  }
  set sMaxAge(value: number | null | undefined) {
    this.#setNumber("s-maxage", value);
  }

  /** `stale-while-revalidate` seconds (RFC 5861). */
  get staleWhileRevalidate(): number | undefined {
    return this.#number("stale-while-revalidate");
  }
  set staleWhileRevalidate(value: number | null | undefined) {
    this.#setNumber("stale-while-revalidate", value);
  }

  /** `stale-if-error` seconds (RFC 5861). */
  get staleIfError(): number | undefined {
    return this.#number("stale-if-error");
  }
  set staleIfError(value: number | null | undefined) {
    this.#setNumber("stale-if-error", value);
  }

  /** `no-cache`: caches must revalidate before every use. */
  get noCache(): boolean {
    return this.has("no-cache");
  }
  set noCache(value: boolean | null | undefined) {
    this.#setFlag("no-cache", value);
  }

  /** `no-store`: caches must not keep the response at all. */
  get noStore(): boolean {
    return this.has("no-store");
  }
  set noStore(value: boolean | null | undefined) {
    this.#setFlag("no-store", value);
  }

  /** `public`: shared caches may keep the response. */
  get public(): boolean {
    return this.has("public");
  }
  set public(value: boolean | null | undefined) {
    this.#setFlag("public", value);
  }

  /** `private`: only the user's own cache may keep the response. */
  get private(): boolean {
    return this.has("private");
  }
  set private(value: boolean | null | undefined) {
    this.#setFlag("private", value);
  }

  /** `must-revalidate`: never serve the response stale. */
  get mustRevalidate(): boolean {
    return this.has("must-revalidate");
  }
  set mustRevalidate(value: boolean | null | undefined) {
    this.#setFlag("must-revalidate", value);
  }

  /** `proxy-revalidate`: `must-revalidate` for shared caches. */
  get proxyRevalidate(): boolean {
    return this.has("proxy-revalidate");
  }
  set proxyRevalidate(value: boolean | null | undefined) {
    this.#setFlag("proxy-revalidate", value);
  }

  /** `no-transform`: intermediaries must not change the body. */
  get noTransform(): boolean {
    return this.has("no-transform");
  }
  set noTransform(value: boolean | null | undefined) {
    this.#setFlag("no-transform", value);
  }

  /** `immutable`: the body never changes while fresh (RFC 8246). */
  get immutable(): boolean {
    return this.has("immutable");
  }
  set immutable(value: boolean | null | undefined) {
    this.#setFlag("immutable", value);
  }

  /** True if the directive is present (any case). */
  has(name: string): boolean {
    return Object.hasOwn(this.#directives, name.toLowerCase());
  }

  /** A directive's raw value: `null` when present without a value, `undefined` when absent. */
  get(name: string): string | null | undefined {
    const key = name.toLowerCase();
    return Object.hasOwn(this.#directives, key) ? this.#directives[key] : undefined;
  }

  /** Set a directive (`null` for one without a value); `undefined` removes it. */
  set(name: string, value: string | number | null | undefined): void {
    const key = name.toLowerCase();
    if (value === undefined) delete this.#directives[key];
    else setOwn(this.#directives, key, value === null ? null : String(value));
    this.#onUpdate?.(this);
  }

  /** Remove a directive. */
  delete(name: string): void {
    this.set(name, undefined);
  }

  /** True when no directive is set (Werkzeug's `not cache_control`). */
  get isEmpty(): boolean {
    for (const _ in this.#directives) return false;
    return true;
  }

  /** The header value: `public, max-age=60`, in the order directives were set. */
  toHeader(): string {
    const parts: string[] = [];
    for (const key of Object.keys(this.#directives)) {
      const value = this.#directives[key];
      parts.push(value === null || value === undefined ? key : `${key}=${quoteHeaderValue(value)}`);
    }
    return parts.join(", ");
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }

  #number(key: string): number | undefined {
    const value = this.#directives[key];
    // A malformed number reads as absent, as Werkzeug's `int` conversion with a fallback does.
    return value == null ? undefined : parsePlainInt(value);
  }

  #setNumber(key: string, value: number | null | undefined): void {
    if (value == null) {
      this.set(key, undefined);
      return;
    }
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`Cache-Control ${key} must be a non-negative number of seconds, got ${value}.`);
    }
    this.set(key, Math.trunc(value));
  }

  #setFlag(key: string, value: boolean | null | undefined): void {
    this.set(key, value ? null : undefined);
  }
}
