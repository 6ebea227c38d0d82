/**
 * Byte ranges: the `Range` request header, the `Content-Range` response header and
 * `If-Range`. Stops are exclusive, as in Python slices: `bytes=0-99` is `[0, 100]`.
 * Malformed headers parse to `undefined`, so a server simply ignores them.
 */
import { parsePlainInt } from "./_internal.js";
import { httpDate, parseDate } from "./dates.js";
import { quoteEtag, unquoteEtag } from "./etag.js";

/** One range: `[start, stop]` with `stop` exclusive, `null` for "to the end"; a suffix is `[-n, null]`. */
export type ByteRange = [start: number, stop: number | null];

/**
 * True if `start`..`stop` (exclusive) is a valid range within `length`: both or neither
 * bound given, `start < stop`, inside the length when it is known.
 */
export function isByteRangeValid(start: number | null, stop: number | null, length: number | null): boolean {
  if ((start === null) !== (stop === null)) return false;
  if (start === null || stop === null) return length === null || length >= 0;
  if (length === null) return 0 <= start && start < stop;
  if (start >= stop) return false;
  return 0 <= start && start < length;
}

/**
 * A parsed `Range` header: `units` ("bytes") and the `ranges` asked for.
 *
 * @example
 * const range = parseRangeHeader("bytes=0-499");
 * range?.ranges;                 // [[0, 500]]
 * range?.rangeForLength(1000);   // [0, 500]
 * range?.toContentRangeHeader(1000); // "bytes 0-499/1000"
 */
export class Range {
  /** The unit, lower-cased; usually "bytes". */
  readonly units: string;
  /** `[start, stop]` pairs, stop exclusive. */
  readonly ranges: readonly ByteRange[];

  /** Throws a `TypeError` for a range that cannot be sent (start after stop, negative start with a stop). */
  constructor(units: string, ranges: readonly ByteRange[]) {
    for (const [start, stop] of ranges) {
      if (!Number.isInteger(start) || (stop !== null && (start < 0 || start >= stop))) {
        throw new TypeError(`[${start}, ${stop}] is not a valid range.`);
      }
    }
    this.units = units;
    this.ranges = ranges;
  }

  /** Parse a `Range` header; missing or malformed gives `undefined`. */
  static fromHeader(value: string | null | undefined): Range | undefined {
    if (!value) return undefined;
    const eq = value.indexOf("=");
    if (eq < 0) return undefined;
    const units = value.slice(0, eq).trim().toLowerCase();
    const ranges: ByteRange[] = [];
    // Ranges must ascend without overlap; after an open or suffix range nothing may follow.
    let lastEnd = 0;
    for (const raw of value.slice(eq + 1).split(",")) {
      const item = raw.trim();
      const dash = item.indexOf("-");
      if (dash < 0) return undefined;
      if (dash === 0) {
        if (lastEnd < 0) return undefined;
        const suffix = parsePlainInt(item);
        // "-0" asks for nothing; ignoring the header serves the whole content instead.
        if (suffix === undefined || suffix === 0) return undefined;
        ranges.push([suffix, null]);
        lastEnd = -1;
        continue;
      }
      const begin = parsePlainInt(item.slice(0, dash));
      if (begin === undefined || begin < lastEnd || lastEnd < 0) return undefined;
      const endText = item.slice(dash + 1).trim();
      let end: number | null = null;
      if (endText) {
        const last = parsePlainInt(endText);
        if (last === undefined || begin >= last + 1) return undefined;
        end = last + 1;
      }
      ranges.push([begin, end]);
      lastEnd = end ?? -1;
    }
    return new Range(units, ranges);
  }

  /**
   * The one satisfiable `[start, stop]` for content of `length` bytes, or `undefined`
   * (not bytes, unknown length, several ranges, or out of bounds: answer 416 or 200).
   * A suffix longer than the content selects all of it (RFC 9110 §14.1.2).
   */
  rangeForLength(length: number | null | undefined): [number, number] | undefined {
    if (this.units !== "bytes" || length == null || this.ranges.length !== 1) return undefined;
    let [start, end] = this.ranges[0]!;
    if (end === null) {
      end = length;
      if (start < 0) start = Math.max(0, start + length);
    }
    if (!isByteRangeValid(start, end, length)) return undefined;
    return [start, Math.min(end, length)];
  }

  /** A `ContentRange` for content of `length` bytes, or `undefined` when not satisfiable. */
  makeContentRange(length: number | null | undefined): ContentRange | undefined {
    const range = this.rangeForLength(length);
    return range === undefined ? undefined : new ContentRange(this.units, range[0], range[1], length ?? null);
  }

  /** The `Range` header value: `bytes=0-99,-500`. */
  toHeader(): string {
    const parts = this.ranges.map(([start, stop]) =>
      stop === null ? (start >= 0 ? `${start}-` : String(start)) : `${start}-${stop - 1}`,
    );
    return `${this.units}=${parts.join(",")}`;
  }

