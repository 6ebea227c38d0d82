/**
 * Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data`, parsed into
 * a `form` MultiDict of text fields and a `files` MultiDict of `FileStorage`s, within
 * limits a client cannot talk its way around. Werkzeug's `formparser.py`.
 *
 * Multipart goes through busboy; urlencoded bodies through the same decoder as query
 * strings, so `+`, malformed escapes and invalid UTF-8 read the same in `args` and `form`.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import busboy from "busboy";
import { BadRequest, HTTPException, RequestEntityTooLarge } from "./exceptions.js";
import { FileStorage } from "./files.js";
import { Headers } from "./headers.js";
import { dumpOptionsHeader, parseOptionsHeader } from "./header-values.js";
import { ImmutableMultiDict } from "./multidict.js";
import { pumpBody, type BodySink } from "./request-body.js";
import { parseQueryPairs } from "./request-url.js";

/** Default `maxFormMemorySize`: 500 kB of text fields (Werkzeug's and Flask's default). */
export const DEFAULT_MAX_FORM_MEMORY_SIZE = 500_000;
/** Default `maxFormParts`: 1000 fields and files (Werkzeug's multipart bomb guard). */
export const DEFAULT_MAX_FORM_PARTS = 1000;
/** Uploaded files larger than this (500 KiB, as Werkzeug's SpooledTemporaryFile) go to disk. */
export const FILE_MEMORY_THRESHOLD = 500 * 1024;

/** Limits and storage settings for form parsing. `null` switches a limit off. */
export interface FormParserOptions {
  /** Total bytes of text fields held in memory; more gives 413. Default 500 000. */
  maxFormMemorySize?: number | null;
  /** Number of fields and files; more gives 413 ("too many parts"). Default 1000. */
  maxFormParts?: number | null;
  /** Files above this many bytes are written to a temporary file. Default 500 KiB. */
  fileMemoryThreshold?: number;
  /** Where temporary files go. Default `os.tmpdir()`. */
  tempDir?: string;
}

/** The parsed form: text fields and uploaded files. */
export interface ParsedForm {
  form: ImmutableMultiDict<string>;
  files: ImmutableMultiDict<FileStorage>;
}

/** True for the two mimetypes that carry form data. */
export function isFormMimetype(mimetype: string): boolean {
  return mimetype === "multipart/form-data" || mimetype === "application/x-www-form-urlencoded";
}

function resolveLimit(value: number | null | undefined, fallback: number): number | null {
  return value === undefined ? fallback : value;
}

function tooManyParts(limit: number): RequestEntityTooLarge {
  return new RequestEntityTooLarge(`The form has more than ${limit} parts (fields and files), the limit of this server.`);
}

function tooMuchFormMemory(limit: number): RequestEntityTooLarge {
  return new RequestEntityTooLarge(`The form's text fields are larger than the limit of ${limit} bytes.`);
}

// Parser failures are the client's: anything not already an HTTP error is a malformed body.
function asClientError(error: unknown): unknown {
  if (error instanceof HTTPException) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new BadRequest(`The multipart/form-data body is malformed: ${reason}.`, { cause: error });
}

interface Strategy extends BodySink {
  finish(): Promise<ParsedForm>;
  abort(): Promise<void>;
}

/**
 * A push parser for one form body: `write` chunks, `end`, then await `result`. It
 * implements the body-sink protocol, so a request pumps its stream straight into it.
 * Throws `BadRequest` at construction for a multipart type without a usable boundary;
 * `result` rejects with `RequestEntityTooLarge` (413) past the limits and `BadRequest`
 * (400) for a malformed body, after deleting any temporary file it wrote.
 *
 * @example
 * const parser = new FormDataParser("application/x-www-form-urlencoded", {});
 * parser.write(Buffer.from("a=1&b=2"));
 * parser.end();
 * (await parser.result).form.get("b"); // "2"
 */
export class FormDataParser implements BodySink {
  /** Resolves with the form once the body ended and every file is stored. */
  readonly result: Promise<ParsedForm>;
  #strategy: Strategy;
  #failed = false;
  #failure: Promise<void> | undefined;
  #fail: ((error: unknown) => void) | undefined;
  #reject!: (error: unknown) => void;
  #resolve!: (data: ParsedForm) => void;

