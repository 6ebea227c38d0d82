/**
 * The URL side of a request: decoding the path and query string, validating the Host
 * header, rebuilding the request URL. Werkzeug keeps these in `sansio/utils.py` and
 * `urls.py`; here they take plain strings so they can be tested without a request.
 */
import { domainToASCII, domainToUnicode } from "node:url";
import { SecurityError } from "./exceptions.js";
import { ImmutableMultiDict } from "./multidict.js";

const HEX = "0123456789ABCDEF";
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const utf8 = new TextDecoder("utf-8");

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function percent(byte: number): string {
  return "%" + HEX[byte >> 4] + HEX[byte & 15];
}

// Bytes that are not valid UTF-8 come back percent-encoded instead of as U+FFFD, as
// Werkzeug's "werkzeug.url_quote" error handler does: nothing the client sent is lost.
function decodeUtf8KeepingInvalid(bytes: Uint8Array): string {
  try {
    return utf8Fatal.decode(bytes);
  } catch {
    // Fall through to the byte-by-byte walk below.
  }
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    // RFC 3629 table 3-7: the lead byte fixes the length and the range of the second byte.
    let length = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    }
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) {
      const c = bytes[i + k]!;
      valid = k === 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xbf;
    }
    if (valid) {
      out += utf8.decode(bytes.subarray(i, i + length));
      i += length;
    } else {
      out += percent(b);
      i++;
    }
  }
  return out;
}

/**
 * Decode `%XX` escapes as UTF-8, never throwing: an escape that is not two hex digits
 * stays as text, bytes that are not valid UTF-8 stay percent-encoded (Werkzeug 2.3+).
 * With `plus`, `+` means a space (form encoding). Escapes of the bytes marked in `keep`
 * are left encoded (used to build IRIs that keep `&`, `=`, `#` meaningful).
 */
export function unquote(value: string, plus = false, keep?: Uint8Array): string {
  if (value.indexOf("%") < 0) return plus && value.indexOf("+") >= 0 ? value.replaceAll("+", " ") : value;
  let out = "";
  let pending: number[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < value.length) {
      const hi = hexValue(value.charCodeAt(i + 1));
      const lo = hexValue(value.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        const byte = hi * 16 + lo;
        if (keep === undefined || keep[byte] !== 1) {
          (pending ??= []).push(byte);
          i += 2;
          continue;
        }
      }
    }
    if (pending !== undefined && pending.length > 0) {
      out += decodeUtf8KeepingInvalid(Uint8Array.from(pending));
      pending.length = 0;
    }
    out += plus && c === 43 /* + */ ? " " : value[i];
  }
  if (pending !== undefined && pending.length > 0) out += decodeUtf8KeepingInvalid(Uint8Array.from(pending));
  return out;
}

/**
 * Split a query string (or an urlencoded body) into decoded `[key, value]` pairs, as
 * Python's `parse_qsl(keep_blank_values=True)`: `&` separates, `+` is a space, `a` alone
 * gives `["a", ""]`, empty pieces are skipped, malformed escapes never throw.
 */
export function parseQueryPairs(query: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let start = 0;
  while (start < query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    if (end > start) {
      const eq = query.indexOf("=", start);
      if (eq >= 0 && eq < end) pairs.push([unquote(query.slice(start, eq), true), unquote(query.slice(eq + 1, end), true)]);
      else pairs.push([unquote(query.slice(start, end), true), ""]);
    }
    start = end + 1;
  }
  return pairs;
}

/**
 * Parse a query string (without the `?`) into an `ImmutableMultiDict`; see
 * `parseQueryPairs` for the rules. Never throws.
 *
 * @example
 * parseQueryString("tag=a&tag=b&q=hello+world").getAll("tag"); // ["a", "b"]
 */
export function parseQueryString(query: string): ImmutableMultiDict<string> {
  return new ImmutableMultiDict(query ? parseQueryPairs(query) : null);
}

// Werkzeug's `_host_re`: a domain or IPv4 address, or a bracketed IPv6 one, then a port.
const HOST_RE = /^(?:([a-z0-9.-]+)|(\[[a-f0-9]*:[a-f0-9.:]+\]))(?::[0-9]+)?$/i;
let lastWellFormedHost = "";

interface TrustedRef {
  name: string;
  suffix: boolean;
}

// Requests share one trusted-hosts list (the app's config): normalise it once.
const trustedCache = new WeakMap<readonly string[], TrustedRef[]>();

function normaliseTrusted(list: readonly string[]): TrustedRef[] {
  let refs = trustedCache.get(list);
  if (refs !== undefined) return refs;
  refs = [];
  for (const entry of list) {
    let name = entry.trim().toLowerCase();
    const suffix = name.startsWith(".");
    if (suffix) name = name.slice(1);
    // A port in the list is ignored, as the port of the Host header is.
    const m = HOST_RE.exec(name);
    if (m !== null) name = m[1] ?? m[2]!;
    else {
      const colon = name.lastIndexOf(":");
      if (colon > 0 && !name.includes("]")) name = name.slice(0, colon);
      // Entries may be given in Unicode; Host headers arrive IDNA-encoded.
      name = domainToASCII(name);
    }
    if (name) refs.push({ name, suffix });
  }
  trustedCache.set(list, refs);
  return refs;
}

