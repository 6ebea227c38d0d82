/**
 * Reading a request body off a Node stream with a size limit: the one place that
 * listens to the IncomingMessage. Werkzeug's `LimitedStream` / `get_input_stream`.
 *
 * When the limit is passed, reading stops: the stream is paused and left alone, so the
 * rest of an over-long body is neither read nor buffered (only what the socket already
 * holds). The server should answer the 413 with `Connection: close`; Node then closes the
 * socket after the response instead of waiting for the rest of the body.
 */
import { Readable } from "node:stream";
import { ClientDisconnected, RequestEntityTooLarge } from "./exceptions.js";

/** Where `pumpBody` delivers the body's chunks (a parser or a collector). */
export interface BodySink {
  /** Take a chunk; false asks the pump to wait for `waitDrain`'s callback. */
  write(chunk: Buffer): boolean;
  /** The body ended. */
  end(): void;
  /** Call `resume` once the sink can take more. */
  waitDrain(resume: () => void): void;
  /** Register the function that stops the pump when the sink fails (a parse error). */
  onFail?(fail: (error: unknown) => void): void;
}

/** The 413 thrown when a body passes `limit` bytes. */
export function tooLarge(limit: number): RequestEntityTooLarge {
  return new RequestEntityTooLarge(`The request body is larger than the limit of ${limit} bytes.`);
}

function disconnected(cause?: unknown): ClientDisconnected {
  const error = new ClientDisconnected();
  if (cause !== undefined) error.cause = cause;
  return error;
}

/**
 * Feed `source` into `sink`, at most `limit` bytes (`null`: no limit), with backpressure.
 * Rejects with `RequestEntityTooLarge` past the limit, `ClientDisconnected` when the
 * client goes away, or the sink's own error; in every case the listeners are removed and
 * the source is paused, never destroyed (destroying a request would close the socket
 * before the error response is sent).
 */
export function pumpBody(source: Readable, limit: number | null, sink: BodySink): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (source.readableEnded) {
      sink.end();
      resolve();
      return;
    }
    if (source.destroyed) {
      reject(disconnected());
      return;
    }
    let received = 0;
    let settled = false;

    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      source.off("data", onData);
      source.off("end", onEnd);
      source.off("error", onError);
      source.off("aborted", onAborted);
      source.off("close", onClose);
      if (error === undefined) {
        resolve();
      } else {
        source.pause();
        reject(error);
      }
    };
    const resume = (): void => {
      if (!settled) source.resume();
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      received += buffer.length;
      if (limit !== null && received > limit) {
        finish(tooLarge(limit));
        return;
      }
      let accepted: boolean;
      try {
        accepted = sink.write(buffer);
      } catch (error) {
        finish(error);
        return;
      }
      if (!accepted && !settled) {
        source.pause();
        sink.waitDrain(resume);
      }
    };
    const onEnd = (): void => {
      try {
        sink.end();
      } catch (error) {
        finish(error);
        return;
      }
      finish();
    };
    const onError = (error: unknown): void => finish(disconnected(error));
    const onAborted = (): void => finish(disconnected());
    // A stream closed before its end event was cut off by the client.
    const onClose = (): void => {
      if (!source.readableEnded) finish(disconnected());
    };

    sink.onFail?.(finish);
    source.on("data", onData);
    source.on("end", onEnd);
    source.on("error", onError);
    source.on("aborted", onAborted);
    source.on("close", onClose);
    // A stream paused earlier (by a previous reader) does not flow on a new "data" listener.
    source.resume();
  });
}

/**
 * A Readable over `source` that fails with `RequestEntityTooLarge` once more than `limit`
 * bytes came through (Werkzeug's `LimitedStream`). It attaches to `source` on the first
 * read, so an unread wrapper costs nothing and cannot emit an unhandled error.
 */
export function limitedStream(source: Readable, limit: number): Readable {
  let received = 0;
  let attached = false;
  let out: Readable;

  const detach = (): void => {
    source.off("data", onData);
    source.off("end", onEnd);
    source.off("error", onError);
    source.off("aborted", onAborted);
  };
  const onData = (chunk: Buffer | string): void => {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    received += buffer.length;
    if (received > limit) {
      detach();
      source.pause();
      out.destroy(tooLarge(limit));
      return;
    }
    if (!out.push(buffer)) source.pause();
  };
  const onEnd = (): void => {
    detach();
    out.push(null);
  };
  const onError = (error: unknown): void => {
    detach();
    out.destroy(disconnected(error));
  };
  const onAborted = (): void => {
    detach();
    out.destroy(disconnected());
  };

  out = new Readable({
    read() {
      if (!attached) {
        attached = true;
        if (source.readableEnded) {
          this.push(null);
          return;
        }
        source.on("data", onData);
        source.on("end", onEnd);
        source.on("error", onError);
        source.on("aborted", onAborted);
      }
      source.resume();
    },
    destroy(error, callback) {
      detach();
      callback(error);
    },
  });
  return out;
}
