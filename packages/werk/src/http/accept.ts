/**
 * Content negotiation: `Accept`, `Accept-Language`, `Accept-Charset` and
 * `Accept-Encoding` as lists of `[value, quality]`, with matching that knows each
 * header's wildcards and normalisations. Werkzeug's `datastructures/accept.py`.
 */
import { dumpOptionsHeader, parseListHeader, parseOptionsHeader } from "./header-values.js";

/** One accepted value and its quality, 0 to 1. */
export type AcceptItem = [value: string, quality: number];

/** A constructor of an `Accept` class, for `parseAcceptHeader(value, cls)`. */
export type AcceptClass<T extends Accept> = new (values?: Iterable<AcceptItem> | null) => T;

// Python compares specificity tuples element-wise, then by length; true > false.
function compareSpecificity(a: readonly boolean[], b: readonly boolean[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] ? 1 : -1;
  return a.length - b.length;
}

// A q value is digits with an optional fraction: ".5", "+0.5" and "1e-1" are refused.
function parseQuality(text: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  const q = Number(text);
  return q >= 0 && q <= 1 ? q : undefined;
}

// The items of a header value; `null` when the header is missing or empty.
function parseAcceptItems(value: string | null | undefined): AcceptItem[] | null {
  if (!value) return null;
  const items: AcceptItem[] = [];
  for (const entry of parseListHeader(value)) {
    const [item, options] = parseOptionsHeader(entry);
    let quality = 1;
    if (Object.hasOwn(options, "q")) {
      const q = parseQuality(options.q!.trim());
      // Werkzeug skips an item whose q is invalid rather than guessing.
      if (q === undefined) continue;
      quality = q;
      delete options.q;
    }
    items.push([Object.keys(options).length > 0 ? dumpOptionsHeader(item, options) : item, quality]);
  }
  return items;
}

/**
 * A parsed `Accept`-style header: `[value, quality]` items ordered most specific first,
 * then by quality (highest first), then as sent. Immutable.
 *
 * @example
 * const accept = parseAcceptHeader("en-us,ru;q=0.5");
 * accept.best;                      // "en-us"
 * accept.quality("ru");             // 0.5
 * accept.bestMatch(["ru", "de"]);   // "ru"
 */
export class Accept implements Iterable<AcceptItem> {
  /** False when the header was missing (an empty list then means "anything"). */
  readonly provided: boolean;
  readonly #items: readonly AcceptItem[];

  constructor(values: Iterable<AcceptItem> | null = []) {
    if (values === null) {
      this.provided = false;
      this.#items = [];
      return;
    }
    if (values instanceof Accept) {
      this.provided = values.provided;
      this.#items = values.#items;
      return;
    }
    this.provided = true;
    const decorated = Array.from(values, ([value, quality]) => ({
      item: [value, quality] as AcceptItem,
      specificity: this.specificity(value),
    }));
    // Array.prototype.sort is stable, so equal items keep the client's order.
    decorated.sort((a, b) => compareSpecificity(b.specificity, a.specificity) || b.item[1] - a.item[1]);
    this.#items = Object.freeze(decorated.map((d) => Object.freeze(d.item) as AcceptItem));
  }

  /** Parse a header value into an instance of the class it is called on. Never throws. */
  static fromHeader<T extends Accept>(this: AcceptClass<T>, value: string | null | undefined): T {
    return new this(parseAcceptItems(value));
  }

  /** How specific a value is: compared element-wise, more `true`s first. */
  protected specificity(value: string): boolean[] {
    return [value !== "*"];
  }

  /** True if the client's `item` covers the server's `value`. */
  protected valueMatches(value: string, item: string): boolean {
    return item === "*" || item.toLowerCase() === value.toLowerCase();
  }

  /** The number of items. */
  get length(): number {
    return this.#items.length;
  }

  /** The item at `index` (negative counts from the end). */
  at(index: number): AcceptItem | undefined {
    return this.#items.at(index);
  }

  /** The items, most preferred first. */
  [Symbol.iterator](): Iterator<AcceptItem> {
    return this.#items[Symbol.iterator]();
  }

