/**
 * `MultiDict`: a mapping that keeps every value of a repeated key, as query strings and
 * forms need (`?tag=a&tag=b`). Plain reads give the first value; `getAll` gives them all.
 * `ImmutableMultiDict` refuses changes; `CombinedMultiDict` reads through several.
 */
import { BadRequestKeyError } from "./exceptions.js";
import { CONVERSION_FAILED, setOwn, tryConvert } from "./_internal.js";

/**
 * What a `MultiDict` can be built from: another MultiDict, `[key, value]` pairs, a `Map`
 * or a plain object. In a Map or object an array value means several values for the key.
 */
export type MultiDictInit<V> =
  | MultiDict<V>
  | Iterable<readonly [string, V]>
  | ReadonlyMap<string, V | readonly V[]>
  | Readonly<Record<string, V | readonly V[]>>;

/**
 * A dictionary with several values per key, ordered by first insertion of each key.
 *
 * `size`, `keys()` and `values()` count keys, as Werkzeug's `len(md)` does; iteration
 * yields every `[key, value]` pair.
 *
 * @example
 * const args = new MultiDict([["tag", "a"], ["tag", "b"], ["page", "2"]]);
 * args.get("tag");               // "a"
 * args.getAll("tag");            // ["a", "b"]
 * args.get("page", 1, Number);   // 2
 * args.get("size", 20, Number);  // 20 (missing)
 * args.require("q");             // throws BadRequestKeyError (a 400)
 */
export class MultiDict<V = string> implements Iterable<[string, V]> {
  #data: Map<string, V[]>;

