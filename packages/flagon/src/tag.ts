/**
 * Tagged JSON (Flask's `flask.json.tag`): a compact, lossless JSON form for values JSON
 * has no type for. A value that needs it is written as a one-key object whose key is a
 * tag, `{" d": "2024-05-01T12:00:00.000Z"}`; reading walks the parsed JSON bottom-up and
 * turns tagged objects back into values. The session interfaces serialise with it, so
 * `Date`, `Buffer`, `Map`, `Set` and `bigint` survive the round trip through a cookie or
 * a store.
 *
 * @example
 * const s = new TaggedJSONSerializer();
 * s.dumps({ seen: new Date(0) });        // '{"seen":{" d":"1970-01-01T00:00:00.000Z"}}'
 * s.loads(s.dumps(new Map([[1, "a"]]))); // Map(1) { 1 => 'a' }
 */

/** What a tag class looks like to `register`: built with the serializer it belongs to. */
export type JSONTagClass = new (serializer: TaggedJSONSerializer) => JSONTag;

/**
 * One type's tag (Flask's `JSONTag`): `check` recognises the value, `toJson` turns it into
 * JSON-able data (Flask's `to_json`), `fromJson` turns that back (Flask's `to_python`).
 * A tag with an empty `key` only rewrites its contents (plain objects and arrays).
 */
export class JSONTag {
  /** The key marking a tagged value, by convention a space and a letter or two. */
  readonly key: string = "";
  /** The serializer this tag belongs to, to tag nested values. */
  readonly serializer: TaggedJSONSerializer;

  constructor(serializer: TaggedJSONSerializer) {
    this.serializer = serializer;
  }

  /** Whether this tag handles `value`. */
  check(_value: unknown): boolean {
    throw new Error(`${this.constructor.name}.check is not implemented: a JSONTag must say which values it handles.`);
  }

  /** `value` as JSON-able data (the tag is added by `tag`). */
  toJson(_value: unknown): unknown {
    throw new Error(`${this.constructor.name}.toJson is not implemented: a JSONTag must convert its values to JSON.`);
  }

  /** The value back from its JSON data (the tag is already removed, nested values untagged). */
  fromJson(_value: unknown): unknown {
    throw new Error(`${this.constructor.name}.fromJson is not implemented: a JSONTag must convert JSON back to its values.`);
  }

  /** `value` converted and wrapped in its tag: `{ [key]: toJson(value) }`. */
  tag(value: unknown): unknown {
    return { [this.key]: this.toJson(value) };
  }
}

/** Whether `value` is a plain object (`{}` or a null-prototype object), not a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A one-key object whose key is a registered tag, so that it is not read back as a tagged
 * value: `{" d": 1}` is written `{" di": {" d__": 1}}`.
 */
export class TagDict extends JSONTag {
  override readonly key = " di";
  override check(value: unknown): boolean {
    if (!isPlainObject(value)) return false;
    const keys = Object.keys(value);
    return keys.length === 1 && Object.hasOwn(this.serializer.tags, keys[0]!);
  }
  override toJson(value: unknown): unknown {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
    return { [`${key}__`]: this.serializer.tag(inner) };
  }
  override fromJson(value: unknown): unknown {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
    return { [key.slice(0, -2)]: inner };
  }
}

/** Plain objects: their values are tagged, the object itself is not. */
export class PassDict extends JSONTag {
  override check(value: unknown): boolean {
    return isPlainObject(value);
  }
  override toJson(value: unknown): unknown {
    // Without a prototype, a "__proto__" key stays a key; JSON.stringify writes it as one.
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = Object.create(null);
    for (const k of Object.keys(source)) out[k] = this.serializer.tag(source[k]);
    return out;
  }
  override tag(value: unknown): unknown {
    return this.toJson(value);
  }
}

/**
 * Flask's tuples. JavaScript has none, so nothing is written with this tag; it is kept so
 * that a tagged `" t"` reads back as an array, and so that a `{" t": ...}` object is
 * escaped by `TagDict` as Flask escapes it.
 */
