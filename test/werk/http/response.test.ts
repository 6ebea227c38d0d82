import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  CacheControl,
  ContentRange,
  generateEtag,
  getContentType,
  Headers,
  HTTPException,
  MethodNotAllowed,
  NotFound,
  RequestedRangeNotSatisfiable,
  RequestRedirect,
  Response,
  TooManyRequests,
  Unauthorized,
  WWWAuthenticate,
} from "@flagon/werk";

const GET = (headers: Record<string, string> = {}) => ({ method: "GET", headers: new Headers(headers) });

async function* chunks(...parts: Array<string | Uint8Array>): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) yield part;
}

describe("Response construction", () => {
  it("defaults to 200 and text/html with a charset", () => {
    const response = new Response("hi");
    expect(response.statusCode).toBe(200);
    expect(response.status).toBe("200 OK");
    expect(response.contentType).toBe("text/html; charset=utf-8");
    expect(response.mimetype).toBe("text/html");
    expect(response.headers.toList()).toEqual([["Content-Type", "text/html; charset=utf-8"]]);
  });

  it("adds a charset to text types only (Werkzeug's get_content_type)", () => {
    expect(getContentType("text/plain")).toBe("text/plain; charset=utf-8");
    expect(getContentType("application/xml")).toBe("application/xml; charset=utf-8");
    expect(getContentType("image/svg+xml")).toBe("image/svg+xml; charset=utf-8");
    expect(getContentType("application/javascript")).toBe("application/javascript; charset=utf-8");
    expect(getContentType("application/json")).toBe("application/json");
    expect(getContentType("image/png")).toBe("image/png");
    expect(new Response("{}", { mimetype: "application/json" }).contentType).toBe("application/json");
  });

  it("uses contentType as given and keeps a Content-Type from the headers", () => {
    expect(new Response("", { contentType: "text/plain" }).contentType).toBe("text/plain");
    expect(new Response("", { contentType: "x/y", mimetype: "text/csv" }).contentType).toBe("x/y");
    const fromHeaders = new Response("", { headers: { "Content-Type": "text/csv" } });
    expect(fromHeaders.headers.getAll("Content-Type")).toEqual(["text/csv"]);
    expect(new Response("", { mimetype: null }).contentType).toBeUndefined();
  });

  it("uses a Headers object it is given as it is", () => {
    const headers = new Headers();
    const response = new Response("", { headers });
    expect(response.headers).toBe(headers);
    expect(headers.get("Content-Type")).toBe("text/html; charset=utf-8");
  });

  it("lets subclasses change the default mimetype", () => {
    class TextResponse extends Response {
      static override defaultMimetype = "text/plain";
    }
    expect(new TextResponse("x").contentType).toBe("text/plain; charset=utf-8");
    expect(new TextResponse("x", { status: 201 }).contentType).toBe("text/plain; charset=utf-8");
  });

  it("refuses bodies it cannot send", () => {
    expect(() => new Response(42 as never)).toThrow(TypeError);
    expect(() => new Response({} as never)).toThrow(/response body/);
  });
});

describe("Response status", () => {
  it.each([
    [200, "200 OK"],
    [404, "404 NOT FOUND"],
    [588, "588 UNKNOWN"],
    [999, "999 UNKNOWN"],
  ])("statusCode %d reads as %s", (code, status) => {
    const response = new Response();
    response.statusCode = code;
    expect(response.statusCode).toBe(code);
    expect(response.status).toBe(status);
  });

  it.each([
    ["404", 404, "404 NOT FOUND"],
    ["999", 999, "999 UNKNOWN"],
    ["200 OK", 200, "200 OK"],
    ["201 CREATED", 201, "201 CREATED"],
    ["999 WTF", 999, "999 WTF"],
    ["wtf", 0, "0 wtf"],
    ["200 TEA POT", 200, "200 TEA POT"],
    [200, 200, "200 OK"],
    [400, 400, "400 BAD REQUEST"],
  ] as const)("status %j gives %d / %s", (value, code, status) => {
    const response = new Response();
    response.status = value;
    expect(response.statusCode).toBe(code);
    expect(response.status).toBe(status);
    const constructed = new Response(null, { status: value });
    expect(constructed.statusCode).toBe(code);
    expect(constructed.status).toBe(status);
  });

  it("refuses an empty status and impossible codes", () => {
    expect(() => new Response(null, { status: "" })).toThrow(TypeError);
    expect(() => new Response(null, { status: 1.5 })).toThrow(RangeError);
    expect(() => new Response(null, { status: 1000 })).toThrow(RangeError);
    expect(() => new Response(null, { status: 99 })).toThrow(RangeError);
  });

  it("setting a code resets a custom phrase", () => {
    const response = new Response(null, { status: "200 FINE" });
    response.statusCode = 201;
    expect(response.status).toBe("201 CREATED");
  });
});

