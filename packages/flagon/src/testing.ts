/**
 * Testing helpers: the app's test client (werk's, driving `app.listener` in process) and
 * `testRequestContext`, which builds a request without any server.
 */
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { createTestClient, encodeMultipart, type TestClient, type TestClientOptions, type TestFile } from "@flagon/werk";
import type { Flagon } from "./app.js";
import { requestFor } from "./adapters/node.js";
import { AppContext } from "./ctx.js";

/** Options of `app.testRequestContext(path, opts)`. */
export interface TestRequestContextOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Query arguments appended to the path. */
  query?: Record<string, string | number | boolean | Array<string | number | boolean>>;
  /** A raw body (string or bytes); with `contentType`. */
  data?: string | Buffer;
  contentType?: string;
  /** A JSON body. */
  json?: unknown;
  /** A form body: urlencoded, or multipart when a value is a file. */
  form?: Record<string, string | TestFile>;
  /** Scheme and host, e.g. "https://example.com" (default "http://localhost"). */
  baseUrl?: string;
}

/** A werk request built in memory, as the app would receive it. */
export function buildTestRequest(app: Flagon, path = "/", opts: TestRequestContextOptions = {}): ReturnType<typeof requestFor> {
  const base = new URL(opts.baseUrl ?? "http://localhost");
  const url = new URL(path, base);
  for (const [key, value] of Object.entries(opts.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
  }
  let body: Buffer | undefined;
  const headers: Record<string, string> = { host: url.host };
  if (opts.json !== undefined) {
    body = Buffer.from(JSON.stringify(opts.json));
    headers["content-type"] = "application/json";
  } else if (opts.form !== undefined) {
    const pairs = Object.entries(opts.form);
    if (pairs.some(([, v]) => typeof v === "object")) {
      const encoded = encodeMultipart(pairs);
      body = encoded.body;
      headers["content-type"] = encoded.contentType;
    } else {
      body = Buffer.from(new URLSearchParams(pairs as Array<[string, string]>).toString());
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
  } else if (opts.data !== undefined) {
    body = Buffer.from(opts.data);
    if (opts.contentType) headers["content-type"] = opts.contentType;
  }
  if (body !== undefined) headers["content-length"] = String(body.length);
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;

  const socket = new Socket();
  if (url.protocol === "https:") Object.defineProperty(socket, "encrypted", { value: true });
  Object.defineProperty(socket, "remoteAddress", { value: "127.0.0.1" });
  const req = new IncomingMessage(socket);
  req.method = (opts.method ?? "GET").toUpperCase();
  req.url = url.pathname + url.search;
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flat();
  if (body !== undefined && body.length) req.push(body);
  req.push(null);
  return requestFor(app, req);
}

/** A request context for a request built in memory (Flask's `test_request_context`). */
export function testRequestContext(app: Flagon, path = "/", opts: TestRequestContextOptions = {}): AppContext {
  return new AppContext(app, { request: buildTestRequest(app, path, opts) });
}

/** The app's test client: werk's client driving `app.listener` in process. */
export function testClient(app: Flagon, opts?: TestClientOptions): TestClient {
  return createTestClient(app.listener, opts);
}
