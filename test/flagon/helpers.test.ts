import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BuildError, Forbidden, NotFound, Unauthorized } from "@flagon/werk";
import { Flagon, Response, abort, g, jsonify, makeResponse, redirect, sendFile, sendFromDirectory, urlFor } from "flagon";

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "flagon-helpers-"));
  mkdirSync(join(root, "static", "sub"), { recursive: true });
  writeFileSync(join(root, "static", "index.html"), "<h1>Hello World!</h1>\n");
  writeFileSync(join(root, "static", "style.css"), "body { margin: 0 }\n");
  writeFileSync(join(root, "static", "sub", "hello.txt"), "Hello Subdomain\n");
  writeFileSync(join(root, "secret.txt"), "top secret\n");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const newApp = (opts: ConstructorParameters<typeof Flagon>[1] = {}) => {
  const app = new Flagon("t", { rootPath: root, ...opts });
  app.testing = true;
  return app;
};

describe("urlFor in a request context", () => {
  test("builds a path, or an absolute URL with _external, quoting values", async () => {
    const app = newApp();
    app.addUrlRule("/hello/<name>", { endpoint: "hello", methods: ["POST"], view: () => "" });
    await app.testRequestContext().run(() => {
      expect(urlFor("hello", { name: "test x" })).toBe("/hello/test%20x");
      expect(urlFor("hello", { name: "test x", _external: true })).toBe("http://localhost/hello/test%20x");
    });
  });

  test("puts unknown values in the query string and drops undefined ones", async () => {
    const app = newApp();
    app.get("/", function index() { return ""; });
    await app.testRequestContext().run(() => {
      expect(urlFor("index", { page: 2, tag: ["a", "b"], skip: undefined })).toBe("/?page=2&tag=a&tag=b");
    });
  });

  test("quotes the anchor", async () => {
    const app = newApp();
    app.get("/", function index() { return ""; });
    await app.testRequestContext().run(() => {
      expect(urlFor("index", { _anchor: "x y" })).toBe("/#x%20y");
      expect(urlFor("index", { _anchor: "a/b?c" })).toBe("/#a/b?c");
    });
  });

  test("uses _scheme for external URLs and switches back afterwards", async () => {
    const app = newApp();
    app.get("/", function index() { return ""; });
    await app.testRequestContext().run(() => {
      expect(urlFor("index", { _external: true })).toBe("http://localhost/");
      expect(urlFor("index", { _external: true, _scheme: "https" })).toBe("https://localhost/");
      expect(urlFor("index", { _external: true })).toBe("http://localhost/");
    });
  });

  test("_scheme alone implies _external; with _external false it is an error", async () => {
    const app = newApp();
    app.addUrlRule("/", { endpoint: "index" });
    await app.testRequestContext().run(() => {
      expect(urlFor("index", { _scheme: "https" })).toBe("https://localhost/");
      expect(() => urlFor("index", { _scheme: "https", _external: false })).toThrow(/'_scheme'.*'_external' is false/);
    });
  });

  test("_method picks the rule for that method", async () => {
    const app = newApp();
    const view = () => "";
    app.addUrlRule("/myview/", { endpoint: "myview", methods: ["GET"], view });
    app.addUrlRule("/myview/<int:id>", { endpoint: "myview", methods: ["GET"], view });
    app.addUrlRule("/myview/create", { endpoint: "myview", methods: ["POST"], view });
    await app.testRequestContext().run(() => {
      expect(urlFor("myview", { _method: "GET" })).toBe("/myview/");
      expect(urlFor("myview", { id: 42, _method: "GET" })).toBe("/myview/42");
      expect(urlFor("myview", { _method: "POST" })).toBe("/myview/create");
    });
  });

  test("resolves .view against the blueprint of the matched endpoint", async () => {
    const app = newApp();
    app.addUrlRule("/", { endpoint: "index", view: () => "" });
    app.addUrlRule("/bp/", { endpoint: "bp.index", view: () => "" });
    app.addUrlRule("/bp/other", { endpoint: "bp.other", view: () => "" });
    app.addUrlRule("/a/b/", { endpoint: "a.b.index", view: () => "" });
    await app.testRequestContext("/bp/").run(() => {
      expect(urlFor(".other")).toBe("/bp/other");
      expect(urlFor(".index")).toBe("/bp/");
      expect(urlFor("index")).toBe("/");
    });
    await app.testRequestContext("/a/b/").run(() => expect(urlFor(".index")).toBe("/a/b/"));
    await app.testRequestContext("/").run(() => expect(urlFor(".index")).toBe("/"));
    // No matched rule (a 404): no blueprint, the dot is dropped.
    await app.testRequestContext("/missing").run(() => expect(urlFor(".index")).toBe("/"));
  });

  test("resolves .view inside a view served by the test client", async () => {
    const app = newApp();
    app.addUrlRule("/bp/", { endpoint: "bp.index", view: () => urlFor(".other", { x: 1 }) });
    app.addUrlRule("/bp/other", { endpoint: "bp.other", view: () => "" });
    expect((await app.testClient().get("/bp/")).text).toBe("/bp/other?x=1");
  });

  test("makes URLs to another subdomain absolute", async () => {
    const app = newApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "localhost.localdomain";
    app.get("/", function normal() { return ""; });
    app.addUrlRule("/", { endpoint: "testIndex", subdomain: "test", view: () => "" });
    app.addUrlRule("/u", { endpoint: "user", subdomain: "<user>", view: () => "" });
    await app.testRequestContext("/", { baseUrl: "http://localhost.localdomain" }).run(() => {
      expect(urlFor("normal")).toBe("/");
      expect(urlFor("testIndex")).toBe("http://test.localhost.localdomain/");
      expect(urlFor("user", { user: "mitsuhiko" })).toBe("http://mitsuhiko.localhost.localdomain/u");
    });
    await app.testRequestContext("/", { baseUrl: "http://test.localhost.localdomain" }).run(() => {
      expect(urlFor("testIndex")).toBe("/");
      expect(urlFor("normal")).toBe("http://localhost.localdomain/");
    });
  });

  test("matches subdomains of SERVER_NAME through the test client", async () => {
    const app = newApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "localhost.localdomain:3000";
    app.get("/", { subdomain: "<user>" })(function index({ user }: { user: string }) {
      return `index for ${user}`;
    });
    const rv = await app.testClient().get("/", { baseUrl: "http://mitsuhiko.localhost.localdomain:3000" });
    expect(rv.text).toBe("index for mitsuhiko");
  });
});

