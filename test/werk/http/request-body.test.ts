import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BadRequest,
  ClientDisconnected,
  HTTPException,
  Request,
  RequestEntityTooLarge,
  UnsupportedMediaType,
} from "@flagon/werk";
import { bodyHeaders, endlessRequest, fakeRequest, multipartBody } from "./request-helpers.js";

function post(body: string | Buffer | Array<string | Buffer>, contentType: string, opts = {}, url = "/"): Request {
  const whole = Array.isArray(body) ? Buffer.concat(body.map((c) => Buffer.from(c))) : body;
  return new Request(fakeRequest({ method: "POST", url, headers: bodyHeaders(contentType, whole), body }), opts);
}

async function rejection(promise: Promise<unknown>): Promise<HTTPException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HTTPException);
    return error as HTTPException;
  }
  throw new Error("expected a rejection");
}

describe("getData", () => {
  it("reads the body once and caches it", async () => {
    const r = post("Hello World", "text/plain");
    const first = await r.getData();
    expect(first.toString()).toBe("Hello World");
    expect(await r.getData()).toBe(first);
    expect(await r.getData({ asText: true })).toBe("Hello World");
    expect(r.data).toBe(first);
  });

  it("shares one read between concurrent callers", async () => {
    const r = post(["Hel", "lo"], "text/plain");
    const [a, b] = await Promise.all([r.getData(), r.getData()]);
    expect(a.toString()).toBe("Hello");
    expect(b).toBe(a);
  });

  it("reads a chunked body without Content-Length", async () => {
    const req = fakeRequest({ method: "POST", headers: { "Transfer-Encoding": "chunked" }, body: ["a", "b", "c"] });
    expect((await new Request(req).getData()).toString()).toBe("abc");
  });

  it("decodes text as UTF-8 with replacement characters", async () => {
    const r = post(Buffer.from([0x68, 0xc3, 0xa9, 0xff]), "text/plain");
    expect(await r.getData({ asText: true })).toBe("hé\uFFFD");
  });

  it("is empty without a body, synchronously too", async () => {
    const r = new Request(fakeRequest({ url: "/?a=1" }));
    expect(r.data.length).toBe(0);
    expect(r.form.size).toBe(0);
    expect(r.files.size).toBe(0);
    expect((await r.getData()).length).toBe(0);
    expect(new Request(fakeRequest({ method: "POST", headers: { "Content-Length": "0" } })).data.length).toBe(0);
  });

  it("throws a clear error from the synchronous getters before the body was read", () => {
    const r = post("a=1", "application/x-www-form-urlencoded");
    expect(() => r.data).toThrow(/await request\.getData\(\)/);
    expect(() => r.form).toThrow(/request\.form is not available yet.*loadBody/);
    expect(() => r.files).toThrow(/loadBody/);
    expect(() => r.values).toThrow(/loadBody/);
    const json = post("{}", "application/json");
    expect(() => json.json).toThrow(/loadBody/);
  });

  it("keeps non-form bodies out of form and files without reading them", () => {
    const r = post('{"a": 1}', "application/json");
    expect(r.form.size).toBe(0);
    expect(r.files.size).toBe(0);
    expect(r.raw.readableFlowing).toBeNull();
  });
});

