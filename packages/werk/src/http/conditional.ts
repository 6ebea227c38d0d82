/**
 * Conditional requests (RFC 9110 §13): decide from the request's validators whether a
 * resource changed, so a response can become `304 Not Modified` / `412`. Werkzeug's
 * `is_resource_modified`, taking header values instead of a WSGI environ.
 */
import { parseDate } from "./dates.js";
import { ETags, generateEtag, unquoteEtag } from "./etag.js";
import { IfRange } from "./range.js";

/** The response's validators and the request's conditional headers (raw values). */
export interface ResourceModifiedOptions {
  /** The response's ETag (quoted or not). */
  etag?: string | null;
  /** Or the body, to generate the ETag from; giving both throws. */
  data?: string | Uint8Array | null;
  /** When the resource last changed: a Date, a Unix timestamp in seconds, or an HTTP date. */
  lastModified?: Date | number | string | null;
  /** The request's `If-None-Match` header. */
  ifNoneMatch?: string | null;
  /** The request's `If-Modified-Since` header. */
  ifModifiedSince?: string | null;
  /** The request's `If-Match` header. */
  ifMatch?: string | null;
  /** The request's `Range` header: `If-Range` counts only when a Range was sent. */
  range?: string | null;
  /** The request's `If-Range` header. */
  ifRange?: string | null;
  /** Ignore `If-Range` (the default); set false when serving ranges. */
  ignoreIfRange?: boolean;
}

function toSeconds(value: Date | number | string): number | undefined {
  const date = typeof value === "string" ? parseDate(value) : typeof value === "number" ? new Date(value * 1000) : value;
  if (date === undefined || Number.isNaN(date.getTime())) return undefined;
  // HTTP dates have whole seconds; comparing milliseconds would never say "unmodified".
  return Math.floor(date.getTime() / 1000);
}

/**
 * True if the response should be sent in full; false if the client's copy is current or
 * a precondition failed. Werkzeug's `makeConditional` then answers 412 when the request
 * had `If-Match`, else 304. An ETag is compared weakly with `If-None-Match`, strongly
 * with `If-Match` and `If-Range`; dates are compared to the second.
 *
 * @example
 * isResourceModified({ etag: "abc", ifNoneMatch: '"abc"' }); // false -> 304
 */
export function isResourceModified(opts: ResourceModifiedOptions): boolean {
  let etag = opts.etag ?? undefined;
  if (opts.data != null) {
    if (etag !== undefined) throw new TypeError("Pass either etag or data to isResourceModified, not both.");
    etag = generateEtag(opts.data);
  }
  const lastModified = opts.lastModified == null ? undefined : toSeconds(opts.lastModified);

  // RFC 9110 §13.1.5: a server MUST ignore If-Range without a Range header.
  const ifRange =
    opts.ignoreIfRange === false && opts.range != null ? IfRange.fromHeader(opts.ifRange) : undefined;

  let unmodified = false;
  const since = ifRange?.date ?? parseDate(opts.ifModifiedSince);
  if (since !== undefined && lastModified !== undefined && lastModified <= Math.floor(since.getTime() / 1000)) {
    unmodified = true;
  }

  if (etag) {
    const [tag] = unquoteEtag(etag);
    if (ifRange?.etag !== undefined) {
      unmodified = ETags.fromHeader(ifRange.etag).contains(tag);
    } else {
      const ifNoneMatch = ETags.fromHeader(opts.ifNoneMatch);
      if (!ifNoneMatch.isEmpty) unmodified = ifNoneMatch.containsWeak(tag);
      const ifMatch = ETags.fromHeader(opts.ifMatch);
      if (!ifMatch.isEmpty) unmodified = !ifMatch.isStrong(tag);
    }
  }
  return !unmodified;
}