  /**
   * @param mimetype `multipart/form-data` or `application/x-www-form-urlencoded`.
   * @param params the Content-Type parameters (`boundary` for multipart).
   */
  constructor(mimetype: string, params: Readonly<Record<string, string>>, options: FormParserOptions = {}) {
    this.result = new Promise<ParsedForm>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // Callers may await something else first (the pump); the rejection is still delivered.
    this.result.catch(() => undefined);
    const onError = (error: unknown): void => {
      void this.#failWith(error);
    };
    if (mimetype === "multipart/form-data") this.#strategy = new MultipartStrategy(params, options, onError);
    else if (mimetype === "application/x-www-form-urlencoded") this.#strategy = new UrlencodedStrategy(options, onError);
    else throw new TypeError(`FormDataParser handles form mimetypes only, not ${JSON.stringify(mimetype)}.`);
  }

  /** Take a chunk of the body; false means wait for `waitDrain`. */
  write(chunk: Buffer): boolean {
    return this.#failed ? true : this.#strategy.write(chunk);
  }

  /** The body ended: finish parsing and settle `result`. */
  end(): void {
    if (this.#failed) return;
    this.#strategy.end();
    this.#strategy.finish().then(this.#resolve, (error: unknown) => this.#failWith(error));
  }

  /** Call `resume` when the parser can take more data. */
  waitDrain(resume: () => void): void {
    this.#strategy.waitDrain(resume);
  }

  /** Register the function that stops the body pump when parsing fails. */
  onFail(fail: (error: unknown) => void): void {
    this.#fail = fail;
  }

  /** Stop parsing (the body could not be read) and delete temporary files; `result` rejects with `error`. */
  abort(error: unknown): Promise<void> {
    return this.#failWith(error);
  }

  // The first failure wins; later calls wait for its cleanup.
  #failWith(error: unknown): Promise<void> {
    if (this.#failure === undefined) {
      this.#failed = true;
      this.#failure = this.#cleanUpAfter(error);
    }
    return this.#failure;
  }

  async #cleanUpAfter(error: unknown): Promise<void> {
    const clientError = asClientError(error);
    this.#fail?.(clientError);
    // Temporary files are gone before anyone sees the error, so a test (or a retry) finds a clean disk.
    await this.#strategy.abort().catch(() => undefined);
    this.#reject(clientError);
  }
}

/**
 * Parse a whole form body (a Buffer, string or readable stream) in one call.
 *
 * @example
 * const { form, files } = await parseFormData(req, req.headers["content-type"] ?? "");
 */
