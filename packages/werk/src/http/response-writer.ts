/**
 * Sending a response over a transport: a Node `ServerResponse` (with backpressure,
 * client disconnects and failing streams handled) or a Fetch API `Response`. `Response`
 * prepares the parts; only this module does IO.
 */
import type { ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { ReadableStream, type ReadableStreamDefaultController } from "node:stream/web";
import { closeIterator, openBody, toBytes, type StreamBody } from "./body.js";

/** A response reduced to what goes on the wire. */
export interface OutgoingParts {
  readonly status: number;
  /** A custom reason phrase, or `undefined` for the standard one. */
  readonly statusText: string | undefined;
  /** `[name, value, name, value, ...]`, final: Content-Length, Location and 304 fixes applied. */
  readonly headers: string[];
  /** A buffered body to send, or `null`. */
  readonly body: string | Uint8Array | null;
  /** A streamed body to send, or `null` (HEAD, 204, 304 never get one). */
  readonly stream: StreamBody | null;
  /** Release the body and run the response's `callOnClose` functions. */
  close(): Promise<void>;
}

/** Several failures become one error to report; none is dropped. */
export function combineErrors(errors: unknown[]): unknown {
  return errors.length === 1
    ? errors[0]
    : new AggregateError(errors, `${errors.length} errors while sending a response: ${errors.map(String).join("; ")}`);
}

// Resolves when the response has been handed to the OS, or the connection is gone.
function settled(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off("finish", done);
      res.off("close", done);
      resolve();
    };
    res.on("finish", done);
    res.on("close", done);
  });
}

/**
 * Write `parts` to `res`, then close the response. Rejects with what must be logged: a
 * stream failing before its first chunk (nothing written yet, so the caller can still
 * answer 500), a stream failing later (the connection is destroyed), a close callback.
 */
export async function writeToNode(res: ServerResponse, parts: OutgoingParts): Promise<void> {
  const errors: unknown[] = [];
  try {
    await write(res, parts);
  } catch (error) {
    errors.push(error);
  }
  try {
    await parts.close();
  } catch (error) {
    errors.push(error);
  }
  if (errors.length > 0) throw combineErrors(errors);
}

async function write(res: ServerResponse, parts: OutgoingParts): Promise<void> {
  const stream = parts.stream;
  if (stream === null) {
    res.writeHead(parts.status, parts.statusText, parts.headers);
    if (parts.body === null) res.end();
    else res.end(parts.body);
    await settled(res);
    return;
  }
  const { iterator, readable } = openBody(stream);
  // Read the first chunk before committing to a status: a body that fails at once
  // leaves the response untouched, so the caller can still send a 500.
  const first = await iterator.next();
  try {
    res.writeHead(parts.status, parts.statusText, parts.headers);
  } catch (error) {
    if (!first.done) await closeIterator(iterator);
    throw error;
  }
  await pump(res, iterator, readable, first);
}

// Copy chunks to `res`, pulling the next one only when the socket has room for it.
async function pump(
  res: ServerResponse,
  iterator: AsyncIterator<unknown> | Iterator<unknown>,
  readable: Readable | undefined,
  first: IteratorResult<unknown>,
): Promise<void> {
  let gone = res.destroyed;
  let wake: (() => void) | null = null;
  const onDrain = (): void => wake?.();
  const onClose = (): void => {
    if (res.writableFinished) return;
    gone = true;
    // Ends a pending read now rather than at the stream's next chunk.
    readable?.destroy();
    wake?.();
  };
  res.on("drain", onDrain);
  res.on("close", onClose);
  let step = first;
  try {
    while (!step.done && !gone) {
      const chunk = toBytes(step.value);
      if (chunk.byteLength > 0 && !res.write(chunk) && !gone) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (gone) break;
      }
      try {
        step = await iterator.next();
      } catch (error) {
        if (gone) break; // We destroyed the stream ourselves; the client left anyway.
        throw error;
      }
    }
    if (!gone) {
      res.end();
      await settled(res);
    }
  } catch (error) {
    // The status line is out: cutting the connection is the only signal of a broken body.
    res.destroy();
    throw error;
  } finally {
    res.off("drain", onDrain);
    res.off("close", onClose);
    if (!step.done) await closeIterator(iterator);
  }
}

/**
 * `parts` as a Fetch API `Response`. A stream becomes a `ReadableStream` pulled as the
 * consumer reads; the response is closed when it has been read or cancelled.
 */
export async function toFetch(parts: OutgoingParts): Promise<globalThis.Response> {
  const headers = new globalThis.Headers();
  for (let i = 0; i < parts.headers.length; i += 2) headers.append(parts.headers[i]!, parts.headers[i + 1]!);
  const init = { status: parts.status, statusText: parts.statusText ?? "", headers };
  const stream = parts.stream;
  if (stream === null) {
    await parts.close();
    return new globalThis.Response(parts.body, init);
  }
  const { iterator } = openBody(stream);
  let pending: IteratorResult<unknown> | undefined;
  try {
    pending = await iterator.next();
  } catch (error) {
    await parts.close();
    throw error;
  }
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, error?: unknown): Promise<void> => {
    const errors: unknown[] = error === undefined ? [] : [error];
    try {
      await parts.close();
    } catch (closeError) {
      errors.push(closeError);
    }
    if (errors.length > 0) controller.error(combineErrors(errors));
    else controller.close();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const step = pending ?? (await iterator.next());
        pending = undefined;
        if (step.done) await finish(controller);
        else controller.enqueue(toBytes(step.value));
      } catch (error) {
        await finish(controller, error);
      }
    },
    async cancel() {
      try {
        await closeIterator(iterator);
      } finally {
        await parts.close();
      }
    },
  });
  return new globalThis.Response(body as unknown as globalThis.ReadableStream<Uint8Array>, init);
}