describe("Response headers and descriptors", () => {
  it("mimetype, contentType and mimetypeParams", () => {
    const response = new Response();
    response.mimetype = "text/plain";
    expect(response.contentType).toBe("text/plain; charset=utf-8");
    expect(response.mimetypeParams).toEqual({ charset: "utf-8" });
    response.mimetypeParams = { "x-foo": "yep" };
    expect(response.contentType).toBe("text/plain; x-foo=yep");
    response.contentType = null;
    expect(response.headers.has("Content-Type")).toBe(false);
  });

  it("knows JSON mimetypes", () => {
    expect(new Response("", { mimetype: "application/json" }).isJson).toBe(true);
    expect(new Response("", { mimetype: "application/problem+json" }).isJson).toBe(true);
    expect(new Response("").isJson).toBe(false);
  });

  it("computes contentLength from a buffered body, in bytes", () => {
    expect(new Response("Hello World!").contentLength).toBe(12);
    expect(new Response("你好").contentLength).toBe(6);
    expect(new Response(Buffer.from([1, 2, 3])).contentLength).toBe(3);
    expect(new Response(chunks("a")).contentLength).toBeUndefined();
    const response = new Response("x");
    response.contentLength = "42";
    expect(response.contentLength).toBe(42);
    response.setData("four");
    expect(response.contentLength).toBe(4);
  });

  it("reads and writes dates", () => {
    const response = new Response();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const key of ["date", "expires", "lastModified"] as const) {
      expect(response[key]).toBeUndefined();
      response[key] = now;
      expect(response[key]).toEqual(now);
      response[key] = 0;
      expect(response[key]).toEqual(new Date(0));
      response[key] = null;
      expect(response[key]).toBeUndefined();
    }
    response.expires = 0;
    expect(response.headers.get("Expires")).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
  });

  it("reads and writes Retry-After as seconds or a date", () => {
    const response = new Response();
    expect(response.retryAfter).toBeUndefined();
    const date = new Date(Date.UTC(2020, 0, 4, 18, 52, 16));
    response.retryAfter = date;
    expect(response.headers.get("Retry-After")).toBe("Sat, 04 Jan 2020 18:52:16 GMT");
    expect(response.retryAfter).toEqual(date);
    response.retryAfter = 120;
    expect(response.headers.get("Retry-After")).toBe("120");
    expect(Math.abs(response.retryAfter!.getTime() - (Date.now() + 120_000))).toBeLessThan(2000);
  });

  it("keeps Location, Content-Location, Content-Encoding and Accept-Ranges", () => {
    const response = new Response();
    response.location = "/next";
    response.contentLocation = "/here";
    response.contentEncoding = "gzip";
    response.acceptRanges = "bytes";
    expect([response.location, response.contentLocation, response.contentEncoding, response.acceptRanges]).toEqual([
      "/next",
      "/here",
      "gzip",
      "bytes",
    ]);
    response.location = null;
    expect(response.headers.has("Location")).toBe(false);
  });

  it("exposes Content-Range as a ContentRange", () => {
    const response = new Response();
    expect(response.contentRange).toBeUndefined();
    response.contentRange = new ContentRange("bytes", 0, 500, 1000);
    expect(response.headers.get("Content-Range")).toBe("bytes 0-499/1000");
    expect(response.contentRange?.stop).toBe(500);
    response.contentRange = null;
    expect(response.headers.has("Content-Range")).toBe(false);
  });

  it("writes Cache-Control changes back to the header", () => {
    const response = new Response("Hello World");
    expect(response.cacheControl.isEmpty).toBe(true);
    response.cacheControl.mustRevalidate = true;
    response.cacheControl.maxAge = 60;
    expect(response.headers.get("Cache-Control")).toBe("must-revalidate, max-age=60");
    const cc = response.cacheControl;
    expect([cc.maxAge, cc.mustRevalidate, cc.noStore]).toEqual([60, true, false]);
    cc.mustRevalidate = false;
    cc.maxAge = undefined;
    expect(response.headers.has("Cache-Control")).toBe(false);
    response.cacheControl = "no-store";
    expect(response.cacheControl.noStore).toBe(true);
  });

  it("CacheControl parses, keeps unknown directives and refuses bad ages", () => {
    const cc = CacheControl.fromHeader('Public, max-age=30, community="UCI", immutable');
    expect([cc.public, cc.maxAge, cc.immutable, cc.get("community")]).toEqual([true, 30, true, "UCI"]);
    cc.private = true;
    cc.sMaxAge = 10;
    cc.staleWhileRevalidate = 5;
    expect(cc.toHeader()).toBe("public, max-age=30, community=UCI, immutable, private, s-maxage=10, stale-while-revalidate=5");
    expect(() => (cc.maxAge = -1)).toThrow(RangeError);
    expect(CacheControl.fromHeader("max-age=abc").maxAge).toBeUndefined();
  });

  it("adds names to Vary once", () => {
    const response = new Response();
    expect(response.vary).toEqual([]);
    response.addVary("Cookie");
    response.addVary("Content-Language", "cookie");
    expect(response.headers.get("Vary")).toBe("Cookie, Content-Language");
    response.headers.set("Vary", "Content-Encoding");
    expect(response.vary).toEqual(["Content-Encoding"]);
    response.vary = ["Accept", "Origin"];
    expect(response.headers.get("Vary")).toBe("Accept, Origin");
    response.vary = null;
    expect(response.headers.has("Vary")).toBe(false);
  });

  it("sets WWW-Authenticate from challenges", () => {
    const response = new Response();
    expect(response.wwwAuthenticate).toBeUndefined();
    response.wwwAuthenticate = new WWWAuthenticate("basic", { realm: "Testing" });
    expect(response.headers.get("WWW-Authenticate")).toBe("Basic realm=Testing");
    expect(response.wwwAuthenticate?.realm).toBe("Testing");
    response.wwwAuthenticate = new WWWAuthenticate("digest", { realm: "REALM", nonce: "NONCE", qop: "auth, auth-int" });
    expect(response.headers.get("WWW-Authenticate")).toBe('Digest realm="REALM", nonce="NONCE", qop="auth, auth-int"');
    response.wwwAuthenticate = [new WWWAuthenticate("bearer"), new WWWAuthenticate("basic", { realm: "x" })];
    expect(response.headers.getAll("WWW-Authenticate")).toEqual(["Bearer", "Basic realm=x"]);
    response.wwwAuthenticate = null;
    expect(response.headers.has("WWW-Authenticate")).toBe(false);
  });
});