/**
 * True if `host` (a `Host` header, `host[:port]`) is made of valid characters and, when
 * `trustedHosts` is a non-empty list, names one of them. An entry starting with a dot
 * also matches every subdomain (`.example.com` trusts `example.com` and
 * `api.example.com`). Ports are ignored on both sides; names compare case-insensitively.
 * Werkzeug's `host_is_trusted`.
 *
 * @example
 * hostIsTrusted("api.example.com:8080", [".example.com"]); // true
 * hostIsTrusted("evil.com", ["example.com"]);               // false
 */
export function hostIsTrusted(host: string | null | undefined, trustedHosts?: readonly string[] | null): boolean {
  if (!host) return false;
  const anyHost = !trustedHosts || trustedHosts.length === 0;
  // A server sees the same Host header request after request: the last well-formed one
  // is remembered, so the common case skips the pattern.
  if (anyHost && host === lastWellFormedHost) return true;
  const m = HOST_RE.exec(host);
  if (m === null) return false;
  if (anyHost) {
    lastWellFormedHost = host;
    return true;
  }
  const hostname = (m[1] ?? m[2]!).toLowerCase();
  for (const ref of normaliseTrusted(trustedHosts)) {
    if (hostname === ref.name) return true;
    if (ref.suffix && hostname.length > ref.name.length && hostname.endsWith(ref.name) &&
        hostname.charCodeAt(hostname.length - ref.name.length - 1) === 46 /* . */) {
      return true;
    }
  }
  return false;
}

/** The server's own address, used when a request has no Host header (HTTP/1.0). */
export interface ServerAddress {
  address: string;
  port: number;
}

/**
 * The request's `host[:port]`, from the Host header or else the server's address, with
 * the scheme's default port dropped. An invalid value gives `""`; with `trustedHosts` set,
 * an untrusted or invalid value throws `SecurityError` (400). Werkzeug's `get_host`.
 */
export function getHost(
  scheme: string,
  hostHeader: string | undefined,
  server?: ServerAddress | null,
  trustedHosts?: readonly string[] | null,
): string {
  let host: string;
  if (hostHeader !== undefined) {
    host = hostHeader;
  } else if (server) {
    // An IPv6 address is bracketed so it reads like a Host header.
    host = server.address.includes(":") && server.address[0] !== "[" ? `[${server.address}]` : server.address;
    host += `:${server.port}`;
  } else {
    return "";
  }
  if ((scheme === "http" || scheme === "ws") && host.endsWith(":80")) host = host.slice(0, -3);
  else if ((scheme === "https" || scheme === "wss") && host.endsWith(":443")) host = host.slice(0, -4);
  if (!hostIsTrusted(host, trustedHosts)) {
    if (trustedHosts && trustedHosts.length > 0) {
      throw new SecurityError(`The host ${JSON.stringify(host)} is not trusted by this server.`);
    }
    return "";
  }
  return host;
}

function byteTable(chars: string, controls: boolean): Uint8Array {
  const table = new Uint8Array(256);
  if (controls) {
    for (let b = 0; b <= 0x20; b++) table[b] = 1;
    table[0x7f] = 1;
  }
  for (const c of chars) table[c.charCodeAt(0)] = 1;
  return table;
}

// What stays percent-encoded in an IRI, per URL part (Werkzeug's `_unquote_query` and
// `_always_unsafe`): controls, space, `%` and the part's delimiters.
const QUERY_KEEP = byteTable("%&=+#", true);
const IRI_PATH_QUOTE_RE = /[\x00-\x20\x7f?#]/g;
const IRI_QUERY_QUOTE_RE = /[\x00-\x20\x7f]/g;

function quoteMatch(ch: string): string {
  return percent(ch.charCodeAt(0));
}

/** A decoded path as it appears in an IRI: only controls, space, `?` and `#` are escaped. */
export function iriPath(path: string): string {
  return path.replace(IRI_PATH_QUOTE_RE, quoteMatch);
}

/** A raw query string as it appears in an IRI: decoded, except escapes that change its meaning. */
export function iriQuery(query: string): string {
  return unquote(query.replace(IRI_QUERY_QUOTE_RE, quoteMatch), false, QUERY_KEEP);
}

/** A host as it appears in an IRI: Punycode labels (`xn--`) shown in Unicode. */
export function iriHost(host: string): string {
  if (!host.includes("xn--")) return host;
  const colon = host.lastIndexOf(":");
  const hasPort = colon > 0 && !host.includes("]");
  const name = hasPort ? host.slice(0, colon) : host;
  const decoded = domainToUnicode(name) || name;
  return hasPort ? decoded + host.slice(colon) : decoded;
}
