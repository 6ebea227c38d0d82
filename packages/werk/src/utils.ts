/**
 * Small string helpers shared by routing and the HTTP layer: HTML escaping and
 * Python-compatible URL quoting (`urllib.parse.quote` / `urlencode` semantics).
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const HTML_ESCAPE_RE = /[&<>"']/g;

/** Escape `& < > " '` for safe inclusion in HTML text and attributes. */
export function escapeHtml(value: string): string {
  return HTML_ESCAPE_RE.test(value) ? value.replace(HTML_ESCAPE_RE, (c) => HTML_ESCAPES[c]!) : value;
}

/** Characters allowed unencoded in a path segment (WHATWG path-segment string). */
export const PATH_SAFE = "!$&'()*+,/:;=@";
/** Characters allowed unencoded in query keys and values (WHATWG percent-encoded bytes). */
export const QUERY_SAFE = "!$'()*,/:;?@";

const HEX = "0123456789ABCDEF";
const quoteTables = new globalThis.Map<string, Uint8Array>();

// A 128-entry table per safe set: 1 means "leave the ASCII byte as it is".
function safeTable(safe: string): Uint8Array {
  let table = quoteTables.get(safe);
  if (table === undefined) {
    table = new Uint8Array(128);
    const always = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~";
    for (const c of always + safe) table[c.charCodeAt(0)] = 1;
    quoteTables.set(safe, table);
  }
  return table;
}

/**
 * Percent-encode `value` as UTF-8, leaving unreserved characters and `safe` alone,
 * like Python's `urllib.parse.quote(value, safe)`.
 */
export function quote(value: string, safe = "/"): string {
  return quoteWith(value, safeTable(safe));
}

const PATH_TABLE = safeTable(PATH_SAFE);

/** `quote(value, PATH_SAFE)` without looking the table up: URL building calls it per value. */
export function quotePathSegment(value: string): string {
  return quoteWith(value, PATH_TABLE);
}

function quoteWith(value: string, table: Uint8Array): string {
  let i = 0;
  const n = value.length;
  // Fast path: most values need no encoding at all.
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || table[c] === 0) break;
  }
  if (i === n) return value;
  let out = value.slice(0, i);
  const bytes = Buffer.from(value.slice(i), "utf8");
  for (let j = 0; j < bytes.length; j++) {
    const b = bytes[j]!;
    if (b < 128 && table[b] === 1) out += String.fromCharCode(b);
    else out += "%" + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** Like `quote`, but spaces become `+` (form encoding, Python's `quote_plus`). */
export function quotePlus(value: string, safe = ""): string {
  if (!value.includes(" ")) return quote(value, safe);
  return quote(value, safe + " ").replace(/ /g, "+");
}

/** A value that can stand in a query string: scalars, or arrays of them (repeated keys). */
export type QueryValue = string | number | boolean | bigint | null | undefined | { toString(): string };

/**
 * Encode `[key, value]` pairs as a query string (no leading `?`); `null` and
 * `undefined` values are dropped, as Werkzeug's `_urlencode` does.
 */
export function urlencode(pairs: Iterable<[string, unknown]>): string {
  let out = "";
  for (const [key, value] of pairs) {
    if (value === null || value === undefined) continue;
    if (out) out += "&";
    out += quotePlus(key, QUERY_SAFE) + "=" + quotePlus(stringify(value), QUERY_SAFE);
  }
  return out;
}

/** Spread a mapping into pairs: arrays and sets repeat their key (Werkzeug's `iter_multi_items`). */
export function* iterMultiItems(mapping: unknown): Generator<[string, unknown]> {
  if (mapping == null) return;
  if (typeof (mapping as { multiItems?: unknown }).multiItems === "function") {
    yield* (mapping as { multiItems(): Iterable<[string, unknown]> }).multiItems();
    return;
  }
  if (mapping instanceof globalThis.Map) {
    for (const [k, v] of mapping) yield* spread(String(k), v);
    return;
  }
  if (Array.isArray(mapping)) {
    for (const pair of mapping as Array<[string, unknown]>) yield [String(pair[0]), pair[1]];
    return;
  }
  for (const key of Object.keys(mapping as object)) yield* spread(key, (mapping as Record<string, unknown>)[key]);
}

function* spread(key: string, value: unknown): Generator<[string, unknown]> {
  if (Array.isArray(value) || value instanceof Set) for (const v of value) yield [key, v];
  else yield [key, value];
}

/** A value as it appears in a URL: strings as they are, anything else through `String`. */
export function stringify(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}
