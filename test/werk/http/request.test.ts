import { describe, expect, it, vi } from "vitest";
import {
  Authorization,
  BadRequest,
  CombinedMultiDict,
  Headers,
  hostIsTrusted,
  ImmutableMultiDict,
  LanguageAccept,
  Map as UrlMap,
  MIMEAccept,
  parseQueryString,
  Request,
  Rule,
  SecurityError,
} from "@flagon/werk";
import { fakeRequest } from "./request-helpers.js";

function request(url: string, headers: Record<string, string> | Array<[string, string]> = {}, opts = {}): Request {
  return new Request(fakeRequest({ url, headers }), opts);
}

describe("Request construction", () => {
  it("parses nothing until a property is read", () => {
    const req = fakeRequest({ url: "/a?b=c", headers: { Host: "example.com", Cookie: "a=1" } });
    const urlGetter = vi.fn(() => "/a?b=c");
    const headersGetter = vi.fn(() => ({ host: "example.com" }));
    Object.defineProperty(req, "url", { get: urlGetter, configurable: true });
    Object.defineProperty(req, "headers", { get: headersGetter, configurable: true });
    const r = new Request(req, { maxContentLength: 10 });
    expect(urlGetter).not.toHaveBeenCalled();
    expect(headersGetter).not.toHaveBeenCalled();
    expect(r.path).toBe("/a");
    expect(r.raw).toBe(req);
  });

  it("caches parsed properties", () => {
    const r = request("/?a=1", { Host: "example.com", Accept: "text/html" });
    expect(r.args).toBe(r.args);
    expect(r.headers).toBe(r.headers);
    expect(r.cookies).toBe(r.cookies);
    expect(r.acceptMimetypes).toBe(r.acceptMimetypes);
  });

  it("has Werkzeug's default limits, settable as properties", () => {
    const r = request("/");
    expect(r.maxContentLength).toBeNull();
    expect(r.maxFormMemorySize).toBe(500_000);
    expect(r.maxFormParts).toBe(1000);
    r.maxContentLength = 5;
    expect(r.maxContentLength).toBe(5);
    const unlimited = request("/", {}, { maxFormMemorySize: null, maxFormParts: null });
    expect(unlimited.maxFormMemorySize).toBeNull();
    expect(unlimited.maxFormParts).toBeNull();
  });
});

