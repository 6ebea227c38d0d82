import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientRedirectError, Headers, TestResponse, createTestClient, encodeMultipart } from "@flagon/werk";

// ---- helpers: tiny listeners written against raw node:http ----

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(body);
}

interface Part {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  content: Buffer;
}

// A deliberately plain multipart parser: split on the boundary, headers up to CRLFCRLF.
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(.+)$/.exec(contentType)![1]!;
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    const part = body.subarray(start + 2, next - 2); // skip CRLF after delimiter, before next
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const disposition = /Content-Disposition: form-data; name="([^"]*)"(?:; filename="([^"]*)")?/.exec(head)!;
    parts.push({
      name: disposition[1]!,
      filename: disposition[2],
      contentType: /Content-Type: (.*)/.exec(head)?.[1],
      content: part.subarray(split + 4),
    });
    pos = next;
  }
  return parts;
}

/** Echoes what arrived: method, url, headers, body (parsed by content type). */
async function echo(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const ct = req.headers["content-type"] ?? "";
  let parsed: unknown = body.toString("utf8");
  if (ct.startsWith("application/json")) parsed = JSON.parse(body.toString("utf8"));
  else if (ct.startsWith("application/x-www-form-urlencoded")) parsed = [...new URLSearchParams(body.toString("latin1"))];
  else if (ct.startsWith("multipart/form-data"))
    parsed = parseMultipart(body, ct).map((p) => ({ ...p, content: p.content.toString("utf8") }));
  sendJson(res, {
    method: req.method,
    url: req.url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body: parsed,
    length: body.length,
    remote: req.socket.remoteAddress,
    encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
  });
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  length: number;
  remote: string;
  encrypted: boolean;
}

const echoOf = (r: TestResponse): Echo => r.json as Echo;

// ---- requests ----