export class TagTuple extends JSONTag {
  override readonly key = " t";
  override check(): boolean {
    return false;
  }
  override toJson(value: unknown): unknown {
    return (value as unknown[]).map((item) => this.serializer.tag(item));
  }
  override fromJson(value: unknown): unknown {
    return Array.isArray(value) ? value : [];
  }
}

/** Arrays: their items are tagged, the array itself is not. */
export class PassList extends JSONTag {
  override check(value: unknown): boolean {
    return Array.isArray(value);
  }
  override toJson(value: unknown): unknown {
    return (value as unknown[]).map((item) => this.serializer.tag(item));
  }
  override tag(value: unknown): unknown {
    return this.toJson(value);
  }
}

/** Bytes (`Buffer`, any `Uint8Array`), as standard base64; read back as a `Buffer`. */
export class TagBytes extends JSONTag {
  override readonly key = " b";
  override check(value: unknown): boolean {
    return value instanceof Uint8Array;
  }
  override toJson(value: unknown): unknown {
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
  override fromJson(value: unknown): unknown {
    return Buffer.from(String(value), "base64");
  }
}

/**
 * Dates, as ISO 8601 with milliseconds (Flask writes HTTP dates, which drop them); an
 * HTTP date written by Flask reads back too.
 */
export class TagDate extends JSONTag {
  override readonly key = " d";
  override check(value: unknown): boolean {
    return value instanceof Date;
  }
  override toJson(value: unknown): unknown {
    const date = value as Date;
    if (Number.isNaN(date.getTime())) throw new TypeError("An invalid Date cannot be serialised: check how it was built.");
    return date.toISOString();
  }
  override fromJson(value: unknown): unknown {
    return new Date(String(value));
  }
}

/** `Map`s, as a list of `[key, value]` pairs (keys of any type, order kept). */
export class TagMap extends JSONTag {
  override readonly key = " M";
  override check(value: unknown): boolean {
    return value instanceof Map;
  }
  override toJson(value: unknown): unknown {
    return Array.from(value as Map<unknown, unknown>, ([k, v]) => [this.serializer.tag(k), this.serializer.tag(v)]);
  }
  override fromJson(value: unknown): unknown {
    return new Map(Array.isArray(value) ? (value.filter(Array.isArray) as Array<[unknown, unknown]>) : []);
  }
}

/** `Set`s, as a list of their items. */
export class TagSet extends JSONTag {
  override readonly key = " S";
  override check(value: unknown): boolean {
    return value instanceof Set;
  }
  override toJson(value: unknown): unknown {
    return Array.from(value as Set<unknown>, (item) => this.serializer.tag(item));
  }
  override fromJson(value: unknown): unknown {
    return new Set(Array.isArray(value) ? value : []);
  }
}

/** `bigint`s, as decimal strings (JSON numbers would lose precision). */
export class TagBigInt extends JSONTag {
  override readonly key = " n";
  override check(value: unknown): boolean {
    return typeof value === "bigint";
  }
  override toJson(value: unknown): unknown {
    return (value as bigint).toString();
  }
  override fromJson(value: unknown): unknown {
    return BigInt(String(value));
  }
}

/** Options of `TaggedJSONSerializer.register`. */
export interface RegisterTagOptions {
  /** Replace a tag registered under the same key instead of throwing. */
  force?: boolean;
  /** Where the tag goes in the order tags are tried (negative counts from the end); default last. */
  index?: number;
}

/**
 * Serialise values to tagged JSON and back (Flask's `TaggedJSONSerializer`). Tags are
 * tried in `order`; the first whose `check` accepts a value tags it. Values no tag
 * handles go to JSON as they are: strings, numbers, booleans, null, and objects with a
 * `toJSON` method; other class instances are refused, since they would come back as
 * plain objects. Object keys whose value is `undefined` are left out, as in JSON.
 *
 * @example
 * class TagURL extends JSONTag {
 *   override readonly key = " url";
 *   override check(v: unknown) { return v instanceof URL; }
 *   override toJson(v: unknown) { return String(v); }
 *   override fromJson(v: unknown) { return new URL(String(v)); }
 * }
 * serializer.register(TagURL, { index: 0 });
 */
export class TaggedJSONSerializer {
  /** The tags Flagon registers on every serializer, in order. */
  static defaultTags: JSONTagClass[] = [TagDict, PassDict, TagTuple, PassList, TagBytes, TagDate, TagMap, TagSet, TagBigInt];