describe("Request URL", () => {
  it("upper-cases the method", () => {
    expect(new Request(fakeRequest({ method: "patch" })).method).toBe("PATCH");
    expect(new Request(fakeRequest({ method: "get" })).method).toBe("GET");
  });

  it("decodes the path as UTF-8 and keeps the raw one for routing", () => {
    const r = request("/hello/%E4%B8%AD?x=1");
    expect(r.path).toBe("/hello/中");
    expect(r.rawPath).toBe("/hello/%E4%B8%AD");
    expect(r.queryString).toBe("x=1");
  });

  it("never throws on a malformed path", () => {
    expect(request("/a%zz%").path).toBe("/a%zz%");
    expect(request("/a%").path).toBe("/a%");
    // Invalid UTF-8 stays percent-encoded instead of becoming U+FFFD.
    expect(request("/a%FFb").path).toBe("/a%FFb");
    expect(request("/%E4%B8").path).toBe("/%E4%B8");
    expect(request("/ok%C3%A9%C3").path).toBe("/oké%C3");
    expect(request("/%ED%A0%80").path).toBe("/%ED%A0%80"); // an encoded surrogate is not UTF-8
  });

  it("gives the path exactly one leading slash, as Werkzeug does", () => {
    const r = request("//double//slash");
    expect(r.path).toBe("/double//slash");
    expect(r.rawPath).toBe("//double//slash");
  });

  it("decodes %2F in the path but keeps it raw in rawPath", () => {
    const r = request("/a%2Fb");
    expect(r.path).toBe("/a/b");
    expect(r.rawPath).toBe("/a%2Fb");
  });

  it("builds fullPath with the raw query, always with the question mark", () => {
    expect(request("/bar?foo=baz").fullPath).toBe("/bar?foo=baz");
    expect(request("/bar").fullPath).toBe("/bar?");
    const quoted = "http%3A%2F%2Fwww.example.com%2F%3Fnext%3D%2Fbaz%23my%3Dhash";
    expect(request(`/bar?next=${quoted}`).fullPath).toBe(`/bar?next=${quoted}`);
  });

  it("builds url, baseUrl, urlRoot and hostUrl under a script root", () => {
    const r = request("/test/bar?foo=baz", { Host: "example.com" }, { scriptRoot: "/test/" });
    expect(r.scriptRoot).toBe("/test");
    expect(r.path).toBe("/bar");
    expect(r.rawPath).toBe("/bar");
    expect(r.fullPath).toBe("/bar?foo=baz");
    expect(r.url).toBe("http://example.com/test/bar?foo=baz");
    expect(r.baseUrl).toBe("http://example.com/test/bar");
    expect(r.urlRoot).toBe("http://example.com/test/");
    expect(r.hostUrl).toBe("http://example.com/");
    expect(r.host).toBe("example.com");
    expect(r.scheme).toBe("http");
  });

  it("keeps a path outside the script root whole (a proxy may strip the prefix)", () => {
    const r = request("/bar", { Host: "example.com" }, { scriptRoot: "/test" });
    expect(r.path).toBe("/bar");
    expect(r.url).toBe("http://example.com/test/bar");
    expect(request("/testing", {}, { scriptRoot: "/test" }).path).toBe("/testing");
    expect(request("/test", {}, { scriptRoot: "/test" }).rawPath).toBe("/");
  });

  it("decodes the query in url except for characters that would change its meaning", () => {
    const quoted = "http%3A%2F%2Fwww.example.com%2F%3Fnext%3D%2Fbaz%23my%3Dhash";
    const r = request(`/bar?next=${quoted}`, { Host: "example.com" });
    expect(r.url).toBe("http://example.com/bar?next=http://www.example.com/?next%3D/baz%23my%3Dhash");
  });

  it("gives url as an IRI with Unicode left decoded", () => {
    const r = request("/%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82?q=%E4%B8%AD", { Host: "localhost" });
    expect(r.url).toBe("http://localhost/привет?q=中");
    expect(String(r)).toBe("<Request 'http://localhost/привет?q=中' [GET]>");
    expect(request("/a%20b%3Fc", { Host: "h" }).url).toBe("http://h/a%20b%3Fc");
    expect(request("/", { Host: "xn--n3h.net" }).hostUrl).toBe("http://☃.net/");
  });

  it("takes scheme and host from an absolute-form request target", () => {
    const r = request("http://other.example:8080/x?y=1", { Host: "ignored.example" });
    expect(r.host).toBe("other.example:8080");
    expect(r.path).toBe("/x");
    expect(r.queryString).toBe("y=1");
  });

  it("drops a fragment a client sent", () => {
    const r = request("/p?q=1#frag");
    expect(r.path).toBe("/p");
    expect(r.queryString).toBe("q=1");
  });

  it("reports https for TLS sockets", () => {
    const r = new Request(fakeRequest({ url: "/", headers: { Host: "example.com:443" }, encrypted: true }));
    expect(r.scheme).toBe("https");
    expect(r.isSecure).toBe(true);
    expect(r.host).toBe("example.com");
    expect(r.url).toBe("https://example.com/");
    expect(request("/").isSecure).toBe(false);
  });
});

describe("Request query arguments", () => {
  it("parses repeated keys, blanks and plus signs", () => {
    const r = request("/?foo=bar&foo=hehe&q=hello+world&empty=&flag&&=x");
    expect(r.args).toBeInstanceOf(ImmutableMultiDict);
    expect(r.args.getAll("foo")).toEqual(["bar", "hehe"]);
    expect(r.args.get("q")).toBe("hello world");
    expect(r.args.get("empty")).toBe("");
    expect(r.args.get("flag")).toBe("");
    expect(r.args.get("")).toBe("x");
  });

  it("keeps malformed percent-escapes as text, never throwing", () => {
    const r = request("/?a=%zz&b=%&c=100%&d=%E4%B8&e=%FF%41&%E4%B8%AD=%2f");
    expect(r.args.get("a")).toBe("%zz");
    expect(r.args.get("b")).toBe("%");
    expect(r.args.get("c")).toBe("100%");
    expect(r.args.get("d")).toBe("%E4%B8");
    expect(r.args.get("e")).toBe("%FFA");
    expect(r.args.get("中")).toBe("/");
    expect(r.queryString).toBe("a=%zz&b=%&c=100%&d=%E4%B8&e=%FF%41&%E4%B8%AD=%2f");
  });

  it("is empty without a query", () => {
    expect(request("/").args.size).toBe(0);
    expect(request("/?").args.size).toBe(0);
  });

  it("is exported as parseQueryString", () => {
    expect(parseQueryString("a=1&a=2&b=%20x+y").toObject(false)).toEqual({ a: ["1", "2"], b: [" x y"] });
  });
});