  constructor(mapping?: MultiDictInit<V> | null) {
    this.#data = new Map();
    if (mapping != null) extendInto(this.#data, mapping);
  }

  /** The number of distinct keys. */
  get size(): number {
    return this.#data.size;
  }

  /** The first value of `key`, or `undefined` when it is missing. */
  get(key: string): V | undefined;
  /** The first value of `key`, or `defaultValue` when it is missing. */
  get<D>(key: string, defaultValue: D): V | D;
  /**
   * The first value of `key` passed through `type`, or `defaultValue` when the key is
   * missing or the conversion throws or gives `NaN`.
   */
  get<T, D = undefined>(key: string, defaultValue: D, type: (value: V) => T): T | D;
  get<T, D>(key: string, defaultValue?: D, type?: (value: V) => T): V | T | D | undefined {
    const values = this.#data.get(key);
    if (values === undefined) return defaultValue;
    if (type === undefined) return values[0];
    const converted = tryConvert(values[0]!, type);
    return converted === CONVERSION_FAILED ? defaultValue : converted;
  }

  /** Every value of `key` (a new array, empty when missing); with `type`, the convertible ones converted. */
  getAll(key: string): V[];
  getAll<T>(key: string, type: (value: V) => T): T[];
  getAll<T>(key: string, type?: (value: V) => T): Array<V | T> {
    const values = this.#data.get(key);
    if (values === undefined) return [];
    if (type === undefined) return values.slice();
    const result: T[] = [];
    for (const value of values) {
      const converted = tryConvert(value, type);
      if (converted !== CONVERSION_FAILED) result.push(converted);
    }
    return result;
  }

  /** The first value of `key`; a missing key throws `BadRequestKeyError` (Werkzeug's `md[key]`). */
  require(key: string): V {
    const values = this.#data.get(key);
    if (values === undefined) throw new BadRequestKeyError(key);
    return values[0]!;
  }

  /** True if `key` has at least one value. */
  has(key: string): boolean {
    return this.#data.has(key);
  }

  /** Replace every value of `key` with `value`. */
  set(key: string, value: V): void {
    this.#data.set(key, [value]);
  }

  /** Replace every value of `key` with `values`; an empty list removes the key. */
  setAll(key: string, values: Iterable<V>): void {
    const list = Array.from(values);
    if (list.length === 0) this.#data.delete(key);
    else this.#data.set(key, list);
  }

  /** Add a value to `key`, after the values it already has. */
  append(key: string, value: V): void {
    appendOne(this.#data, key, value);
  }

  /** Werkzeug's name for `append`. */
  add(key: string, value: V): void {
    this.append(key, value);
  }

  /** Remove `key` and all its values; true if it was there. */
  delete(key: string): boolean {
    return this.#data.delete(key);
  }

  /** Remove every key. */
  clear(): void {
    this.#data.clear();
  }

  /** The first value of `key`; when missing, set it to `defaultValue` and return that. */
  setDefault(key: string, defaultValue: V): V {
    const values = this.#data.get(key);
    if (values !== undefined) return values[0]!;
    this.#data.set(key, [defaultValue]);
    return defaultValue;
  }

  /** Remove `key` and return its first value; a missing key throws `BadRequestKeyError`. */
  pop(key: string): V;
  /** Remove `key` and return its first value, or `defaultValue` when it is missing. */
  pop<D>(key: string, defaultValue: D): V | D;
  pop<D>(key: string, ...rest: [] | [D]): V | D {
    const values = this.#data.get(key);
    if (values === undefined) {
      if (rest.length === 0) throw new BadRequestKeyError(key);
      return rest[0] as D;
    }
    this.#data.delete(key);
    return values[0]!;
  }

  /** Remove `key` and return all its values (empty when missing). */
  popAll(key: string): V[] {
    const values = this.#data.get(key);
    if (values === undefined) return [];
    this.#data.delete(key);
    return values;
  }

  /** Add all values from `mapping`, keeping the existing ones (Werkzeug's `update` extends). */
  update(mapping: MultiDictInit<V>): void {
    extendInto(this.#data, mapping);
  }

  /** `[key, values]` for every key (the arrays are copies). */
  lists(): Array<[string, V[]]> {
    const result: Array<[string, V[]]> = [];
    for (const [key, values] of this.#data) result.push([key, values.slice()]);
    return result;
  }

  /** Every key, once. */
  keys(): string[] {
    return Array.from(this.#data.keys());
  }

  /** Every `[key, value]` pair, in order: all values of the first key, then the next key. */
  *[Symbol.iterator](): Iterator<[string, V]> {
    for (const [key, values] of this.#data) {
      for (const value of values) yield [key, value];
    }
  }

  /** `[key, firstValue]` per key, or with `multi` every pair. */
  items(multi = false): Array<[string, V]> {
    if (multi) return Array.from(this);
    return this.lists().map(([key, values]) => [key, values[0]!]);
  }

  /** The first value of every key. */
  values(): V[] {
    return this.lists().map(([, values]) => values[0]!);
  }

  /** The list of values of every key, in key order. */
  listValues(): V[][] {
    return this.lists().map(([, values]) => values);
  }

  /** Every `[key, value]` pair; lets `urlencode` and `Map.build` take a MultiDict. */
  multiItems(): Iterable<[string, V]> {
    return this;
  }

  /** A plain object of first values, or with `flat = false` of value arrays. */
  toObject(flat?: true): Record<string, V>;
  toObject(flat: false): Record<string, V[]>;
  toObject(flat?: boolean): Record<string, V> | Record<string, V[]>;
  toObject(flat = true): Record<string, V> | Record<string, V[]> {
    const result: Record<string, V | V[]> = {};
    for (const [key, values] of this.lists()) setOwn(result, key, flat ? values[0]! : values);
    return result as Record<string, V> | Record<string, V[]>;
  }

  /** `JSON.stringify` gives the first values, as Python's `dict(md)` does. */
  toJSON(): Record<string, V> {
    return this.toObject(true);
  }

  /** A mutable copy that shares no arrays with this one. */
  copy(): MultiDict<V> {
    return new MultiDict<V>(this);
  }

  /** `MultiDict([["a","1"],["a","2"]])`: the class name and every pair. */
  toString(): string {
    return `${this.constructor.name}(${JSON.stringify(this.items(true))})`;
  }
}

function extendInto<V>(data: Map<string, V[]>, mapping: MultiDictInit<V>): void {
  if (mapping instanceof MultiDict) {
    for (const [key, values] of mapping.lists()) appendAll(data, key, values);
  } else if (mapping instanceof Map) {
    for (const [key, value] of mapping as ReadonlyMap<string, V | readonly V[]>) addValue(data, String(key), value);
  } else if (typeof (mapping as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const [key, value] of mapping as Iterable<readonly [string, V]>) appendOne(data, String(key), value);
  } else {
    const record = mapping as Readonly<Record<string, V | readonly V[]>>;
    for (const key of Object.keys(record)) addValue(data, key, record[key]!);
  }
}

// The common case (parsed query strings, cookies) adds one value at a time: no temporary arrays.
function appendOne<V>(data: Map<string, V[]>, key: string, value: V): void {
  const existing = data.get(key);
  if (existing === undefined) data.set(key, [value]);
  else existing.push(value);
}

function addValue<V>(data: Map<string, V[]>, key: string, value: V | readonly V[]): void {
  appendAll(data, key, Array.isArray(value) ? (value as readonly V[]) : [value as V]);
}

function appendAll<V>(data: Map<string, V[]>, key: string, values: readonly V[]): void {
  if (values.length === 0) return;
  const existing = data.get(key);
  if (existing === undefined) data.set(key, values.slice());
  else existing.push(...values);
}

function readOnly(target: object, method: string): never {
  const name = target.constructor.name;
  throw new TypeError(
    `${name} is immutable: ${method}() cannot change it. Call .copy() to get a mutable MultiDict.`,
  );
}

/**
 * A `MultiDict` that refuses changes (query arguments, form data, cookies of a request):
 * every mutating method throws a `TypeError`. `copy()` gives a mutable `MultiDict`.
 */
export class ImmutableMultiDict<V = string> extends MultiDict<V> {
  override set(_key: string, _value: V): never {
    return readOnly(this, "set");
  }
  override setAll(_key: string, _values: Iterable<V>): never {
    return readOnly(this, "setAll");
  }
  override append(_key: string, _value: V): never {
    return readOnly(this, "append");
  }
  override add(_key: string, _value: V): never {
    return readOnly(this, "add");
  }
  override delete(_key: string): never {
    return readOnly(this, "delete");
  }
  override clear(): never {
    return readOnly(this, "clear");
  }
  override setDefault(_key: string, _defaultValue: V): never {
    return readOnly(this, "setDefault");
  }
  override pop(_key: string, ..._rest: unknown[]): never {
    return readOnly(this, "pop");
  }
  override popAll(_key: string): never {
    return readOnly(this, "popAll");
  }
  override update(_mapping: MultiDictInit<V>): never {
    return readOnly(this, "update");
  }
}

/**
 * A read-only view over several MultiDicts, read in order (Werkzeug's `request.values`:
 * query arguments, then form data). Later changes to the wrapped dicts show through.
 *
 * @example
 * const values = new CombinedMultiDict([request.args, request.form]);
 * values.get("id"); // from the query string if there, else from the form
 */
export class CombinedMultiDict<V = string> extends ImmutableMultiDict<V> {
  /** The wrapped dicts, in lookup order. */
  readonly dicts: ReadonlyArray<MultiDict<V>>;

  constructor(dicts: Iterable<MultiDict<V>> = []) {
    super();
    this.dicts = Array.from(dicts);
  }

  override get size(): number {
    return this.keys().length;
  }

  override get(key: string): V | undefined;
  override get<D>(key: string, defaultValue: D): V | D;
  override get<T, D = undefined>(key: string, defaultValue: D, type: (value: V) => T): T | D;
  override get<T, D>(key: string, defaultValue?: D, type?: (value: V) => T): V | T | D | undefined {
    for (const dict of this.dicts) {
      if (!dict.has(key)) continue;
      const value = dict.require(key);
      if (type === undefined) return value;
      // As Werkzeug does: a value that does not convert lets the next dict answer.
      const converted = tryConvert(value, type);
      if (converted !== CONVERSION_FAILED) return converted;
    }
    return defaultValue;
  }

  override getAll(key: string): V[];
  override getAll<T>(key: string, type: (value: V) => T): T[];
  override getAll<T>(key: string, type?: (value: V) => T): Array<V | T> {
    const result: Array<V | T> = [];
    for (const dict of this.dicts) {
      result.push(...(type === undefined ? dict.getAll(key) : dict.getAll(key, type)));
    }
    return result;
  }

  override require(key: string): V {
    for (const dict of this.dicts) if (dict.has(key)) return dict.require(key);
    throw new BadRequestKeyError(key);
  }

  override has(key: string): boolean {
    for (const dict of this.dicts) if (dict.has(key)) return true;
    return false;
  }

  override lists(): Array<[string, V[]]> {
    const merged = new Map<string, V[]>();
    for (const dict of this.dicts) {
      for (const [key, values] of dict.lists()) appendAll(merged, key, values);
    }
    return Array.from(merged);
  }

  override keys(): string[] {
    const keys = new Set<string>();
    for (const dict of this.dicts) for (const key of dict.keys()) keys.add(key);
    return Array.from(keys);
  }

  override *[Symbol.iterator](): Iterator<[string, V]> {
    for (const dict of this.dicts) yield* dict;
  }

  override toString(): string {
    return `CombinedMultiDict([${this.dicts.map(String).join(", ")}])`;
  }
}
