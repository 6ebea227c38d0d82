/**
 * Converters turn one placeholder of a rule (`<int:id>`) into a regular expression
 * for matching, a value for the view (`toValue`) and back into URL text (`toUrl`).
 *
 * Weights order dynamic parts when several could match: lower goes first, so
 * `int` (50) is tried before `string` (100), which is tried before `path` (200).
 */
import { quotePathSegment } from "../utils.js";
import type { Map } from "./map.js";

/** Throw from `toValue` to make the rule not match this URL (the next rule is tried). */
export class ValidationError extends Error {
  constructor(message = "The value does not fit the converter.") {
    super(message);
    this.name = "ValidationError";
  }
}

/** Keyword arguments from a rule string, `<int(min=1):x>` gives `{ min: 1 }`. */
export type ConverterKwargs = Record<string, unknown>;

// Slashes inside bracket expressions (`[^/]`) do not make a converter span segments.
const BRACKETS = /\[(?:\\.|[^\]\\])*\]/g;

/**
 * The base of all converters. Subclasses set `regex` and `weight`, and override
 * `toValue`/`toUrl`.
 *
 * @example
 * class ListConverter extends BaseConverter {
 *   regex = "\\w+(?:,\\w+)*";
 *   toValue(value: string) { return value.split(","); }
 *   toUrl(value: string[]) { return value.map((v) => super.toUrl(v)).join(","); }
 * }
 * new Map([new Rule("/tags/<list:tags>")], { converters: { list: ListConverter } });
 */
export class BaseConverter {
  /** The map this converter belongs to. */
  map: Map;
  /** The regular expression source one value must match (anchored by the router). */
  regex = "[^/]+";
  /** Ordering among dynamic parts: lower weights are tried first. */
  weight = 100;
  #partIsolating: boolean | undefined = undefined;

  // Positional and keyword arguments come from the rule string; the base takes none.
  constructor(map: Map, ..._args: unknown[]) {
    this.map = map;
  }

  /**
   * Whether a value stays within one path segment. Defaults to true unless `regex`
   * can match a slash; set it to false for converters that span segments.
   */
  get partIsolating(): boolean {
    return this.#partIsolating ?? !this.regex.replace(BRACKETS, "").includes("/");
  }
  set partIsolating(value: boolean) {
    this.#partIsolating = value;
  }

  /** Convert matched URL text to the value the view receives (Werkzeug's `to_python`). */
  toValue(value: string): unknown {
    return value;
  }

  /** Convert a value to URL text, percent-encoding what a path segment may not hold. */
  toUrl(value: unknown): string {
    return quotePathSegment(typeof value === "string" ? value : String(value));
  }
}

function intArg(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TypeError(`The converter argument "${name}" must be a whole number, got ${String(value)}.`);
  return n;
}

/**
 * The default converter: any text up to the next slash.
 * Options: `minlength` (1), `maxlength`, `length`. `<string(length=2):lang>`.
 */
export class UnicodeConverter extends BaseConverter {
  constructor(map: Map, ...args: unknown[]) {
    super(map);
    const { minlength = 1, maxlength, length } = options(args, ["minlength", "maxlength", "length"]);
    let repeat: string;
    if (length !== undefined && length !== null) repeat = `{${intArg(length, "length")}}`;
    else {
      const max = maxlength === undefined || maxlength === null ? "" : String(intArg(maxlength, "maxlength"));
      repeat = `{${intArg(minlength, "minlength")},${max}}`;
    }
    this.regex = `[^/]${repeat}`;
  }
}

/** One of a fixed set of words: `<any(about, help, "x y"):page>`. */
export class AnyConverter extends BaseConverter {
  /** The accepted values. */
  items: Set<string>;

  constructor(map: Map, ...items: unknown[]) {
    super(map);
    const last = items[items.length - 1];
    if (isKwargs(last)) items = items.slice(0, -1);
    this.items = new Set(items.map(String));
    this.regex = `(?:${[...this.items].map(escapeRegex).join("|")})`;
  }

  override toUrl(value: unknown): string {
    const text = String(value);
    if (this.items.has(text)) return super.toUrl(text);
    const valid = [...this.items].sort().map((item) => `'${item}'`).join(", ");
    throw new RangeError(`'${text}' is not one of ${valid}`);
  }
}

/** Like the default converter, but the value may contain slashes: `<path:file>`. */
export class PathConverter extends BaseConverter {
  constructor(map: Map, ..._args: unknown[]) {
    super(map);
    this.regex = "[^/].*?";
    this.weight = 200;
    this.partIsolating = false;
  }
}

/** The shared base of `int` and `float`: `fixed_digits`, `min`, `max`, `signed`. */
export class NumberConverter extends BaseConverter {
  fixedDigits: number;
  min: number | undefined;
  max: number | undefined;
  signed: boolean;

