/**
 * Helpers shared by the HTTP data structures and parsers. Not part of the public API:
 * `http/index.ts` does not re-export this module.
 */

// RFC 9110 token characters: 1 marks a byte allowed in a token.
const TOKEN_TABLE = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TOKEN_TABLE[c.charCodeAt(0)] = 1;
}

/** True if `c` (a UTF-16 code unit) is an RFC 9110 token character. */
export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_TABLE[c] === 1;
}

/** True if `value` is a non-empty RFC 9110 token. */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    if (!isTokenChar(value.charCodeAt(i))) return false;
  }
  return true;
}

/**
 * Parse a base-10 integer made of ASCII digits and an optional leading `-` (Werkzeug's
 * `_plain_int`): `+`, `_`, spaces inside and non-ASCII digits are not allowed in HTTP,
 * though `Number()` and `parseInt()` accept some of them. Outer whitespace is ignored.
 * Values beyond `Number.MAX_SAFE_INTEGER` count as invalid.
 */
export function parsePlainInt(value: string): number | undefined {
  const s = value.trim();
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i === s.length) return undefined;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Returned by `tryConvert` when a conversion fails; a symbol so any value can succeed. */
export const CONVERSION_FAILED: unique symbol = Symbol("conversion failed");

/**
 * Apply a user's conversion function as Werkzeug's `type=` does: a throw means "not
 * convertible". A `NaN` result counts as a failure too, so `Number` and `parseInt`
 * behave like Python's `int`, which raises instead of returning NaN.
 */
export function tryConvert<V, T>(value: V, type: (value: V) => T): T | typeof CONVERSION_FAILED {
  let result: T;
  try {
    result = type(value);
  } catch {
    return CONVERSION_FAILED;
  }
  return typeof result === "number" && Number.isNaN(result) ? CONVERSION_FAILED : result;
}

/**
 * Assign `obj[key] = value` as an own property even for `"__proto__"`, which a plain
 * assignment would turn into a prototype change. Keys here come from clients.
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Python's `str.title()` for ASCII: "digest" -> "Digest", "x-auth" -> "X-Auth". */
export function titleCase(value: string): string {
  let out = "";
  let startOfWord = true;
  for (const ch of value) {
    const isLetter = ch.toLowerCase() !== ch.toUpperCase();
    out += isLetter ? (startOfWord ? ch.toUpperCase() : ch.toLowerCase()) : ch;
    startOfWord = !isLetter;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

const utf8Decoder = new TextDecoder("utf-8");

/**
 * Decode `%XX` escapes as bytes of `encoding` (utf-8, ascii or latin1), like Python's
 * `urllib.parse.unquote(value, encoding, errors="replace")`: invalid escapes stay as they
 * are, undecodable bytes become U+FFFD.
 */
export function percentDecode(value: string, encoding: "utf-8" | "ascii" | "latin1"): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  let out = "";
  const flush = (): void => {
    if (bytes.length === 0) return;
    if (encoding === "utf-8") out += utf8Decoder.decode(Uint8Array.from(bytes));
    else for (const b of bytes) out += encoding === "ascii" && b > 127 ? "\uFFFD" : String.fromCharCode(b);
    bytes.length = 0;
  };
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < value.length) {
      const hi = hexValue(value.charCodeAt(i + 1));
      const lo = hexValue(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    flush();
    out += value[i];
  }
  flush();
  return out;
}

/** Matches the characters that would split or end a header line (CR, LF, NUL). */
export const HEADER_BREAK_RE = /[\r\n\0]/;
