/**
 * Uploaded files: `FileStorage` (one file of a multipart form, in memory or spilled to a
 * temporary file) and `secureFilename` to turn a client's file name into a safe one.
 * Werkzeug's `datastructures/file_storage.py` and `utils.secure_filename`.
 */
import { createReadStream, statSync } from "node:fs";
import { copyFile, readFile, unlink, writeFile } from "node:fs/promises";
import { Readable, type Writable } from "node:stream";
import { once } from "node:events";
import { Headers, type HeadersInit } from "./headers.js";
import { parseOptionsHeader } from "./header-values.js";

/** How to build a `FileStorage`: the content comes from `buffer` or from the file at `path`. */
export interface FileStorageInit {
  /** The form field name. */
  name?: string;
  /** The file name the client sent (not safe to use as a path: see `secureFilename`). */
  filename?: string;
  /** The part's headers. */
  headers?: HeadersInit;
  /** Sets the `Content-Type` header when `headers` has none. */
  contentType?: string;
  /** The content, when held in memory. */
  buffer?: Uint8Array | string;
  /** The file holding the content, when not in memory. */
  path?: string;
  /** The content's size in bytes; measured when omitted. */
  size?: number;
  /** Delete `path` on `close()` (true for uploads spilled to a temporary file). */
  temporary?: boolean;
}

/**
 * One uploaded file (`request.files.get("avatar")`). Small files stay in memory
 * (`buffer`); larger ones were written to a temporary file (`path`) that `close()` — called
 * by `request.close()` at the end of the request — deletes. Read it with `text()`,
 * `read()` or `stream()`, or keep it with `save()`.
 *
 * @example
 * const avatar = (await request.getFiles()).get("avatar");
 * if (avatar?.filename) await avatar.save(`/srv/uploads/${secureFilename(avatar.filename)}`);
 */
export class FileStorage {
  /** The form field name. */
  readonly name: string;
  /**
   * The file name as the client sent it: `""` when a file input was left empty,
   * `undefined` when none was sent. Never use it as a path unchecked.
   */
  readonly filename: string | undefined;
  /** The part's headers (Content-Type, Content-Disposition). */
  readonly headers: Headers;
  /** The content's size in bytes. */
  readonly size: number;
  #buffer: Buffer | undefined;
  #path: string | undefined;
  #temporary: boolean;
  #closed = false;

  constructor(init: FileStorageInit = {}) {
    this.name = init.name ?? "";
    this.filename = init.filename;
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers ?? null);
    if (init.contentType !== undefined && !this.headers.has("content-type")) {
      this.headers.set("Content-Type", init.contentType);
    }
    if (init.buffer !== undefined) {
      this.#buffer = typeof init.buffer === "string" ? Buffer.from(init.buffer, "utf8") : toBuffer(init.buffer);
      this.#path = undefined;
    } else if (init.path !== undefined) {
      this.#buffer = undefined;
      this.#path = init.path;
    } else {
      this.#buffer = Buffer.alloc(0);
      this.#path = undefined;
    }
    this.#temporary = init.temporary ?? false;
    this.size = init.size ?? (this.#buffer !== undefined ? this.#buffer.length : statSync(this.#path!).size);
  }

  /** The content when held in memory, else `undefined` (see `path`). */
  get buffer(): Buffer | undefined {
    return this.#buffer;
  }

  /** The file holding the content when it was too large for memory, else `undefined`. */
  get path(): string | undefined {
    return this.#path;
  }

  /** The part's `Content-Type` header, if any. */
  get contentType(): string | undefined {
    return this.headers.get("content-type");
  }

  /** The part's `Content-Length` header as a number, 0 when missing (Werkzeug's `content_length`). */
  get contentLength(): number {
    const n = Number(this.headers.get("content-length") ?? 0);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  }

  /** The content type without parameters, lower-cased (`"image/png"`); `""` when missing. */
  get mimetype(): string {
    return parseOptionsHeader(this.contentType ?? "")[0].toLowerCase();
  }

  /** The content type's parameters (`{ charset: "utf-8" }`). */
  get mimetypeParams(): Record<string, string> {
    return parseOptionsHeader(this.contentType ?? "")[1];
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The content as a new readable stream (each call starts from the beginning). */
  stream(): Readable {
    this.#checkOpen("stream");
    return this.#buffer !== undefined ? Readable.from([this.#buffer]) : createReadStream(this.#path!);
  }

  /** The whole content as a Buffer. */
  async read(): Promise<Buffer> {
    this.#checkOpen("read");
    return this.#buffer ?? (await readFile(this.#path!));
  }

  /** The whole content decoded as UTF-8 (invalid bytes become U+FFFD). */
  async text(): Promise<string> {
    return (await this.read()).toString("utf8");
  }

  /**
   * Write the content to the file at `dst` (created or replaced), or into a writable
   * stream, which is left open as Werkzeug leaves file objects open.
   */
  async save(dst: string | Writable): Promise<void> {
    this.#checkOpen("save");
    if (typeof dst === "string") {
      if (this.#buffer !== undefined) await writeFile(dst, this.#buffer);
      else await copyFile(this.#path!, dst);
      return;
    }
    for await (const chunk of this.stream()) {
      // `once` rejects if the destination emits "error" while we wait for it to drain.
      if (!dst.write(chunk as Buffer)) await once(dst, "drain");
    }
  }

  /** Release the content; a temporary file is deleted. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = undefined;
    if (this.#temporary && this.#path !== undefined) {
      await unlink(this.#path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== "ENOENT") throw error;
      });
    }
  }

  /** `<FileStorage: 'photo.png' ('image/png')>`, as Werkzeug's repr. */
  toString(): string {
    return `<FileStorage: ${JSON.stringify(this.filename ?? null)} (${JSON.stringify(this.contentType ?? null)})>`;
  }

  #checkOpen(action: string): void {
    if (this.#closed) {
      throw new Error(`Cannot ${action} the uploaded file "${this.filename ?? this.name}": it was closed (request.close() releases uploads at the end of the request).`);
    }
  }
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

const UNSAFE_FILENAME_RE = /[^A-Za-z0-9_.-]/g;

// Windows opens these devices whatever the directory or extension ("nul.txt" is NUL).
const WINDOWS_DEVICE_NAMES = new Set([
  "AUX", "CON", "CONIN$", "CONOUT$", "NUL", "PRN",
  ..."123456789¹²³".split("").flatMap((d) => [`COM${d}`, `LPT${d}`]),
]);

/**
 * A version of a client's file name that is safe to use in a path: ASCII letters,
 * digits, `_`, `.` and `-` only, path separators turned into `_`, no leading dots. The
 * result may be empty — then pick a name yourself. Werkzeug's `secure_filename`; the
 * Windows device-name guard is applied on every platform, so files saved on Linux stay
 * safe when the folder is later served from Windows.
 *
 * @example
 * secureFilename("My cool movie.mov");   // "My_cool_movie.mov"
 * secureFilename("../../../etc/passwd"); // "etc_passwd"
 * secureFilename("i contain cool ümläuts.txt"); // "i_contain_cool_umlauts.txt"
 */
export function secureFilename(filename: string): string {
  // NFKD splits "ü" into "u" + a combining mark, which the ASCII filter then drops.
  let name = filename.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  name = name.replace(/[/\\]/g, " ");
  name = name.split(/\s+/).filter((part) => part !== "").join("_");
  name = name.replace(UNSAFE_FILENAME_RE, "").replace(/^[._]+|[._]+$/g, "");
  if (name && WINDOWS_DEVICE_NAMES.has(name.split(".")[0]!.toUpperCase())) name = `_${name}`;
  return name;
}