describe("Request host", () => {
  it("uses the Host header, dropping the default port", () => {
    expect(request("/", { Host: "example.com:80" }).host).toBe("example.com");
    expect(request("/", { Host: "example.com:8080" }).host).toBe("example.com:8080");
    expect(request("/", { Host: "[::1]:8080" }).host).toBe("[::1]:8080");
  });

  it("falls back to the socket's local address (HTTP/1.0 without Host)", () => {
    const v4 = new Request(fakeRequest({ localAddress: "10.0.0.5", localPort: 8000 }));
    expect(v4.host).toBe("10.0.0.5:8000");
    const v6 = new Request(fakeRequest({ localAddress: "::1", localPort: 80 }));
    expect(v6.host).toBe("[::1]");
    expect(new Request(fakeRequest()).host).toBe("");
  });

  it("uses HTTP/2's :authority when there is no Host header", () => {
    const req = fakeRequest({ url: "/" });
    req.headers[":authority"] = "h2.example.com";
    expect(new Request(req).host).toBe("h2.example.com");
  });

  it("gives an empty host for invalid characters when no hosts are trusted", () => {
    expect(request("/", { Host: "exa mple.com" }).host).toBe("");
    expect(request("/", { Host: "evil.com/path" }).host).toBe("");
    expect(request("/", { Host: "" }).host).toBe("");
  });

  it("accepts trusted hosts, with leading-dot wildcards and ports ignored", () => {
    const trusted = { trustedHosts: ["example.com", ".example.org"] };
    expect(request("/", { Host: "example.com" }, trusted).host).toBe("example.com");
    expect(request("/", { Host: "EXAMPLE.com:8443" }, trusted).host).toBe("EXAMPLE.com:8443");
    expect(request("/", { Host: "example.org" }, trusted).host).toBe("example.org");
    expect(request("/", { Host: "api.v2.example.org:8080" }, trusted).host).toBe("api.v2.example.org:8080");
  });

  it("throws SecurityError (400) for an untrusted host, on every URL property", () => {
    const opts = { trustedHosts: ["example.org"] };
    for (const prop of ["host", "url", "baseUrl", "urlRoot", "hostUrl"] as const) {
      const r = request("/x", { Host: "evil.com" }, opts);
      let caught: unknown;
      try {
        void r[prop];
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SecurityError);
      expect(caught).toBeInstanceOf(BadRequest);
      expect((caught as SecurityError).code).toBe(400);
      expect((caught as SecurityError).description).toContain("evil.com");
    }
    // Subdomains are not trusted without the leading dot; look-alike suffixes never are.
    expect(() => request("/", { Host: "sub.example.org" }, opts).host).toThrow(SecurityError);
    expect(() => request("/", { Host: "badexample.org" }, { trustedHosts: [".example.org"] }).host).toThrow(SecurityError);
    // Invalid characters with trusted hosts set are rejected too, not silently emptied.
    expect(() => request("/", { Host: "example.org\\@evil" }, opts).host).toThrow(SecurityError);
    expect(() => new Request(fakeRequest(), opts).host).not.toThrow();
  });

  it("leaves a request usable after an untrusted host was rejected", () => {
    const r = request("/x?y=1", { Host: "evil.com" }, { trustedHosts: ["example.org"] });
    expect(() => r.url).toThrow(SecurityError);
    expect(r.path).toBe("/x");
    expect(r.args.get("y")).toBe("1");
    expect(String(r)).toContain("invalid URL");
  });

  it("hostIsTrusted follows Werkzeug's host_is_trusted", () => {
    expect(hostIsTrusted("example.org", [".example.org"])).toBe(true);
    expect(hostIsTrusted("example.org:8080", [".example.org"])).toBe(true);
    expect(hostIsTrusted("example.org", ["example.com"])).toBe(false);
    expect(hostIsTrusted("example.org", ["example.org:9000"])).toBe(true);
    expect(hostIsTrusted("bücher.example", ["bücher.example"])).toBe(false); // Host headers arrive IDNA-encoded
    expect(hostIsTrusted("xn--bcher-kva.example", ["bücher.example"])).toBe(true);
    expect(hostIsTrusted("[::1]:80", ["[::1]"])).toBe(true);
    expect(hostIsTrusted("anything.example", [])).toBe(true);
    expect(hostIsTrusted("", null)).toBe(false);
    expect(hostIsTrusted("a b", null)).toBe(false);
  });

  it("hostIsTrusted still checks the trusted list for a host it has just accepted", () => {
    expect(hostIsTrusted("repeat.example", null)).toBe(true);
    expect(hostIsTrusted("repeat.example", null)).toBe(true);
    expect(hostIsTrusted("repeat.example", ["other.example"])).toBe(false);
    expect(hostIsTrusted("repeat.example/evil", null)).toBe(false);
    expect(hostIsTrusted("repeat.example", null)).toBe(true);
  });
});

