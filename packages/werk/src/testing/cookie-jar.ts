/**
 * The test client's cookie jar: `Set-Cookie` headers in, `Cookie` headers out, with the
 * domain and path matching of RFC 6265 §5.1.3-5.1.4 and nothing a test does not need
 * (no public-suffix list, no `Secure`/`SameSite` enforcement). Werkzeug's test `Cookie`.
 */
import { parseCookie } from "../http/cookies.js";
import { parseDate } from "../http/dates.js";

/**
 * A cookie as the test client stores it, returned by `client.getCookie` and
 * `response.cookies`. Cookies are identified by `(domain, path, name)`.
 */
export interface TestCookie {
  /** The name, as in the `Set-Cookie` header. */
  readonly name: string;
  /** The value as it travels in the `Cookie` header (still quoted if the server quoted it). */
  readonly value: string;
  /** The value as the application set it: quotes and escapes undone. */
  readonly decodedValue: string;
  /** The host the cookie belongs to: its `Domain` attribute, or the host that set it. */
  readonly domain: string;
  /** True when `Set-Cookie` had no `Domain`: sent to that exact host only, not subdomains. */
  readonly originOnly: boolean;
  /** The path prefix the cookie is sent for. */
  readonly path: string;
  /** When it stops being sent: from `Max-Age` if present (it wins, RFC 6265 §5.3), else `Expires`. */
  readonly expires: Date | undefined;
  /** The `Max-Age` attribute in seconds, if any. */
  readonly maxAge: number | undefined;
  /** The `Secure` attribute (recorded; the client sends the cookie over http too, as Werkzeug's does). */
  readonly secure: boolean;
  /** The `HttpOnly` attribute. */
  readonly httpOnly: boolean;
  /** The `SameSite` attribute as written (`Lax`, `Strict`, `None`), if any. */
  readonly sameSite: string | undefined;
  /** The `Partitioned` attribute. */
  readonly partitioned: boolean;
}

/** True if the cookie has expired at `now` (milliseconds), so it must be dropped. */
export function isExpired(cookie: TestCookie, now = Date.now()): boolean {
  return cookie.expires !== undefined && cookie.expires.getTime() <= now;
}

// RFC 6265 §5.1.4: the directory of the request path, "/" at the top.
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith("/")) return "/";
  const slash = requestPath.lastIndexOf("/");
  return slash <= 0 ? "/" : requestPath.slice(0, slash);
}

/**
 * Parse one `Set-Cookie` header received from `host` for `requestPath`. Returns
 * `undefined` for a header without `name=`, which user agents ignore (RFC 6265 §5.2).
 */
export function parseSetCookie(header: string, host: string, requestPath: string, now = Date.now()): TestCookie | undefined {
  const semicolon = header.indexOf(";");
  const pair = semicolon >= 0 ? header.slice(0, semicolon) : header;
  const eq = pair.indexOf("=");
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (!name) return undefined;
  const value = pair.slice(eq + 1).trim();

  const attrs = new Map<string, string>();
  if (semicolon >= 0) {
    for (const item of header.slice(semicolon + 1).split(";")) {
      const i = item.indexOf("=");
      const key = (i >= 0 ? item.slice(0, i) : item).trim().toLowerCase();
      // The last occurrence of an attribute wins (RFC 6265 §5.3 step 3 and onwards).
      if (key) attrs.set(key, i >= 0 ? item.slice(i + 1).trim() : "");
    }
  }

  let maxAge: number | undefined;
  const rawMaxAge = attrs.get("max-age");
  if (rawMaxAge !== undefined && /^-?\d+$/.test(rawMaxAge)) maxAge = Number(rawMaxAge);
  let expires = parseDate(attrs.get("expires"));
  if (maxAge !== undefined) expires = new Date(maxAge <= 0 ? 0 : now + maxAge * 1000);

  // A leading dot is legacy syntax for the same thing (RFC 6265 §5.2.3).
  const domainAttr = attrs.get("domain")?.replace(/^\.+/, "").toLowerCase() || undefined;
  const pathAttr = attrs.get("path");

  return {
    name,
    value,
    decodedValue: parseCookie(`${name}=${value}`).get(name) ?? value,
    domain: domainAttr ?? host,
    originOnly: domainAttr === undefined,
    path: pathAttr !== undefined && pathAttr.startsWith("/") ? pathAttr : defaultPath(requestPath),
    expires,
    maxAge,
    secure: attrs.has("secure"),
    httpOnly: attrs.has("httponly"),
    sameSite: attrs.get("samesite") || undefined,
    partitioned: attrs.has("partitioned"),
  };
}

function domainMatches(cookie: TestCookie, host: string): boolean {
  if (host === cookie.domain) return true;
  return !cookie.originOnly && host.endsWith(cookie.domain) && host[host.length - cookie.domain.length - 1] === ".";
}

// RFC 6265 §5.1.4 path-match: equal, or a prefix ending at a "/" boundary.
function pathMatches(cookie: TestCookie, path: string): boolean {
  if (path === cookie.path) return true;
  if (!path.startsWith(cookie.path)) return false;
  return cookie.path.endsWith("/") || path[cookie.path.length] === "/";
}

function storageKey(domain: string, path: string, name: string): string {
  return `${domain}\n${path}\n${name}`;
}

/** The client's cookies, keyed by `(domain, path, name)` like Werkzeug's `Client._cookies`. */
export class CookieJar {
  #cookies = new Map<string, TestCookie>();

  /** The stored cookie, or `undefined` (also when it has expired since). */
  get(name: string, domain: string, path: string): TestCookie | undefined {
    const key = storageKey(domain, path, name);
    const cookie = this.#cookies.get(key);
    if (cookie !== undefined && isExpired(cookie)) {
      this.#cookies.delete(key);
      return undefined;
    }
    return cookie;
  }

  /** Store a cookie, or remove the stored one when it is already expired (a deletion). */
  store(cookie: TestCookie): void {
    const key = storageKey(cookie.domain, cookie.path, cookie.name);
    // Replacing keeps the original position, i.e. its creation order (RFC 6265 §5.3 step 11).
    if (isExpired(cookie)) this.#cookies.delete(key);
    else this.#cookies.set(key, cookie);
  }

  /** Remove a cookie; true if there was one. */
  delete(name: string, domain: string, path: string): boolean {
    return this.#cookies.delete(storageKey(domain, path, name));
  }

  /** Every live cookie, in creation order. */
  all(): TestCookie[] {
    this.#purge();
    return Array.from(this.#cookies.values());
  }

  /**
   * The `Cookie` header value for a request to `host` and `path`, or "" when nothing
   * matches. Longer paths come first (RFC 6265 §5.4), so the most specific cookie is the
   * one a server reading the first value sees.
   */
  headerFor(host: string, path: string): string {
    this.#purge();
    const matching: TestCookie[] = [];
    for (const cookie of this.#cookies.values()) {
      if (domainMatches(cookie, host) && pathMatches(cookie, path)) matching.push(cookie);
    }
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join("; ");
  }

  #purge(): void {
    const now = Date.now();
    for (const [key, cookie] of this.#cookies) if (isExpired(cookie, now)) this.#cookies.delete(key);
  }
}