describe("maxContentLength", () => {
  it("rejects a declared Content-Length over the limit before reading anything", async () => {
    const r = post("x".repeat(100), "text/plain", { maxContentLength: 10 });
    const error = await rejection(r.getData());
    expect(error).toBeInstanceOf(RequestEntityTooLarge);
    expect(error.code).toBe(413);
    expect(error.description).toContain("10 bytes");
    // Nothing was read: the body is still waiting in the stream.
    expect(r.raw.readableFlowing).toBeNull();
    expect(r.raw.readableLength).toBe(100);
    // Every later read reports the same failure.
    expect((await rejection(r.getData())).code).toBe(413);
    expect(() => r.data).toThrow(RequestEntityTooLarge);
  });

  it("accepts a body of exactly the limit", async () => {
    expect((await post("x".repeat(10), "text/plain", { maxContentLength: 10 }).getData()).length).toBe(10);
  });

  it("stops reading a chunked body that grows past the limit", async () => {
    const { req, produced } = endlessRequest({
      method: "POST",
      headers: { "Transfer-Encoding": "chunked", "Content-Type": "application/octet-stream" },
      chunkSize: 1024,
    });
    const r = new Request(req, { maxContentLength: 10_000 });
    const error = await rejection(r.getData());
    expect(error.code).toBe(413);
    // The body never ends; reading stopped shortly after the limit (at most a buffer's worth more).
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(produced()).toBeLessThan(10_000 + 64 * 1024);
    expect(req.isPaused()).toBe(true);
  });

  it("limits form bodies and JSON bodies alike", async () => {
    const form = post("a=" + "x".repeat(50), "application/x-www-form-urlencoded", { maxContentLength: 20 });
    expect((await rejection(form.loadBody())).code).toBe(413);
    const json = post(JSON.stringify({ a: "x".repeat(50) }), "application/json", { maxContentLength: 20 });
    expect((await rejection(json.getJson())).code).toBe(413);
    expect((await rejection(json.getJson({ silent: true }))).code).toBe(413);
  });

  it("limits the stream property", async () => {
    const r = post("x".repeat(100), "text/plain", { maxContentLength: 10 });
    expect(() => r.stream).toThrow(RequestEntityTooLarge);
    const { req } = endlessRequest({ method: "POST", headers: { "Transfer-Encoding": "chunked" } });
    const limited = new Request(req, { maxContentLength: 5000 }).stream;
    let received = 0;
    const error = await rejection(
      (async () => {
        for await (const chunk of limited) received += (chunk as Buffer).length;
      })(),
    );
    expect(error.code).toBe(413);
    expect(received).toBeLessThanOrEqual(5000);
  });

  it("gives the raw message as the stream when there is no limit", async () => {
    const r = post("abc", "text/plain");
    expect(r.stream).toBe(r.raw);
    const limited = post("abc", "text/plain", { maxContentLength: 100 });
    let text = "";
    for await (const chunk of limited.stream) text += chunk;
    expect(text).toBe("abc");
    // The stream was consumed; getData() finds it ended.
    expect((await limited.getData()).length).toBe(0);
  });
});

describe("client disconnects", () => {
  it("rejects with ClientDisconnected (400) when the client goes away mid-body", async () => {
    const req = fakeRequest({ method: "POST", headers: { "Content-Length": "100" }, body: "partial", open: true });
    const r = new Request(req);
    const pending = r.getData();
    req.emit("aborted");
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(ClientDisconnected);
    expect(error.code).toBe(400);
  });

  it("rejects when the stream errors", async () => {
    const req = fakeRequest({ method: "POST", headers: { "Transfer-Encoding": "chunked" }, body: "x", open: true });
    const pending = new Request(req).getData();
    req.destroy(new Error("ECONNRESET"));
    expect(await rejection(pending)).toBeInstanceOf(ClientDisconnected);
  });
});