describe("Request client address", () => {
  it("reads remoteAddr and the X-Forwarded-For route", () => {
    const r = new Request(
      fakeRequest({ headers: { "X-Forwarded-For": "192.168.1.2, 192.168.1.1" }, remoteAddress: "192.168.1.3" }),
    );
    expect(r.accessRoute).toEqual(["192.168.1.2", "192.168.1.1"]);
    expect(r.remoteAddr).toBe("192.168.1.3");
    expect(new Request(fakeRequest({ remoteAddress: "192.168.1.3" })).accessRoute).toEqual(["192.168.1.3"]);
  });
});

describe("Request headers", () => {
  it("keeps the client's spelling, order and repeated headers", () => {
    const r = request("/", [
      ["Host", "example.com"],
      ["X-Custom", "a"],
      ["x-custom", "b"],
    ]);
    expect(r.headers).toBeInstanceOf(Headers);
    expect(r.headers.getAll("X-CUSTOM")).toEqual(["a", "b"]);
    expect(r.headers.toList()).toEqual([
      ["Host", "example.com"],
      ["X-Custom", "a"],
      ["x-custom", "b"],
    ]);
  });

  it("leaves out HTTP/2 pseudo-headers", () => {
    const req = fakeRequest({ headers: [[":method", "GET"], [":path", "/"], ["accept", "*/*"]] });
    expect(new Request(req).headers.toList()).toEqual([["accept", "*/*"]]);
  });

  it("reads the common request headers", () => {
    const r = request("/", {
      "Content-Type": "Text/HTML; charset=utf-8",
      "Content-Length": "23",
      Referer: "http://www.example.com/",
      "Content-Encoding": "gzip",
      "User-Agent": "curl/8.0",
      Origin: "https://app.example.com",
    });
    expect(r.contentType).toBe("Text/HTML; charset=utf-8");
    expect(r.mimetype).toBe("text/html");
    expect(r.mimetypeParams).toEqual({ charset: "utf-8" });
    expect(r.contentLength).toBe(23);
    expect(r.referrer).toBe("http://www.example.com/");
    expect(r.contentEncoding).toBe("gzip");
    expect(r.userAgent).toBe("curl/8.0");
    expect(r.origin).toBe("https://app.example.com");
    const bare = request("/");
    expect(bare.contentType).toBeUndefined();
    expect(bare.mimetype).toBe("");
    expect(bare.mimetypeParams).toEqual({});
    expect(bare.userAgent).toBe("");
    expect(bare.contentLength).toBeUndefined();
  });

  it("gives no contentLength for garbage, negative or chunked lengths", () => {
    expect(request("/", { "Content-Length": "-5" }).contentLength).toBeUndefined();
    expect(request("/", { "Content-Length": "12abc" }).contentLength).toBeUndefined();
    expect(request("/", { "Content-Length": "+5" }).contentLength).toBeUndefined();
    expect(request("/", { "Content-Length": "0" }).contentLength).toBe(0);
    expect(request("/", { "Content-Length": "5", "Transfer-Encoding": "chunked" }).contentLength).toBeUndefined();
  });

  it("recognises JSON mimetypes", () => {
    expect(request("/", { "Content-Type": "APPLICATION/JSON" }).isJson).toBe(true);
    expect(request("/", { "Content-Type": "application/vnd.api+json; charset=utf-8" }).isJson).toBe(true);
    expect(request("/", { "Content-Type": "text/json" }).isJson).toBe(false);
    expect(request("/", { "Content-Type": "application/jsonx" }).isJson).toBe(false);
  });

  it("parses the Accept headers", () => {
    const r = request("/", {
      Accept: "text/xml,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png",
      "Accept-Language": "en-us,de;q=0.5",
      "Accept-Charset": "ISO-8859-1,utf-8;q=0.7",
      "Accept-Encoding": "gzip, br;q=0.9",
    });
    expect(r.acceptMimetypes).toBeInstanceOf(MIMEAccept);
    expect(r.acceptMimetypes.bestMatch(["text/plain", "text/html"])).toBe("text/html");
    expect(r.acceptMimetypes.quality("image/png")).toBe(1);
    expect(r.acceptLanguages).toBeInstanceOf(LanguageAccept);
    expect(r.acceptLanguages.best).toBe("en-us");
    expect(r.acceptLanguages.bestMatch(["de", "fr"])).toBe("de");
    expect(r.acceptCharsets.quality("utf-8")).toBe(0.7);
    expect(r.acceptEncodings.bestMatch(["br", "gzip"])).toBe("gzip");
    expect(request("/").acceptMimetypes.provided).toBe(false);
  });

  it("parses Authorization, and gives undefined for a malformed one", () => {
    const basic = request("/", { Authorization: "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==" }).authorization;
    expect(basic).toBeInstanceOf(Authorization);
    expect(basic?.type).toBe("basic");
    expect(basic?.username).toBe("Aladdin");
    expect(basic?.password).toBe("open sesame");
    expect(request("/", { Authorization: "Bearer abc.def" }).authorization?.token).toBe("abc.def");
    expect(request("/", { Authorization: "Basic !!!not-base64" }).authorization).toBeUndefined();
    expect(request("/").authorization).toBeUndefined();
  });

  it("parses the conditional headers", () => {
    const r = request("/", {
      "If-None-Match": 'W/"weak", "strong"',
      "If-Match": '"m1"',
      "If-Modified-Since": "Sat, 28 Feb 2009 19:04:35 GMT",
      "If-Unmodified-Since": "not a date",
      Range: "bytes=0-499",
      "If-Range": '"tag"',
    });
    expect(r.ifNoneMatch.contains("strong")).toBe(true);
    expect(r.ifNoneMatch.containsWeak("weak")).toBe(true);
    expect(r.ifNoneMatch.containsRaw('W/"weak"')).toBe(true);
    expect(r.ifMatch.contains("m1")).toBe(true);
    expect(r.ifModifiedSince?.toISOString()).toBe("2009-02-28T19:04:35.000Z");
    expect(r.ifUnmodifiedSince).toBeUndefined();
    expect(r.range?.units).toBe("bytes");
    expect(r.range?.ranges).toEqual([[0, 500]]);
    expect(r.ifRange.etag).toBe("tag");
    const bare = request("/");
    expect(bare.range).toBeUndefined();
    expect(bare.ifNoneMatch.contains("x")).toBe(false);
    expect(bare.ifRange.etag).toBeUndefined();
    expect(request("/", { Range: "bytes=garbage" }).range).toBeUndefined();
  });
});