describe("requests", () => {
  const client = createTestClient(echo);

  test("a GET reaches the listener with Host localhost and resolves a TestResponse", async () => {
    const r = await client.get("/hello");
    expect(r).toBeInstanceOf(TestResponse);
    expect(r.statusCode).toBe(200);
    expect(r.status).toBe("200 OK");
    expect(r.headers).toBeInstanceOf(Headers);
    expect(r.mimetype).toBe("application/json");
    const e = echoOf(r);
    expect(e).toMatchObject({ method: "GET", url: "/hello", remote: "127.0.0.1", encrypted: false });
    expect(e.headers.host).toBe("localhost");
    expect(e.headers["content-length"]).toBeUndefined();
    expect(r.request).toMatchObject({ method: "GET", url: "http://localhost/hello", path: "/hello", queryString: "" });
  });

  test("the path defaults to /", async () => {
    expect(echoOf(await client.get()).url).toBe("/");
  });

  test("query objects repeat keys for arrays and are percent-encoded", async () => {
    const r = await client.get("/s", { query: { q: "a b&c", tag: ["x", "y"], n: 3, skip: undefined, ü: "é" } });
    expect(echoOf(r).url).toBe("/s?q=a+b%26c&tag=x&tag=y&n=3&%C3%BC=%C3%A9");
    expect(r.request.queryString).toBe("q=a+b%26c&tag=x&tag=y&n=3&%C3%BC=%C3%A9");
  });

  test("query strings and pairs are accepted, and append to the path's own query", async () => {
    expect(echoOf(await client.get("/s", { query: "a=1&b=2" })).url).toBe("/s?a=1&b=2");
    expect(echoOf(await client.get("/s?x=1", { query: [["y", "2"], ["y", "3"]] })).url).toBe("/s?x=1&y=2&y=3");
  });

  test("paths are sent as written: escapes and dot segments kept, spaces and non-ASCII encoded", async () => {
    expect(echoOf(await client.get("/hello%2Fworld")).url).toBe("/hello%2Fworld");
    expect(echoOf(await client.get("/a/../b")).url).toBe("/a/../b");
    expect(echoOf(await client.get("/föö bar")).url).toBe("/f%C3%B6%C3%B6%20bar");
    expect(echoOf(await client.get("/x#frag")).url).toBe("/x");
  });

  test("every method helper sends its method", async () => {
    for (const m of ["get", "post", "put", "patch", "delete", "options"] as const) {
      expect(echoOf(await client[m]("/")).method).toBe(m.toUpperCase());
    }
    expect(echoOf(await client.open("/", { method: "purge" })).method).toBe("PURGE");
  });

  test("HEAD gets headers and no body", async () => {
    const c = createTestClient((req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": "5" });
      res.end(req.method === "HEAD" ? undefined : "hello");
    });
    const r = await c.head("/");
    expect(r.statusCode).toBe(200);
    expect(r.headers.get("content-length")).toBe("5");
    expect(r.data.length).toBe(0);
    expect(r.request.method).toBe("HEAD");
  });

  test("headers come from an object, pairs or werk Headers and replace client defaults", async () => {
    const c = createTestClient(echo, { headers: { "X-Default": "d", "X-Over": "old" } });
    let e = echoOf(await c.get("/", { headers: { "X-Over": "new", "X-Multi": ["1", "2"] } }));
    expect(e.headers).toMatchObject({ "x-default": "d", "x-over": "new", "x-multi": "1, 2" });
    e = echoOf(await c.get("/", { headers: [["X-Pair", "p"]] }));
    expect(e.headers["x-pair"]).toBe("p");
    e = echoOf(await c.get("/", { headers: new Headers({ Accept: "text/html" }) }));
    expect(e.headers.accept).toBe("text/html");
    expect(e.headers["user-agent"]).toBe("werk-test-client");
  });

  test("rawHeaders keep the spelling and order the test wrote, as a real server's do", async () => {
    const r = await client.get("/", { headers: [["X-Mixed-Case", "1"], ["x-mixed-case", "2"]] });
    const raw = (r.json as { rawHeaders: string[] }).rawHeaders;
    expect(raw.slice(0, 2)).toEqual(["Host", "localhost"]);
    expect(raw).toEqual(expect.arrayContaining(["X-Mixed-Case", "1", "x-mixed-case", "2"]));
    expect(raw.indexOf("X-Mixed-Case")).toBeLessThan(raw.indexOf("x-mixed-case"));
  });

  test("header values with CR/LF are refused before anything is sent", async () => {
    await expect(client.get("/", { headers: { "X-Bad": "a\r\nInjected: 1" } })).rejects.toThrow(TypeError);
  });

  test("auth sends HTTP Basic credentials", async () => {
    const e = echoOf(await client.get("/", { auth: ["ada", "s3cret:x"] }));
    expect(e.headers.authorization).toBe(`Basic ${Buffer.from("ada:s3cret:x").toString("base64")}`);
  });

  test("remoteAddr sets the client address, per client or per request", async () => {
    expect(echoOf(await client.get("/", { remoteAddr: "10.1.2.3" })).remote).toBe("10.1.2.3");
    const c = createTestClient(echo, { remoteAddr: "::1" });
    expect(echoOf(await c.get("/")).remote).toBe("::1");
  });
});

