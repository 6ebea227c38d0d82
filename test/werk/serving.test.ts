import { request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { accessLogLine, logDateTime, runSimple, type LogLevel, type SimpleServer } from "@flagon/werk";

const LOG_LINE =
  /^127\.0\.0\.1 - - \[\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4} \d{2}:\d{2}:\d{2}\] "([A-Z]+) (\S+) HTTP\/1\.1" (\d{3}|-) -$/;

const servers: SimpleServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeout: 200 })));
});

async function start(listener: (req: IncomingMessage, res: ServerResponse) => unknown, log = true) {
  const lines: Array<[string, LogLevel]> = [];
  const dev = await runSimple(listener, { port: 0, log, logger: (message, level) => lines.push([message, level]) });
  servers.push(dev);
  return { dev, lines, access: () => lines.filter(([m]) => LOG_LINE.test(m)).map(([m]) => m) };
}

// Access lines are written when the response closes, a tick after the client has the body.
async function until(check: () => boolean, ms = 1000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// A raw HTTP/1.1 exchange over a fresh socket; returns everything the server sent.
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("end", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
  });
}

describe("runSimple", () => {
  test("serves real requests on a free port and resolves with the address", async () => {
    const { dev, lines } = await start((req, res) => {
      res.setHeader("Content-Type", "text/plain");
      res.end(`hello ${req.url}`);
    });
    expect(dev.port).toBeGreaterThan(0);
    expect(dev.url).toBe(`http://127.0.0.1:${dev.port}`);
    expect(dev.host).toBe("127.0.0.1");
    const response = await fetch(`${dev.url}/path?x=1`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("hello /path?x=1");
    expect(lines[0]).toEqual([` * Running on ${dev.url}`, "info"]);
  });

  test("writes one Werkzeug-style access line per request", async () => {
    const { dev, access, lines } = await start((req, res) => {
      res.statusCode = req.url === "/missing" ? 404 : 200;
      res.end();
    });
    await fetch(`${dev.url}/path?x=1`);
    await fetch(`${dev.url}/missing`, { method: "POST", body: "x" });
    await until(() => access().length === 2);
    const [first, second] = access();
    expect(LOG_LINE.exec(first!)!.slice(2)).toEqual(["GET", "/path?x=1", "200"]);
    expect(LOG_LINE.exec(second!)!.slice(2)).toEqual(["POST", "/missing", "404"]);
    expect(lines.filter(([, level]) => level === "error")).toEqual([]);
  });

  test("log: false writes no access lines", async () => {
    const { dev, lines } = await start((_req, res) => res.end("x"), false);
    await fetch(dev.url);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lines).toEqual([]);
  });

  test("a throwing listener gets a plain 500, is logged with its stack, and the server keeps serving", async () => {
    const { dev, lines, access } = await start((req, res) => {
      if (req.url === "/boom") {
        res.setHeader("Content-Type", "text/html");
        res.setHeader("Content-Length", "1000");
        throw new Error("kaboom");
      }
      res.end("fine");
    });
    const failed = await fetch(`${dev.url}/boom`);
    expect(failed.status).toBe(500);
    expect(failed.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await failed.text()).toBe("Internal Server Error\n");
    const errors = lines.filter(([, level]) => level === "error").map(([m]) => m);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^Error on request:\nError: kaboom\n\s+at /);
    expect(await (await fetch(`${dev.url}/ok`)).text()).toBe("fine");
    await until(() => access().length === 2);
    expect(access()[0]).toMatch(/"GET \/boom HTTP\/1\.1" 500 -$/);
  });

  test("a rejected promise from an async listener is handled the same way", async () => {
    const { dev, lines } = await start(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw new TypeError("async kaboom");
    });
    const response = await fetch(dev.url);
    expect(response.status).toBe(500);
    expect(lines.some(([m, level]) => level === "error" && m.includes("TypeError: async kaboom"))).toBe(true);
  });

  test("an error after the headers were sent cuts the connection instead of hanging", async () => {
    const { dev, lines } = await start(async (req, res) => {
      if (req.url === "/half") {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.write("partial");
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error("mid-stream");
      }
      res.end("whole");
    });
    await expect(fetch(`${dev.url}/half`).then((r) => r.text())).rejects.toThrow();
    expect(lines.some(([m]) => m.includes("Error: mid-stream"))).toBe(true);
    expect(await (await fetch(`${dev.url}/after`)).text()).toBe("whole");
  });

  test("a malformed request gets a 400, is logged, and does not stop the server", async () => {
    const { dev, lines } = await start((_req, res) => res.end("ok"));
    const reply = await rawRequest(dev.port, "THIS IS NOT HTTP\r\n\r\n");
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(lines.some(([m]) => /^127\.0\.0\.1 - - \[.+\] code 400, message /.test(m))).toBe(true);
    expect(await (await fetch(dev.url)).text()).toBe("ok");
  });

  test("over-long headers get a 431", async () => {
    const { dev } = await start((_req, res) => res.end("ok"));
    const reply = await rawRequest(dev.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  test("a client that aborts is logged with status -", async () => {
    let arrived!: () => void;
    const inListener = new Promise<void>((resolve) => (arrived = resolve));
    const { dev, access } = await start(() => arrived());
    const controller = new AbortController();
    const pending = fetch(`${dev.url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await inListener;
    controller.abort();
    await pending;
    await until(() => access().length === 1);
    expect(access()[0]).toMatch(/"GET \/slow HTTP\/1\.1" - -$/);
  });

  test("close() waits for in-flight requests, then closes idle keep-alive connections", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { dev } = await start(async (req, res) => {
      if (req.url === "/slow") await gate;
      res.end(req.url);
    });
    const agent = new Agent({ keepAlive: true });
    const get = (path: string) =>
      new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
        httpRequest(`${dev.url}${path}`, { agent }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ body, connection: res.headers.connection }));
        }).on("error", reject).end();
      });
    // One idle keep-alive connection, and one request still being served.
    expect((await get("/idle")).body).toBe("/idle");
    const slow = get("/slow");
    await new Promise((resolve) => setTimeout(resolve, 20));
    let closed = false;
    const closing = dev.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(closed).toBe(false);
    release();
    const slowResult = await slow;
    expect(slowResult.body).toBe("/slow");
    expect(slowResult.connection).toBe("close");
    await closing;
    expect(closed).toBe(true);
    expect(dev.server.listening).toBe(false);
    await expect(fetch(dev.url)).rejects.toThrow();
    agent.destroy();
    expect(dev.close()).toBe(dev.close());
  });

  test("close() cuts requests still running after its timeout", async () => {
    const { dev } = await start(() => {
      /* never answers */
    });
    const pending = fetch(dev.url).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await dev.close({ timeout: 50 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  test("a port in use gives a clear error", async () => {
    const { dev } = await start((_req, res) => res.end());
    await expect(runSimple((_req, res) => res.end(), { port: dev.port, log: false })).rejects.toThrow(
      `Port ${dev.port} is in use by another program`,
    );
  });

  test("headersTimeout above requestTimeout is refused", () => {
    expect(() => runSimple(() => undefined, { headersTimeout: 10, requestTimeout: 5 })).toThrow(RangeError);
  });
});

describe("access log format", () => {
  test("the timestamp is day/month/year hours:minutes:seconds in local time", () => {
    expect(logDateTime(new Date(2026, 10, 23, 6, 30, 0))).toBe("23/Nov/2026 06:30:00");
    expect(logDateTime(new Date(2026, 0, 5, 14, 3, 9))).toBe("05/Jan/2026 14:03:09");
  });

  test("a line matches Werkzeug's, non-ASCII shown decoded and control characters escaped", () => {
    const date = new Date(2026, 10, 23, 6, 30, 0);
    expect(accessLogLine("127.0.0.1", "GET", "/path?x=1", "1.1", 200, date)).toBe(
      '127.0.0.1 - - [23/Nov/2026 06:30:00] "GET /path?x=1 HTTP/1.1" 200 -',
    );
    expect(accessLogLine("::1", "GET", "/f%C3%B6%2F%0A", "1.1", 404, date)).toBe(
      '::1 - - [23/Nov/2026 06:30:00] "GET /fö%2F\\x0a HTTP/1.1" 404 -',
    );
    expect(accessLogLine("::1", "GET", "/bad%E0", "1.0", "-", date)).toContain('"GET /bad%E0 HTTP/1.0" - -');
  });
});
