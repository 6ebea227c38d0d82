/**
 * Cookies: parse a request's `Cookie` header and build `Set-Cookie` values. Werkzeug's
 * `parse_cookie` / `dump_cookie`, with names checked and values escaped so that nothing a
 * caller passes can add or split header attributes.
 */
import { domainToASCII } from "node:url";
import { HEADER_BREAK_RE, isToken } from "./_internal.js";
import { httpDate } from "./dates.js";
import { ImmutableMultiDict } from "./multidict.js";
import { quote } from "../utils.js";

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

/**
 * Node decodes header bytes as latin1, so a UTF-8 cookie arrives as mojibake ("fÃ¶").
 * Re-decode when the string looks like that; keep it when it is not valid UTF-8.
 */
const NON_ASCII_RE = /[^\x00-\x7f]/;
const ABOVE_LATIN1_RE = /[^\x00-\xff]/;

function fixLatin1(header: string): string {
  // Most headers are ASCII: one native scan decides.
  if (!NON_ASCII_RE.test(header) || ABOVE_LATIN1_RE.test(header)) return header;
  try {
    return utf8Fatal.decode(Buffer.from(header, "latin1"));
  } catch {
    return header;
  }
}

function isOctal(c: string | undefined, max: string): boolean {
  return c !== undefined && c >= "0" && c <= max;
}

// Undo `dumpCookie` quoting: `\"` -> `"`, `\\` -> `\`, `\342\230\203` -> UTF-8 bytes.
function unslash(inner: string): string {
  if (!inner.includes("\\")) return inner;
  const bytes: number[] = [];
  const pushText = (text: string): void => {
    for (const b of Buffer.from(text, "utf8")) bytes.push(b);
  };
  let plainStart = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] !== "\\" || i + 1 >= inner.length) continue;
    pushText(inner.slice(plainStart, i));
    if (isOctal(inner[i + 1], "3") && isOctal(inner[i + 2], "7") && isOctal(inner[i + 3], "7")) {
      bytes.push(parseInt(inner.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      // Take a whole code point, so an escaped astral character stays intact.
      const ch = String.fromCodePoint(inner.codePointAt(i + 1)!);
      pushText(ch);
      i += ch.length;
    }
    plainStart = i + 1;
  }
  pushText(inner.slice(plainStart));
  return Buffer.from(bytes).toString("utf8");
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  return i;
}

// Most requests carry no cookies; an immutable empty dict can be shared by all of them.
const NO_COOKIES = new ImmutableMultiDict<string>();

/**
 * Parse a `Cookie` header into an `ImmutableMultiDict` (repeated names keep every value).
 * Quoted values are unquoted and their escapes decoded; parts without a name are
 * skipped; a part without `=` gives an empty value. Never throws.
 *
 * @example
 * parseCookie('sid=abc; theme="dark mode"').get("theme"); // "dark mode"
 */
export function parseCookie(header: string | null | undefined): ImmutableMultiDict<string> {
  if (!header) return NO_COOKIES;
  const s = fixLatin1(header);
  const pairs: Array<[string, string]> = [];
  let pos = 0;
  while (pos < s.length) {
    let i = pos;
    while (i < s.length && s[i] !== "=" && s[i] !== ";") i++;
    const name = s.slice(pos, i).trim();
    let value = "";
    if (s[i] === "=") {
      const start = skipSpaces(s, i + 1);
      let end = -1;
      if (s[start] === '"') {
        // A quoted value counts only if a `;` or the end follows its closing quote;
        // otherwise it runs to the next `;` like any other value.
        let j = start + 1;
        while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
        const after = skipSpaces(s, j + 1);
        if (j < s.length && (after >= s.length || s[after] === ";")) {
          end = after;
          value = s.slice(start, j + 1);
        }
      }
      if (end < 0) {
        end = s.indexOf(";", start);
        if (end < 0) end = s.length;
        value = s.slice(start, end).trim();
      }
      if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') value = unslash(value.slice(1, -1));
      i = end;
    }
    if (name) pairs.push([name, value]);
    pos = i + 1;
  }
  return new ImmutableMultiDict(pairs);
}

/** Options of `dumpCookie`; they become the attributes of the `Set-Cookie` header. */
export interface DumpCookieOptions {
  /** Lifetime in seconds (`Max-Age`); sets `Expires` too unless `syncExpires` is false. */
  maxAge?: number | null;
  /** Expiry as a Date, a Unix timestamp in seconds, or a preformatted HTTP date. */
  expires?: Date | number | string | null;
  /** The path the cookie is sent for; `null` leaves the attribute out. Default `/`. */
  path?: string | null;
  /** The domain the cookie is sent to, subdomains included; IDNA-encoded, port and leading dot dropped. */
  domain?: string | null;
  /** Send only over HTTPS. */
  secure?: boolean;
  /** Hide the cookie from JavaScript. */
  httpOnly?: boolean;
  /** `Strict`, `Lax` or `None` (any case). */
  sameSite?: string | null;
  /** CHIPS partitioned storage; implies `secure`. */
  partitioned?: boolean;
  /** Derive `Expires` from `maxAge` when no `expires` is given. Default true. */
  syncExpires?: boolean;
  /** The size above which `onTooLarge` is called (0 disables). Default 4093. */
  maxSize?: number;
  /** Called with a message when the header exceeds `maxSize`; the framework decides how to warn. */
  onTooLarge?: (message: string) => void;
}

