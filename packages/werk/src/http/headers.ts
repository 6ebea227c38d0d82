/**
 * `Headers`: HTTP header fields as an ordered list of `[name, value]` pairs, looked up
 * without regard to case, with repeated names kept (Set-Cookie). Werkzeug's
 * `datastructures/headers.py`, guarded against header injection.
 */
import { BadRequestKeyError } from "./exceptions.js";
import { CONVERSION_FAILED, HEADER_BREAK_RE, tryConvert } from "./_internal.js";
import { dumpOptionsHeader, type HeaderParamValue } from "./header-values.js";
import { httpDate } from "./dates.js";
import { MultiDict } from "./multidict.js";

/** A value a header accepts: stringified, and a `Date` becomes an HTTP date. */
export type HeaderValue = string | number | bigint | boolean | Date;

/** Parameters appended to a header value: `{ filename: "a.txt" }` -> `; filename=a.txt`. */
export type HeaderOptions = Readonly<Record<string, HeaderParamValue>>;

/**
 * What `Headers` can be built from: another Headers or MultiDict, `[name, value]` pairs,
 * a Map, a plain object, or Node's `IncomingHttpHeaders` / `OutgoingHttpHeaders`
 * (array values give repeated headers, `undefined` values are skipped).
 */
export type HeadersInit =
  | Headers
  | MultiDict<HeaderValue>
  | Iterable<readonly [string, HeaderValue]>
  | ReadonlyMap<string, HeaderValue | readonly HeaderValue[] | undefined>
  | Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>;

const EXTENDED = { encodeNonAscii: true } as const;

function checkName(name: string): string {
  if (typeof name !== "string" || HEADER_BREAK_RE.test(name)) {
    throw new TypeError(`Header names must be strings without CR, LF or NUL characters, got ${JSON.stringify(name)}.`);
  }
  return name;
}

function toHeaderString(name: string, value: HeaderValue): string {
  const s = typeof value === "string" ? value : value instanceof Date ? httpDate(value) : String(value);
  if (HEADER_BREAK_RE.test(s)) {
    throw new TypeError(
      `The value of header "${name}" contains CR, LF or NUL characters, which could inject ` +
        `headers: ${JSON.stringify(s)}.`,
    );
  }
  return s;
}

/**
 * Header fields, ordered, case-insensitive and multi-valued.
 *
 * Every name and value is checked: one containing CR, LF or NUL throws a `TypeError`
 * (header injection); values are stringified.
 *
 * @example
 * const headers = new Headers({ "Content-Type": "text/plain" });
 * headers.add("Set-Cookie", "a=1");
 * headers.add("Set-Cookie", "b=2");
 * headers.get("content-type");   // "text/plain"
 * headers.getAll("set-cookie");  // ["a=1", "b=2"]
 * headers.set("Content-Disposition", "attachment", { filename: "x.txt" });
 * // Content-Disposition: attachment; filename=x.txt
 */
export class Headers implements Iterable<[string, string]> {
  // Parallel arrays: lookups compare against the pre-lowered names without allocating.
  #names: string[] = [];
  #lower: string[] = [];
  #values: string[] = [];

  constructor(defaults?: HeadersInit | null) {
    if (defaults != null) this.extend(defaults);
  }

  /**
   * Headers from Node's `req.rawHeaders` (`[name, value, name, value, ...]`), keeping the
   * client's spelling, order and repeats.
   */
  static fromRaw(rawHeaders: readonly string[]): Headers {
    const headers = new Headers();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.add(rawHeaders[i]!, rawHeaders[i + 1]!);
    return headers;
  }

  /** The number of fields (a repeated name counts each time). */
  get size(): number {
    return this.#names.length;
  }

  /** The first value of `name`, or `undefined`. */
  get(name: string): string | undefined;
  /** The first value of `name`, or `defaultValue`. */
  get<D>(name: string, defaultValue: D): string | D;
  /** The first value passed through `type`; `defaultValue` if missing or the conversion throws or gives NaN. */
  get<T, D = undefined>(name: string, defaultValue: D, type: (value: string) => T): T | D;
  get<T, D>(name: string, defaultValue?: D, type?: (value: string) => T): string | T | D | undefined {
    const i = this.#lower.indexOf(name.toLowerCase());
    if (i < 0) return defaultValue;
    const value = this.#values[i]!;
    if (type === undefined) return value;
    const converted = tryConvert(value, type);
    return converted === CONVERSION_FAILED ? defaultValue : converted;
  }

