/**
 * Serving files: `sendFile` for a path or stream the application trusts,
 * `sendFromDirectory` for a path that comes from the client, and `safeJoin`, which keeps
 * such a path inside its directory. Werkzeug's `utils.send_file`,
 * `utils.send_from_directory` and `security.safe_join`.
 */
import { stat } from "node:fs/promises";
import { basename, extname, posix, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import mime from "mime-types";
import { FileBody } from "./body.js";
import { NotFound, RequestedRangeNotSatisfiable } from "./exceptions.js";
import { Headers } from "./headers.js";
import { Response, type ConditionalRequest } from "./response.js";

// Reserved device names on Windows (Werkzeug's `_windows_device_files`): opening
// "CON.txt" there talks to the console, not a file.
const WINDOWS_DEVICE_NAMES = new Set(["AUX", "CON", "CONIN$", "CONOUT$", "NUL", "PRN"]);
for (const c of "123456789¹²³") WINDOWS_DEVICE_NAMES.add(`COM${c}`).add(`LPT${c}`);

const DRIVE_RE = /^[A-Za-z]:/;

function isWindowsDevice(segment: string): boolean {
  return WINDOWS_DEVICE_NAMES.has(segment.split(".", 1)[0]!.trim().toUpperCase());
}

/**
 * Join untrusted, URL-style path parts to a trusted directory, or give `null` when the
 * result could leave it. Refused on every OS, so an app behaves the same wherever it is
 * deployed: absolute parts, `..` that climbs out, backslashes, drive letters (`C:`) and
 * NUL bytes; on Windows also `:` and device names (`CON`, `NUL.txt`). The result is the
 * directory, `/`, and the normalized parts.
 *
 * @example
 * safeJoin("static", "css/site.css");  // "static/css/site.css"
 * safeJoin("static", "../secret.txt"); // null
 */
export function safeJoin(directory: string, ...untrusted: string[]): string | null {
  // "" would make the first untrusted part the start of the path: anchor it at ".".
  let joined = directory || ".";
  const isWindows = process.platform === "win32";
  for (const part of untrusted) {
    if (!part) continue;
    if (part.includes("\0") || part.includes("\\")) return null;
    let normalized = posix.normalize(part);
    if (normalized.length > 1 && normalized.endsWith("/")) normalized = normalized.replace(/\/+$/, "");
    if (
      normalized.startsWith("/") ||
      normalized === ".." ||
      normalized.startsWith("../") ||
      DRIVE_RE.test(normalized) ||
      (isWindows && (normalized.includes(":") || normalized.split("/").some(isWindowsDevice)))
    ) {
      return null;
    }
    joined = joined.endsWith("/") ? joined + normalized : `${joined}/${normalized}`;
  }
  return joined;
}

// Python's `mimetypes`: ".svgz" is ".svg.gz", and a compression suffix becomes the
// Content-Encoding of the type underneath ("x.tar.gz" is a gzip-encoded tar).
const SUFFIX_MAP: Readonly<Record<string, string>> = {
  ".svgz": ".svg.gz",
  ".tgz": ".tar.gz",
  ".taz": ".tar.gz",
  ".tz": ".tar.gz",
  ".tbz2": ".tar.bz2",
  ".txz": ".tar.xz",
};
const ENCODINGS_MAP: Readonly<Record<string, string>> = {
  ".gz": "gzip",
  ".Z": "compress",
  ".bz2": "bzip2",
  ".xz": "xz",
  ".br": "br",
};

/**
 * Guess `[mimetype, encoding]` from a file name, as Python's `mimetypes.guess_type`:
 * `"logo.svgz"` gives `["image/svg+xml", "gzip"]`, an unknown type `undefined`.
 */
export function guessType(filename: string): [mimetype: string | undefined, encoding: string | undefined] {
  let name = filename;
  let ext = extname(name);
  const mapped = Object.hasOwn(SUFFIX_MAP, ext.toLowerCase()) ? SUFFIX_MAP[ext.toLowerCase()] : undefined;
  if (mapped !== undefined) {
    name = name.slice(0, -ext.length) + mapped;
    ext = extname(name);
  }
  // Case-sensitive, as in Python: ".Z" is compress, ".z" is not.
  const encoding = Object.hasOwn(ENCODINGS_MAP, ext) ? ENCODINGS_MAP[ext] : undefined;
  if (encoding !== undefined) name = name.slice(0, -ext.length);
  const type = extname(name) ? mime.lookup(name) : false;
  return [type || undefined, encoding];
}

// zlib's Adler-32 of the path's UTF-8 bytes, the third part of Werkzeug's file ETags.
function adler32(text: string): number {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(text, "utf8")) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// Errors that mean "there is no such file", as opposed to a server problem.
const MISSING_CODES = new Set(["ENOENT", "ENOTDIR", "ENAMETOOLONG", "EISDIR", "ELOOP", "ERR_INVALID_ARG_VALUE"]);

/** Options of `sendFile` and `sendFromDirectory`. */
export interface SendFileOptions {
  /** The media type; guessed from `downloadName` (or the path) when not given. */
  mimetype?: string;
  /** Ask the browser to save the file (`Content-Disposition: attachment`) rather than show it. */
  asAttachment?: boolean;
  /** The file name the browser sees; defaults to the path's base name. Non-ASCII is fine. */
  downloadName?: string;
  /** Answer `If-None-Match` / `If-Modified-Since` with 304 and `Range` with 206/416. Default true. */
  conditional?: boolean;
  /** Send an ETag: `true` derives one from the file's mtime, size and path; a string is used as is. */
  etag?: boolean | string;
  /** The `Last-Modified` time (Date or Unix seconds); defaults to the file's mtime. */
  lastModified?: Date | number;
  /**
   * Seconds browsers may cache the file (`Cache-Control: public, max-age=N` and
   * `Expires`); or a function of the path giving them. Unset: `no-cache`, so browsers
   * revalidate with the ETag each time.
   */
  maxAge?: number | null | ((path: string | undefined) => number | null | undefined);
  /** The directory relative paths are resolved against (Flask's app root); default the cwd. */
  root?: string;
}

/** What `sendFile` can send: a path (string or `file:` URL), a Readable, or bytes. */
export type SendFileSource = string | URL | Readable | Uint8Array;

/**
 * A response that sends a file: media type from the name, `Content-Disposition`,
 * `Last-Modified`, an ETag, `Cache-Control`, and (with `request`) conditional 304s and
 * byte ranges that read only the requested part from disk. The file is opened when the
 * response is written, not before.
 *
 * Never pass a path that came from the client: use `sendFromDirectory`. A missing file
 * or a directory throws `NotFound`.
 *
 * @example
 * app.get("/report", async () => sendFile("reports/2024.pdf", request, { asAttachment: true }));
 * // 200, application/pdf, Content-Disposition: attachment; filename=2024.pdf
 */
export async function sendFile(
  source: SendFileSource,
  request?: ConditionalRequest | null,
  options: SendFileOptions = {},
): Promise<Response> {
  const { asAttachment = false, conditional = true, etag = true } = options;
  let path: string | undefined;
  let size: number | undefined;
  let mtime: number | undefined;
  let body: FileBody | Readable | Uint8Array;

  if (typeof source === "string" || source instanceof URL) {
    const given = source instanceof URL ? fileURLToPath(source) : source;
    path = options.root !== undefined ? resolve(options.root, given) : resolve(given);
    let stats;
    try {
      stats = await stat(path);
    } catch (error) {
      if (MISSING_CODES.has((error as NodeJS.ErrnoException).code ?? "")) throw new NotFound();
      throw error;
    }
    // Directories, sockets and devices are not files to serve.
    if (!stats.isFile()) throw new NotFound();
    size = stats.size;
    mtime = stats.mtimeMs / 1000;
    body = new FileBody(path, size);
  } else if (source instanceof Uint8Array) {
    size = source.byteLength;
    body = source;
  } else {
    body = source;
  }

  const headers = new Headers();
  const downloadName = options.downloadName ?? (path !== undefined ? basename(path) : undefined);
  let mimetype = options.mimetype;
  if (mimetype === undefined) {
    if (downloadName === undefined) {
      throw new TypeError(
        "Unable to detect the MIME type because a file name is not available. Either set " +
          "'downloadName', pass a path instead of a stream, or set 'mimetype'.",
      );
    }
    const [guessed, encoding] = guessType(downloadName);
    mimetype = guessed ?? "application/octet-stream";
    // Not for attachments: browsers would save "x.tar.gz" decompressed.
    if (encoding !== undefined && !asAttachment) headers.set("Content-Encoding", encoding);
  }
  if (downloadName !== undefined) {
    // Headers encodes a non-ASCII name as filename*=UTF-8''… after an ASCII fallback.
    headers.set("Content-Disposition", asAttachment ? "attachment" : "inline", { filename: downloadName });
  } else if (asAttachment) {
    throw new TypeError("No name provided for the attachment. Either set 'downloadName' or pass a path instead of a stream.");
  }

  const response = new Response(body, { mimetype, headers });
  const lastModified = options.lastModified ?? mtime;
  if (lastModified !== undefined) response.lastModified = lastModified;

  const maxAge = typeof options.maxAge === "function" ? options.maxAge(path) : options.maxAge;
  const cacheControl = response.cacheControl;
  cacheControl.noCache = true;
  if (maxAge != null) {
    if (maxAge > 0) {
      cacheControl.noCache = false;
      cacheControl.public = true;
    }
    cacheControl.maxAge = maxAge;
    response.expires = Math.trunc(Date.now() / 1000 + maxAge);
  }

  if (typeof etag === "string") response.setEtag(etag);
  else if (etag && path !== undefined) response.setEtag(`${mtime}-${size}-${adler32(path)}`);

  if (conditional && request != null) {
    try {
      response.makeConditional(request, { acceptRanges: true, completeLength: size });
    } catch (error) {
      if (error instanceof RequestedRangeNotSatisfiable) await response.close();
      throw error;
    }
  }
  return response;
}

/**
 * Send a file from inside `directory`, where `path` may come from the client (a URL
 * part). A path that escapes the directory (`..`, absolute, backslashes, NUL), or that is
 * not a regular file, throws `NotFound`: the client learns nothing about the disk.
 *
 * @example
 * app.get("/uploads/<path:name>", ({ name }) => sendFromDirectory("uploads", name, request));
 */
export async function sendFromDirectory(
  directory: string | URL,
  path: string,
  request?: ConditionalRequest | null,
  options: SendFileOptions = {},
): Promise<Response> {
  const dir = directory instanceof URL ? fileURLToPath(directory) : directory;
  const joined = safeJoin(dir, path);
  if (joined === null) throw new NotFound();
  return sendFile(joined, request, options);
}