  /** A copy of the items as an array. */
  toArray(): AcceptItem[] {
    return this.#items.map(([value, quality]) => [value, quality]);
  }

  /** The quality the client gives `value` (through wildcards), 0 if not accepted. */
  quality(value: string): number {
    for (const [item, quality] of this.#items) if (this.valueMatches(value, item)) return quality;
    return 0;
  }

  /** True if some item covers `value` (even with quality 0, as in Werkzeug). */
  has(value: string): boolean {
    return this.find(value) >= 0;
  }

  /** The position of the first item covering `value`, or -1. */
  find(value: string): number {
    for (let i = 0; i < this.#items.length; i++) if (this.valueMatches(value, this.#items[i]![0])) return i;
    return -1;
  }

  /** Like `find`, but throws a `RangeError` when nothing covers `value`. */
  index(value: string): number {
    const i = this.find(value);
    if (i < 0) throw new RangeError(`${JSON.stringify(value)} is not accepted by this header.`);
    return i;
  }

  /** The values, most preferred first. */
  values(): string[] {
    return this.#items.map(([value]) => value);
  }

  /** The most preferred value, or `undefined` when empty. */
  get best(): string | undefined {
    return this.#items[0]?.[0];
  }

  /**
   * Of the server's `offers`, the one the client prefers: highest quality, then the most
   * specific client item, then the first offer. Quality 0 never matches.
   */
  bestMatch(offers: Iterable<string>): string | undefined;
  bestMatch<D>(offers: Iterable<string>, defaultValue: D): string | D;
  bestMatch<D>(offers: Iterable<string>, defaultValue?: D): string | D | undefined {
    let result: string | D | undefined = defaultValue;
    let bestQuality = -1;
    let bestSpecificity: boolean[] = [];
    for (const offer of offers) {
      // Items are sorted most specific first, so the first covering item decides.
      const i = this.find(offer);
      if (i < 0) continue;
      const [item, quality] = this.#items[i]!;
      if (quality <= 0 || quality < bestQuality) continue;
      const specificity = this.specificity(item);
      if (quality > bestQuality || compareSpecificity(specificity, bestSpecificity) > 0) {
        result = offer;
        bestQuality = quality;
        bestSpecificity = specificity;
      }
    }
    return result;
  }

  /** The header value: `a,b;q=0.5`. */
  toHeader(): string {
    return this.#items.map(([value, quality]) => (quality === 1 ? value : `${value};q=${quality}`)).join(",");
  }

  /** Same as `toHeader()`. */
  toString(): string {
    return this.toHeader();
  }
}

// "text/HTML; a=1" -> ["text", "html", "a=1"]: type, subtype, then parameters.
function splitMime(value: string): string[] {
  const semi = value.split(";").map((part) => part.trim());
  const slash = semi[0]!.indexOf("/");
  const head = slash < 0 ? [semi[0]!] : [semi[0]!.slice(0, slash), semi[0]!.slice(slash + 1)];
  return [...head, ...semi.slice(1)];
}

/**
 * `Accept` for media types: `*\/*` and `text/*` wildcards, parameters compared too.
 *
 * @example
 * parseAcceptHeader("text/*, application/json;q=0.5", MIMEAccept).bestMatch(["application/json", "text/html"]);
 * // "text/html"
 */
export class MIMEAccept extends Accept {
  protected override specificity(value: string): boolean[] {
    return splitMime(value).map((part) => part !== "*");
  }

  /** Matches wildcards and parameters; a server `value` without "/" throws a `TypeError`. */
  protected override valueMatches(value: string, item: string): boolean {
    // The item comes from the client: an invalid one just does not match.
    if (!item.includes("/")) return false;
    // The value comes from the application: tell the developer when it is wrong.
    if (!value.includes("/")) throw new TypeError(`Invalid mimetype ${JSON.stringify(value)}: expected "type/subtype".`);
    const [valueType, valueSub, ...valueParams] = splitMime(value.toLowerCase());
    if (valueType === "*" && valueSub !== "*") throw new TypeError(`Invalid mimetype ${JSON.stringify(value)}.`);
    const [itemType, itemSub, ...itemParams] = splitMime(item.toLowerCase());
    if (itemType === "*" && itemSub !== "*") return false;
    if ((itemType === "*" && itemSub === "*") || (valueType === "*" && valueSub === "*")) return true;
    if (itemType !== valueType) return false;
    if (itemSub === "*" || valueSub === "*") return true;
    return itemSub === valueSub && sameParams(itemParams, valueParams);
  }

  /** True if the client accepts HTML (or XHTML). */
  get acceptHtml(): boolean {
    return this.has("text/html") || this.acceptXhtml;
  }

  /** True if the client accepts XHTML. */
  get acceptXhtml(): boolean {
    return this.has("application/xhtml+xml") || this.has("application/xml");
  }

  /** True if the client accepts JSON. */
  get acceptJson(): boolean {
    return this.has("application/json");
  }
}

function sameParams(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = a.slice().sort();
  const sb = b.slice().sort();
  return sa.every((p, i) => p === sb[i]);
}

// "en-US" and "en_us" name the same language.
function normalizeLanguage(value: string): string {
  return value.toLowerCase().replaceAll("_", "-");
}

function primaryTag(value: string): string {
  return value.split(/[-_]/, 1)[0]!;
}

/**
 * `Accept-Language`: tags compare case-insensitively with `-` and `_` alike, and
 * `bestMatch` falls back to primary tags, so a client asking for `en-US` gets `en`.
 */
export class LanguageAccept extends Accept {
  protected override valueMatches(value: string, item: string): boolean {
    return item === "*" || normalizeLanguage(value) === normalizeLanguage(item);
  }

  /**
   * The offer the client prefers: an exact match first; then the client's primary tags
   * (`en-US` accepts `en`); then the offers' primary tags (`en` accepts `en-GB`), returning
   * the offer as given.
   */
  override bestMatch(offers: Iterable<string>): string | undefined;
  override bestMatch<D>(offers: Iterable<string>, defaultValue: D): string | D;
  override bestMatch<D>(offers: Iterable<string>, defaultValue?: D): string | D | undefined {
    const list = Array.from(offers);
    const exact = super.bestMatch(list);
    if (exact !== undefined) return exact;
    const clientPrimary = new Accept(this.toArray().map(([value, quality]): AcceptItem => [primaryTag(value), quality]));
    const fallback = clientPrimary.bestMatch(list);
    if (fallback !== undefined) return fallback;
    const primary = super.bestMatch(list.map(primaryTag));
    if (primary !== undefined) return list.find((offer) => offer.startsWith(primary)) ?? primary;
    return defaultValue;
  }
}

const charsetNames = new Map<string, string>();

// WHATWG encoding labels give the canonical name ("UTF8" -> "utf-8"); unknown ones stay as they are.
function normalizeCharset(name: string): string {
  const lower = name.toLowerCase();
  let canonical = charsetNames.get(lower);
  if (canonical === undefined) {
    try {
      canonical = new TextDecoder(lower).encoding;
    } catch {
      canonical = lower;
    }
    if (charsetNames.size < 256) charsetNames.set(lower, canonical);
  }
  return canonical;
}

/** `Accept-Charset`: charset names compare by their canonical encoding name. */
export class CharsetAccept extends Accept {
  protected override valueMatches(value: string, item: string): boolean {
    return item === "*" || normalizeCharset(value) === normalizeCharset(item);
  }
}

/**
 * Parse an `Accept`-style header into `cls` (`Accept` by default; `MIMEAccept`,
 * `LanguageAccept`, `CharsetAccept` for the specific headers). Items with an invalid `q`
 * are skipped; a missing header gives an empty, not `provided`, instance. Never throws.
 */
export function parseAcceptHeader(value: string | null | undefined): Accept;
export function parseAcceptHeader<T extends Accept>(value: string | null | undefined, cls: AcceptClass<T>): T;
export function parseAcceptHeader(value: string | null | undefined, cls: AcceptClass<Accept> = Accept): Accept {
  return new cls(parseAcceptItems(value));
}