  /** Tags by key. */
  readonly tags: Record<string, JSONTag> = Object.create(null);
  /** Tags in the order they are tried. */
  readonly order: JSONTag[] = [];
  // The registered keys as JSON writes them ("\" di\""): text holding none of them (and no
  // escapes) has no tagged object, and parses without the reviver, several times faster.
  #quotedKeys: string[] = [];
  // Whether only Flagon's tags are registered: none of them tags a string, number,
  // boolean or null, so those are returned without trying each tag.
  #defaultsOnly = true;

  constructor() {
    for (const cls of (this.constructor as typeof TaggedJSONSerializer).defaultTags) this.register(cls);
  }

  /**
   * Add a tag class (instantiated with this serializer). A key already registered throws
   * unless `force`; `index` puts a special case before the general one it refines.
   */
  register(tagClass: JSONTagClass, opts: RegisterTagOptions = {}): void {
    const tag = new tagClass(this);
    const key = tag.key;
    if (key) {
      if (!opts.force && Object.hasOwn(this.tags, key)) {
        throw new Error(`The tag "${key}" is already registered; pass { force: true } to replace it.`);
      }
      this.tags[key] = tag;
      // Flagon's keys all start with a space: one search for `" ` covers them all.
      const quoted = Object.keys(this.tags).map((k) => (k.startsWith(" ") ? '" ' : JSON.stringify(k)));
      this.#quotedKeys = [...new Set(quoted)];
    }
    if (!(TaggedJSONSerializer.defaultTags as JSONTagClass[]).includes(tagClass)) this.#defaultsOnly = false;
    if (opts.index === undefined) this.order.push(tag);
    else this.order.splice(opts.index, 0, tag);
  }

  /** `value` in its tagged, JSON-able form. */
  tag(value: unknown): unknown {
    if (this.#defaultsOnly && (value === null || (typeof value !== "object" && typeof value !== "bigint" && typeof value !== "function"))) {
      return value;
    }
    const order = this.order;
    for (let i = 0; i < order.length; i++) {
      if (order[i]!.check(value)) return order[i]!.tag(value);
    }
    if (typeof value === "object" && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
      const name = (value as object).constructor?.name ?? "Object";
      throw new TypeError(
        `Cannot serialise an object of type ${name} as tagged JSON: it would come back as a plain object. ` +
          "Store plain data (objects, arrays, strings, numbers, Date, Buffer, Map, Set), or register a JSONTag for it.",
      );
    }
    return value;
  }

  /** The value a tagged object stands for, or the object itself when it is not tagged. */
  untag(value: Record<string, unknown>): unknown {
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    const tag = this.tags[keys[0]!];
    return tag === undefined ? value : tag.fromJson(value[keys[0]!]);
  }

  /** Tag `value` and write it as compact JSON. */
  dumps(value: unknown): string {
    const text = JSON.stringify(this.tag(value)) as string | undefined;
    if (text === undefined) throw new TypeError(`Cannot serialise ${typeof value} as tagged JSON.`);
    return text;
  }

  #mayHoldTags(text: string): boolean {
    if (text.includes("\\")) return true;
    const keys = this.#quotedKeys;
    for (let i = 0; i < keys.length; i++) if (text.includes(keys[i]!)) return true;
    return false;
  }

  /** Parse JSON and turn tagged objects back into values, innermost first. */
  loads(text: string): unknown {
    if (!this.#mayHoldTags(text)) return JSON.parse(text);
    // The reviver runs bottom-up, which is the order untagging needs.
    return JSON.parse(text, (_key, value: unknown) => (isPlainObject(value) ? this.untag(value) : value));
  }
}
