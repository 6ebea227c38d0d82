/**
 * Entity tags: generate, quote and unquote them, and parse `If-Match` / `If-None-Match`
 * into an `ETags` set with RFC 9110's strong and weak comparisons.
 */
import { createHash } from "node:crypto";

/**
 * A strong ETag for some content: the SHA-1 hex digest (40 characters, Werkzeug 2.0–3.1).
 * SHA-1 serves as a fast fingerprint here, not for security.
 */
export function generateEtag(data: string | Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

/** Quote an ETag for a header: `"tag"`, or `W/"tag"` when weak. A `"` inside throws. */
export function quoteEtag(etag: string, weak = false): string {
  if (etag.includes('"')) throw new TypeError(`Invalid ETag ${JSON.stringify(etag)}: it must not contain '"'.`);
  return weak ? `W/"${etag}"` : `"${etag}"`;
}

/**
 * Split a quoted ETag into `[tag, weak]`: `W/"bar"` -> `["bar", true]`. Unquoted tags
 * are taken as they are; the empty string gives `["", false]`.
 */
export function unquoteEtag(etag: string): [etag: string, weak: boolean] {
  let tag = etag.trim();
  let weak = false;
  if (tag.startsWith("W/") || tag.startsWith("w/")) {
    weak = true;
    tag = tag.slice(2);
  }
  if (tag.length >= 2 && tag[0] === '"' && tag[tag.length - 1] === '"') tag = tag.slice(1, -1);
  return [tag, weak];
}

/**
 * A set of ETags from `If-Match` / `If-None-Match`, with the `*` wildcard.
 * Iterating (and `size`) covers the strong tags only, as in Werkzeug.
 */
export class ETags implements Iterable<string> {
  /** True for `*`: every tag matches. */
  readonly starTag: boolean;
  readonly #strong: ReadonlySet<string>;
  readonly #weak: ReadonlySet<string>;

  constructor(strongEtags: Iterable<string> = [], weakEtags: Iterable<string> = [], starTag = false) {
    this.starTag = starTag;
    this.#strong = new Set(starTag ? [] : strongEtags);
    this.#weak = new Set(weakEtags);
  }

  /** Parse an `If-Match` / `If-None-Match` value; empty or missing gives an empty set. */
  static fromHeader(value: string | null | undefined): ETags {
    if (!value) return new ETags();
    const strong: string[] = [];
    const weak: string[] = [];
    let pos = 0;
    while (pos < value.length) {
      let isWeak = false;
      if (value[pos] === "W" || value[pos] === "w") {
        if (value[pos + 1] === "/") {
          isWeak = true;
          pos += 2;
        }
      }
      let tag: string | undefined;
      let next = -1;
      if (value[pos] === '"') {
        // RFC 9110 etagc excludes `"`: a tag ends at the next quote, which must end the item.
        // Otherwise the item is malformed and read as raw text up to the comma. (Werkzeug
        // searches further for a closing quote, which is quadratic on hostile input.)
        const q = value.indexOf('"', pos + 1);
        const after = q < 0 ? -1 : skipSpaces(value, q + 1);
        if (q >= 0 && (after >= value.length || value[after] === ",")) {
          tag = value.slice(pos + 1, q);
          next = after + 1;
        }
      }
      if (tag === undefined) {
        const comma = value.indexOf(",", pos);
        const end = comma < 0 ? value.length : comma;
        tag = value.slice(pos, end).trim();
        next = end + 1;
        if (tag === "*") return new ETags([], [], true);
        if (tag === "") {
          pos = skipSpaces(value, next);
          continue;
        }
      }
      (isWeak ? weak : strong).push(tag);
      pos = skipSpaces(value, next);
    }
    return new ETags(strong, weak);
  }

  /** The number of strong tags. */
  get size(): number {
    return this.#strong.size;
  }

  /** True when the header named no tag at all (Werkzeug's `not etags`). */
  get isEmpty(): boolean {
    return !this.starTag && this.#strong.size === 0 && this.#weak.size === 0;
  }

  /** The strong tags, and the weak ones too with `includeWeak`. */
  asSet(includeWeak = false): Set<string> {
    const result = new Set(this.#strong);
    if (includeWeak) for (const tag of this.#weak) result.add(tag);
    return result;
  }

  /** True if `etag` (unquoted) was sent as a weak tag. */
  isWeak(etag: string): boolean {
    return this.#weak.has(etag);
  }

  /** True if `etag` (unquoted) was sent as a strong tag. */
  isStrong(etag: string): boolean {
    return this.#strong.has(etag);
  }

  /** Strong comparison: `*`, or `etag` among the strong tags (for `If-Match`, `If-Range`). */
  contains(etag: string): boolean {
    return this.starTag || this.#strong.has(etag);
  }

  /** Weak comparison: `contains`, or `etag` among the weak tags (for `If-None-Match`). */
  containsWeak(etag: string): boolean {
    return this.#weak.has(etag) || this.contains(etag);
  }

  /** Check a quoted tag: a weak one (`W/"x"`) by weak comparison, a strong one by strong. */
  containsRaw(etag: string): boolean {
    const [tag, weak] = unquoteEtag(etag);
    return weak ? this.containsWeak(tag) : this.contains(tag);
  }

  /** The strong tags. */
  [Symbol.iterator](): Iterator<string> {
    return this.#strong[Symbol.iterator]();
  }

  /** The header value: `*`, or the quoted strong tags then the weak ones. */
  toHeader(): string {
    if (this.starTag) return "*";
    const parts: string[] = [];
    for (const tag of this.#strong) parts.push(`"${tag}"`);
    for (const tag of this.#weak) parts.push(`W/"${tag}"`);
    return parts.join(", ");
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  return i;
}

/** Parse an `If-Match` / `If-None-Match` header into `ETags`. Never throws. */
export function parseEtags(value: string | null | undefined): ETags {
  return ETags.fromHeader(value);
}