// Needs app.ts createUrlAdapter to force the subdomain to `defaultSubdomain || ""` when
// subdomain matching is off (Flask's create_url_adapter); today werk infers "www".
test("without subdomain matching, any subdomain of SERVER_NAME reaches the app", async () => {
  const app = newApp();
  app.config.SERVER_NAME = "localhost.localdomain:3000";
  app.get("/", () => ["", 204]);
  const rv = await app.testClient().get("/", { baseUrl: "http://www.localhost.localdomain:3000" });
  expect(rv.statusCode).toBe(204);
});

describe("urlFor outside a request", () => {
  test("builds absolute URLs from SERVER_NAME and PREFERRED_URL_SCHEME", async () => {
    const app = newApp();
    app.config.SERVER_NAME = "localhost";
    app.config.PREFERRED_URL_SCHEME = "https";
    app.get("/", function index() { return ""; });
    await app.appContext().run(() => expect(urlFor("index")).toBe("https://localhost/"));
  });

  test("prefixes APPLICATION_ROOT, and gives a path with _external false", async () => {
    const app = newApp();
    Object.assign(app.config, { SERVER_NAME: "example.com:8080", APPLICATION_ROOT: "/app" });
    app.get("/post/<int:id>", function post() { return ""; });
    await app.appContext().run(() => {
      expect(urlFor("post", { id: 3, q: "x" })).toBe("http://example.com:8080/app/post/3?q=x");
      expect(urlFor("post", { id: 3, _external: false })).toBe("/app/post/3");
      expect(urlFor("post", { id: 3, _scheme: "https", _anchor: "c" })).toBe("https://example.com:8080/app/post/3#c");
    });
  });

  test("builds subdomain URLs from SERVER_NAME", async () => {
    const app = newApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.com";
    app.addUrlRule("/", { endpoint: "api", subdomain: "api", view: () => "" });
    await app.appContext().run(() => expect(urlFor("api")).toBe("http://api.example.com/"));
  });

  test("explains that SERVER_NAME is needed without a request", async () => {
    const app = newApp();
    app.get("/", function index() { return ""; });
    await expect(app.appContext().run(() => urlFor("index"))).rejects.toThrow(/without 'SERVER_NAME' configured/);
  });

  test("needs an application context", () => {
    expect(() => urlFor("index")).toThrow(/Working outside of application context/);
  });
});