  /** Every value of `name`, in order; with `type`, the convertible ones converted. */
  getAll(name: string): string[];
  getAll<T>(name: string, type: (value: string) => T): T[];
  getAll<T>(name: string, type?: (value: string) => T): Array<string | T> {
    const key = name.toLowerCase();
    const result: Array<string | T> = [];
    for (let i = 0; i < this.#lower.length; i++) {
      if (this.#lower[i] !== key) continue;
      if (type === undefined) {
        result.push(this.#values[i]!);
      } else {
        const converted = tryConvert(this.#values[i]!, type);
        if (converted !== CONVERSION_FAILED) result.push(converted);
      }
    }
    return result;
  }

  /** The first value of `name`; a missing header throws `BadRequestKeyError` (Werkzeug's `headers[name]`). */
  require(name: string): string {
    const i = this.#lower.indexOf(name.toLowerCase());
    if (i < 0) throw new BadRequestKeyError(name);
    return this.#values[i]!;
  }

  /** True if a header called `name` (any case) is present. */
  has(name: string): boolean {
    return this.#lower.indexOf(name.toLowerCase()) >= 0;
  }

  /** Append a field; `options` become `; key=value` parameters (non-ASCII as `key*=UTF-8''…`). */
  add(name: string, value: HeaderValue, options?: HeaderOptions): void {
    checkName(name);
    let s = toHeaderString(name, value);
    if (options !== undefined) s = toHeaderString(name, dumpOptionsHeader(s, options, EXTENDED));
    this.#names.push(name);
    this.#lower.push(name.toLowerCase());
    this.#values.push(s);
  }

  /** The Fetch API's name for `add`. */
  append(name: string, value: HeaderValue, options?: HeaderOptions): void {
    this.add(name, value, options);
  }

  /**
   * Replace every field called `name` with one: it takes the place of the first one, or
   * goes last when there was none.
   */
  set(name: string, value: HeaderValue, options?: HeaderOptions): void {
    checkName(name);
    let s = toHeaderString(name, value);
    if (options !== undefined) s = toHeaderString(name, dumpOptionsHeader(s, options, EXTENDED));
    const key = name.toLowerCase();
    const i = this.#lower.indexOf(key);
    if (i < 0) {
      this.#names.push(name);
      this.#lower.push(key);
      this.#values.push(s);
      return;
    }
    this.#names[i] = name;
    this.#values[i] = s;
    this.#removeFrom(key, i + 1);
  }

  /** Replace every field called `name` with one per value; an empty list removes the header. */
  setAll(name: string, values: Iterable<HeaderValue>): void {
    checkName(name);
    // Check every value before changing anything, so a bad one leaves the headers intact.
    const strings = Array.from(values, (value) => toHeaderString(name, value));
    if (strings.length === 0) {
      this.delete(name);
      return;
    }
    this.set(name, strings[0]!);
    for (let i = 1; i < strings.length; i++) this.add(name, strings[i]!);
  }

  /** The first value of `name`; when missing, set it to `value` and return that. */
  setDefault(name: string, value: HeaderValue): string {
    const i = this.#lower.indexOf(name.toLowerCase());
    if (i >= 0) return this.#values[i]!;
    this.add(name, value);
    return this.#values[this.#values.length - 1]!;
  }

  /** Remove every field called `name`; true if there was one. */
  delete(name: string): boolean {
    const before = this.#names.length;
    this.#removeFrom(name.toLowerCase(), 0);
    return this.#names.length !== before;
  }

  /** Remove `name` and return its first value; missing throws `BadRequestKeyError`. */
  pop(name: string): string;
  /** Remove `name` and return its first value, or `defaultValue` when it is missing. */
  pop<D>(name: string, defaultValue: D): string | D;
  pop<D>(name: string, ...rest: [] | [D]): string | D {
    const i = this.#lower.indexOf(name.toLowerCase());
    if (i < 0) {
      if (rest.length === 0) throw new BadRequestKeyError(name);
      return rest[0] as D;
    }
    const value = this.#values[i]!;
    this.delete(name);
    return value;
  }

  /** Remove every field. */
  clear(): void {
    this.#names.length = 0;
    this.#lower.length = 0;
    this.#values.length = 0;
  }

  /** Add every field of `init`, keeping existing ones. */
  extend(init: HeadersInit): void {
    forEachField(init, (name, value) => this.add(name, value));
  }

  /**
   * Replace the headers named in `init` (the others stay): arrays and repeated names in a
   * Headers or MultiDict replace with all their values; from a list of pairs the last
   * value of a name wins, as in Werkzeug.
   */
  update(init: HeadersInit): void {
    if (init instanceof Headers || init instanceof MultiDict) {
      const source = init as Headers | MultiDict<HeaderValue>;
      for (const name of source.keys()) this.setAll(name, source.getAll(name));
    } else if (init instanceof Map || typeof (init as Iterable<unknown>)[Symbol.iterator] !== "function") {
      const entries =
        init instanceof Map
          ? Array.from(init as ReadonlyMap<string, HeaderValue | readonly HeaderValue[] | undefined>)
          : Object.entries(init as Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>);
      for (const [name, value] of entries) {
        if (value === undefined) continue;
        if (Array.isArray(value)) this.setAll(name, value as readonly HeaderValue[]);
        else this.set(name, value as HeaderValue);
      }
    } else {
      for (const [name, value] of init as Iterable<readonly [string, HeaderValue]>) this.set(name, value);
    }
  }

  /** Every `[name, value]` field, in order. */
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (let i = 0; i < this.#names.length; i++) yield [this.#names[i]!, this.#values[i]!];
  }

  /** The Fetch-style name for iteration. */
  entries(): IterableIterator<[string, string]> {
    return this[Symbol.iterator]() as IterableIterator<[string, string]>;
  }

  /** The field at `index` (negative counts from the end), or `undefined`. */
  at(index: number): [string, string] | undefined {
    const i = index < 0 ? this.#names.length + index : index;
    return i >= 0 && i < this.#names.length ? [this.#names[i]!, this.#values[i]!] : undefined;
  }

  /** Every distinct name, in first-seen order (as first spelt, or lower-cased with `lower`). */
  keys(lower = false): string[] {
    const seen = new Set<string>();
    const result: string[] = [];
    for (let i = 0; i < this.#names.length; i++) {
      const key = this.#lower[i]!;
      if (seen.has(key)) continue;
      seen.add(key);
      result.push(lower ? key : this.#names[i]!);
    }
    return result;
  }

  /** Every value, in field order. */
  values(): string[] {
    return this.#values.slice();
  }

  /** `[name, value]` pairs (a copy), ready for Node's `res.writeHead`. */
  toList(): Array<[string, string]> {
    return Array.from(this);
  }

  /**
   * An object in the shape of Node's `OutgoingHttpHeaders`: one property per name (as first
   * spelt), a string for one value and an array for several.
   */
  toObject(): Record<string, string | string[]> {
    const result: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    const byKey = new Map<string, string>();
    for (let i = 0; i < this.#names.length; i++) {
      const key = this.#lower[i]!;
      const name = byKey.get(key);
      if (name === undefined) {
        byKey.set(key, this.#names[i]!);
        result[this.#names[i]!] = this.#values[i]!;
      } else {
        const current = result[name]!;
        if (Array.isArray(current)) current.push(this.#values[i]!);
        else result[name] = [current, this.#values[i]!];
      }
    }
    return result;
  }

  /** True if both hold the same fields, ignoring name case and order (Werkzeug's `==`). */
  equals(other: Headers): boolean {
    const mine = new Set(this.#lower.map((key, i) => `${key}\n${this.#values[i]}`));
    const theirs = new Set(other.#lower.map((key, i) => `${key}\n${other.#values[i]}`));
    if (mine.size !== theirs.size) return false;
    for (const field of mine) if (!theirs.has(field)) return false;
    return true;
  }

  /** An independent copy. */
  copy(): Headers {
    const copy = new Headers();
    copy.#names = this.#names.slice();
    copy.#lower = this.#lower.slice();
    copy.#values = this.#values.slice();
    return copy;
  }

  /** The fields in HTTP wire format, each ending in CRLF, followed by the blank line. */
  toString(): string {
    let out = "";
    for (let i = 0; i < this.#names.length; i++) out += `${this.#names[i]}: ${this.#values[i]}\r\n`;
    return out + "\r\n";
  }

  // Drop every field called `key` at or after `start`, compacting in place.
  #removeFrom(key: string, start: number): void {
    let write = start;
    for (let read = start; read < this.#lower.length; read++) {
      if (this.#lower[read] === key) continue;
      this.#names[write] = this.#names[read]!;
      this.#lower[write] = this.#lower[read]!;
      this.#values[write] = this.#values[read]!;
      write++;
    }
    this.#names.length = write;
    this.#lower.length = write;
    this.#values.length = write;
  }
}

function forEachField(init: HeadersInit, fn: (name: string, value: HeaderValue) => void): void {
  if (init instanceof Map) {
    for (const [name, value] of init as ReadonlyMap<string, HeaderValue | readonly HeaderValue[] | undefined>) {
      spread(String(name), value, fn);
    }
  } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [name, value] of init as Iterable<readonly [string, HeaderValue]>) fn(name, value);
  } else {
    const record = init as Readonly<Record<string, HeaderValue | readonly HeaderValue[] | undefined>>;
    for (const name of Object.keys(record)) spread(name, record[name], fn);
  }
}

function spread(
  name: string,
  value: HeaderValue | readonly HeaderValue[] | undefined,
  fn: (name: string, value: HeaderValue) => void,
): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (const v of value as readonly HeaderValue[]) fn(name, v);
  else fn(name, value as HeaderValue);
}
