/**
 * Response bodies: the kinds a `Response` accepts beyond strings and bytes, and how a
 * streamed one is turned into chunks of bytes, sliced for a range, or read whole.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

/** One piece of a streamed body: text is sent as UTF-8. */
export type BodyChunk = string | Uint8Array;

/**
 * A body sent piece by piece: a generator (sync or async), a Node `Readable`, a web
 * `ReadableStream` (async iterable in Node 20), or a `FileBody`.
 */
export type StreamBody = Iterable<BodyChunk> | AsyncIterable<BodyChunk> | Readable | FileBody;

/**
 * A file, or a byte range of one, to be sent as a body. Nothing is opened until the
 * response is written, so a response that ends up as a 304, a HEAD answer or is never
 * sent holds no file descriptor; a range streams only the bytes asked for.
 *
 * @example
 * new Response(new FileBody("/srv/video.mp4", 1_000_000), { mimetype: "video/mp4" });
 */
export class FileBody {
  /** The file's path. */
  readonly path: string;
  /** The complete size of the file in bytes. */
  readonly size: number;
  /** The first byte to send. */
  readonly start: number;
  /** One past the last byte to send. */
  readonly end: number;

  constructor(path: string, size: number, start = 0, end = size) {
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && 0 <= start && start <= end && end <= size)) {
      throw new RangeError(`Invalid byte range ${start}-${end} for a file of ${size} bytes: ${path}.`);
    }
    this.path = path;
    this.size = size;
    this.start = start;
    this.end = end;
  }

  /** The number of bytes this body sends. */
  get length(): number {
    return this.end - this.start;
  }

  /** The bytes `start` to `start + length` of this body, as a new `FileBody`. */
  slice(start: number, length: number): FileBody {
    return new FileBody(this.path, this.size, this.start + start, this.start + start + length);
  }

  /** Open a stream of the selected bytes. */
  open(): Readable {
    // An empty range cannot be expressed with createReadStream's inclusive `end`.
    if (this.length === 0) return Readable.from([]);
    return createReadStream(this.path, { start: this.start, end: this.end - 1, highWaterMark: 64 * 1024 });
  }
}

/** True if `body` is one of the streamed kinds (anything iterable but text and bytes). */
export function isStreamBody(body: unknown): body is StreamBody {
  if (body === null || typeof body !== "object") return false;
  if (body instanceof Uint8Array) return false;
  return (
    body instanceof FileBody ||
    typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === "function" ||
    typeof (body as Partial<Iterable<unknown>>)[Symbol.iterator] === "function"
  );
}

/** A chunk as bytes; anything but text and bytes is a programming error. */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  throw new TypeError(
    `A response body yielded ${describe(chunk)}; streamed bodies must yield strings, Buffers or Uint8Arrays.`,
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "Object"})`;
  return `a ${typeof value} (${String(value)})`;
}

/** The byte length of a buffered body. */
export function byteLength(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
}

/** An iterator over a streamed body, plus the `Readable` behind it when there is one. */
export interface OpenedBody {
  readonly iterator: AsyncIterator<unknown> | Iterator<unknown>;
  /** Destroyed at once when the client goes away, so a pending read ends. */
  readonly readable: Readable | undefined;
}

/** Start reading a streamed body. */
export function openBody(body: StreamBody): OpenedBody {
  const source = body instanceof FileBody ? body.open() : body;
  const readable = source instanceof Readable ? source : undefined;
  const asyncIterable = source as Partial<AsyncIterable<unknown>>;
  const iterator =
    typeof asyncIterable[Symbol.asyncIterator] === "function"
      ? asyncIterable[Symbol.asyncIterator]!()
      : (source as Iterable<unknown>)[Symbol.iterator]();
  return { iterator, readable };
}

/**
 * Let an iterator clean up after an early stop: a generator runs its `finally`, a
 * Readable's iterator destroys the stream.
 */
export async function closeIterator(iterator: AsyncIterator<unknown> | Iterator<unknown>): Promise<void> {
  if (typeof iterator.return === "function") await iterator.return();
}

/** Read a streamed body to the end. */
export async function readAll(body: StreamBody): Promise<Buffer> {
  const { iterator } = openBody(body);
  const chunks: Uint8Array[] = [];
  let done = false;
  try {
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) chunks.push(toBytes(step.value));
    done = true;
  } finally {
    if (!done) await closeIterator(iterator);
  }
  return Buffer.concat(chunks);
}

/**
 * The bytes `start` to `start + length` of a streamed body, skipping what comes before
 * (Werkzeug's `_RangeWrapper` for bodies that cannot seek). Stops reading the source
 * as soon as the range is complete.
 */
export async function* sliceChunks(body: StreamBody, start: number, length: number): AsyncGenerator<Uint8Array> {
  const { iterator } = openBody(body);
  const end = start + length;
  let position = 0;
  let done = false;
  try {
    while (position < end) {
      const step = await iterator.next();
      if (step.done) {
        done = true;
        return;
      }
      const chunk = toBytes(step.value);
      const next = position + chunk.byteLength;
      if (next > start) yield chunk.subarray(Math.max(0, start - position), Math.min(chunk.byteLength, end - position));
      position = next;
    }
  } finally {
    if (!done) await closeIterator(iterator);
  }
}