export async function parseFormData(
  body: Uint8Array | string | Readable,
  contentType: string,
  options: FormParserOptions = {},
): Promise<ParsedForm> {
  const [value, params] = parseOptionsHeader(contentType);
  const mimetype = value.toLowerCase();
  if (!isFormMimetype(mimetype)) return { form: new ImmutableMultiDict(), files: new ImmutableMultiDict() };
  const parser = new FormDataParser(mimetype, params, options);
  if (body instanceof Readable) {
    try {
      await pumpBody(body, null, parser);
    } catch (error) {
      await parser.abort(error);
    }
  } else {
    parser.write(typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    parser.end();
  }
  return parser.result;
}

// urlencoded: the whole body is text held in memory, so `maxFormMemorySize` bounds all of it.
class UrlencodedStrategy implements Strategy {
  #chunks: Buffer[] = [];
  #size = 0;
  #maxMemory: number | null;
  #maxParts: number | null;
  #onError: (error: unknown) => void;

  constructor(options: FormParserOptions, onError: (error: unknown) => void) {
    this.#maxMemory = resolveLimit(options.maxFormMemorySize, DEFAULT_MAX_FORM_MEMORY_SIZE);
    this.#maxParts = resolveLimit(options.maxFormParts, DEFAULT_MAX_FORM_PARTS);
    this.#onError = onError;
  }

  write(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#maxMemory !== null && this.#size > this.#maxMemory) {
      this.#onError(tooMuchFormMemory(this.#maxMemory));
      return true;
    }
    this.#chunks.push(chunk);
    return true;
  }

  end(): void {}

  waitDrain(resume: () => void): void {
    resume();
  }

  async finish(): Promise<ParsedForm> {
    // Raw non-ASCII bytes are not valid in this encoding; decode them leniently (U+FFFD)
    // rather than failing the whole form.
    const pairs = parseQueryPairs(Buffer.concat(this.#chunks, this.#size).toString("utf8"));
    this.#chunks = [];
    if (this.#maxParts !== null && pairs.length > this.#maxParts) throw tooManyParts(this.#maxParts);
    return { form: new ImmutableMultiDict(pairs), files: new ImmutableMultiDict() };
  }

  async abort(): Promise<void> {
    this.#chunks = [];
  }
}

class MultipartStrategy implements Strategy {
  #bb: busboy.Busboy;
  #fields: Array<[string, string]> = [];
  #files: Array<[string, Promise<FileStorage>]> = [];
  #stored: FileStorage[] = [];
  #active = new Set<Readable>();
  #memory = 0;
  #parts = 0;
  #maxMemory: number | null;
  #maxParts: number | null;
  #threshold: number;
  #tempDir: string;
  #finished: Promise<void>;
  #failed = false;
  #onError: (error: unknown) => void;

  constructor(params: Readonly<Record<string, string>>, options: FormParserOptions, onError: (error: unknown) => void) {
    this.#maxMemory = resolveLimit(options.maxFormMemorySize, DEFAULT_MAX_FORM_MEMORY_SIZE);
    this.#maxParts = resolveLimit(options.maxFormParts, DEFAULT_MAX_FORM_PARTS);
    this.#threshold = options.fileMemoryThreshold ?? FILE_MEMORY_THRESHOLD;
    this.#tempDir = options.tempDir ?? tmpdir();
    this.#onError = (error) => {
      this.#failed = true;
      onError(error);
    };
    const boundary = params.boundary;
    if (!boundary) {
      throw new BadRequest("The multipart/form-data body has no boundary in its Content-Type header.");
    }
    try {
      this.#bb = busboy({
        // Rebuilt from the parsed parameters, so any spelling the header parser accepted works.
        headers: { "content-type": dumpOptionsHeader("multipart/form-data", { boundary }) },
        // Keep the client's file name as sent (Werkzeug does); `secureFilename` is for paths.
        preservePath: true,
        defParamCharset: "utf8",
        limits: {
          // busboy truncates a field at `fieldSize` silently; one byte more lets us see the excess.
          fieldSize: this.#maxMemory === null ? Infinity : this.#maxMemory + 1,
          // A backstop to #countPart: past this many busboy ignores the rest and emits "partsLimit".
          parts: this.#maxParts === null ? Infinity : this.#maxParts + 1,
        },
      });
    } catch (error) {
      throw asClientError(error);
    }
    this.#finished = new Promise<void>((resolve) => this.#bb.once("finish", resolve));
    this.#bb.on("field", (name, value, info) => this.#onField(name, value, info.valueTruncated || info.nameTruncated));
    this.#bb.on("file", (name, stream, info) => this.#onFile(name, stream, info));
    this.#bb.on("error", (error: unknown) => this.#onError(error));
    // busboy also counts parts it skips (no Content-Disposition) and then silently ignores
    // the rest of the body: that is too many parts as well.
    this.#bb.on("partsLimit", () => this.#onError(tooManyParts(this.#maxParts!)));
  }

  write(chunk: Buffer): boolean {
    return this.#failed ? true : this.#bb.write(chunk);
  }

  end(): void {
    if (!this.#failed) this.#bb.end();
  }

  waitDrain(resume: () => void): void {
    this.#bb.once("drain", resume);
  }

  async finish(): Promise<ParsedForm> {
    await this.#finished;
    const files: Array<[string, FileStorage]> = [];
    for (const [name, pending] of this.#files) files.push([name, await pending]);
    return { form: new ImmutableMultiDict(this.#fields), files: new ImmutableMultiDict(files) };
  }

  async abort(): Promise<void> {
    this.#failed = true;
    this.#bb.destroy();
    // Destroying a file stream makes its collector delete what it wrote.
    for (const stream of this.#active) stream.destroy(new Error("Form parsing was aborted"));
    await Promise.allSettled(this.#files.map(([, pending]) => pending));
    await Promise.all(this.#stored.map((file) => file.close().catch(() => undefined)));
  }

  // Werkzeug's multipart bomb guard: count every part, fail on the first one too many.
  #countPart(): boolean {
    this.#parts++;
    if (this.#maxParts !== null && this.#parts > this.#maxParts) {
      this.#onError(tooManyParts(this.#maxParts));
      return false;
    }
    return true;
  }

  #onField(name: string | undefined, value: string, truncated: boolean): void {
    if (this.#failed || !this.#countPart()) return;
    const limit = this.#maxMemory;
    if (limit !== null) {
      this.#memory += Buffer.byteLength(value, "utf8");
      if (truncated || this.#memory > limit) {
        this.#onError(tooMuchFormMemory(limit));
        return;
      }
    }
    this.#fields.push([name ?? "", value]);
  }

  #onFile(name: string | undefined, stream: Readable, info: busboy.FileInfo): void {
    // Always listen for errors: busboy destroys a truncated file's stream with one.
    stream.on("error", () => undefined);
    if (this.#failed || !this.#countPart()) {
      stream.resume();
      return;
    }
    const headers = new Headers();
    // busboy reports an empty `filename=""` (an empty file input) as no file name.
    const filename = info.filename ?? "";
    headers.set("Content-Disposition", "form-data", { name: name ?? "", filename });
    headers.set("Content-Type", info.mimeType);
    this.#active.add(stream);
    stream.once("close", () => this.#active.delete(stream));
    const pending = this.#collect(stream, { name: name ?? "", filename, headers });
    // Settled by finish() or abort(); this keeps an early rejection from counting as unhandled.
    pending.catch(() => undefined);
    this.#files.push([name ?? "", pending]);
  }

  // Hold a file in memory until it passes the threshold, then move it to a temporary file.
  #collect(stream: Readable, meta: { name: string; filename: string; headers: Headers }): Promise<FileStorage> {
    return new Promise<FileStorage>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let out: WriteStream | undefined;
      let path: string | undefined;
      let settled = false;

      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        stream.resume();
        if (out === undefined) {
          reject(error);
          return;
        }
        // Unlink only once the file is closed: an open still in flight would recreate it.
        const remove = (): void => {
          unlink(path!).catch(() => undefined).then(() => reject(error));
        };
        if (out.closed) remove();
        else {
          out.once("close", remove);
          out.destroy();
        }
      };
      const write = (chunk: Buffer): void => {
        if (!out!.write(chunk)) {
          stream.pause();
          out!.once("drain", () => stream.resume());
        }
      };

      stream.on("data", (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (out !== undefined) {
          write(chunk);
          return;
        }
        chunks.push(chunk);
        if (size > this.#threshold) {
          path = join(this.#tempDir, `flagon-upload-${randomUUID()}`);
          // "wx": never follow or reuse an existing file; 0o600: readable by this process's user only.
          out = createWriteStream(path, { flags: "wx", mode: 0o600 });
          out.on("error", fail);
          const buffered = Buffer.concat(chunks, size);
          chunks.length = 0;
          write(buffered);
        }
      });
      stream.on("error", fail);
      stream.on("end", () => {
        if (settled) return;
        if (out === undefined) {
          settled = true;
          const storage = new FileStorage({ ...meta, buffer: Buffer.concat(chunks, size), size });
          this.#stored.push(storage);
          resolve(storage);
          return;
        }
        out.end((error?: Error | null) => {
          if (error) fail(error);
          if (settled) return;
          settled = true;
          const storage = new FileStorage({ ...meta, path, size, temporary: true });
          this.#stored.push(storage);
          resolve(storage);
        });
      });
    });
  }
}