describe("request bodies", () => {
  const client = createTestClient(echo);

  test("json is serialised with Content-Type application/json and a Content-Length", async () => {
    const r = await client.post("/", { json: { a: [1, 2], b: "ü" } });
    const e = echoOf(r);
    expect(e.headers["content-type"]).toBe("application/json");
    expect(e.body).toEqual({ a: [1, 2], b: "ü" });
    expect(Number(e.headers["content-length"])).toBe(e.length);
    expect(r.request.body?.toString()).toBe('{"a":[1,2],"b":"ü"}');
  });

  test("json null is a body too; an explicit Content-Type header wins", async () => {
    expect(echoOf(await client.post("/", { json: null })).body).toBeNull();
    const e = echoOf(await client.post("/", { json: { a: 1 }, headers: { "Content-Type": "application/vnd.api+json" } }));
    expect(e.headers["content-type"]).toBe("application/vnd.api+json");
  });

  test("form and data objects become an urlencoded form, arrays repeating keys", async () => {
    let e = echoOf(await client.post("/", { form: { name: "A & B", tag: ["1", "2"], n: 5 } }));
    expect(e.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(e.body).toEqual([["name", "A & B"], ["tag", "1"], ["tag", "2"], ["n", "5"]]);
    e = echoOf(await client.delete("/", { data: { x: 42 } }));
    expect(e.body).toEqual([["x", "42"]]);
  });

  test("string and Buffer data are sent as they are, without a content type unless given", async () => {
    let e = echoOf(await client.post("/", { data: "raw text" }));
    expect(e.body).toBe("raw text");
    expect(e.headers["content-type"]).toBeUndefined();
    e = echoOf(await client.put("/", { data: Buffer.from("bytes"), contentType: "text/css" }));
    expect(e.body).toBe("bytes");
    expect(e.headers["content-type"]).toBe("text/css");
    expect(e.headers["content-length"]).toBe("5");
  });

  test("files make a multipart body with the form fields, names quoted safely", async () => {
    const binary = Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]);
    const r = await client.post("/upload", {
      form: { title: 'My "report"', empty: "" },
      files: {
        doc: { content: "line1\r\nline2", filename: 'a "quoted".txt', contentType: "text/plain" },
        bin: { content: binary, filename: "b.bin" },
        many: [
          { content: "1", filename: "1.txt" },
          { content: "2", filename: "2.txt" },
        ],
      },
    });
    const e = echoOf(r);
    expect(e.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=\S+$/);
    const parts = e.body as Array<{ name: string; filename?: string; contentType?: string; content: string }>;
    expect(parts.map((p) => [p.name, p.filename ?? null])).toEqual([
      ["title", null],
      ["empty", null],
      ["doc", "a %22quoted%22.txt"],
      ["bin", "b.bin"],
      ["many", "1.txt"],
      ["many", "2.txt"],
    ]);
    expect(parts[0]!.content).toBe('My "report"');
    expect(parts[1]!.content).toBe("");
    expect(parts[2]).toMatchObject({ contentType: "text/plain", content: "line1\r\nline2" });
    expect(parts[3]!.contentType).toBe("application/octet-stream");
    // Binary bytes arrive intact.
    const raw = parseMultipart(r.request.body!, r.request.headers.get("content-type")!);
    expect(raw[3]!.content.equals(binary)).toBe(true);
  });

  test("a file among data values switches data to multipart; filename defaults to the field name", async () => {
    const e = echoOf(await client.post("/", { data: { a: "1", f: { content: "x" } } }));
    expect(e.body).toEqual([
      { name: "a", content: "1" },
      { name: "f", filename: "f", contentType: "application/octet-stream", content: "x" },
    ]);
  });

  test("encodeMultipart ends with the closing boundary and CRLF", () => {
    const { body, contentType } = encodeMultipart([["a", "1"]]);
    const boundary = contentType.split("boundary=")[1]!;
    expect(body.toString()).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`,
    );
  });

  test("conflicting body options are refused", async () => {
    await expect(client.post("/", { json: {}, data: "x" })).rejects.toThrow(/json or data/);
    await expect(client.post("/", { data: "x", form: { a: "1" } })).rejects.toThrow(TypeError);
  });

  test("empty form data sends no body", async () => {
    const e = echoOf(await client.post("/", { data: {} }));
    expect(e.length).toBe(0);
    expect(e.headers["content-type"]).toBeUndefined();
  });
});

describe("responses", () => {
  test("status has Werkzeug's upper-cased reason; headers keep the listener's spelling", async () => {
    const c = createTestClient((_req, res) => {
      res.statusCode = 404;
      res.setHeader("Content-Type", "Text/HTML; Charset=UTF-8");
      res.setHeader("X-Custom-Name", "1");
      res.end("<h1>missing</h1>");
    });
    const r = await c.get("/");
    expect(r.status).toBe("404 NOT FOUND");
    expect(r.contentType).toBe("Text/HTML; Charset=UTF-8");
    expect(r.mimetype).toBe("text/html");
    expect(r.isJson).toBe(false);
    expect(r.headers.keys()).toContain("X-Custom-Name");
    expect(r.text).toBe("<h1>missing</h1>");
    expect((await r.getData()).toString()).toBe("<h1>missing</h1>");
  });

  test("a custom reason phrase is kept, upper-cased", async () => {
    const c = createTestClient((_req, res) => {
      res.writeHead(299, "Mostly Fine");
      res.end();
    });
    expect((await c.get("/")).status).toBe("299 MOSTLY FINE");
  });

  test("json parses lazily and explains a body that is not JSON", async () => {
    const c = createTestClient((_req, res) => {
      res.setHeader("Content-Type", "text/html");
      res.end("<html>oops</html>");
    });
    const r = await c.get("/");
    expect(r.text).toBe("<html>oops</html>");
    expect(() => r.json).toThrow(SyntaxError);
    expect(() => r.json).toThrow(/not valid JSON \(status 200 OK, content type "text\/html"\): "<html>oops<\/html>"/);
  });

  test("repeated headers such as Set-Cookie are all kept", async () => {
    const c = createTestClient((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1", "b=2; Path=/x"]);
      res.end();
    });
    const r = await c.get("/");
    expect(r.headers.getAll("set-cookie")).toEqual(["a=1", "b=2; Path=/x"]);
    expect(r.cookies.map((k) => [k.name, k.value, k.path])).toEqual([
      ["a", "1", "/"],
      ["b", "2", "/x"],
    ]);
  });

  test("the promise resolves after teardown the listener awaits after res.end()", async () => {
    const events: string[] = [];
    const c = createTestClient(async (_req, res) => {
      res.end("done");
      events.push("ended");
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push("teardown");
    });
    const r = await c.get("/");
    expect(r.text).toBe("done");
    expect(events).toEqual(["ended", "teardown"]);
  });

  test("a response ended later, from a timer, is waited for", async () => {
    const c = createTestClient((_req, res) => {
      setTimeout(() => res.end("late"), 10);
    });
    expect((await c.get("/")).text).toBe("late");
  });
});

describe("errors from the listener", () => {
  test("a synchronous throw rejects the request with that error", async () => {
    const boom = new Error("boom");
    const c = createTestClient(() => {
      throw boom;
    });
    await expect(c.get("/")).rejects.toBe(boom);
  });

  test("a rejected promise rejects the request, even before the response ended", async () => {
    const c = createTestClient(async () => {
      await Promise.resolve();
      throw new RangeError("async boom");
    });
    await expect(c.get("/")).rejects.toThrow(RangeError);
  });

  test("an error in teardown after res.end() still rejects", async () => {
    const c = createTestClient(async (_req, res) => {
      res.end("ok");
      await Promise.resolve();
      throw new Error("teardown failed");
    });
    await expect(c.get("/")).rejects.toThrow("teardown failed");
  });

  test("a response destroyed before ending is reported", async () => {
    const c = createTestClient((_req, res) => {
      res.destroy();
    });
    await expect(c.get("/x")).rejects.toThrow(/destroyed the response to GET http:\/\/localhost\/x/);
  });

  test("the client keeps working after a failed request", async () => {
    let fail = true;
    const c = createTestClient((_req, res) => {
      if (fail) throw new Error("first");
      res.end("second");
    });
    await expect(c.get("/")).rejects.toThrow("first");
    fail = false;
    expect((await c.get("/")).text).toBe("second");
  });

  test("a non-function listener or a bad baseUrl is refused at creation", () => {
    expect(() => createTestClient(undefined as unknown as () => void)).toThrow(/request listener/);
    expect(() => createTestClient(echo, { baseUrl: "localhost" })).toThrow(/absolute http\(s\) URL/);
    expect(() => createTestClient(echo, { baseUrl: "ftp://x" })).toThrow(/http and https/);
  });
});

describe("absolute URLs and base URLs", () => {
  const client = createTestClient(echo);

  test("an absolute URL sets Host and path", async () => {
    const r = await client.get("http://sub.example.com/x?y=1");
    const e = echoOf(r);
    expect(e.headers.host).toBe("sub.example.com");
    expect(e.url).toBe("/x?y=1");
    expect(e.encrypted).toBe(false);
    expect(r.request.url).toBe("http://sub.example.com/x?y=1");
  });

  test("https marks the socket encrypted, as a TLS server would; ports stay in Host", async () => {
    const r = await client.get("https://Secure.Example.com:8443/pay");
    const e = echoOf(r);
    expect(e.encrypted).toBe(true);
    expect(e.headers.host).toBe("secure.example.com:8443");
    expect(r.request.scheme).toBe("https");
  });

  test("non-ASCII host names are IDNA-encoded", async () => {
    expect(echoOf(await client.get("http://☃.net/")).headers.host).toBe("xn--n3h.net");
  });

  test("only http and https can be requested", async () => {
    await expect(client.get("ftp://example.com/")).rejects.toThrow(/http and https/);
  });

  test("baseUrl sets scheme and host, and its path prefixes relative paths", async () => {
    const c = createTestClient(echo, { baseUrl: "https://example.com/app/" });
    let r = await c.get("/users", { query: { page: 2 } });
    expect(echoOf(r)).toMatchObject({ url: "/app/users?page=2", encrypted: true });
    expect(echoOf(r).headers.host).toBe("example.com");
    r = await c.get("/x", { baseUrl: "http://other.test" });
    expect(echoOf(r).headers.host).toBe("other.test");
    expect(echoOf(r).url).toBe("/x");
  });

  test("an explicit Host header wins over the URL's host", async () => {
    expect(echoOf(await client.get("/", { headers: { Host: "api.local" } })).headers.host).toBe("api.local");
  });
});

// ---- cookies ----

function cookieApp(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, "http://x");
  const set = url.searchParams.getAll("set");
  if (set.length > 0) res.setHeader("Set-Cookie", set);
  res.setHeader("Content-Type", "text/plain");
  res.end(req.headers.cookie ?? "No Cookie");
}

const setCookie = (header: string): Record<string, string> => ({ set: header });

describe("cookie jar", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("cookies set by a response are stored and sent back", async () => {
    const c = createTestClient(cookieApp);
    expect((await c.get("/")).text).toBe("No Cookie");
    const r = await c.get("/", { query: setCookie("test=test") });
    expect(r.text).toBe("No Cookie");
    expect(r.headers.has("Set-Cookie")).toBe(true);
    expect((await c.get("/other")).text).toBe("test=test");
  });

  test("getCookie reports every attribute", async () => {
    const c = createTestClient(cookieApp);
    await c.get("/", {
      query: setCookie('sid="a b\\"c"; Domain=.Localhost; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax'),
    });
    const cookie = c.getCookie("sid");
    expect(cookie).toMatchObject({
      name: "sid",
      value: '"a b\\"c"',
      decodedValue: 'a b"c',
      domain: "localhost",
      originOnly: false,
      path: "/",
      maxAge: 60,
      secure: true,
      httpOnly: true,
      sameSite: "Lax",
      partitioned: false,
    });
    expect(cookie!.expires!.getTime()).toBeGreaterThan(Date.now() + 55_000);
    expect((await c.get("/")).text).toBe('sid="a b\\"c"');
  });

  test("several cookies are sent together", async () => {
    const c = createTestClient(cookieApp);
    await c.get("/", { query: { set: ["test1=foo", "test2=bar"] } });
    expect((await c.get("/")).text).toBe("test1=foo; test2=bar");
  });

  test("Max-Age=0, a negative Max-Age or a past Expires delete the cookie", async () => {
    const c = createTestClient(cookieApp);
    for (const deletion of ["a=; Max-Age=0", "a=; Max-Age=-1", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]) {
      await c.get("/", { query: setCookie("a=1") });
      expect(c.getCookie("a")?.value).toBe("1");
      await c.get("/", { query: setCookie(deletion) });
      expect(c.getCookie("a")).toBeUndefined();
      expect((await c.get("/")).text).toBe("No Cookie");
    }
  });

  test("a cookie stops being sent once it expires", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const c = createTestClient(cookieApp);
    await c.get("/", { query: { set: ["short=1; Max-Age=10", "dated=2; Expires=Tue, 01 Jan 2030 00:01:00 GMT"] } });
    expect((await c.get("/")).text).toBe("short=1; dated=2");
    vi.setSystemTime(new Date("2030-01-01T00:00:30Z"));
    expect((await c.get("/")).text).toBe("dated=2");
    vi.setSystemTime(new Date("2030-01-01T00:02:00Z"));
    expect((await c.get("/")).text).toBe("No Cookie");
    expect(c.getCookie("dated")).toBeUndefined();
  });

  test("useCookies: false keeps nothing and refuses the cookie methods", async () => {
    const c = createTestClient(cookieApp, { useCookies: false });
    await c.get("/", { query: setCookie("test=test") });
    expect((await c.get("/")).text).toBe("No Cookie");
    expect(() => c.getCookie("test")).toThrow(/Cookies are disabled/);
    expect(() => c.setCookie("a", "b")).toThrow(/useCookies: true/);
    expect(() => c.deleteCookie("a")).toThrow(TypeError);
  });

  test("setCookie forges a cookie; deleteCookie removes it", async () => {
    const c = createTestClient(cookieApp);
    c.setCookie("foo", "bar");
    expect((await c.get("/")).text).toBe("foo=bar");
    expect(c.getCookie("foo")).toMatchObject({ domain: "localhost", path: "/", originOnly: true });
    c.setCookie("spaced", "a b");
    expect(c.getCookie("spaced")).toMatchObject({ value: '"a b"', decodedValue: "a b" });
    c.deleteCookie("spaced");
    c.deleteCookie("foo");
    expect((await c.get("/")).text).toBe("No Cookie");
    c.setCookie("gone", "x", { maxAge: 0 });
    expect(c.getCookie("gone")).toBeUndefined();
  });

  test("an explicit Cookie header is kept and the jar's cookies follow it", async () => {
    const c = createTestClient(cookieApp);
    c.setCookie("jar", "1");
    expect((await c.get("/", { headers: { Cookie: "mine=2" } })).text).toBe("mine=2; jar=1");
  });

  test("Path scopes a cookie to a path prefix on segment boundaries", async () => {
    const c = createTestClient(cookieApp);
    await c.get("/", { query: setCookie("adm=1; Path=/admin") });
    expect((await c.get("/")).text).toBe("No Cookie");
    expect((await c.get("/administrator")).text).toBe("No Cookie");
    expect((await c.get("/admin")).text).toBe("adm=1");
    expect((await c.get("/admin/users")).text).toBe("adm=1");
    expect(c.getCookie("adm")).toBeUndefined();
    expect(c.getCookie("adm", { path: "/admin" })?.value).toBe("1");
  });

  test("without Path, a cookie belongs to the directory of the request path", async () => {
    const c = createTestClient(cookieApp);
    await c.get("/nested/leaf", { query: setCookie("k=v") });
    expect(c.getCookie("k")).toBeUndefined();
    expect(c.getCookie("k", { path: "/nested" })).toBeDefined();
    await c.get("/nested/dir/", { query: setCookie("k=w") });
    expect(c.getCookie("k", { path: "/nested/dir" })?.value).toBe("w");
  });

  test("the cookie with the longer path is sent first", async () => {
    const c = createTestClient(cookieApp);
    await c.get("/", { query: setCookie("k=root") });
    await c.get("/", { query: setCookie("k=deep; Path=/a/b") });
    expect((await c.get("/a/b/c")).text).toBe("k=deep; k=root");
  });

  test("Domain shares a cookie with subdomains; without it, only the exact host gets it", async () => {
    const c = createTestClient(cookieApp);
    await c.get("http://example.com/", { query: { set: ["shared=1; Domain=example.com", "own=2"] } });
    expect((await c.get("http://example.com/")).text).toBe("shared=1; own=2");
    expect((await c.get("http://api.example.com/")).text).toBe("shared=1");
    expect((await c.get("http://badexample.com/")).text).toBe("No Cookie");
    expect((await c.get("/")).text).toBe("No Cookie");
    expect(c.getCookie("own", { domain: "example.com" })).toMatchObject({ originOnly: true });
  });

  test("setCookie with originOnly: false reaches subdomains", async () => {
    const c = createTestClient(cookieApp);
    c.setCookie("wide", "1", { domain: "example.com", originOnly: false });
    c.setCookie("narrow", "2", { domain: "example.com" });
    expect((await c.get("http://www.example.com/")).text).toBe("wide=1");
  });

  test("the jar defaults getCookie and setCookie to the client's base host", async () => {
    const c = createTestClient(cookieApp, { baseUrl: "http://example.org" });
    c.setCookie("a", "1");
    expect((await c.get("/")).text).toBe("a=1");
    expect(c.getCookie("a")?.domain).toBe("example.org");
  });

  test("Set-Cookie headers without name=value are ignored", async () => {
    const c = createTestClient(cookieApp);
    const r = await c.get("/", { query: { set: ["novalue", "=x", "ok=1"] } });
    expect(r.cookies.map((k) => k.name)).toEqual(["ok"]);
    expect((await c.get("/")).text).toBe("ok=1");
  });
});

// ---- redirects ----

describe("following redirects", () => {
  function redirectApp(routes: Record<string, [number, string]>) {
    return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const path = req.url!.split("?")[0]!;
      const hop = routes[path];
      const body = await readBody(req);
      if (hop) {
        res.writeHead(hop[0], { Location: hop[1] });
        res.end();
        return;
      }
      sendJson(res, {
        method: req.method,
        url: req.url,
        host: req.headers.host,
        body: body.toString(),
        contentType: req.headers["content-type"] ?? null,
        foo: req.headers["x-foo"] ?? null,
      });
    };
  }

  test("redirects are not followed unless asked", async () => {
    const c = createTestClient(redirectApp({ "/": [302, "/done"] }));
    const r = await c.get("/");
    expect(r.statusCode).toBe(302);
    expect(r.status).toBe("302 FOUND");
    expect(r.location).toBe("/done");
    expect(r.history).toEqual([]);
  });

  test("a chain is followed; history holds the earlier responses, oldest first", async () => {
    const c = createTestClient(redirectApp({ "/first": [303, "/second"], "/second": [303, "/third"] }));
    const r = await c.get("/first", { followRedirects: true });
    expect((r.json as { url: string }).url).toBe("/third");
    expect(r.history).toHaveLength(2);
    expect(r.history[0]!.request.path).toBe("/first");
    expect(r.history[0]!.location).toBe("/second");
    expect(r.history[0]!.history).toHaveLength(0);
    expect(r.history[1]!.request.path).toBe("/second");
    expect(r.history[1]!.statusCode).toBe(303);
    expect(r.history[1]!.history).toEqual([r.history[0]]);
  });

  test("followRedirects can be the client's default", async () => {
    const c = createTestClient(redirectApp({ "/": [301, "/done"] }), { followRedirects: true });
    expect((await c.get("/")).request.path).toBe("/done");
    expect((await c.get("/", { followRedirects: false })).statusCode).toBe(301);
  });

  test.each([
    [301, "POST", "GET"],
    [302, "POST", "GET"],
    [302, "PUT", "GET"],
    [303, "POST", "GET"],
    [303, "DELETE", "GET"],
    [307, "POST", "POST"],
    [308, "PUT", "PUT"],
  ])("a %i after %s continues with %s", async (code, method, expected) => {
    const c = createTestClient(redirectApp({ "/": [code, "http://localhost/some/redirect/"] }));
    const r = await c.open("/", { method, form: { foo: "bar" }, headers: { "X-Foo": "bar" }, followRedirects: true });
    const e = r.json as { method: string; url: string; body: string; contentType: string | null; foo: string };
    expect(e.method).toBe(expected);
    expect(e.url).toBe("/some/redirect/");
    expect(e.foo).toBe("bar");
    if (expected === method) {
      expect(e.body).toBe("foo=bar");
      expect(e.contentType).toBe("application/x-www-form-urlencoded");
    } else {
      expect(e.body).toBe("");
      expect(e.contentType).toBeNull();
      expect(r.request.body).toBeUndefined();
      expect(r.request.headers.has("content-length")).toBe(false);
    }
  });

  test("HEAD stays HEAD through a 303; GET stays GET through a 302", async () => {
    const c = createTestClient(redirectApp({ "/a": [303, "/b"], "/c": [302, "/d"] }));
    expect((await c.head("/a", { followRedirects: true })).request.method).toBe("HEAD");
    expect((await c.get("/c", { followRedirects: true })).request.method).toBe("GET");
  });

  test("a relative Location resolves against the request URL", async () => {
    const c = createTestClient(redirectApp({ "/dir/redirect": [302, "done?x=1"] }));
    const r = await c.get("/dir/redirect", { followRedirects: true });
    expect((r.json as { url: string }).url).toBe("/dir/done?x=1");
  });

  test("an absolute Location to another host switches host and scheme", async () => {
    const c = createTestClient(redirectApp({ "/login": [302, "https://auth.example.com/start?next=%2F"] }));
    const r = await c.get("/login", { followRedirects: true, headers: { Host: "localhost" } });
    const e = r.json as { host: string; url: string };
    expect(e.host).toBe("auth.example.com");
    expect(e.url).toBe("/start?next=%2F");
    expect(r.request.url).toBe("https://auth.example.com/start?next=%2F");
  });

  test("a loop is detected with a clear error", async () => {
    const c = createTestClient(redirectApp({ "/some/redirect/": [302, "http://localhost/some/redirect/"] }));
    const error = await c.get("/some/redirect/", { followRedirects: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientRedirectError);
    expect((error as Error).message).toBe(
      "Loop detected: a 302 redirect to http://localhost/some/redirect/ was already made.",
    );
  });

  test("an endless chain stops at maxRedirects", async () => {
    let n = 0;
    const c = createTestClient(
      (_req, res) => {
        res.writeHead(302, { Location: `/step${++n}` });
        res.end();
      },
      { maxRedirects: 5 },
    );
    await expect(c.get("/", { followRedirects: true })).rejects.toThrow(/Gave up after 5 redirects/);
  });

  test("a redirect without Location is returned as it is", async () => {
    const c = createTestClient((_req, res) => {
      res.statusCode = 302;
      res.end();
    });
    const r = await c.get("/", { followRedirects: true });
    expect(r.statusCode).toBe(302);
    expect(r.history).toEqual([]);
  });

  test("cookies set or deleted on a redirect apply to the next request", async () => {
    const c = createTestClient((req, res) => {
      if (req.url === "/in") {
        res.writeHead(302, { Location: "/", "Set-Cookie": "auth=in" });
      } else if (req.url === "/out") {
        res.writeHead(302, { Location: "/", "Set-Cookie": "auth=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0" });
      } else {
        res.writeHead(200);
        return void res.end(/auth=(\w+)/.exec(req.headers.cookie ?? "")?.[1] ?? "out");
      }
      res.end();
    });
    expect((await c.get("/")).text).toBe("out");
    expect((await c.get("/in", { followRedirects: true })).text).toBe("in");
    expect((await c.get("/")).text).toBe("in");
    expect((await c.get("/out", { followRedirects: true })).text).toBe("out");
    expect((await c.get("/")).text).toBe("out");
  });
});