describe("Response cookies", () => {
  it("sets cookies as Werkzeug writes them", () => {
    const response = new Response(null, { mimetype: "text/plain" });
    response.setCookie("foo", "bar", { maxAge: 60, expires: 0, path: "/blub", domain: "example.org", sameSite: "Strict" });
    expect(response.headers.toList()).toEqual([
      ["Content-Type", "text/plain; charset=utf-8"],
      ["Set-Cookie", "foo=bar; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; Path=/blub; SameSite=Strict"],
    ]);
  });

  it.each([
    [{ secure: true }, "Secure; Path=/blub"],
    [{ httpOnly: true }, "HttpOnly; Path=/blub"],
    [{ secure: true, httpOnly: true }, "Secure; HttpOnly; Path=/blub"],
    [{ partitioned: true }, "Secure; Path=/blub; Partitioned"],
  ])("writes the flags %j", (flags, tail) => {
    const response = new Response();
    response.setCookie("foo", "bar", { maxAge: 60, expires: 0, path: "/blub", domain: "example.org", ...flags });
    expect(response.headers.get("Set-Cookie")).toBe(
      `foo=bar; Domain=example.org; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; ${tail}`,
    );
  });

  it("deletes a cookie with an expired empty one", () => {
    const response = new Response();
    response.deleteCookie("foo");
    expect(response.headers.get("Set-Cookie")).toBe("foo=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
    response.deleteCookie("bar", { path: "/x", domain: "example.com", secure: true, sameSite: "none" });
    expect(response.headers.getAll("Set-Cookie")[1]).toBe(
      "bar=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; Path=/x; SameSite=None",
    );
  });

  it("keeps one Set-Cookie header per cookie", () => {
    const response = new Response();
    response.setCookie("a", "1");
    response.setCookie("b", "2");
    expect(response.headers.getAll("Set-Cookie")).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });

  it("cannot be used to inject headers or attributes", () => {
    const response = new Response();
    response.setCookie("a", "x\r\nSet-Cookie: evil=1; Domain=evil.com");
    const header = response.headers.get("Set-Cookie")!;
    expect(header).not.toMatch(/[\r\n]/);
    expect(header.startsWith('a="x\\015\\012Set-Cookie: evil=1\\073 Domain=evil.com"')).toBe(true);
    expect(() => response.setCookie("a;b", "1")).toThrow(TypeError);
    expect(() => response.setCookie("a\r\nX-Evil", "1")).toThrow(TypeError);
    expect(() => response.setCookie("a", "1", { domain: "example.com; HttpOnly" })).toThrow(TypeError);
    response.setCookie("p", "1", { path: "/x; Domain=evil.com" });
    expect(response.headers.getAll("Set-Cookie")[1]).toBe("p=1; Path=/x%3B%20Domain=evil.com");
  });
});

describe("Response body", () => {
  it("gives bytes for text, Buffers and Uint8Arrays", async () => {
    expect(await new Response("öäü").getData()).toEqual(Buffer.from("öäü"));
    expect(new Response("öäü").data).toEqual(Buffer.from("öäü"));
    expect(new Response(new Uint8Array([1, 2])).data).toEqual(Buffer.from([1, 2]));
    expect(await new Response("héllo").getData(true)).toBe("héllo");
    expect(new Response().data).toEqual(Buffer.alloc(0));
  });

  it("treats a list as a buffered sequence", () => {
    const response = new Response(["Hello ", Buffer.from("Wörld!")]);
    expect(response.isStreamed).toBe(false);
    expect(response.data.toString()).toBe("Hello Wörld!");
  });

  it("streams iterables and Readables, and reads them once on getData", async () => {
    let runs = 0;
    async function* generate() {
      runs++;
      yield "Hello ";
      yield Buffer.from("Wörld!");
    }
    const response = new Response(generate());
    expect(response.isStreamed).toBe(true);
    expect(() => response.data).toThrow(/getData/);
    const [a, b] = await Promise.all([response.getData(), response.getData()]);
    expect(a.toString()).toBe("Hello Wörld!");
    expect(b).toBe(a);
    expect(runs).toBe(1);
    expect(response.isStreamed).toBe(false);
    expect(response.data.toString()).toBe("Hello Wörld!");

    expect((await new Response(Readable.from(["a", "b"])).getData()).toString()).toBe("ab");
    expect((await new Response(["x", "y"].values()).getData()).toString()).toBe("xy");
  });

  it("rejects chunks that are neither text nor bytes", async () => {
    await expect(new Response(chunks(1 as never)).getData()).rejects.toThrow(/must yield strings/);
  });

  it("replaces the body with setData and the data setter", () => {
    const response = new Response(chunks("stream"));
    response.data = "Wörd";
    expect(response.isStreamed).toBe(false);
    expect(response.data).toEqual(Buffer.from("Wörd"));
    response.body = chunks("again");
    expect(response.isStreamed).toBe(true);
  });

  it("freezes a stream: buffered, with Content-Length and an ETag", async () => {
    const response = new Response(chunks("foo", "bar"));
    await response.freeze();
    expect(response.isStreamed).toBe(false);
    expect(response.headers.get("Content-Length")).toBe("6");
    expect(response.getEtag()).toEqual([generateEtag(Buffer.from("foobar")), false]);
  });

  it("runs callOnClose functions once, even when one fails", async () => {
    const calls: string[] = [];
    const response = new Response("x");
    const fn = response.callOnClose(() => void calls.push("a"));
    expect(typeof fn).toBe("function");
    response.callOnClose(() => {
      throw new Error("boom");
    });
    response.callOnClose(async () => void calls.push("c"));
    await expect(response.close()).rejects.toThrow("boom");
    expect(calls).toEqual(["a", "c"]);
    await response.close();
    expect(calls).toEqual(["a", "c"]);
  });

  it("destroys an unread Readable on close", async () => {
    const stream = Readable.from(["never read"]);
    await new Response(stream).close();
    expect(stream.destroyed).toBe(true);
  });

  it("describes itself like Werkzeug's repr", () => {
    expect(String(new Response("Hello", { status: 404 }))).toBe("<Response 5 bytes [404 NOT FOUND]>");
    expect(String(new Response(chunks()))).toBe("<Response streamed [200 OK]>");
  });
});

describe("Response ETags and conditional requests", () => {
  it("sets, reads and generates ETags", () => {
    const response = new Response("Hello World");
    expect(response.getEtag()).toEqual([undefined, undefined]);
    response.addEtag();
    expect(response.getEtag()).toEqual([generateEtag("Hello World"), false]);
    response.setEtag("v2", true);
    expect(response.headers.get("ETag")).toBe('W/"v2"');
    response.addEtag();
    expect(response.getEtag()).toEqual(["v2", true]);
    response.addEtag(true);
    expect(response.getEtag()).toEqual([generateEtag("Hello World"), false]);
    expect(() => response.setEtag('a"b')).toThrow(TypeError);
  });

  it("answers a matching If-None-Match with 304 and adds Date", () => {
    const response = new Response("Hello World");
    response.addEtag();
    expect(response.headers.has("Date")).toBe(false);
    response.makeConditional(GET({ "If-None-Match": `"${response.getEtag()[0]}"` }));
    expect(response.statusCode).toBe(304);
    expect(response.headers.has("Date")).toBe(true);
  });

  it("does not replace an existing Date or Content-Length", () => {
    const response = new Response("Hello World");
    response.date = 1337;
    response.contentLength = 999;
    response.makeConditional(GET());
    expect(response.date).toEqual(new Date(1337 * 1000));
    expect(response.contentLength).toBe(999);
  });

  it("answers a failing If-Match with 412 and keeps the body", () => {
    const response = new Response("Hello World");
    response.addEtag();
    response.makeConditional(GET({ "If-Match": `"${response.getEtag()[0]}xyz"` }));
    expect(response.statusCode).toBe(412);
    expect(response.data.toString()).toBe("Hello World");
  });

  it("answers If-Modified-Since with 304 when not modified since", () => {
    const response = new Response("x");
    response.lastModified = new Date(Date.UTC(2020, 6, 11));
    response.makeConditional(GET({ "If-Modified-Since": "Sun, 12 Jul 2020 00:00:00 GMT" }));
    expect(response.statusCode).toBe(304);
    const changed = new Response("x");
    changed.lastModified = new Date(Date.UTC(2020, 6, 13));
    changed.makeConditional(GET({ "If-Modified-Since": "Sun, 12 Jul 2020 00:00:00 GMT" }));
    expect(changed.statusCode).toBe(200);
  });

  it("ignores methods other than GET and HEAD", () => {
    const response = new Response("x");
    response.setEtag("a");
    response.makeConditional({ method: "POST", headers: new Headers({ "If-None-Match": '"a"' }) });
    expect(response.statusCode).toBe(200);
    expect(response.headers.has("Date")).toBe(false);
  });

  it("reads Node and Fetch request headers too", () => {
    const fromNode = new Response("x");
    fromNode.setEtag("a");
    fromNode.makeConditional({ method: "HEAD", headers: { "if-none-match": '"a"' } });
    expect(fromNode.statusCode).toBe(304);
    const fromFetch = new Response("x");
    fromFetch.setEtag("a");
    fromFetch.makeConditional(new globalThis.Request("http://x/", { headers: { "If-None-Match": 'W/"a"' } }));
    expect(fromFetch.statusCode).toBe(304);
  });

  it("advertises Accept-Ranges without a Range request", () => {
    const response = new Response();
    response.makeConditional(GET(), { acceptRanges: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers.get("Accept-Ranges")).toBe("bytes");
    expect(response.headers.has("Content-Range")).toBe(false);
  });

  it.each([
    ["bytes=0-4", "bytes 0-4/11", "Hello"],
    ["bytes=6-666", "bytes 6-10/11", "World"],
    ["bytes=-5", "bytes 6-10/11", "World"],
    ["bytes=3-", "bytes 3-10/11", "lo World"],
  ])("serves %s as 206 %s", (range, contentRange, data) => {
    const response = new Response("Hello World");
    response.makeConditional(GET({ Range: range }), { acceptRanges: true, completeLength: 11 });
    expect(response.statusCode).toBe(206);
    expect(response.status).toBe("206 PARTIAL CONTENT");
    expect(response.headers.get("Accept-Ranges")).toBe("bytes");
    expect(response.headers.get("Content-Range")).toBe(contentRange);
    expect(response.headers.get("Content-Length")).toBe(String(data.length));
    expect(response.data.toString()).toBe(data);
  });

  it("slices streamed bodies to the range", async () => {
    const response = new Response(chunks("Hel", "lo W", "orld"));
    response.makeConditional(GET({ Range: "bytes=2-7" }), { acceptRanges: true, completeLength: 11 });
    expect(response.statusCode).toBe(206);
    expect((await response.getData()).toString()).toBe("llo Wo");
  });

  it.each([undefined, 0])("sends everything when the complete length is %j", (completeLength) => {
    const response = new Response("Hello World");
    response.makeConditional(GET({ Range: "bytes=0-10" }), { acceptRanges: true, completeLength });
    expect(response.statusCode).toBe(200);
    expect(response.data.toString()).toBe("Hello World");
  });

  it.each(["bytes=-", "bytes=20-30", "bytes=0-1,5-6", "lines=0-1", "bytes=5-2", "garbage"])(
    "refuses %j with 416 and Content-Range bytes */11",
    (range) => {
      const response = new Response("Hello World");
      let error: unknown;
      try {
        response.makeConditional(GET({ Range: range }), { acceptRanges: true, completeLength: 11 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RequestedRangeNotSatisfiable);
      const answer = (error as RequestedRangeNotSatisfiable).getResponse();
      expect(answer.statusCode).toBe(416);
      expect(answer.headers.get("Content-Range")).toBe("bytes */11");
    },
  );

  it("sends everything when If-Range no longer matches", () => {
    const response = new Response("Hello World");
    response.setEtag("v2");
    response.makeConditional(GET({ Range: "bytes=0-4", "If-Range": '"v1"' }), { acceptRanges: true, completeLength: 11 });
    expect(response.statusCode).toBe(200);
    expect(response.data.toString()).toBe("Hello World");
    const current = new Response("Hello World");
    current.setEtag("v2");
    current.makeConditional(GET({ Range: "bytes=0-4", "If-Range": '"v2"' }), { acceptRanges: true, completeLength: 11 });
    expect(current.statusCode).toBe(206);
  });
});

describe("Fetch API conversion", () => {
  it("converts a buffered response with every Set-Cookie", async () => {
    const response = new Response("Hello", { status: 201 });
    response.setCookie("a", "1");
    response.setCookie("b", "2");
    const fetched = await response.toFetchResponse();
    expect(fetched.status).toBe(201);
    expect(fetched.statusText).toBe("Created");
    expect(fetched.headers.get("content-length")).toBe("5");
    expect(fetched.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await fetched.text()).toBe("Hello");
  });

  it("streams a streamed body and closes after it is read", async () => {
    let closed = false;
    const response = new Response(chunks("a", "b", "c"));
    response.callOnClose(() => void (closed = true));
    const fetched = await response.toFetchResponse();
    expect(fetched.headers.has("content-length")).toBe(false);
    expect(closed).toBe(false);
    expect(await fetched.text()).toBe("abc");
    expect(closed).toBe(true);
  });

  it("sends no body for HEAD, 204 and 304", async () => {
    expect(await (await new Response("x").toFetchResponse({ method: "HEAD" })).text()).toBe("");
    const noContent = await new Response("x", { status: 204 }).toFetchResponse();
    expect(noContent.body).toBeNull();
    const notModified = new Response(chunks("x"), { status: 304 });
    notModified.setEtag("e");
    const fetched = await notModified.toFetchResponse();
    expect(fetched.body).toBeNull();
    expect(fetched.headers.get("etag")).toBe('"e"');
    expect(fetched.headers.has("content-type")).toBe(false);
  });

  it("rejects when a stream fails before its first chunk", async () => {
    async function* failing(): AsyncGenerator<string> {
      throw new Error("no data");
    }
    await expect(new Response(failing()).toFetchResponse()).rejects.toThrow("no data");
  });

  it("builds a werk Response from a Fetch Response", async () => {
    const headers = new globalThis.Headers({ "X-A": "1" });
    headers.append("Set-Cookie", "a=1");
    headers.append("Set-Cookie", "b=2");
    const fetched = new globalThis.Response("body", { status: 202, statusText: "Taken", headers });
    const response = Response.fromFetchResponse(fetched);
    expect(response.status).toBe("202 Taken");
    expect(response.headers.get("x-a")).toBe("1");
    expect(response.headers.getAll("Set-Cookie")).toEqual(["a=1", "b=2"]);
    expect(response.isStreamed).toBe(true);
    expect((await response.getData()).toString()).toBe("body");
  });
});

describe("HTTPException.getResponse", () => {
  it("renders the error page with its status", async () => {
    const response = new NotFound().getResponse();
    expect(response.status).toBe("404 NOT FOUND");
    expect(response.contentType).toBe("text/html; charset=utf-8");
    const body = (await response.getData()).toString();
    expect(body.startsWith("<!doctype html>\n<html lang=en>\n")).toBe(true);
    expect(body).toContain("<title>404 Not Found</title>");
    expect(body).toContain(new NotFound().description);
  });

  it("carries the exception's headers", () => {
    expect(new MethodNotAllowed(["GET", "HEAD"]).getResponse().headers.get("Allow")).toBe("GET, HEAD");
    const unauthorized = new Unauthorized(undefined, { wwwAuthenticate: ['Basic realm="x"', "Bearer"] });
    expect(unauthorized.getResponse().headers.getAll("WWW-Authenticate")).toEqual(['Basic realm="x"', "Bearer"]);
    expect(new TooManyRequests(undefined, { retryAfter: 20 }).getResponse().headers.get("Retry-After")).toBe("20");
  });

  it("escapes the description", async () => {
    const body = await new NotFound("<script>x</script>").getResponse().getData(true);
    expect(body).not.toContain("<script>");
  });

  it("returns the response it carries", () => {
    const carried = new Response("custom", { status: 418 });
    expect(new HTTPException(undefined, { response: carried }).getResponse()).toBe(carried);
  });

  it("answers 500 for an exception without a code", () => {
    expect(new HTTPException("An error message").getResponse().statusCode).toBe(500);
  });

  it("makes RequestRedirect a 308 with Location", () => {
    const response = new RequestRedirect("http://example.com/about/").getResponse();
    expect(response.statusCode).toBe(308);
    expect(response.location).toBe("http://example.com/about/");
  });
});

// ---- writeTo over a real socket -------------------------------------------------------

interface RawReply {
  statusCode: number;
  statusMessage: string;
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Serve `handler` on 127.0.0.1, run `fn` against it, always close the server. */
async function withServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function request(url: string, options: http.RequestOptions = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...options }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (chunk: Buffer) => parts.push(chunk));
      res.on("end", () =>
        resolve({
          statusCode: res.statusCode!,
          statusMessage: res.statusMessage!,
          rawHeaders: res.rawHeaders,
          headers: res.headers,
          body: Buffer.concat(parts),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** A promise with its resolve function, for events a test waits on. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function withTimeout<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

describe("Response.writeTo", () => {
  it("sends a buffered body with Content-Length, not chunked", async () => {
    await withServer(
      (req, res) => new Response("héllo").writeTo(res, req),
      async (url) => {
        const reply = await request(url);
        expect(reply.statusCode).toBe(200);
        expect(reply.headers["content-length"]).toBe("6");
        expect(reply.headers["transfer-encoding"]).toBeUndefined();
        expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(reply.body.toString()).toBe("héllo");
      },
    );
  });

  it("streams an iterable chunked, without Content-Length", async () => {
    await withServer(
      (req, res) => new Response(chunks("a", "", Buffer.from("b"), new Uint8Array([99]))).writeTo(res, req),
      async (url) => {
        const reply = await request(url);
        expect(reply.headers["transfer-encoding"]).toBe("chunked");
        expect(reply.headers["content-length"]).toBeUndefined();
        expect(reply.body.toString()).toBe("abc");
      },
    );
  });

  it("sends headers as given: names spelt as set, one line per Set-Cookie, custom phrases", async () => {
    await withServer(
      (req, res) => {
        const response = new Response("x", { status: "299 ALL GOOD", headers: [["X-Custom-Header", "1"]] });
        response.setCookie("a", "1");
        response.setCookie("b", "2", { httpOnly: true });
        return response.writeTo(res, req);
      },
      async (url) => {
        const reply = await request(url);
        expect(reply.statusCode).toBe(299);
        expect(reply.statusMessage).toBe("ALL GOOD");
        expect(reply.rawHeaders).toContain("X-Custom-Header");
        expect(reply.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; HttpOnly; Path=/"]);
        const fetched = await fetch(url);
        expect(fetched.headers.getSetCookie()).toHaveLength(2);
        await fetched.arrayBuffer();
      },
    );
  });

  it("sends no body to HEAD but keeps Content-Length", async () => {
    let streamed = false;
    await withServer(
      (req, res) => {
        if (req.url === "/stream") {
          return new Response(
            (async function* () {
              streamed = true;
              yield "x";
            })(),
          ).writeTo(res, req);
        }
        return new Response("Hello World").writeTo(res, req);
      },
      async (url) => {
        const reply = await request(url, { method: "HEAD" });
        expect(reply.headers["content-length"]).toBe("11");
        expect(reply.body.byteLength).toBe(0);
        const stream = await request(`${url}/stream`, { method: "HEAD" });
        expect(stream.body.byteLength).toBe(0);
        expect(streamed).toBe(false);
      },
    );
  });

  it.each([204, 304])("sends no body and no Content-Length with %d", async (status) => {
    await withServer(
      (req, res) => {
        const response = new Response("should not be sent", { status });
        response.setEtag("abc");
        response.lastModified = 0;
        response.expires = 0;
        return response.writeTo(res, req);
      },
      async (url) => {
        const reply = await request(url);
        expect(reply.statusCode).toBe(status);
        expect(reply.headers["content-length"]).toBeUndefined();
        expect(reply.headers["transfer-encoding"]).toBeUndefined();
        expect(reply.body.byteLength).toBe(0);
        expect(reply.headers.etag).toBe('"abc"');
        if (status === 304) {
          // RFC 9110 §15.4.5 / Werkzeug: representation headers go, validators stay.
          expect(reply.headers["content-type"]).toBeUndefined();
          expect(reply.headers["last-modified"]).toBeUndefined();
          expect(reply.headers.expires).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
        }
      },
    );
  });

  it("writes a conditional 304 for a matching ETag", async () => {
    await withServer(
      (req, res) => {
        const response = new Response("data");
        response.setEtag("v1");
        return response.makeConditional(req).writeTo(res, req);
      },
      async (url) => {
        expect((await request(url)).statusCode).toBe(200);
        const reply = await request(url, { headers: { "If-None-Match": '"v1"' } });
        expect(reply.statusCode).toBe(304);
        expect(reply.body.byteLength).toBe(0);
      },
    );
  });

  it("sends a non-ASCII Location as a URI", async () => {
    await withServer(
      (req, res) => {
        const response = new Response("", { status: 302 });
        response.location = "/füü?q=ä b";
        return response.writeTo(res, req);
      },
      async (url) => {
        expect((await request(url)).headers.location).toBe("/f%C3%BC%C3%BC?q=%C3%A4%20b");
      },
    );
  });

  it("runs callOnClose after the body is sent", async () => {
    const order: string[] = [];
    const written = deferred();
    await withServer(
      async (req, res) => {
        const response = new Response(chunks("a", "b"));
        // Everything has been handed to the socket by the time the callbacks run.
        response.callOnClose(() => void order.push(res.writableFinished ? "closed after sending" : "closed early"));
        await response.writeTo(res, req);
        order.push("resolved");
        written.resolve();
      },
      async (url) => {
        await request(url);
        await withTimeout(written.promise);
        expect(order).toEqual(["closed after sending", "resolved"]);
      },
    );
  });

  it("refuses to write twice to the same ServerResponse", async () => {
    const second = deferred<unknown>();
    await withServer(
      async (req, res) => {
        await new Response("once").writeTo(res, req);
        second.resolve(await new Response("twice").writeTo(res, req).catch((error: unknown) => error));
      },
      async (url) => {
        expect((await request(url)).body.toString()).toBe("once");
        expect(await withTimeout(second.promise)).toBeInstanceOf(Error);
      },
    );
  });

  it("waits for the client to read before pulling more (backpressure)", async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const total = 64 * 1024 * 1024;
    let produced = 0;
    async function* big(): AsyncGenerator<Buffer> {
      while (produced < total) {
        produced += chunk.byteLength;
        yield chunk;
      }
    }
    const done = deferred();
    await withServer(
      async (req, res) => {
        await new Response(big()).writeTo(res, req);
        done.resolve();
      },
      async (url) => {
        let received = 0;
        const finished = new Promise<void>((resolve, reject) => {
          const req = http.get(url, { agent: false }, (res) => {
            res.pause();
            // While the client reads nothing, the server may fill socket buffers but
            // must not pull the whole 64 MB from the generator.
            setTimeout(() => {
              try {
                expect(produced).toBeGreaterThan(0);
                expect(produced).toBeLessThan(24 * 1024 * 1024);
              } catch (error) {
                reject(error);
                req.destroy();
                return;
              }
              res.on("data", (data: Buffer) => (received += data.byteLength));
              res.on("end", resolve);
              res.resume();
            }, 300);
          });
          req.on("error", reject);
        });
        await withTimeout(finished, 20_000);
        expect(received).toBe(total);
        await withTimeout(done.promise);
      },
    );
  }, 30_000);

  it("stops cleanly when the client disconnects mid-stream and goes on serving", async () => {
    const cleanedUp = deferred();
    const writeSettled = deferred<string>();
    async function* endless(): AsyncGenerator<Buffer> {
      try {
        for (;;) yield Buffer.alloc(16 * 1024, 97);
      } finally {
        cleanedUp.resolve();
      }
    }
    await withServer(
      (req, res) => {
        if (req.url === "/endless") {
          return new Response(endless())
            .writeTo(res, req)
            .then(
              () => writeSettled.resolve("resolved"),
              (error: unknown) => writeSettled.resolve(`rejected: ${String(error)}`),
            );
        }
        return new Response("still here").writeTo(res, req);
      },
      async (url) => {
        await new Promise<void>((resolve, reject) => {
          const req = http.get(`${url}/endless`, { agent: false }, (res) => {
            res.once("data", () => {
              req.destroy();
              resolve();
            });
          });
          req.on("error", () => undefined);
          setTimeout(() => reject(new Error("no data")), 5000).unref();
        });
        await withTimeout(cleanedUp.promise);
        expect(await withTimeout(writeSettled.promise)).toBe("resolved");
        expect((await request(url)).body.toString()).toBe("still here");
      },
    );
  });

  it("destroys a Readable source when the client disconnects", async () => {
    const source = new Readable({ read() {} });
    source.push("first chunk");
    const settled = deferred();
    await withServer(
      async (req, res) => {
        await new Response(source).writeTo(res, req);
        settled.resolve();
      },
      async (url) => {
        await new Promise<void>((resolve) => {
          const req = http.get(url, { agent: false }, (res) => {
            res.once("data", () => {
              req.destroy();
              resolve();
            });
          });
          req.on("error", () => undefined);
        });
        // The source never pushes again: only the disconnect can end the write.
        await withTimeout(settled.promise);
        expect(source.destroyed).toBe(true);
      },
    );
  });

  it("cuts the connection and reports an error thrown mid-stream", async () => {
    const reported = deferred<unknown>();
    async function* failing(): AsyncGenerator<string> {
      yield "partial ";
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error("database went away");
    }
    await withServer(
      (req, res) => {
        if (req.url === "/ok") return new Response("fine").writeTo(res, req);
        return new Response(failing()).writeTo(res, req).then(
          () => reported.resolve("no error"),
          (error: unknown) => reported.resolve(error),
        );
      },
      async (url) => {
        const fetched = await fetch(url);
        expect(fetched.status).toBe(200);
        await expect(fetched.text()).rejects.toThrow();
        const error = await withTimeout(reported.promise);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toBe("database went away");
        // The server survives it.
        expect((await request(`${url}/ok`)).body.toString()).toBe("fine");
      },
    );
  });

  it("leaves the response untouched when a stream fails before its first chunk", async () => {
    async function* failing(): AsyncGenerator<string> {
      throw new Error("nothing to send");
    }
    await withServer(
      async (req, res) => {
        try {
          await new Response(failing()).writeTo(res, req);
        } catch (error) {
          expect(res.headersSent).toBe(false);
          await new InternalServerErrorPage(String(error)).writeTo(res, req);
        }
      },
      async (url) => {
        const reply = await request(url);
        expect(reply.statusCode).toBe(500);
      },
    );
  });

  it("reports an error from a callOnClose function after sending", async () => {
    const reported = deferred<unknown>();
    await withServer(
      (req, res) => {
        const response = new Response("ok");
        response.callOnClose(() => {
          throw new Error("teardown failed");
        });
        return response.writeTo(res, req).then(
          () => reported.resolve("no error"),
          (error: unknown) => reported.resolve(error),
        );
      },
      async (url) => {
        expect((await request(url)).body.toString()).toBe("ok");
        expect(String(await withTimeout(reported.promise))).toContain("teardown failed");
      },
    );
  });
});

/** A tiny 500 page, as the framework would send after a failed stream. */
class InternalServerErrorPage extends Response {
  constructor(message: string) {
    super(`<p>${message.length} chars of error</p>`, { status: 500 });
  }
}
