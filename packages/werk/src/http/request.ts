/**
 * `Request`: Werkzeug's request wrapper over Node's `IncomingMessage`. The URL and header
 * properties come from `BaseRequest`; this class adds the body, read at most once through
 * `getData()` / `getForm()` / `loadBody()`, within `maxContentLength`,
 * `maxFormMemorySize` and `maxFormParts`.
 */
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { BadRequest, UnsupportedMediaType } from "./exceptions.js";
import type { FileStorage } from "./files.js";
import {
  DEFAULT_MAX_FORM_MEMORY_SIZE,
  DEFAULT_MAX_FORM_PARTS,
  FormDataParser,
  isFormMimetype,
} from "./forms.js";
import { CombinedMultiDict, ImmutableMultiDict } from "./multidict.js";
import { BaseRequest, type BaseRequestOptions } from "./request-base.js";
import { limitedStream, pumpBody, tooLarge } from "./request-body.js";

/** Options of `new Request(req, options)`; each is also a settable property. */
export interface RequestOptions extends BaseRequestOptions {
  /** Largest body accepted, in bytes; more gives 413. `null` (default): no limit. */
  maxContentLength?: number | null;
  /** Largest total of form text fields held in memory; more gives 413. Default 500 000; `null`: no limit. */
  maxFormMemorySize?: number | null;
  /** Most fields and files in a form; more gives 413. Default 1000; `null`: no limit. */
  maxFormParts?: number | null;
}

/** Options of `request.getJson()`. */
export interface GetJsonOptions {
  /** Parse whatever the Content-Type says. */
  force?: boolean;
  /** Give `undefined` instead of throwing for a wrong Content-Type or invalid JSON. */
  silent?: boolean;
  /** Remember the result for later calls (default true). */
  cache?: boolean;
}

const EMPTY_BODY = Buffer.alloc(0);
const EMPTY_FORM = new ImmutableMultiDict<string>();
const EMPTY_FILES = new ImmutableMultiDict<FileStorage>();
const UNSET: unique symbol = Symbol("unset");
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

function notLoaded(property: string, method: string): Error {
  return new Error(
    `request.${property} is not available yet: the request body has not been read. ` +
      `Call \`await request.${method}()\` (or \`await request.loadBody()\`) first; ` +
      `the framework does this before the view runs for form and JSON bodies.`,
  );
}

function unsupportedJson(): UnsupportedMediaType {
  return new UnsupportedMediaType(
    "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
  );
}

/**
 * An HTTP request, read lazily from a Node `IncomingMessage`.
 *
 * Header-derived properties are synchronous. The body is asynchronous: `await
 * request.getData()`, `getJson()`, `getForm()`, `getFiles()`; or `await request.loadBody()`
 * once, after which `data`, `json`, `form`, `files` and `values` can be read synchronously.
 * Call `await request.close()` when done, to delete the temporary files of large uploads.
 *
 * @example
 * http.createServer(async (req, res) => {
 *   const request = new Request(req, { maxContentLength: 1024 * 1024 });
 *   request.path;                    // "/search"
 *   request.args.get("q");           // "flagon"
 *   request.acceptMimetypes.bestMatch(["text/html", "application/json"]);
 *   await request.loadBody();
 *   request.form.get("title");       // from a posted form
 *   await request.close();
 * });
 */
export class Request extends BaseRequest {
  /** Largest body accepted, in bytes; `null`: no limit. */
  maxContentLength: number | null;
  /** Largest total of form text fields held in memory, in bytes; `null`: no limit. */
  maxFormMemorySize: number | null;
  /** Most fields and files in a form; `null`: no limit. */
  maxFormParts: number | null;

  #values: CombinedMultiDict<string> | undefined;
  #stream: Readable | undefined;
  // The body: `#consumer` is the one read of the stream (collecting or form parsing).
  #consumer: Promise<void> | undefined;
  #formLoad: Promise<void> | undefined;
  #bodyError: unknown;
  #data: Buffer | undefined;
  #form: ImmutableMultiDict<string> | undefined;
  #files: ImmutableMultiDict<FileStorage> | undefined;
  #json: unknown = UNSET;
  #jsonSilent: unknown = UNSET;
  #closed = false;

  constructor(req: IncomingMessage, options?: RequestOptions) {
    super(req, options);
    this.maxContentLength = options?.maxContentLength ?? null;
    this.maxFormMemorySize =
      options?.maxFormMemorySize === undefined ? DEFAULT_MAX_FORM_MEMORY_SIZE : options.maxFormMemorySize;
    this.maxFormParts = options?.maxFormParts === undefined ? DEFAULT_MAX_FORM_PARTS : options.maxFormParts;
  }

  // ---------------------------------------------------------------- body