describe("url defaults and build errors", () => {
  test("urlDefaults and urlValuePreprocessor carry a language code", async () => {
    const app = newApp();
    app.urlDefaults((endpoint: string, values: Record<string, unknown>) => {
      if (g.langCode !== undefined && app.urlMap.isEndpointExpecting(endpoint, "langCode")) values.langCode ??= g.langCode;
    });
    app.urlValuePreprocessor((_endpoint: string, values: Record<string, unknown>) => {
      g.langCode = values.langCode;
      delete values.langCode;
    });
    app.get("/<langCode>/", function index() { return urlFor("about"); });
    app.get("/<langCode>/about", function about() { return urlFor("somethingElse"); });
    app.get("/foo", function somethingElse() { return urlFor("about", { langCode: "en" }); });
    const client = app.testClient();
    expect((await client.get("/de/")).text).toBe("/de/about");
    expect((await client.get("/de/about")).text).toBe("/foo");
    expect((await client.get("/foo")).text).toBe("/en/about");
  });

  test("urlDefaults see the endpoint and do not change the caller's values", async () => {
    const app = newApp();
    const seen: string[] = [];
    app.urlDefaults((endpoint: string, values: Record<string, unknown>) => {
      seen.push(endpoint);
      values.page = "login";
    });
    app.get("/<page>", function view() { return ""; });
    const values = {};
    await app.testRequestContext("/x").run(() => expect(urlFor("view", values)).toBe("/login"));
    expect(seen).toEqual(["view"]);
    expect(values).toEqual({});
  });

  test("throws a BuildError for an unknown endpoint or missing values", async () => {
    const app = newApp();
    app.get("/post/<int:id>", function post() { return ""; });
    await app.testRequestContext().run(() => {
      expect(() => urlFor("spam")).toThrow(BuildError);
      expect(() => urlFor("post")).toThrow(BuildError);
      expect(() => urlFor("post", { id: "x" })).toThrow();
    });
  });

  test("a build error handler's URL is returned; undefined tries the next", async () => {
    const app = newApp();
    const calls: string[] = [];
    app.urlBuildErrorHandlers.push((_error, endpoint) => {
      calls.push(`first:${endpoint}`);
      return undefined;
    });
    app.urlBuildErrorHandlers.push((error, endpoint) => {
      expect(error).toBeInstanceOf(BuildError);
      calls.push(`second:${endpoint}`);
      return "/test_handler/";
    });
    await app.testRequestContext().run(() => expect(urlFor("spam")).toBe("/test_handler/"));
    expect(calls).toEqual(["first:spam", "second:spam"]);
  });

  // Needs app.ts handleUrlBuildError to catch a BuildError thrown by a handler, keep it as
  // the error to throw, and try the next handler (Flask's handle_url_build_error).
  test("a handler's BuildError goes on to the next handler", async () => {
    const app = newApp();
    app.urlBuildErrorHandlers.push((error) => {
      throw error;
    });
    app.urlBuildErrorHandlers.push(() => "/second");
    await app.testRequestContext().run(() => expect(urlFor("x")).toBe("/second"));
  });

  test("a build error handler that rethrows lets the BuildError propagate", async () => {
    const app = newApp();
    app.urlBuildErrorHandlers.push((error) => {
      throw error;
    });
    await app.testRequestContext().run(() => expect(() => urlFor("not.existing")).toThrow(BuildError));
  });

  test("build error handlers receive the special values", async () => {
    const app = newApp();
    let received: Record<string, unknown> | undefined;
    app.urlBuildErrorHandlers.push((_error, _endpoint, values) => {
      received = { ...values };
      return "handled";
    });
    await app.testRequestContext().run(() => expect(urlFor("/")).toBe("handled"));
    expect(received).toStrictEqual({ _external: false, _anchor: undefined, _method: undefined, _scheme: undefined });
    await app.testRequestContext().run(() => urlFor("nope", { a: 1, _anchor: "x", _scheme: "https" }));
    expect(received).toStrictEqual({ a: 1, _external: true, _anchor: "x", _method: undefined, _scheme: "https" });
  });

  test("a BuildError in a view gives a 500, or reaches the test with TESTING", async () => {
    const app = newApp();
    const logged: unknown[] = [];
    app.logger = { debug() {}, info() {}, warn() {}, error: (...args: unknown[]) => void logged.push(args[1]) };
    app.get("/", function index() { return urlFor("missing"); });
    await expect(app.testClient().get("/")).rejects.toThrow(BuildError);
    app.testing = false;
    expect((await app.testClient().get("/")).statusCode).toBe(500);
    expect(logged.every((error) => error instanceof BuildError)).toBe(true);
  });
});