describe("getJson and json", () => {
  it("parses a JSON body, caching the result", async () => {
    const r = post('{"ä": "b", "n": [1, 2]}', "application/json");
    const value = await r.getJson<{ n: number[] }>();
    expect(value).toEqual({ ä: "b", n: [1, 2] });
    expect(await r.getJson()).toBe(value);
    expect(r.json).toBe(value);
    expect((await r.getData()).length).toBeGreaterThan(0);
  });

  it("refuses a non-JSON mimetype with 415 unless forced", async () => {
    const r = post("[1, 2, 3]", "text/plain");
    const error = await rejection(r.getJson());
    expect(error).toBeInstanceOf(UnsupportedMediaType);
    expect(error.code).toBe(415);
    expect(error.description).toBe(
      "Did not attempt to load JSON data because the request Content-Type was not 'application/json'.",
    );
    expect(await r.getJson({ silent: true })).toBeUndefined();
    expect(await r.getJson({ force: true })).toEqual([1, 2, 3]);
    expect(() => post("1", "text/plain").json).toThrow(UnsupportedMediaType);
  });

  it("answers invalid JSON with a 400 saying why", async () => {
    const r = post('{"a":}', "application/json");
    expect(await r.getJson({ silent: true })).toBeUndefined();
    const error = await rejection(r.getJson());
    expect(error).toBeInstanceOf(BadRequest);
    expect(error.code).toBe(400);
    expect(error.description).toMatch(/^Failed to decode JSON object: /);
    expect(() => r.json).toThrow(BadRequest);
  });

  it("treats an empty body and invalid UTF-8 as invalid JSON", async () => {
    expect((await rejection(new Request(fakeRequest({ method: "POST", headers: { "Content-Type": "application/json" } })).getJson())).code).toBe(400);
    expect((await rejection(post(Buffer.from([0x22, 0xff, 0x22]), "application/json").getJson())).code).toBe(400);
  });

  it("does not cache with cache: false", async () => {
    const r = post("[1, 2, 3]", "application/json");
    const a = await r.getJson({ cache: false });
    const b = await r.getJson({ cache: false });
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
  });

  it("is synchronous after loadBody, which reads JSON bodies", async () => {
    const r = post('{"a": 1}', "application/vnd.api+json");
    await r.loadBody();
    expect(r.json).toEqual({ a: 1 });
    expect(r.data.toString()).toBe('{"a": 1}');
    expect(r.form.size).toBe(0);
  });

  it("leaves other bodies unread in loadBody", async () => {
    const r = post("raw bytes", "application/octet-stream");
    await r.loadBody();
    expect(r.raw.readableFlowing).toBeNull();
    expect(() => r.data).toThrow(/getData/);
    expect((await r.getData()).toString()).toBe("raw bytes");
  });
});

describe("form and data together", () => {
  const body = "foo=Hello+World";
  const type = "application/x-www-form-urlencoded";

  it("gives an empty data once the form was parsed from the stream", async () => {
    const r = post(body, type);
    await r.loadBody();
    expect(r.data.length).toBe(0);
    expect(r.form.get("foo")).toBe("Hello World");
    expect((await r.getData()).length).toBe(0);
  });

  it("parses the form from the cached data after getData()", async () => {
    const r = post(body, type);
    expect((await r.getData()).toString()).toBe(body);
    expect((await r.getForm()).get("foo")).toBe("Hello World");
    expect((await r.getData()).toString()).toBe(body);
  });

  it("combines args and form in values, args first, except for GET", async () => {
    const r = post("a=2&b=2", type, {}, "/?a=1");
    await r.loadBody();
    expect(r.values.get("a")).toBe("1");
    expect(r.values.get("b")).toBe("2");
    expect(r.values.getAll("a")).toEqual(["1", "2"]);
    const get = new Request(fakeRequest({ method: "GET", url: "/?a=1", headers: bodyHeaders(type, "a=2&b=2"), body: "a=2&b=2" }));
    await get.loadBody();
    expect(get.values.get("a")).toBe("1");
    expect(get.values.has("b")).toBe(false);
    expect(get.form.get("b")).toBe("2");
  });
});