  /**
   * The body stream, limited to `maxContentLength` when set (it then fails with 413 past
   * the limit; a declared Content-Length over the limit throws 413 right away). It can be
   * read once: reading it yourself leaves nothing for `getData()` / `getForm()`.
   */
  get stream(): Readable {
    if (this.#stream !== undefined) return this.#stream;
    const limit = this.maxContentLength;
    if (limit === null) return this.raw;
    this.#checkDeclaredLength(limit);
    return (this.#stream = limitedStream(this.raw, limit));
  }

  /**
   * The whole body as a Buffer (or a string with `asText`, decoded as UTF-8), read once
   * and cached. A declared Content-Length over `maxContentLength` throws 413 before
   * reading; a chunked body growing past it throws 413 and reading stops. After a form was
   * parsed from the stream, this is empty (as in Werkzeug).
   */
  getData(options?: { asText?: false }): Promise<Buffer>;
  getData(options: { asText: true }): Promise<string>;
  getData(options?: { asText?: boolean }): Promise<Buffer | string>;
  async getData(options?: { asText?: boolean }): Promise<Buffer | string> {
    const data = this.#data ?? (await this.#readData());
    return options?.asText ? data.toString("utf8") : data;
  }

  /**
   * The body parsed as JSON. Without `force`, a mimetype other than JSON throws
   * `UnsupportedMediaType` (415); invalid JSON throws `BadRequest` (400); with `silent`
   * both give `undefined`. Errors reading the body (413, disconnects) are thrown even when silent.
   */
  getJson<T = unknown>(options?: GetJsonOptions & { silent?: false }): Promise<T>;
  getJson<T = unknown>(options: GetJsonOptions): Promise<T | undefined>;
  async getJson<T = unknown>(options: GetJsonOptions = {}): Promise<T | undefined> {
    const { force = false, silent = false, cache = true } = options;
    if (cache) {
      const cached = silent ? this.#jsonSilent : this.#json;
      if (cached !== UNSET) return cached as T | undefined;
    }
    if (!(force || this.isJson)) {
      if (silent) return undefined;
      throw unsupportedJson();
    }
    return this.#parseJson(await this.getData(), silent, cache) as T | undefined;
  }

  /** The form's text fields (empty unless the body is urlencoded or multipart). */
  async getForm(): Promise<ImmutableMultiDict<string>> {
    if (this.#form === undefined) await this.#loadForm();
    return this.#form!;
  }

  /** The form's uploaded files (empty unless the body is multipart). */
  async getFiles(): Promise<ImmutableMultiDict<FileStorage>> {
    if (this.#files === undefined) await this.#loadForm();
    return this.#files!;
  }

  /**
   * Read the body the way the framework does before hooks run: parse a form, or read a
   * JSON body; other bodies are left for the view to read or stream. Throws what reading
   * throws (413, 400). Afterwards `data`, `json`, `form`, `files`, `values` are synchronous.
   */
  async loadBody(): Promise<void> {
    if (isFormMimetype(this.mimetype)) await this.#loadForm();
    else if (this.isJson) await this.getData();
  }

  /** Whether `loadBody()` has anything to read (a form or JSON body), so callers can skip it. */
  get hasBodyToLoad(): boolean {
    // Most requests carry no body: check that before parsing Content-Type.
    return this.#hasBody() && (isFormMimetype(this.mimetype) || this.isJson);
  }

  /** The body read by `getData()` / `loadBody()`; empty when there is none or it was a form. */
  get data(): Buffer {
    if (this.#data !== undefined) return this.#data;
    if (this.#bodyError !== undefined) throw this.#bodyError;
    if (!this.#hasBody()) return (this.#data = EMPTY_BODY);
    throw notLoaded("data", "getData");
  }

  /** The parsed JSON body (see `getJson`); needs the body read first. */
  get json(): unknown {
    if (this.#json !== UNSET) return this.#json;
    if (!this.isJson) throw unsupportedJson();
    return this.#parseJson(this.data, false, true);
  }

  /** The form's text fields; needs the body read first (except for non-form bodies: empty). */
  get form(): ImmutableMultiDict<string> {
    if (this.#form !== undefined) return this.#form;
    this.#checkFormReadable("form", "getForm");
    return this.#form!;
  }

  /** The uploaded files; needs the body read first (except for non-form bodies: empty). */
  get files(): ImmutableMultiDict<FileStorage> {
    if (this.#files !== undefined) return this.#files;
    this.#checkFormReadable("files", "getFiles");
    return this.#files!;
  }

  /**
   * `args` and `form` combined, args first. For GET only `args`: a form body on a GET
   * would change the result without changing the URL that caches key on (Werkzeug 2.0+).
   */
  get values(): CombinedMultiDict<string> {
    return (this.#values ??= new CombinedMultiDict(this.method === "GET" ? [this.args] : [this.args, this.form]));
  }

  /**
   * Release what the request holds: uploaded files spilled to temporary files are
   * deleted. The framework calls this when the request ends; call it yourself when using
   * `Request` directly. Files are unusable afterwards.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#closeFiles();
  }

  /** Whether `close()` has temporary files to remove (uploads were parsed). */
  get needsClose(): boolean {
    const files = this.#files;
    return files !== undefined && files.size !== 0;
  }

  // ---------------------------------------------------------------- internals

  // HTTP/1.x has a body only with Content-Length > 0 or Transfer-Encoding; HTTP/2 may
  // stream one without either, so there only an ended stream means "no body".
  #hasBody(): boolean {
    if (this.header("transfer-encoding") !== undefined) return true;
    const length = this.contentLength;
    if (length !== undefined) return length > 0;
    return this.raw.httpVersionMajor === 2 && !this.raw.readableEnded;
  }

  #checkDeclaredLength(limit: number | null): void {
    const length = this.contentLength;
    if (limit !== null && length !== undefined && length > limit) throw tooLarge(limit);
  }

  #source(): Readable {
    return this.#stream ?? this.raw;
  }

  async #readData(): Promise<Buffer> {
    if (this.#consumer === undefined) {
      if (!this.#hasBody()) return (this.#data = EMPTY_BODY);
      this.#consumer = this.#collect();
    }
    await this.#consumer;
    // A form parser consumed the stream: Werkzeug's get_data() is empty then too.
    return (this.#data ??= EMPTY_BODY);
  }

  async #collect(): Promise<void> {
    try {
      const limit = this.maxContentLength;
      this.#checkDeclaredLength(limit);
      const chunks: Buffer[] = [];
      let size = 0;
      await pumpBody(this.#source(), limit, {
        write(chunk) {
          chunks.push(chunk);
          size += chunk.length;
          return true;
        },
        end() {},
        waitDrain(resume) {
          resume();
        },
      });
      this.#data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    } catch (error) {
      this.#bodyError = error;
      throw error;
    }
  }

  #loadForm(): Promise<void> {
    return (this.#formLoad ??= this.#parseForm());
  }

  async #parseForm(): Promise<void> {
    try {
      const mimetype = this.mimetype;
      if (!isFormMimetype(mimetype) || !this.#hasBody()) {
        this.#form = EMPTY_FORM;
        this.#files = EMPTY_FILES;
        return;
      }
      const parser = new FormDataParser(mimetype, this.mimetypeParams, {
        maxFormMemorySize: this.maxFormMemorySize,
        maxFormParts: this.maxFormParts,
      });
      if (this.#consumer !== undefined) {
        // getData() read the body first: parse the cached bytes (Werkzeug's _get_stream_for_parsing).
        await this.#consumer;
        parser.write(this.#data ?? EMPTY_BODY);
        parser.end();
      } else {
        this.#consumer = this.#pumpForm(parser, mimetype);
        await this.#consumer;
        // The parser consumed the stream: `data` is empty, as Werkzeug's is for forms.
        this.#data ??= EMPTY_BODY;
      }
      const { form, files } = await parser.result;
      this.#form = form;
      this.#files = files;
      // Uploads that finished after close() (an abandoned request) are released at once.
      if (this.#closed) await this.#closeFiles();
    } catch (error) {
      this.#bodyError = error;
      throw error;
    }
  }

  async #pumpForm(parser: FormDataParser, mimetype: string): Promise<void> {
    let limit = this.maxContentLength;
    try {
      this.#checkDeclaredLength(limit);
      // An urlencoded body is all text in memory, so the form memory limit bounds the whole body.
      if (mimetype === "application/x-www-form-urlencoded") {
        const memory = this.maxFormMemorySize;
        if (memory !== null && (limit === null || memory < limit)) limit = memory;
        this.#checkDeclaredLength(limit);
      }
      await pumpBody(this.#source(), limit, parser);
    } catch (error) {
      await parser.abort(error);
      // The parser's own failure came first when it stopped the pump; report that one.
      await parser.result;
    }
  }

  #checkFormReadable(property: string, method: string): void {
    if (!isFormMimetype(this.mimetype) || !this.#hasBody()) {
      this.#form = EMPTY_FORM;
      this.#files = EMPTY_FILES;
      return;
    }
    if (this.#bodyError !== undefined) throw this.#bodyError;
    throw notLoaded(property, method);
  }

  #parseJson(data: Buffer, silent: boolean, cache: boolean): unknown {
    let value: unknown;
    try {
      value = JSON.parse(utf8Fatal.decode(data));
    } catch (error) {
      if (silent) {
        if (cache) this.#jsonSilent = undefined;
        return undefined;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new BadRequest(`Failed to decode JSON object: ${reason}`);
    }
    if (cache) {
      this.#json = value;
      this.#jsonSilent = value;
    }
    return value;
  }

  async #closeFiles(): Promise<void> {
    const files = this.#files;
    if (files === undefined || files.size === 0) return;
    const closing: Array<Promise<void>> = [];
    for (const [, file] of files) closing.push(file.close());
    await Promise.all(closing);
  }
}
