/**
 * Request bodies and query strings for the test client: urlencoded forms, multipart
 * bodies with files, and request targets. Werkzeug's `EnvironBuilder` body handling and
 * `encode_multipart`, written for Buffers.
 */
import { randomBytes } from "node:crypto";
import { domainToASCII } from "node:url";
import { iterMultiItems, quote, urlencode } from "../utils.js";

/** A file to send in a multipart body (Werkzeug's `(stream, filename, content_type)` tuple). */
export interface TestFile {
  /** The file's bytes; a string is sent as UTF-8. */
  content: Buffer | Uint8Array | string;
  /** The name the browser would report. Default: the form field's name. */
  filename?: string;
  /** The part's `Content-Type`. Default `application/octet-stream`. */
  contentType?: string;
}

/** A plain form field value; numbers and booleans are sent as their string form. */
export type FormFieldValue = string | number | boolean | bigint;

/**
 * Form fields as an object (an array value repeats the key; `null`/`undefined` are
 * skipped), `[name, value]` pairs, or a werk `MultiDict`.
 */
export type FormInit<V> =
  | Readonly<Record<string, V | readonly V[] | null | undefined>>
  | Iterable<readonly [string, V]>;

/** Query arguments: a ready-made query string (no `?`), or fields as for a form. */
export type QueryInit = string | FormInit<FormFieldValue>;

/** A request body and the content type that goes with it. */
export interface EncodedBody {
  body: Buffer;
  contentType: string;
}

function isTestFile(value: unknown): value is TestFile {
  return typeof value === "object" && value !== null && "content" in value && !Buffer.isBuffer(value);
}

function toBuffer(content: Buffer | Uint8Array | string): Buffer {
  if (typeof content === "string") return Buffer.from(content, "utf8");
  return Buffer.isBuffer(content) ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}

/** Every `[name, value]` pair of a form or query, skipping `null` and `undefined`. */
export function formPairs<V>(init: FormInit<V>): Array<[string, V]> {
  const pairs: Array<[string, V]> = [];
  for (const [name, value] of iterMultiItems(init)) {
    if (value !== null && value !== undefined) pairs.push([name, value as V]);
  }
  return pairs;
}

/** True if any value of the form is a file, so it needs a multipart body. */
export function hasFiles(pairs: ReadonlyArray<readonly [string, unknown]>): boolean {
  return pairs.some(([, value]) => isTestFile(value));
}

/** Encode form fields as `application/x-www-form-urlencoded` (spaces as `+`). */
export function encodeForm(pairs: ReadonlyArray<readonly [string, FormFieldValue]>): EncodedBody {
  return { body: Buffer.from(urlencode(pairs as Iterable<[string, unknown]>), "latin1"), contentType: "application/x-www-form-urlencoded" };
}

// WHATWG's multipart/form-data encoding escapes these in names and filenames; anything
// else (non-ASCII included) goes through as UTF-8, as browsers send it.
function quoteDispositionParam(value: string): string {
  return value.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/**
 * Encode fields and files as `multipart/form-data`, choosing a boundary that appears in
 * none of the contents.
 *
 * @example
 * const { body, contentType } = encodeMultipart([
 *   ["title", "Report"],
 *   ["upload", { content: "a,b\n", filename: "r.csv", contentType: "text/csv" }],
 * ]);
 */
export function encodeMultipart(pairs: ReadonlyArray<readonly [string, FormFieldValue | TestFile]>): EncodedBody {
  const parts: Array<{ head: string; content: Buffer }> = [];
  for (const [name, value] of pairs) {
    let head = `Content-Disposition: form-data; name="${quoteDispositionParam(name)}"`;
    let content: Buffer;
    if (isTestFile(value)) {
      const filename = value.filename ?? name;
      const type = value.contentType ?? "application/octet-stream";
      if (/[\r\n]/.test(type)) throw new TypeError(`A file's contentType must not contain CR or LF, got ${JSON.stringify(type)}.`);
      head += `; filename="${quoteDispositionParam(filename)}"\r\nContent-Type: ${type}`;
      content = toBuffer(value.content);
    } else {
      content = Buffer.from(String(value), "utf8");
    }
    parts.push({ head, content });
  }

  let boundary: string;
  do {
    boundary = `----WerkFormBoundary${randomBytes(12).toString("hex")}`;
  } while (parts.some((p) => p.content.includes(boundary)));

  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.head}\r\n\r\n`, "utf8"), part.content, Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Encode query arguments; a string is taken as already encoded. */
export function encodeQuery(query: QueryInit): string {
  if (typeof query === "string") return query.startsWith("?") ? query.slice(1) : query;
  return urlencode(formPairs(query) as Iterable<[string, unknown]>);
}

/** Where a request goes: scheme, `Host` (with port if any), path and query, all URI-encoded. */
export interface RequestTarget {
  scheme: "http" | "https";
  host: string;
  path: string;
  query: string;
}

// scheme://[userinfo@]host[:port]/path?query#fragment, split without normalising the
// path: a test may mean to send `/a/../b` or `%2F` exactly as written.
const ABSOLUTE_URL_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/;

// Keep characters a URI allows (and existing %XX escapes); encode spaces and non-ASCII,
// as Werkzeug's `iri_to_uri` does for a path like "/föö".
function iriToUri(path: string, safe = "/%!$&'()*+,;=:@~"): string {
  return quote(path, safe);
}

const QUERY_SAFE_CHARS = "/?%!$&'()*+,;=:@~";

function hostToAscii(host: string): string {
  if (host.startsWith("[")) return host.toLowerCase();
  const colon = host.lastIndexOf(":");
  const name = colon >= 0 ? host.slice(0, colon) : host;
  const port = colon >= 0 ? host.slice(colon) : "";
  const ascii = /^[\x00-\x7f]*$/.test(name) ? name.toLowerCase() : domainToASCII(name);
  if (!ascii) throw new TypeError(`Invalid host name in URL: ${JSON.stringify(host)}.`);
  return ascii + port;
}

/** Split an absolute `http(s)` URL, or return `undefined` for a plain path. */
export function parseAbsoluteUrl(url: string): RequestTarget | undefined {
  const match = ABSOLUTE_URL_RE.exec(url);
  if (match === null) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new TypeError(`The test client can only request http and https URLs, got ${JSON.stringify(url)}.`);
  }
  const path = match[3] || "/";
  return { scheme, host: hostToAscii(match[2] || "localhost"), path: iriToUri(path), query: iriToUri(match[4] ?? "", QUERY_SAFE_CHARS) };
}

/**
 * Resolve what `client.get(path)` asks for against the base URL: an absolute URL brings
 * its own scheme and host; a path is appended to the base URL's path (its "script root").
 */
export function resolveTarget(path: string, base: RequestTarget): RequestTarget {
  const absolute = parseAbsoluteUrl(path);
  if (absolute !== undefined) return absolute;
  const hash = path.indexOf("#");
  if (hash >= 0) path = path.slice(0, hash);
  const q = path.indexOf("?");
  const query = q >= 0 ? path.slice(q + 1) : "";
  let rawPath = q >= 0 ? path.slice(0, q) : path;
  if (!rawPath.startsWith("/")) rawPath = "/" + rawPath;
  const root = base.path.endsWith("/") ? base.path.slice(0, -1) : base.path;
  return { scheme: base.scheme, host: base.host, path: iriToUri(root + rawPath), query: iriToUri(query, QUERY_SAFE_CHARS) };
}

/** Append encoded query arguments to a target's own query string. */
export function joinQuery(existing: string, extra: string): string {
  if (!existing) return extra;
  return extra ? `${existing}&${extra}` : existing;
}