  constructor(map: Map, unsignedRegex: string, ...args: unknown[]) {
    super(map);
    const o = options(args, ["fixed_digits", "min", "max", "signed"]);
    this.fixedDigits = o.fixed_digits === undefined || o.fixed_digits === null ? 0 : intArg(o.fixed_digits, "fixed_digits");
    this.min = o.min === undefined || o.min === null ? undefined : Number(o.min);
    this.max = o.max === undefined || o.max === null ? undefined : Number(o.max);
    this.signed = Boolean(o.signed);
    this.regex = this.signed ? `-?${unsignedRegex}` : unsignedRegex;
    this.weight = 50;
  }

  /** Parse the matched text; subclasses choose integer or float parsing. */
  protected parse(value: string): number {
    return Number(value);
  }

  override toValue(value: string): number {
    if (this.fixedDigits && value.length !== this.fixedDigits) throw new ValidationError();
    const n = this.parse(value);
    if ((this.min !== undefined && n < this.min) || (this.max !== undefined && n > this.max)) throw new ValidationError();
    return n;
  }
}

function toNumber(value: unknown, kind: string): number {
  if (typeof value === "number" || typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
  if (typeof value === "boolean") return Number(value);
  throw new TypeError(`Cannot build a URL part from ${JSON.stringify(value) ?? String(value)}: the ${kind} converter needs a number.`);
}

/** Whole numbers: `<int:id>`, `<int(fixed_digits=4, min=1, max=9999, signed=True):n>`. */
export class IntegerConverter extends NumberConverter {
  constructor(map: Map, ...args: unknown[]) {
    super(map, "\\d+", ...args);
  }

  protected override parse(value: string): number {
    return Number.parseInt(value, 10);
  }

  override toUrl(value: unknown): string {
    const n = Math.trunc(toNumber(value, "int"));
    const text = String(Math.abs(n)).padStart(this.fixedDigits, "0");
    return n < 0 ? `-${text}` : text;
  }
}

/** Decimal numbers with a point: `<float:ratio>`, `<float(signed=True, min=0.5):x>`. */
export class FloatConverter extends NumberConverter {
  constructor(map: Map, ...args: unknown[]) {
    const o = options(args, ["min", "max", "signed"]);
    super(map, "\\d+\\.\\d+", { min: o.min, max: o.max, signed: o.signed });
  }

  protected override parse(value: string): number {
    return Number.parseFloat(value);
  }

  override toUrl(value: unknown): string {
    const n = toNumber(value, "float");
    if (!Number.isFinite(n)) throw new TypeError(`Cannot build a URL part from ${n}: the float converter needs a finite number.`);
    // Fixed notation (never "1e-7") with a digit after the point, so the URL matches again.
    let text = String(n);
    if (text.includes("e")) text = Math.abs(n) >= 1e21 ? BigInt(n).toString() : n.toFixed(20).replace(/0+$/, "");
    if (!text.includes(".")) text += ".0";
    else if (text.endsWith(".")) text += "0";
    return text;
  }
}

/** UUIDs in canonical 8-4-4-4-12 form; the value is the lower-cased string. */
export class UUIDConverter extends BaseConverter {
  constructor(map: Map, ..._args: unknown[]) {
    super(map);
    this.regex = "[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}";
  }

  override toValue(value: string): string {
    return value.toLowerCase();
  }

  override toUrl(value: unknown): string {
    return String(value).toLowerCase();
  }
}

/** A converter class as maps store them: constructed with the map and the rule's arguments. */
export type ConverterClass = new (map: Map, ...args: any[]) => BaseConverter;

/** The converters every map starts with. */
export const DEFAULT_CONVERTERS: Readonly<Record<string, ConverterClass>> = Object.freeze({
  default: UnicodeConverter,
  string: UnicodeConverter,
  any: AnyConverter,
  path: PathConverter,
  int: IntegerConverter,
  float: FloatConverter,
  uuid: UUIDConverter,
});

/** Is this trailing constructor argument the keyword-argument object? */
export function isKwargs(value: unknown): value is ConverterKwargs {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

// Werkzeug's converters take their options positionally or by keyword; merge both.
function options(args: unknown[], names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let positional = args;
  const last = args[args.length - 1];
  if (isKwargs(last)) {
    positional = args.slice(0, -1);
    for (const key of Object.keys(last)) {
      if (!names.includes(key)) throw new TypeError(`Unknown converter argument "${key}"; expected one of ${names.join(", ")}.`);
      out[key] = last[key];
    }
  }
  if (positional.length > names.length) throw new TypeError(`Too many converter arguments: expected at most ${names.length} (${names.join(", ")}).`);
  positional.forEach((value, i) => (out[names[i]!] ??= value));
  return out;
}

/** Escape text for literal use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
