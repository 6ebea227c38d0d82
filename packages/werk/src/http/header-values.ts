/**
 * The syntax shared by many header values: tokens and quoted strings, comma-separated
 * lists, `key=value` dictionaries and `value; key=value` options (Content-Type,
 * Content-Disposition). Werkzeug keeps these in `http.py`; the structured headers
 * (Accept, Authorization, ...) are built on them.
 */
import { isToken, isTokenChar, percentDecode, setOwn } from "./_internal.js";
import { quote } from "../utils.js";

/** A value that can appear as a header parameter; `null`/`undefined` ones are skipped. */
export type HeaderParamValue = string | number | bigint | boolean | null | undefined;

/**
 * Quote a header value unless it is a plain token; `"` and `\` are backslash-escaped.
 * The empty string becomes `""`.
 */
export function quoteHeaderValue(value: string | number | bigint | boolean, allowToken = true): string {
  const s = String(value);
  if (s.length === 0) return '""';
  if (allowToken && isToken(s)) return s;
  return `"${s.replace(/[\\"]/g, "\\$&")}"`;
}

/** Remove surrounding double quotes and backslash escapes: the reverse of `quoteHeaderValue`. */
export function unquoteHeaderValue(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  const inner = value.slice(1, -1);
  if (!inner.includes("\\")) return inner;
  let out = "";
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === "\\" && i + 1 < inner.length) out += inner[++i];
    else out += ch;
  }
  return out;
}

// RFC 5987 attr-char beyond the always-safe alphanumerics and "-._~".
const EXT_VALUE_SAFE = "!#$&+^`|";

function isAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 127) return false;
  return true;
}

/**
 * Build `value; key=val; ...` (the reverse of `parseOptionsHeader`). Values that are not
 * tokens are quoted; keys ending in `*` are taken as already encoded; `null`/`undefined`
 * values are skipped.
 *
 * With `encodeNonAscii`, a non-ASCII value is sent as RFC 8187 `key*=UTF-8''…`, preceded
 * by an ASCII fallback `key=…` when one remains, so `{ filename: "résumé.pdf" }` works in
 * every browser (Werkzeug does this only in `send_file`; `Headers.add` does it always).
 */
export function dumpOptionsHeader(
  header: string | null | undefined,
  options: Readonly<Record<string, HeaderParamValue>>,
  { encodeNonAscii = false }: { encodeNonAscii?: boolean } = {},
): string {
  let out = header ?? "";
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === null || value === undefined) continue;
    const s = String(value);
    let segment: string;
    if (key.endsWith("*")) {
      segment = `${key}=${s}`;
    } else if (!encodeNonAscii || isAscii(s)) {
      segment = `${key}=${quoteHeaderValue(s)}`;
    } else {
      const fallback = s.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
      segment = fallback ? `${key}=${quoteHeaderValue(fallback)}; ` : "";
      segment += `${key}*=UTF-8''${quote(s, EXT_VALUE_SAFE)}`;
    }
    out = out ? `${out}; ${segment}` : segment;
  }
  return out;
}

/**
 * Build a comma-separated header from a list (`["a", "b c"]` -> `a, "b c"`) or from
 * `key=value` pairs (`{ a: "b c", d: null }` -> `a="b c", d`). Keys ending in `*` keep
 * their value as it is.
 */
export function dumpHeader(
  items: Iterable<string | number | bigint | boolean> | Readonly<Record<string, HeaderParamValue>>,
): string {
  const parts: string[] = [];
  if (typeof (items as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const item of items as Iterable<string | number | bigint | boolean>) parts.push(quoteHeaderValue(item));
    return parts.join(", ");
  }
  const record = items as Readonly<Record<string, HeaderParamValue>>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === null || value === undefined) parts.push(key);
    else if (key.endsWith("*")) parts.push(`${key}=${value}`);
    else parts.push(`${key}=${quoteHeaderValue(value)}`);
  }
  return parts.join(", ");
}

/**
 * Split a comma-separated header into items (RFC 9110 lists): commas inside quoted
 * strings do not split, fully quoted items are unquoted, empty items are dropped, and an
 * unclosed quoted string makes the whole value invalid (an empty list).
 */
export function parseListHeader(value: string): string[] {
  const items: string[] = [];
  let start = 0;
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inQuote = false;
    } else if (c === 34) {
      inQuote = true;
    } else if (c === 44 /* , */) {
      items.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (inQuote) return [];
  items.push(value.slice(start));
  const result: string[] = [];
  for (const item of items) {
    const trimmed = item.trim();
    if (trimmed) result.push(unquoteHeaderValue(trimmed));
  }
  return result;
}

// RFC 2231 `charset'language'value` state. Werkzeug lets a charset carry over to later
// `key*` parts, so continuations like `a*0*=UTF-8''x; a*1*=%C2%B5` need no marker of their own.
interface CharsetState {
  encoding: string | undefined;
  continued: string | undefined;
}