describe("redirect", () => {
  test("is a 302 by default, with Location and a link in the body", async () => {
    const response = redirect("/login?next=a&b");
    expect(response.statusCode).toBe(302);
    expect(response.location).toBe("/login?next=a&b");
    expect(response.mimetype).toBe("text/html");
    expect(await response.getData(true)).toContain('<a href="/login?next=a&amp;b">');
  });

  test("takes another code, without any app", () => {
    const response = redirect("https://localhost", 307);
    expect(response.location).toBe("https://localhost");
    expect(response.statusCode).toBe(307);
    expect(redirect("/", 301).statusCode).toBe(301);
  });

  test("redirects to urlFor from a view", async () => {
    const app = newApp();
    app.get("/", function index() { return ""; });
    app.get("/old", () => redirect(urlFor("index"), 308));
    const rv = await app.testClient().get("/old");
    expect(rv.statusCode).toBe(308);
    expect(rv.headers.get("Location")).toBe("/");
  });
});

describe("abort", () => {
  test("throws the HTTP exception for a code, even without an app", () => {
    expect(() => abort(401)).toThrow(Unauthorized);
    expect(() => abort(404)).toThrow(NotFound);
    expect(() => abort(900)).toThrow(RangeError);
  });

  test("a custom description reaches the error page", async () => {
    const app = newApp();
    app.get("/", () => abort(403, "Not yours"));
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(403);
    expect(rv.text).toContain("Not yours");
    expect(() => abort(403, "Not yours")).toThrow(expect.objectContaining({ description: "Not yours" }) as unknown as Forbidden);
  });

  test("a Response is sent as it is", async () => {
    const app = newApp();
    app.get("/", () => abort(new Response("short and stout", { status: 418, headers: { "X-Pot": "tea" } })));
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(418);
    expect(rv.text).toBe("short and stout");
    expect(rv.headers.get("X-Pot")).toBe("tea");
  });
});

describe("makeResponse", () => {
  test("gives an empty 200 without arguments, and takes bodies and tuples", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      let rv = makeResponse();
      expect([rv.statusCode, await rv.getData(true), rv.mimetype]).toEqual([200, "", "text/html"]);
      rv = makeResponse("Awesome");
      expect([rv.statusCode, await rv.getData(true), rv.mimetype]).toEqual([200, "Awesome", "text/html"]);
      rv = makeResponse("W00t", 404);
      expect([rv.statusCode, await rv.getData(true), rv.mimetype]).toEqual([404, "W00t", "text/html"]);
      rv = makeResponse(["W00t", 201]);
      expect(rv.statusCode).toBe(201);
      rv = makeResponse((async function* () {
        for (const c of "Hello") yield c;
      })());
      expect(await rv.getData(true)).toBe("Hello");
    });
  });

  test("changes the status and headers of a Response", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      let rv = makeResponse(jsonify({ msg: "W00t" }), 400);
      expect([rv.statusCode, await rv.getData(true), rv.mimetype]).toEqual([400, '{"msg":"W00t"}', "application/json"]);
      rv = makeResponse(new Response("", { headers: { "Content-Type": "text/html" } }), 400, [["X-Foo", "bar"]]);
      expect(rv.statusCode).toBe(400);
      expect(rv.headers.get("Content-Type")).toBe("text/html");
      expect(rv.headers.get("X-Foo")).toBe("bar");
      rv = makeResponse("created", 201, { Location: "/x" });
      expect([rv.statusCode, rv.location]).toEqual([201, "/x"]);
    });
  });

  test("lets a view set headers before returning", async () => {
    const app = newApp();
    app.get("/", () => {
      const response = makeResponse({ ok: true });
      response.headers.set("X-Id", "7");
      return response;
    });
    const rv = await app.testClient().get("/");
    expect(rv.json).toEqual({ ok: true });
    expect(rv.headers.get("X-Id")).toBe("7");
  });

  test("needs an application context", () => {
    expect(() => makeResponse("x")).toThrow(/Working outside of application context/);
  });
});