describe("a real server", () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  // Answer as a framework adapter would: errors become their status, 413s close the connection.
  async function listen(opts: ConstructorParameters<typeof Request>[1], seen: Request[] = []): Promise<number> {
    server = createServer(async (req, res) => {
      const request = new Request(req, opts);
      seen.push(request);
      try {
        await request.loadBody();
        const files = request.files;
        const file = files.get("upload");
        res.end(JSON.stringify({ size: file?.size, onDisk: file?.path !== undefined, form: request.form.toObject(), data: request.data.length }));
      } catch (error) {
        const code = error instanceof HTTPException ? error.code! : 500;
        res.writeHead(code, { "Content-Type": "text/plain", Connection: "close" });
        res.end(error instanceof HTTPException ? error.description : String(error));
      } finally {
        await request.close();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  function send(
    port: number,
    headers: Record<string, string>,
    write: (req: ReturnType<typeof httpRequest>) => void,
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res: IncomingMessage) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => {
          resolve({ status: res.statusCode!, body });
          req.destroy();
        });
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        // The server may close while we are still sending; the answer already arrived.
        if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
      });
      write(req);
    });
  }

  it("answers 413 for a declared length over the limit without waiting for the body", async () => {
    const port = await listen({ maxContentLength: 1000 });
    const answer = await send(port, { "Content-Type": "application/json", "Content-Length": String(10 * 1024 * 1024) }, (req) => {
      req.write("{");
      // Never sends the other 10 MB: the answer must come anyway.
    });
    expect(answer.status).toBe(413);
  });

  it("answers 413 for a chunked body growing past the limit while the client still sends", async () => {
    const port = await listen({ maxContentLength: 4096 });
    const answer = await send(port, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" }, (req) => {
      const chunk = "x".repeat(1024);
      const timer = setInterval(() => {
        if (req.destroyed) clearInterval(timer);
        else req.write(chunk);
      }, 2);
      req.on("close", () => clearInterval(timer));
    });
    expect(answer.status).toBe(413);
  });

  it("streams a large upload to a temporary file and deletes it at close()", async () => {
    const seen: Request[] = [];
    const port = await listen({}, seen);
    const content = Buffer.alloc(700 * 1024, "z");
    const body = multipartBody("BOUNDARY", [
      { name: "title", value: "big" },
      { name: "upload", filename: "big.bin", content },
    ]);
    const answer = await send(port, bodyHeaders("multipart/form-data; boundary=BOUNDARY", body), (req) => req.end(body));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ size: content.length, onDisk: true, form: { title: "big" }, data: 0 });
    const file = seen[0]!.files.get("upload")!;
    // close() runs in the handler's finally block, after the response went out.
    await vi.waitFor(() => {
      expect(file.closed).toBe(true);
      expect(existsSync(file.path!)).toBe(false);
    });
  });

  it("answers every kind of bad input with its 4xx and goes on serving", async () => {
    server = createServer(async (req, res) => {
      const request = new Request(req, { trustedHosts: ["127.0.0.1", "localhost"], maxFormParts: 10, maxFormMemorySize: 100 });
      try {
        await request.loadBody();
        const summary = {
          host: request.host,
          path: request.path,
          args: request.args.toObject(),
          cookies: request.cookies.toObject(),
          json: request.isJson ? request.json : null,
        };
        res.end(JSON.stringify(summary));
      } catch (error) {
        const code = error instanceof HTTPException ? error.code! : 500;
        res.writeHead(code, { Connection: "close" });
        res.end();
      } finally {
        await request.close();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const ask = (path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, method: body === undefined ? "GET" : "POST", path, headers }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    const json = "application/json";
    const form = "application/x-www-form-urlencoded";
    const cases: Array<[string, Record<string, string>, string | undefined, number]> = [
      ["/%E4%B8%AD%zz%FF?q=%zz&r=%E4", {}, undefined, 200],
      ["/", { Cookie: '"=;;a="b; =; \\"x; \u00ff\u00fe=\u00e9; ;' }, undefined, 200],
      ["/", { Host: "evil.example" }, undefined, 400],
      ["/", { "Content-Type": json }, '{"broken": ', 400],
      ["/", { "Content-Type": form }, Array.from({ length: 11 }, (_, i) => `k${i}=v`).join("&"), 413],
      ["/", { "Content-Type": form }, "a=" + "x".repeat(200), 413],
      ["/", { "Content-Type": "multipart/form-data; boundary=B" }, "--B\r\nbroken", 400],
      ["/", { "Content-Type": json }, '{"ok": true}', 200],
    ];
    for (const [path, headers, body, status] of cases) {
      const answer = await ask(path, headers, body);
      expect(answer.status, `${path} ${JSON.stringify(headers)} ${body}`).toBe(status);
    }
    const first = JSON.parse((await ask("/%E4%B8%AD%zz%FF?q=%zz&r=%E4", {})).body);
    expect(first.path).toBe("/中%zz%FF");
    expect(first.args).toEqual({ q: "%zz", r: "%E4" });
  });

  it("answers 400 for a malformed multipart body and goes on serving", async () => {
    const port = await listen({});
    const bad = "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ntruncated";
    const first = await send(port, bodyHeaders("multipart/form-data; boundary=B", bad), (req) => req.end(bad));
    expect(first.status).toBe(400);
    const good = multipartBody("B", [{ name: "a", value: "1" }]);
    const second = await send(port, bodyHeaders("multipart/form-data; boundary=B", good), (req) => req.end(good));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body).form).toEqual({ a: "1" });
  });
});
