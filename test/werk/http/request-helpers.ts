/**
 * Building Node requests for the werk `Request` tests without a server: a real
 * `IncomingMessage` on an unconnected socket, with the body pushed in as chunks.
 */
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { Readable } from "node:stream";

export interface FakeRequestInit {
  method?: string;
  url?: string;
  /** Header pairs (repeats allowed) or an object. */
  headers?: Array<[string, string]> | Record<string, string>;
  /** The body, whole or in chunks; omitted means none. */
  body?: string | Buffer | Array<string | Buffer>;
  /** Leave the body open (more can be pushed later). */
  open?: boolean;
  remoteAddress?: string;
  localAddress?: string;
  localPort?: number;
  encrypted?: boolean;
}

function socketFor(init: FakeRequestInit): Socket {
  const socket = new Socket();
  const define = (name: string, value: unknown): void => {
    Object.defineProperty(socket, name, { value, configurable: true });
  };
  define("remoteAddress", init.remoteAddress ?? "127.0.0.1");
  if (init.localAddress !== undefined) define("localAddress", init.localAddress);
  if (init.localPort !== undefined) define("localPort", init.localPort);
  if (init.encrypted) define("encrypted", true);
  return socket;
}

function applyHead(req: { method?: string; url?: string; headers: unknown; rawHeaders: string[] }, init: FakeRequestInit): void {
  req.method = init.method ?? "GET";
  req.url = init.url ?? "/";
  const pairs = Array.isArray(init.headers) ? init.headers : Object.entries(init.headers ?? {});
  const raw: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of pairs) {
    raw.push(name, value);
    const key = name.toLowerCase();
    // As Node does: cookies join with "; ", other repeats with ", ".
    headers[key] = key in headers ? headers[key] + (key === "cookie" ? "; " : ", ") + value : value;
  }
  req.rawHeaders = raw;
  req.headers = headers;
}

/** An `IncomingMessage` with the given head and body (ended unless `open`). */
export function fakeRequest(init: FakeRequestInit = {}): IncomingMessage {
  const req = new IncomingMessage(socketFor(init));
  applyHead(req, init);
  const body = init.body;
  if (body !== undefined) for (const chunk of Array.isArray(body) ? body : [body]) req.push(chunk);
  if (!init.open) req.push(null);
  return req;
}

/** A request whose body never ends: chunks of `chunkSize` bytes made on demand, counted. */
export function endlessRequest(init: FakeRequestInit & { chunkSize?: number }): {
  req: IncomingMessage;
  produced: () => number;
} {
  let produced = 0;
  const chunk = Buffer.alloc(init.chunkSize ?? 1024, "x");
  const stream = new Readable({
    read() {
      produced += chunk.length;
      this.push(chunk);
    },
  });
  const req = stream as unknown as IncomingMessage & { socket: Socket };
  applyHead(req as unknown as { method?: string; url?: string; headers: unknown; rawHeaders: string[] }, init);
  Object.defineProperty(req, "socket", { value: socketFor(init) });
  return { req, produced: () => produced };
}

/** A multipart/form-data body from fields and files. */
export function multipartBody(
  boundary: string,
  parts: Array<
    | { name: string; value: string }
    | { name: string; filename: string; content: string | Buffer; contentType?: string }
  >,
): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ("filename" in part) {
      head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? "application/octet-stream"}`;
    }
    chunks.push(Buffer.from(head + "\r\n\r\n"));
    chunks.push(Buffer.from("filename" in part ? part.content : part.value));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Headers for a body of the given type with its Content-Length. */
export function bodyHeaders(contentType: string, body: string | Buffer): Record<string, string> {
  return { "Content-Type": contentType, "Content-Length": String(Buffer.byteLength(body)) };
}