// RFC 6265 cookie-octets plus the characters Werkzeug also leaves unquoted (space excluded).
// Anything but printable ASCII, or `"`, `,`, `;`, `\`.
const NEEDS_QUOTING_RE = /[^\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/;

function needsQuoting(value: string): boolean {
  return NEEDS_QUOTING_RE.test(value);
}

/**
 * Quote a cookie value as Werkzeug (and Python's `http.cookies`) do: in double quotes,
 * with `"` and `\` backslash-escaped and control, `,`, `;` and non-ASCII bytes written as
 * three octal digits. The result is plain printable ASCII: no CR/LF can reach the header.
 */
function quoteCookieValue(value: string): string {
  let out = '"';
  for (const b of Buffer.from(value, "utf8")) {
    if (b === 34 || b === 92) out += "\\" + String.fromCharCode(b);
    else if (b < 0x20 || b >= 0x7f || b === 44 || b === 59) out += "\\" + b.toString(8).padStart(3, "0");
    else out += String.fromCharCode(b);
  }
  return out + '"';
}

function normalizeSameSite(sameSite: string): "Strict" | "Lax" | "None" {
  switch (sameSite.toLowerCase()) {
    case "strict":
      return "Strict";
    case "lax":
      return "Lax";
    case "none":
      return "None";
    default:
      throw new TypeError(`sameSite must be "Strict", "Lax" or "None", got ${JSON.stringify(sameSite)}.`);
  }
}

// ASCII letters, digits, ".", "-" and "_": what may stand in a (punycoded) host name.
const HOST_CHARS_RE = /^[A-Za-z0-9._-]+$/;

function cookieDomain(domain: string): string {
  const host = domain.split(":", 1)[0]!.replace(/^\.+/, "");
  // domainToASCII passes ";" and "," through and cuts at "/": check ASCII input first.
  const asciiPart = host.replace(/[^\x00-\x7f]/g, "a");
  const ascii = HOST_CHARS_RE.test(asciiPart) ? domainToASCII(host) : "";
  if (!ascii || !HOST_CHARS_RE.test(ascii)) {
    throw new TypeError(`Invalid cookie domain ${JSON.stringify(domain)}: expected a host name such as "example.com".`);
  }
  return ascii;
}

/**
 * The warning for a `Set-Cookie` value longer than `maxSize`, or `undefined` when it fits.
 * Browsers silently drop cookies past about 4 KB, so the framework should log this.
 */
export function cookieSizeWarning(name: string, setCookie: string, maxSize = 4093): string | undefined {
  if (!maxSize || setCookie.length <= maxSize) return undefined;
  return (
    `The "${name}" cookie is too large: its Set-Cookie header is ${setCookie.length} bytes but ` +
    `the limit is ${maxSize} bytes. Browsers may silently ignore cookies larger than this.`
  );
}

/**
 * Build a `Set-Cookie` header value (without the `Set-Cookie:` prefix).
 *
 * The name must be an RFC 6265 token, else a `TypeError`. A value with characters a
 * cookie cannot carry (space, `"`, `,`, `;`, `\`, control or non-ASCII) is quoted with
 * octal escapes, which `parseCookie` reverses.
 *
 * @example
 * dumpCookie("sid", "abc", { httpOnly: true, sameSite: "lax" });
 * // "sid=abc; HttpOnly; Path=/; SameSite=Lax"
 */
export function dumpCookie(name: string, value = "", options: DumpCookieOptions = {}): string {
  if (!isToken(name)) {
    throw new TypeError(`Cookie names must be RFC 6265 tokens (no spaces, separators or control characters), got ${JSON.stringify(name)}.`);
  }
  const { maxAge, syncExpires = true, secure = false, httpOnly = false, partitioned = false } = options;
  const path = options.path === undefined ? "/" : options.path;
  if (maxAge != null && !Number.isFinite(maxAge)) {
    throw new TypeError(`maxAge must be a finite number of seconds, got ${maxAge}.`);
  }
  const age = maxAge == null ? undefined : Math.trunc(maxAge);

  let expires: string | undefined;
  if (options.expires != null) {
    expires = typeof options.expires === "string" ? options.expires : httpDate(options.expires);
    if (HEADER_BREAK_RE.test(expires) || expires.includes(";")) {
      throw new TypeError(`expires must not contain ";", CR, LF or NUL, got ${JSON.stringify(expires)}.`);
    }
  } else if (age !== undefined && syncExpires) {
    expires = httpDate(Date.now() / 1000 + age);
  }

  let out = `${name}=${needsQuoting(value) ? quoteCookieValue(value) : value}`;
  if (options.domain) out += `; Domain=${cookieDomain(options.domain)}`;
  if (expires !== undefined) out += `; Expires=${expires}`;
  if (age !== undefined) out += `; Max-Age=${age}`;
  if (secure || partitioned) out += "; Secure";
  if (httpOnly) out += "; HttpOnly";
  // The WHATWG path-segment set plus "%" (already quoted input); ";" is always escaped.
  if (path !== null) out += `; Path=${quote(path, "%!$&'()*+,/:=@")}`;
  if (options.sameSite != null) out += `; SameSite=${normalizeSameSite(options.sameSite)}`;
  if (partitioned) out += "; Partitioned";

  if (options.onTooLarge !== undefined) {
    const warning = cookieSizeWarning(name, out, options.maxSize ?? 4093);
    if (warning !== undefined) options.onTooLarge(warning);
  }
  return out;
}