describe("Request cookies", () => {
  it("parses cookies, joining repeated Cookie headers", () => {
    const r = request("/", [
      ["Cookie", "a=1; b=2"],
      ["Cookie", "a=3"],
    ]);
    expect(r.cookies.getAll("a")).toEqual(["1", "3"]);
    expect(r.cookies.get("b")).toBe("2");
  });

  it("survives garbled cookies without throwing", () => {
    for (const header of ['=;;;', '"unterminated', "a=\u0000b; ;=; c", "\u00ff\u00fe=\u00e9", "; ; ;", "x=%zz"]) {
      const r = request("/", { Cookie: header });
      expect(() => r.cookies).not.toThrow();
      expect(r.cookies).toBeInstanceOf(ImmutableMultiDict);
    }
    expect(request("/", { Cookie: ";;;" }).cookies.size).toBe(0);
    expect(request("/").cookies.size).toBe(0);
  });
});

describe("Request with the router", () => {
  it("matches through map.bindToRequest with a decoded path and script root", () => {
    const map = new UrlMap([new Rule("/hello/<name>", { endpoint: "hello" })]);
    const r = request("/app/hello/%E4%B8%AD?x=1", { Host: "example.com" }, { scriptRoot: "/app" });
    const adapter = map.bindToRequest(r);
    expect(adapter.match()).toEqual(["hello", { name: "中" }]);
    expect(adapter.build("hello", { name: "x" }, { forceExternal: true })).toBe("http://example.com/app/hello/x");
  });

  it("refuses an untrusted host when binding", () => {
    const map = new UrlMap([new Rule("/", { endpoint: "index" })]);
    const r = request("/", { Host: "evil.com" }, { trustedHosts: ["example.com"] });
    expect(() => map.bindToRequest(r)).toThrow(SecurityError);
  });
});

describe("Request values", () => {
  it("is args alone for a GET without a body", () => {
    const r = request("/?a=1");
    expect(r.values).toBeInstanceOf(CombinedMultiDict);
    expect(r.values.get("a")).toBe("1");
    expect(r.form.size).toBe(0);
  });
});