  /** The matching `Content-Range` value for content of `length` bytes, or `undefined`. */
  toContentRangeHeader(length: number | null | undefined): string | undefined {
    const range = this.rangeForLength(length);
    return range === undefined ? undefined : `${this.units} ${range[0]}-${range[1] - 1}/${length}`;
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

/**
 * A `Content-Range` header: which part of how much content a response carries.
 * `start`/`stop` are `null` for `bytes *\/length` (the unsatisfied-range form).
 */
export class ContentRange {
  /** The unit ("bytes"), or `null` when unset. */
  units: string | null = null;
  /** The first byte, or `null`. */
  start: number | null = null;
  /** One past the last byte, or `null`. */
  stop: number | null = null;
  /** The complete length, or `null` when unknown (`*`). */
  length: number | null = null;

  constructor(units: string | null, start: number | null, stop: number | null, length: number | null = null) {
    this.set(start, stop, length, units);
  }

  /** Parse a `Content-Range` header; missing or malformed gives `undefined`. */
  static fromHeader(value: string | null | undefined): ContentRange | undefined {
    if (!value) return undefined;
    const trimmed = value.trim();
    const space = trimmed.indexOf(" ");
    const units = space < 0 ? trimmed : trimmed.slice(0, space);
    const rest = space < 0 ? "" : trimmed.slice(space + 1);
    const slash = rest.indexOf("/");
    if (slash < 0) return undefined;
    const range = rest.slice(0, slash);
    const lengthText = rest.slice(slash + 1);
    let length: number | null = null;
    if (lengthText !== "*") {
      const parsed = parsePlainInt(lengthText);
      if (parsed === undefined) return undefined;
      length = parsed;
    }
    if (range === "*") {
      return isByteRangeValid(null, null, length) ? new ContentRange(units, null, null, length) : undefined;
    }
    const dash = range.indexOf("-");
    if (dash < 0) return undefined;
    const start = parsePlainInt(range.slice(0, dash));
    const last = parsePlainInt(range.slice(dash + 1));
    if (start === undefined || last === undefined) return undefined;
    return isByteRangeValid(start, last + 1, length) ? new ContentRange(units, start, last + 1, length) : undefined;
  }

  /** Set every field at once; an invalid range throws a `TypeError`. */
  set(start: number | null, stop: number | null, length: number | null = null, units: string | null = "bytes"): void {
    if (!isByteRangeValid(start, stop, length)) {
      throw new TypeError(`Invalid content range: start ${start}, stop ${stop}, length ${length}.`);
    }
    this.units = units;
    this.start = start;
    this.stop = stop;
    this.length = length;
  }

  /** Clear the range: the header should no longer be sent. */
  unset(): void {
    this.set(null, null, null, null);
  }

  /** True while units are set (Werkzeug's truthiness). */
  get isSet(): boolean {
    return this.units !== null;
  }

  /** The header value: `bytes 0-99/1000`, `bytes *\/1000`, or "" when unset. */
  toHeader(): string {
    if (this.units === null) return "";
    const length = this.length === null ? "*" : String(this.length);
    if (this.start === null || this.stop === null) return `${this.units} */${length}`;
    return `${this.units} ${this.start}-${this.stop - 1}/${length}`;
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

/** A parsed `If-Range` header: a strong ETag or a date (or neither). */
export class IfRange {
  /** The strong ETag, unquoted; weak tags are discarded as RFC 9110 requires. */
  readonly etag: string | undefined;
  /** The date, when the header held one. */
  readonly date: Date | undefined;

  constructor(opts: { etag?: string; date?: Date } = {}) {
    this.etag = opts.etag;
    this.date = opts.date;
  }

  /** Parse an `If-Range` value: a date if it reads as one, else an ETag. Never throws. */
  static fromHeader(value: string | null | undefined): IfRange {
    if (!value) return new IfRange();
    const date = parseDate(value);
    if (date !== undefined) return new IfRange({ date });
    const [etag, weak] = unquoteEtag(value);
    return weak ? new IfRange() : new IfRange({ etag });
  }

  /** The header value, or "" when empty. */
  toHeader(): string {
    if (this.date !== undefined) return httpDate(this.date);
    if (this.etag !== undefined) return quoteEtag(this.etag);
    return "";
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

/** Parse a `Range` header into a `Range`, or `undefined` when missing or malformed. */
export function parseRangeHeader(value: string | null | undefined): Range | undefined {
  return Range.fromHeader(value);
}

/** Parse a `Content-Range` header, or `undefined` when missing or malformed. */
export function parseContentRangeHeader(value: string | null | undefined): ContentRange | undefined {
  return ContentRange.fromHeader(value);
}

/** Parse an `If-Range` header (always an `IfRange`, empty when missing or weak). */
export function parseIfRangeHeader(value: string | null | undefined): IfRange {
  return IfRange.fromHeader(value);
}