describe("jsonify", () => {
  test.each([0, -1, 1, 23, 3.14, "s", "longer string", true, false, null])("serialises %j", async (value) => {
    const app = newApp();
    app.get("/", () => jsonify(value));
    const rv = await app.testClient().get("/");
    expect(rv.mimetype).toBe("application/json");
    expect(rv.json).toEqual(value);
  });

  test("takes an object, one array, or several arguments as an array", async () => {
    const d = { a: 0, c: 3.14, h: ["test list", 10, false], i: { test: "dict" } };
    const list = [0, 42, "t", true, ["test list", 2, false], { test: "dict" }];
    const app = newApp();
    app.get("/dict", () => jsonify(d));
    app.get("/array", () => jsonify(list));
    app.get("/args", () => jsonify(...list));
    app.get("/none", () => jsonify());
    const client = app.testClient();
    expect((await client.get("/dict")).json).toEqual(d);
    expect((await client.get("/array")).json).toEqual(list);
    expect((await client.get("/args")).json).toEqual(list);
    expect((await client.get("/none")).text).toBe("null");
  });

  test("a [jsonify(...), status] tuple sets the status", async () => {
    const app = newApp();
    app.post("/", () => [jsonify({ id: 1 }), 201]);
    const rv = await app.testClient().post("/");
    expect(rv.statusCode).toBe(201);
    expect(rv.json).toEqual({ id: 1 });
  });

  test("bigints are written as strings; other serialisation errors still fail the view", async () => {
    const app = newApp();
    app.testing = true;
    app.get("/big", () => ({ id: 12345678901234567890n, nested: [1n] }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    app.get("/cyclic", () => cyclic);
    expect((await app.testClient().get("/big")).text).toBe('{"id":"12345678901234567890","nested":["1"]}');
    await expect(app.testClient().get("/cyclic")).rejects.toThrow(/circular/i);
  });

  test("is compact, and pretty-printed in debug mode", async () => {
    const app = newApp();
    const value = { msg: { submsg: "W00t" }, msg2: "foobar" };
    app.get("/", () => jsonify(value));
    expect((await app.testClient().get("/")).text).toBe('{"msg":{"submsg":"W00t"},"msg2":"foobar"}');
    app.debug = true;
    const text = (await app.testClient().get("/")).text;
    expect(text).toContain('\n  "msg2": "foobar"');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("sendFile and sendFromDirectory", () => {
  test("sends a file relative to rootPath, with its mimetype", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      const rv = await sendFile("static/index.html");
      expect(rv.mimetype).toBe("text/html");
      expect(await rv.getData(true)).toBe(readFileSync(join(root, "static", "index.html"), "utf8"));
    });
  });

  test("uses SEND_FILE_MAX_AGE_DEFAULT for the max age (none by default)", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      let rv = await sendFile("static/index.html");
      expect(rv.cacheControl.maxAge).toBeUndefined();
      expect(rv.cacheControl.noCache).toBeTruthy();
      app.config.SEND_FILE_MAX_AGE_DEFAULT = 3600;
      rv = await sendFile("static/index.html");
      expect(rv.cacheControl.maxAge).toBe(3600);
      expect(rv.cacheControl.public).toBe(true);
      rv = await sendFile("static/index.html", { maxAge: 10 });
      expect(rv.cacheControl.maxAge).toBe(10);
    });
  });

  test("sends an attachment with a download name", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      const rv = await sendFile("static/index.html", { asAttachment: true, downloadName: "report.txt" });
      expect(rv.headers.get("Content-Disposition")).toBe("attachment; filename=report.txt");
      expect(rv.mimetype).toBe("text/plain");
    });
  });

  test("answers a matching If-None-Match with 304", async () => {
    const app = newApp();
    app.get("/file", () => sendFile("static/style.css"));
    const client = app.testClient();
    const first = await client.get("/file");
    expect(first.statusCode).toBe(200);
    expect(first.mimetype).toBe("text/css");
    const etag = first.headers.get("ETag")!;
    expect(etag).toBeTruthy();
    const second = await client.get("/file", { headers: { "If-None-Match": etag } });
    expect(second.statusCode).toBe(304);
    expect(second.text).toBe("");
  });

  test("sendFromDirectory sends a file inside the directory", async () => {
    const app = newApp();
    await app.testRequestContext().run(async () => {
      const rv = await sendFromDirectory("static", "sub/hello.txt");
      expect((await rv.getData(true)).trim()).toBe("Hello Subdomain");
    });
  });

  test("sendFromDirectory gives a 404 for escapes and missing files", async () => {
    const app = newApp();
    app.get("/files/<path:name>", ({ name }) => sendFromDirectory("static", name));
    await app.testRequestContext().run(async () => {
      await expect(sendFromDirectory("static", "../secret.txt")).rejects.toThrow(NotFound);
      await expect(sendFromDirectory("static", "/etc/passwd")).rejects.toThrow(NotFound);
      await expect(sendFromDirectory("static", "nope.txt")).rejects.toThrow(NotFound);
      await expect(sendFromDirectory("static", "sub")).rejects.toThrow(NotFound);
    });
    const client = app.testClient();
    expect((await client.get("/files/..%2Fsecret.txt")).statusCode).toBe(404);
    expect((await client.get("/files/sub/hello.txt")).text).toBe("Hello Subdomain\n");
  });

  test("needs a request context", async () => {
    const app = newApp();
    expect(() => sendFile("static/index.html")).toThrow(/Working outside of request context/);
    await expect(app.appContext().run(() => sendFromDirectory("static", "index.html"))).rejects.toThrow(
      /Working outside of request context/,
    );
  });
});