// Werkzeug decodes only these charsets; anything else leaves the value encoded.
function safeCharset(name: string | undefined): "utf-8" | "ascii" | "latin1" | undefined {
  switch (name) {
    case "utf-8":
      return "utf-8";
    case "ascii":
    case "us-ascii":
      return "ascii";
    case "iso-8859-1":
      return "latin1";
    default:
      return undefined;
  }
}

function decodeExtendedValue(value: string, state: CharsetState): string {
  const first = value.indexOf("'");
  const second = first < 0 ? -1 : value.indexOf("'", first + 1);
  if (second >= 0 && isTokenRange(value, 0, first) && isTokenRange(value, first + 1, second)) {
    let end = second + 1;
    while (end < value.length && isTokenChar(value.charCodeAt(end))) end++;
    if (end > second + 1) {
      state.encoding = value.slice(0, first).toLowerCase();
      value = value.slice(second + 1, end);
    }
  }
  if (!state.encoding) state.encoding = state.continued;
  const encoding = safeCharset(state.encoding);
  if (encoding === undefined) return value;
  state.continued = state.encoding;
  return percentDecode(value, encoding);
}

function isTokenRange(value: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

/**
 * Parse a list of `key=value` pairs (`a=b, c="d, e", f`) into an object; a key without
 * `=` maps to `null`, items without a key are skipped, `key*=UTF-8''…` values are decoded.
 */
export function parseDictHeader(value: string): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  for (const item of parseListHeader(value)) {
    const eq = item.indexOf("=");
    let key = (eq < 0 ? item : item.slice(0, eq)).trim();
    if (!key) continue;
    if (eq < 0) {
      setOwn(result, key, null);
      continue;
    }
    let v = item.slice(eq + 1).trim();
    if (key.endsWith("*")) {
      key = key.slice(0, -1);
      v = decodeExtendedValue(v, { encoding: undefined, continued: undefined });
    }
    setOwn(result, key, unquoteHeaderValue(v));
  }
  return result;
}

function scanToken(value: string, start: number): number {
  let i = start;
  while (i < value.length && isTokenChar(value.charCodeAt(i))) i++;
  return i;
}

// Index just past the closing quote of the quoted string at `start`, or -1 if unclosed.
function scanQuoted(value: string, start: number): number {
  for (let i = start + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 /* \ */ && (value[i + 1] === "\\" || value[i + 1] === '"')) i++;
    else if (c === 34 /* " */) return i + 1;
  }
  return -1;
}

/**
 * Parse `value; key=val; key2="quoted"` (Content-Type, Content-Disposition) into
 * `[value, options]`. Option names are lower-cased; invalid parts are skipped; RFC 2231
 * continuations (`a*0=x; a*1=y`) and charsets (`a*=UTF-8''%C2%B5`) are decoded.
 *
 * @example
 * parseOptionsHeader("text/html; charset=UTF-8"); // ["text/html", { charset: "UTF-8" }]
 */
export function parseOptionsHeader(header: string | null | undefined): [string, Record<string, string>] {
  if (header === null || header === undefined) return ["", {}];
  const semi = header.indexOf(";");
  const value = (semi < 0 ? header : header.slice(0, semi)).trim();
  let rest = semi < 0 ? "" : header.slice(semi + 1).trim();
  if (!value || !rest) return [value, {}];

  const parts: Array<[string, string]> = [];
  for (;;) {
    const keyEnd = scanToken(rest, 0);
    if (keyEnd > 0 && rest[keyEnd] === "=") {
      const key = rest.slice(0, keyEnd).toLowerCase();
      rest = rest.slice(keyEnd + 1);
      const tokenEnd = scanToken(rest, 0);
      if (tokenEnd > 0) {
        parts.push([key, rest.slice(0, tokenEnd)]);
      } else if (rest[0] === '"') {
        const end = scanQuoted(rest, 0);
        if (end > 0) {
          parts.push([key, rest.slice(0, end)]);
          rest = rest.slice(end);
        }
      }
    }
    const next = rest.indexOf(";");
    if (next < 0) break;
    rest = rest.slice(next + 1).trimStart();
  }

  const options: Record<string, string> = {};
  const charset: CharsetState = { encoding: undefined, continued: undefined };
  for (let [key, v] of parts) {
    if (key.endsWith("*")) {
      key = key.slice(0, -1);
      v = decodeExtendedValue(v, charset);
    }
    if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') {
      // HTTP escapes a quote as \" ; browsers' multipart form data as %22.
      v = v.slice(1, -1).replaceAll("\\\\", "\\").replaceAll('\\"', '"').replaceAll("%22", '"');
    }
    const star = key.lastIndexOf("*");
    if (star > 0 && star < key.length - 1 && /^\d+$/.test(key.slice(star + 1))) {
      key = key.slice(0, star);
      setOwn(options, key, (Object.hasOwn(options, key) ? options[key] : "") + v);
    } else {
      setOwn(options, key, v);
    }
  }
  return [value, options];
}
