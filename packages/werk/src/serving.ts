/**
 * `runSimple`: a development HTTP server for a Node request listener, with Werkzeug's
 * one-line access log, a plain 500 for errors the listener throws, and a graceful close.
 * Werkzeug's `serving.run_simple` without the reloader, debugger and TLS.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { inspect } from "node:util";

/** A Node request listener, sync or async: what `http.createServer` takes and an app hands out. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** How serious a server message is: access lines are `info`, failures `error`. */
export type LogLevel = "info" | "error";

/** Receives every line the server logs, without a trailing newline. */
export type ServerLogger = (message: string, level: LogLevel) => void;

/** Options of `runSimple`. */
export interface RunSimpleOptions {
  /** The interface to listen on. Default `127.0.0.1`; `0.0.0.0` listens on all of them. */
  host?: string;
  /** The port; 0 picks a free one (read it from the handle). Default 5000. */
  port?: number;
  /** Write one access line per request. Errors are logged either way. Default true. */
  log?: boolean;
  /** Where lines go. Default: standard error. */
  logger?: ServerLogger;
  /** Milliseconds a client gets to send the request headers. Default 60 000. */
  headersTimeout?: number;
  /** Milliseconds a client gets to send the whole request. Default 300 000. */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open. Default 5 000. */
  keepAliveTimeout?: number;
}

/** Options of `SimpleServer.close`. */
export interface CloseOptions {
  /** Milliseconds to wait for in-flight requests before cutting their connections. Default 10 000. */
  timeout?: number;
}