describe("the static route", () => {
  test("serves /static/<path:filename> under the endpoint static", async () => {
    const app = newApp();
    const client = app.testClient();
    const rv = await client.get("/static/index.html");
    expect(rv.statusCode).toBe(200);
    expect(rv.text.trim()).toBe("<h1>Hello World!</h1>");
    expect(rv.mimetype).toBe("text/html");
    expect((await client.get("/static/sub/hello.txt")).text).toBe("Hello Subdomain\n");
    expect((await client.get("/static/missing.txt")).statusCode).toBe(404);
    expect((await client.get("/static/..%2Fsecret.txt")).statusCode).toBe(404);
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html" })).toBe("/static/index.html");
    });
  });

  test("uses SEND_FILE_MAX_AGE_DEFAULT", async () => {
    const app = newApp();
    app.config.SEND_FILE_MAX_AGE_DEFAULT = 3600;
    const rv = await app.testClient().get("/static/index.html");
    expect(rv.headers.get("Cache-Control")).toBe("public, max-age=3600");
  });

  test.each(["/foo", "/foo/"])("staticUrlPath %s moves it", async (staticUrlPath) => {
    const app = newApp({ staticUrlPath });
    expect((await app.testClient().get("/foo/index.html")).statusCode).toBe(200);
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(404);
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html" })).toBe("/foo/index.html");
    });
  });

  test("an empty staticFolder and staticUrlPath serve the root folder", async () => {
    const app = newApp({ staticFolder: "", staticUrlPath: "" });
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(200);
  });

  // Needs app.ts to derive the default staticUrlPath for staticFolder "" as Flask does
  // (`"/" + basename`, trailing slash stripped: ""), not null.
  test("an empty staticFolder serves the root folder at the default URL path", async () => {
    const app = newApp({ staticFolder: "" });
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(200);
  });

  test("a staticFolder with a trailing slash keeps the default URL path", async () => {
    const app = newApp({ staticFolder: "static/" });
    app.get("/<path:path>", ({ path }) => path);
    expect((await app.testClient().get("/static/index.html")).text.trim()).toBe("<h1>Hello World!</h1>");
    expect((await app.testClient().get("/catch/all")).text).toBe("catch/all");
  });

  test("staticFolder null adds no static route", async () => {
    const app = newApp({ staticFolder: null });
    expect(app.urlMap.iterRules().some((rule) => rule.endpoint === "static")).toBe(false);
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(404);
    await app.testRequestContext().run(() => expect(() => urlFor("static", { filename: "x" })).toThrow(BuildError));
  });

  test("with host matching, the static route lives on staticHost", async () => {
    const app = newApp({ hostMatching: true, staticHost: "example.com" });
    const rv = await app.testClient().get("/static/index.html", { baseUrl: "http://example.com" });
    expect(rv.statusCode).toBe(200);
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html", _external: true })).toBe("http://example.com/static/index.html");
    });
    expect(() => newApp({ staticHost: "example.com" })).toThrow(/staticHost/);
    expect(() => newApp({ hostMatching: true })).toThrow(/staticHost/);
    expect(() => newApp({ hostMatching: true, staticFolder: null })).not.toThrow();
  });
});