/** A running development server, as `runSimple` resolves it. */
export interface SimpleServer {
  /** The underlying `node:http` server. */
  readonly server: Server;
  /** The address to browse to: `http://127.0.0.1:5000`. */
  readonly url: string;
  /** The host it listens on. */
  readonly host: string;
  /** The port it listens on (the one chosen when 0 was asked for). */
  readonly port: number;
  /**
   * Stop accepting connections, let in-flight requests finish (up to `timeout`), close idle
   * keep-alive connections; resolves once the server is fully closed.
   */
  close(options?: CloseOptions): Promise<void>;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * The timestamp of an access line, `23/Nov/2026 06:30:00`, in local time as Python's
 * `BaseHTTPRequestHandler.log_date_time_string` writes it.
 */
export function logDateTime(date: Date = new Date()): string {
  return (
    `${pad2(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`
  );
}

// Show non-ASCII as text, like Werkzeug's `uri_to_iri`; reserved escapes (%2F, %3F) stay.
function displayTarget(target: string): string {
  let shown: string;
  try {
    shown = decodeURI(target);
  } catch {
    shown = target;
  }
  // Werkzeug escapes control characters so a crafted path cannot forge log lines.
  return shown.replace(/[\\\x00-\x1f\x7f-\x9f]/g, (c) =>
    c === "\\" ? "\\\\" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/**
 * One access line in Werkzeug's format:
 * `127.0.0.1 - - [23/Nov/2026 06:30:00] "GET /path?x=1 HTTP/1.1" 200 -`.
 * The size is always `-`, as Werkzeug prints it.
 */
export function accessLogLine(
  remoteAddr: string,
  method: string,
  target: string,
  httpVersion: string,
  status: number | "-",
  date: Date = new Date(),
): string {
  return `${remoteAddr} - - [${logDateTime(date)}] "${method} ${displayTarget(target)} HTTP/${httpVersion}" ${status} -`;
}

function defaultLogger(message: string): void {
  process.stderr.write(message + "\n");
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

// Answer a failed request: a plain 500 when nothing was sent yet, else cut the connection,
// because a half-written body must not look complete.
function answerError(res: ServerResponse): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  const body = "Internal Server Error\n";
  res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Serve `listener` over HTTP for development. Resolves once the server is listening.
 *
 * Each finished request writes an access line; an error the listener throws (or a promise
 * it returns rejects with) is logged with its stack and answered with a plain 500 when the
 * headers are not sent yet; the server keeps serving.
 *
 * @example
 * const dev = await runSimple((req, res) => res.end("hi"), { port: 0 });
 * console.log(dev.url); // http://127.0.0.1:54321
 * await dev.close();
 */
export function runSimple(listener: NodeListener, options: RunSimpleOptions = {}): Promise<SimpleServer> {
  if (typeof listener !== "function") {
    throw new TypeError(`runSimple needs a request listener (req, res) => ..., got ${typeof listener}.`);
  }
  const { host = "127.0.0.1", port = 5000, log = true, logger = defaultLogger } = options;
  const headersTimeout = options.headersTimeout ?? 60_000;
  const requestTimeout = options.requestTimeout ?? 300_000;
  const keepAliveTimeout = options.keepAliveTimeout ?? 5_000;
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw new RangeError(`headersTimeout (${headersTimeout} ms) cannot exceed requestTimeout (${requestTimeout} ms).`);
  }

  const inFlight = new Set<ServerResponse>();
  let closing = false;

  const logError = (what: string, error: unknown): void => {
    try {
      logger(`${what}:\n${inspect(error)}`, "error");
    } catch {
      // A broken logger must not take the server down; stderr is the last resort.
      defaultLogger(`${what}:\n${inspect(error)}`);
    }
  };

  const server = createServer((req, res) => {
    // Captured now: a destroyed socket no longer knows its peer when the line is written.
    const remoteAddr = req.socket.remoteAddress ?? "<local>";
    inFlight.add(res);
    if (closing) res.setHeader("Connection", "close");
    res.once("close", () => {
      inFlight.delete(res);
      if (log) {
        const status = res.writableFinished || res.headersSent ? res.statusCode : "-";
        logger(accessLogLine(remoteAddr, req.method ?? "-", req.url ?? "", req.httpVersion, status), "info");
      }
      // This connection may have just become idle; a closing server drops it now.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });

    const fail = (error: unknown): void => {
      logError("Error on request", error);
      try {
        answerError(res);
      } catch (writeError) {
        logError("Error while answering the failed request", writeError);
        res.destroy();
      }
    };
    try {
      const result = listener(req, res);
      if (isPromiseLike(result)) result.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  });
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  server.keepAliveTimeout = keepAliveTimeout;

  // Node's default answer to a malformed request (400, 431 for huge headers, 408), plus
  // Werkzeug's log line for it.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const code = error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    if (error.code !== "ECONNRESET" && log) {
      logger(`${socket.remoteAddress ?? "<local>"} - - [${logDateTime()}] code ${code}, message ${error.message}`, "info");
    }
    // Only when no response is under way on this socket, or the reply would corrupt it.
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && (current == null || !current.headersSent)) {
      socket.write(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    socket.destroy();
  });

  return new Promise<SimpleServer>((resolve, reject) => {
    const onListenError = (error: NodeJS.ErrnoException): void => {
      if (error.code === "EADDRINUSE") {
        const wrapped = new Error(
          `Port ${port} is in use by another program. Either identify and stop that program, ` +
            `or start the server with a different port (port: 0 picks a free one).`,
          { cause: error },
        );
        reject(Object.assign(wrapped, { code: error.code }));
      } else {
        reject(error);
      }
    };
    server.once("error", onListenError);
    server.listen(port, host, () => {
      server.off("error", onListenError);
      // After startup an 'error' without a listener would crash the process.
      server.on("error", (error) => logError("Server error", error));
      const address = server.address() as AddressInfo;
      const url = `http://${urlHost(host)}:${address.port}`;
      if (log) {
        if (host === "0.0.0.0" || host === "::") logger(` * Running on all addresses (${host})`, "info");
        logger(` * Running on ${url}`, "info");
        logger("Press CTRL+C to quit", "info");
      }

      let closed: Promise<void> | undefined;
      const close = ({ timeout = 10_000 }: CloseOptions = {}): Promise<void> => {
        closed ??= new Promise<void>((done, fail) => {
          closing = true;
          for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
          const timer = setTimeout(() => server.closeAllConnections(), timeout);
          timer.unref();
          server.close((error) => {
            clearTimeout(timer);
            if (error) fail(error);
            else done();
          });
          server.closeIdleConnections();
        });
        return closed;
      };
      resolve({ server, url, host, port: address.port, close });
    });
  });
}
