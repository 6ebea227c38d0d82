// Flask's tests/test_basic.py, translated to Flagon: routing, methods, OPTIONS/HEAD/405,
// hooks and their order, responses, error handling, URL building, static files.
import { fileURLToPath } from "node:url";
import { describe, expect, test, vi } from "vitest";
import {
  BadRequest,
  BadRequestKeyError,
  BuildError,
  Forbidden,
  NotFound,
  Submount,
} from "@flagon/werk";
import {
  Flagon,
  Response,
  Rule,
  abort,
  afterThisRequest,
  g,
  jsonify,
  makeResponse,
  request,
  urlFor,
  type FlagonOptions,
} from "flagon";
import { makeApp as makeTestApp } from "./_helpers.js";

const ROOT = fileURLToPath(new URL("./fixtures/app", import.meta.url));

/** Flask's `app` fixture: TESTING on, a secret key, and a logger that keeps its lines. */
function makeApp(opts: FlagonOptions = {}, name = "flagon_test"): Flagon & { logs: string[] } {
  return makeTestApp({ rootPath: ROOT, staticFolder: "static", ...opts }, name);
}

/** Collect process warnings (Flask's `pytest.warns`) until `restore()`, which returns them. */
function catchWarnings(): { restore(): string[] } {
  const messages: string[] = [];
  const spy = vi.spyOn(process, "emitWarning").mockImplementation((warning: string | Error) => {
    messages.push(String(warning));
  });
  return {
    restore() {
      spy.mockRestore();
      return messages;
    },
  };
}

const allow = (header: string | undefined): string[] => (header ?? "").split(/,\s*/).filter(Boolean).sort();

describe("methods, OPTIONS and HEAD", () => {
  test("OPTIONS is answered automatically with Allow and an empty body", async () => {
    const app = makeApp();
    app.route("/", { methods: ["GET", "POST"] })(function index() {
      return "Hello World";
    });
    const rv = await app.testClient().options("/");
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
    expect(rv.text).toBe("");
  });

  test("OPTIONS lists the methods of every rule on the URL", async () => {
    const app = makeApp();
    app.route("/", { methods: ["GET", "POST"] })(function index() {
      return "Hello World";
    });
    app.route("/", { methods: ["PUT"] })(function indexPut() {
      return "Aha!";
    });
    const rv = await app.testClient().options("/");
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS", "POST", "PUT"]);
  });

  test.each(["get", "post", "put", "delete", "patch"] as const)("app.%s routes that method", async (method) => {
    const app = makeApp();
    app[method]("/", function hello() {
      return "Hello";
    });
    const client = app.testClient();
    expect((await client[method]("/")).text).toBe("Hello");
  });

  test("the method shortcuts refuse a methods option", () => {
    const app = makeApp();
    expect(() => app.get("/", { methods: ["GET", "POST"] } as never)).toThrow(TypeError);
  });

  test("a view's provideAutomaticOptions = false turns automatic OPTIONS off", async () => {
    const app = makeApp();
    const index = Object.assign(() => "Hello World!", { provideAutomaticOptions: false });
    app.addUrlRule("/", { endpoint: "index", view: index });
    expect((await app.testClient().options("/")).statusCode).toBe(405);
  });

  test("a view's provideAutomaticOptions = true wins over PROVIDE_AUTOMATIC_OPTIONS = false", async () => {
    const app = makeApp();
    app.config.PROVIDE_AUTOMATIC_OPTIONS = false;
    const index = Object.assign(() => "Hello World!", { provideAutomaticOptions: true });
    app.addUrlRule("/", { endpoint: "index", view: index });
    const rv = await app.testClient().options("/");
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS"]);
  });

  test("the provideAutomaticOptions route option turns automatic OPTIONS off", async () => {
    const app = makeApp();
    app.get("/", { provideAutomaticOptions: false })(function index() {
      return "Hello World!";
    });
    expect((await app.testClient().options("/")).statusCode).toBe(405);
  });

  test("a route that handles OPTIONS itself gets no automatic answer", async () => {
    const app = makeApp();
    app.route("/", { methods: ["OPTIONS"] })(function index() {
      return ["", { "X-Test": "test" }];
    });
    expect((await app.testClient().options("/")).headers.get("X-Test")).toBe("test");
  });

  test("requests dispatch by method; HEAD has no body; 405 carries Allow", async () => {
    const app = makeApp();
    app.route("/", function index() {
      return request.method;
    });
    app.route("/more", { methods: ["GET", "POST"] })(function more() {
      return request.method;
    });
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("GET");
    let rv = await client.post("/");
    expect(rv.statusCode).toBe(405);
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS"]);
    rv = await client.head("/");
    expect(rv.statusCode).toBe(200);
    expect(rv.text).toBe("");
    expect((await client.post("/more")).text).toBe("POST");
    expect((await client.get("/more")).text).toBe("GET");
    rv = await client.delete("/more");
    expect(rv.statusCode).toBe(405);
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
  });

  test("methods given as a string are refused", () => {
    const app = makeApp();
    expect(() => app.addUrlRule("/", { endpoint: "test", methods: "GET POST" as never })).toThrow(
      /methods must be a list of strings/i,
    );
  });

  test("addUrlRule maps endpoints; lower-case 'options' disables automatic OPTIONS", async () => {
    const app = makeApp();
    const marker = "7eb41166-9ebf-4d26-b771-ea3f54f8b383";
    app.addUrlRule("/", { endpoint: "index", view: () => request.method });
    app.addUrlRule("/more", { endpoint: "more", view: () => request.method, methods: ["GET", "POST"] });
    app.addUrlRule("/options", { endpoint: "options", view: () => marker, methods: ["options"] });
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("GET");
    let rv = await client.post("/");
    expect(rv.statusCode).toBe(405);
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS"]);
    rv = await client.head("/");
    expect(rv.statusCode).toBe(200);
    expect(rv.text).toBe("");
    expect((await client.post("/more")).text).toBe("POST");
    expect((await client.get("/more")).text).toBe("GET");
    rv = await client.delete("/more");
    expect(allow(rv.headers.get("Allow"))).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
    rv = await client.options("/options");
    expect(rv.statusCode).toBe(200);
    expect(rv.text).toContain(marker);
  });

  test("werk rules and factories can be added to the map directly", async () => {
    const app = makeApp();
    app.urlMap.add(Submount("/foo", [new Rule("/bar", { endpoint: "bar" }), new Rule("/", { endpoint: "index" })]));
    app.viewFunctions.bar = () => "bar";
    app.viewFunctions.index = () => "index";
    const client = app.testClient();
    expect((await client.get("/foo/")).text).toBe("index");
    expect((await client.get("/foo/bar")).text).toBe("bar");
  });

  test("app.endpoint registers a view for a rule added to the map", async () => {
    const app = makeApp();
    app.urlMap.add(Submount("/foo", [new Rule("/bar", { endpoint: "bar" }), new Rule("/", { endpoint: "index" })]));
    app.endpoint("bar")(() => "bar");
    app.endpoint("index")(() => "index");
    const client = app.testClient();
    expect((await client.get("/foo/")).text).toBe("index");
    expect((await client.get("/foo/bar")).text).toBe("bar");
  });

  test("non-ASCII paths route", async () => {
    const app = makeApp();
    app.get("/киртест", () => "Hello World!");
    expect((await app.testClient().get("/киртест")).text).toBe("Hello World!");
  });

  test("one view can serve several rules", async () => {
    const app = makeApp();
    function index({ test = "a" }: { test?: string }) {
      return test;
    }
    app.route("/", index);
    app.route("/<test>/", index);
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("a");
    expect((await client.get("/b/")).text).toBe("b");
  });

  test("one method decorated twice serves both rules", async () => {
    const app = makeApp();
    class Views {
      prefix = "";
      @app.get("/")
      @app.get("/<test>/")
      index({ test = "a" }: { test?: string }) {
        return this.prefix + test;
      }
    }
    void Views;
    const client = app.testClient();
    expect((await client.get("/")).text).toBe("a");
    expect((await client.get("/b/")).text).toBe("b");
  });

  test("an anonymous view is named by its rule (and methods, when the rule is taken)", async () => {
    const app = makeApp();
    app.get("/post/<int:id>", ({ id }) => ({ id, url: urlFor("/post/<int:id>", { id }) }));
    app.post("/post/<int:id>", () => String(request.endpoint));
    const client = app.testClient();
    expect((await client.get("/post/3")).json).toEqual({ id: 3, url: "/post/3" });
    expect((await client.post("/post/3")).text).toBe("/post/<int:id> [POST]");
  });

  test("routing results are on the request before hooks run", async () => {
    const app = makeApp();
    const seen: unknown[] = [];
    app.beforeRequest(() => {
      seen.push([request.endpoint, request.viewArgs, request.blueprint, request.routingException?.constructor.name ?? null]);
    });
    app.get("/user/<int:id>", function user({ id }) {
      return String(id);
    });
    const client = app.testClient();
    await client.get("/user/7");
    await client.get("/nowhere");
    await client.post("/user/7");
    expect(seen).toEqual([
      ["user", { id: 7 }, null, null],
      [null, null, null, "NotFound"],
      [null, null, null, "MethodNotAllowed"],
    ]);
  });

  test("a different view under an existing endpoint is an error", () => {
    const app = makeApp();
    app.addUrlRule("/a", { endpoint: "x", view: () => "a" });
    expect(() => app.addUrlRule("/b", { endpoint: "x", view: () => "b" })).toThrow(
      /overwriting an existing endpoint function: x/,
    );
  });

  test("custom endpoints are used for urlFor and request.endpoint", async () => {
    const app = makeApp();
    app.debug = true;
    app.route("/foo/", function foo() {
      return String(request.endpoint);
    });
    app.route("/bar/", { endpoint: "bar" })(function forBar() {
      return String(request.endpoint);
    });
    app.route("/bar/123", { endpoint: "123" })(function forBarFoo() {
      return String(request.endpoint);
    });
    await app.testRequestContext().run(() => {
      expect(urlFor("foo")).toBe("/foo/");
      expect(urlFor("bar")).toBe("/bar/");
      expect(urlFor("123")).toBe("/bar/123");
    });
    const client = app.testClient();
    expect((await client.get("/foo/")).text).toBe("foo");
    expect((await client.get("/bar/")).text).toBe("bar");
    expect((await client.get("/bar/123")).text).toBe("123");
  });
});

describe("request hooks", () => {
  test("before and after request run around the view", async () => {
    const app = makeApp();
    const evts: string[] = [];
    app.beforeRequest(() => void evts.push("before"));
    app.afterRequest((response: Response) => {
      response.data = Buffer.concat([response.data, Buffer.from("|after")]);
      evts.push("after");
      return response;
    });
    app.get("/", () => {
      expect(evts).toContain("before");
      expect(evts).not.toContain("after");
      return "request";
    });
    expect(evts).not.toContain("after");
    const rv = await app.testClient().get("/");
    expect(evts).toContain("after");
    expect(rv.text).toBe("request|after");
  });

  test("a value from beforeRequest answers the request and skips the rest", async () => {
    const app = makeApp();
    const evts: Array<number | string> = [];
    app.beforeRequest(() => void evts.push(1));
    app.beforeRequest(() => {
      evts.push(2);
      return "hello";
    });
    app.beforeRequest(() => {
      evts.push(3);
      return "bye";
    });
    app.get("/", () => {
      evts.push("index");
      return "damnit";
    });
    expect((await app.testClient().get("/")).text).toBe("hello");
    expect(evts).toEqual([1, 2]);
  });

  test("afterThisRequest changes this request's response", async () => {
    const app = makeApp();
    app.get("/", () => {
      afterThisRequest((response: Response) => {
        response.headers.set("X-Foo", "a header");
        return response;
      });
      return "Test";
    });
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(200);
    expect(rv.headers.get("X-Foo")).toBe("a header");
  });

  test("afterThisRequest callbacks run before afterRequest hooks, in their order", async () => {
    const app = makeApp();
    const order: string[] = [];
    app.afterRequest((r: Response) => (order.push("app"), r));
    app.get("/", () => {
      afterThisRequest((r: Response) => (order.push("first"), r));
      afterThisRequest(() => void order.push("second"));
      return "x";
    });
    await app.testClient().get("/");
    expect(order).toEqual(["first", "second", "app"]);
  });

  test.each([false, true])("teardownRequest runs once, its return value ignored (debug %s)", async (debug) => {
    const app = makeApp();
    app.debug = debug;
    const called: boolean[] = [];
    app.teardownRequest(() => {
      called.push(true);
      return "Ignored";
    });
    app.get("/", () => "Response");
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(200);
    expect(rv.text).toContain("Response");
    expect(called).toEqual([true]);
  });

  test("every teardownRequest function gets the original error of a failed request", async () => {
    const app = makeApp();
    app.testing = false;
    class ZeroDivisionError extends Error {}
    const called: unknown[] = [];
    const teardown = (exc: unknown) => {
      expect(exc).toBeInstanceOf(ZeroDivisionError);
      called.push(true);
      try {
        throw new TypeError();
      } catch {
        // a new error inside teardown must not change what the next one receives
      }
    };
    app.teardownRequest(teardown);
    app.teardownRequest(teardown);
    app.get("/", () => {
      throw new ZeroDivisionError();
    });
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(500);
    expect(rv.text).toContain("Internal Server Error");
    expect(called).toEqual([true, true]);
  });

  test("before in order, after and teardown in reverse", async () => {
    const app = makeApp();
    const called: number[] = [];
    app.beforeRequest(() => void called.push(1));
    app.beforeRequest(() => void called.push(2));
    app.afterRequest((r: Response) => (called.push(4), r));
    app.afterRequest((r: Response) => (called.push(3), r));
    app.teardownRequest(() => void called.push(6));
    app.teardownRequest(() => void called.push(5));
    app.get("/", () => "42");
    expect((await app.testClient().get("/")).text).toBe("42");
    expect(called).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("async hooks and views are awaited in the same order", async () => {
    const app = makeApp();
    const called: string[] = [];
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    app.beforeRequest(async () => {
      await tick();
      called.push("before");
    });
    app.afterRequest(async (r: Response) => {
      await tick();
      called.push("after");
      return r;
    });
    app.teardownRequest(async () => {
      await tick();
      called.push("teardown");
    });
    app.get("/", async () => {
      await tick();
      called.push("view");
      return "ok";
    });
    expect((await app.testClient().get("/")).text).toBe("ok");
    expect(called).toEqual(["before", "view", "after", "teardown"]);
  });

  test("an afterRequest hook that returns no response is an error naming it", async () => {
    const app = makeApp();
    app.afterRequest(function forgetful() {});
    app.get("/", () => "x");
    await expect(app.testClient().get("/")).rejects.toThrow(/forgetful/);
  });

  test("beforeRequest runs before routing errors reach their handler", async () => {
    const app = makeApp();
    app.beforeRequest(() => {
      g.something = "value";
    });
    app.errorHandler(404)(() => [g.something, 404]);
    const rv = await app.testClient().get("/");
    expect(rv.statusCode).toBe(404);
    expect(rv.text).toBe("value");
  });

  test("an error in beforeRequest or afterRequest goes to the 500 handler", async () => {
    const app = makeApp();
    app.testing = false;
    let trigger = "";
    app.beforeRequest(() => {
      if (trigger === "before") throw new RangeError("before");
    });
    app.afterRequest((response: Response) => {
      if (trigger === "after") throw new RangeError("after");
      return response;
    });
    app.get("/", () => "Foo");
    app.errorHandler(500)(() => ["Hello Server Error", 500]);
    const client = app.testClient();
    for (trigger of ["before", "after"]) {
      const rv = await client.get("/");
      expect(rv.statusCode).toBe(500);
      expect(rv.text).toBe("Hello Server Error");
    }
    // The failing afterRequest ran again on the error response; that failure was logged.
    expect(app.logs.some((line) => line.includes("Request finalizing failed"))).toBe(true);
  });

  test("URL value preprocessors and URL defaults", async () => {
    const app = makeApp();
    app.urlDefaults((endpoint: string, values: Record<string, unknown>) => {
      if (g.lang_code !== undefined && g.lang_code !== null && app.urlMap.isEndpointExpecting(endpoint, "lang_code")) {
        values.lang_code ??= g.lang_code;
      }
    });
    app.urlValuePreprocessor((_endpoint: string, values: Record<string, unknown> | null) => {
      g.lang_code = values?.lang_code ?? null;
      if (values) delete values.lang_code;
    });
    app.route("/<lang_code>/", function index() {
      return urlFor("about");
    });
    app.route("/<lang_code>/about", function about() {
      return urlFor("something_else");
    });
    app.route("/foo", function something_else() {
      return urlFor("about", { lang_code: "en" });
    });
    const client = app.testClient();
    expect((await client.get("/de/")).text).toBe("/de/about");
    expect((await client.get("/de/about")).text).toBe("/foo");
    expect((await client.get("/foo")).text).toBe("/en/about");
  });

  test("setup methods refuse to run after the first request", async () => {
    const app = makeApp();
    app.debug = true;
    app.get("/", function index() {
      return "Awesome";
    });
    expect((await app.testClient().get("/")).text).toBe("Awesome");
    expect(() => app.addUrlRule("/foo", { endpoint: "late" })).toThrow(/setup method "addUrlRule"/);
    expect(() => app.beforeRequest(() => undefined)).toThrow(/setup method "beforeRequest"/);
    expect(() => app.errorHandler(404)(() => "x")).toThrow(/setup method "errorHandler"/);
  });
});

describe("error handling", () => {
  test("handlers by code and by class", async () => {
    const app = makeApp();
    app.testing = false;
    app.errorHandler(404)(() => ["not found", 404]);
    app.errorHandler(500)(() => ["internal server error", 500]);
    app.errorHandler(Forbidden)(() => ["forbidden", 403]);
    app.get("/", () => abort(404));
    app.get("/error", () => {
      throw new RangeError("boom");
    });
    app.get("/forbidden", () => abort(403));
    const client = app.testClient();
    let rv = await client.get("/");
    expect(rv.statusCode).toBe(404);
    expect(rv.text).toBe("not found");
    rv = await client.get("/error");
    expect(rv.statusCode).toBe(500);
    expect(rv.text).toBe("internal server error");
    rv = await client.get("/forbidden");
    expect(rv.statusCode).toBe(403);
    expect(rv.text).toBe("forbidden");
  });

  test("the 500 handler's response goes through afterRequest", async () => {
    const app = makeApp();
    app.testing = false;
    app.errorHandler(500)(() => ["internal server error", 500]);
    app.get("/", () => {
      throw new RangeError("boom");
    });
    app.afterRequest((resp: Response) => {
      resp.mimetype = "text/x-special";
      return resp;
    });
    const rv = await app.testClient().get("/");
    expect(rv.mimetype).toBe("text/x-special");
    expect(rv.text).toBe("internal server error");
  });

  test("the default 404, 405 and 500 pages", async () => {
    const app = makeApp();
    app.testing = false;
    app.get("/boom", () => {
      throw new RangeError("secret detail");
    });
    const client = app.testClient();
    let rv = await client.get("/missing");
    expect(rv.statusCode).toBe(404);
    expect(rv.text).toContain("Not Found");
    rv = await client.post("/boom");
    expect(rv.statusCode).toBe(405);
    expect(rv.text).toContain("Method Not Allowed");
    rv = await client.get("/boom");
    expect(rv.statusCode).toBe(500);
    expect(rv.text).toContain("Internal Server Error");
    expect(rv.text).not.toContain("secret detail");
    expect(app.logs.some((line) => line.includes("Exception on /boom [GET]") && line.includes("secret detail"))).toBe(true);
  });

  test("a user error class handler", async () => {
    const app = makeApp();
    class MyException extends Error {}
    app.errorHandler(MyException)((e: unknown) => {
      expect(e).toBeInstanceOf(MyException);
      return "42";
    });
    app.get("/", () => {
      throw new MyException();
    });
    expect((await app.testClient().get("/")).text).toBe("42");
  });

  test("an HTTP error subclass handler wins over the code handler for that subclass only", async () => {
    const app = makeApp();
    class ForbiddenSubclass extends Forbidden {}
    app.errorHandler(ForbiddenSubclass)((e: unknown) => {
      expect(e).toBeInstanceOf(ForbiddenSubclass);
      return "banana";
    });
    app.errorHandler(403)((e: unknown) => {
      expect(e).not.toBeInstanceOf(ForbiddenSubclass);
      expect(e).toBeInstanceOf(Forbidden);
      return "apple";
    });
    app.get("/1", () => {
      throw new ForbiddenSubclass();
    });
    app.get("/2", () => abort(403));
    app.get("/3", () => {
      throw new Forbidden();
    });
    const client = app.testClient();
    expect((await client.get("/1")).text).toBe("banana");
    expect((await client.get("/2")).text).toBe("apple");
    expect((await client.get("/3")).text).toBe("apple");
  });

  // Flask's E3(E1, E2) needs multiple inheritance; the nearest registered ancestor wins.
  test("the handler of the nearest registered ancestor class is used", async () => {
    const app = makeApp();
    class E1 extends Error {}
    class E2 extends E1 {}
    class E3 extends E2 {}
    app.errorHandler(E2)(() => "E2");
    app.errorHandler(Error)(() => "Exception");
    app.get("/E1", () => {
      throw new E1();
    });
    app.get("/E3", () => {
      throw new E3();
    });
    const client = app.testClient();
    expect((await client.get("/E1")).text).toBe("Exception");
    expect((await client.get("/E3")).text).toBe("E2");
  });

  test.each([
    { debug: false, trap: null, expectKey: true, expectAbort: true },
    { debug: true, trap: null, expectKey: false, expectAbort: true },
    { debug: false, trap: true, expectKey: false, expectAbort: false },
  ])("bad request key errors with DEBUG=$debug TRAP_BAD_REQUEST_ERRORS=$trap", async ({ debug, trap, expectKey, expectAbort }) => {
    const app = makeApp();
    app.config.DEBUG = debug;
    app.config.TRAP_BAD_REQUEST_ERRORS = trap;
    app.get("/key", () => request.form.require("missing_key"));
    app.get("/abort", () => abort(400));
    const client = app.testClient();
    if (expectKey) {
      // Werkzeug hides the key unless debugging; werk's 400 page names it (see the report).
      const rv = await client.get("/key");
      expect(rv.statusCode).toBe(400);
      expect(rv.text).toContain("Bad Request");
    } else {
      const error = await client.get("/key").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BadRequestKeyError);
      expect((error as BadRequestKeyError).message).toContain("missing_key");
    }
    if (expectAbort) {
      expect((await client.get("/abort")).statusCode).toBe(400);
    } else {
      await expect(client.get("/abort")).rejects.toBeInstanceOf(BadRequest);
    }
  });

  test("TRAP_HTTP_EXCEPTIONS lets HTTP errors reach the caller", async () => {
    const app = makeApp();
    app.config.TRAP_HTTP_EXCEPTIONS = true;
    app.get("/fail", () => abort(404));
    await expect(app.testClient().get("/fail")).rejects.toBeInstanceOf(NotFound);
  });

  test.each(["TESTING", "PROPAGATE_EXCEPTIONS", "DEBUG", null] as const)("exception propagation with %s on", async (key) => {
    const app = makeApp();
    app.testing = false;
    class ZeroDivisionError extends Error {}
    app.get("/", () => {
      throw new ZeroDivisionError("boom");
    });
    if (key !== null) {
      app.config[key] = true;
      if (key === "DEBUG") {
        // Outside testing the listener answers with the debug page; the test client sees it.
        const rv = await app.testClient().get("/");
        expect(rv.statusCode).toBe(500);
        expect(rv.text).toContain("ZeroDivisionError");
      } else {
        await expect(app.testClient().get("/")).rejects.toBeInstanceOf(ZeroDivisionError);
      }
    } else {
      expect((await app.testClient().get("/")).statusCode).toBe(500);
    }
  });

  test("with DEBUG on an unhandled error gives a 500 HTML page with the stack, not a crash", async () => {
    const app = makeApp();
    app.testing = false;
    app.debug = true;
    app.get("/", function explode() {
      throw new RangeError("kaboom <b>");
    });
    app.get("/ok", () => "still serving");
    const client = app.testClient();
    const rv = await client.get("/");
    expect(rv.statusCode).toBe(500);
    expect(rv.mimetype).toBe("text/html");
    expect(rv.text).toContain("RangeError: kaboom &lt;b&gt;");
    expect(rv.text).toContain("explode");
    expect((await client.get("/ok")).text).toBe("still serving");
  });

  test("with TESTING on the test client rejects with the original error", async () => {
    const app = makeApp();
    const boom = new RangeError("original");
    const teardowns: unknown[] = [];
    app.teardownRequest((e: unknown) => void teardowns.push(e));
    app.get("/", () => {
      throw boom;
    });
    await expect(app.testClient().get("/")).rejects.toBe(boom);
    expect(teardowns).toEqual([boom]);
  });
});

describe("responses", () => {
  test("view return types and tuples", async () => {
    const app = makeApp();
    app.get("/text", () => "Hällo Wörld");
    app.get("/bytes", () => Buffer.from("Hällo Wörld"));
    app.get("/full_tuple", () => ["Meh", 400, { "X-Foo": "Testing", "Content-Type": "text/plain; charset=utf-8" }]);
    app.get("/text_headers", () => ["Hello", { "X-Foo": "Test", "Content-Type": "text/plain; charset=utf-8" }]);
    app.get("/text_status", () => ["Hi, status!", 400]);
    app.get("/response_headers", () => [
      new Response("Hello world", { status: 404, headers: { "Content-Type": "text/html", "X-Foo": "Baz" } }),
      { "Content-Type": "text/plain", "X-Foo": "Bar", "X-Bar": "Foo" },
    ]);
    app.get("/response_status", () => [new Response("Hello world", { status: 400 }), 500]);
    app.get("/wsgi", () => new NotFound());
    app.get("/dict", () => [{ foo: "bar" }, 201]);
    app.get("/list", () => [["foo", "bar"], 201]);
    const client = app.testClient();

    expect((await client.get("/text")).data).toEqual(Buffer.from("Hällo Wörld"));
    expect((await client.get("/bytes")).data).toEqual(Buffer.from("Hällo Wörld"));

    let rv = await client.get("/full_tuple");
    expect(rv.text).toBe("Meh");
    expect(rv.headers.get("X-Foo")).toBe("Testing");
    expect(rv.statusCode).toBe(400);
    expect(rv.mimetype).toBe("text/plain");

    rv = await client.get("/text_headers");
    expect(rv.text).toBe("Hello");
    expect(rv.headers.get("X-Foo")).toBe("Test");
    expect(rv.statusCode).toBe(200);
    expect(rv.mimetype).toBe("text/plain");

    rv = await client.get("/text_status");
    expect(rv.text).toBe("Hi, status!");
    expect(rv.statusCode).toBe(400);
    expect(rv.mimetype).toBe("text/html");

    rv = await client.get("/response_headers");
    expect(rv.text).toBe("Hello world");
    expect(rv.contentType).toBe("text/plain");
    expect(rv.headers.getAll("X-Foo")).toEqual(["Bar"]);
    expect(rv.headers.get("X-Bar")).toBe("Foo");
    expect(rv.statusCode).toBe(404);

    rv = await client.get("/response_status");
    expect(rv.text).toBe("Hello world");
    expect(rv.statusCode).toBe(500);

    rv = await client.get("/wsgi");
    expect(rv.text).toContain("Not Found");
    expect(rv.statusCode).toBe(404);

    rv = await client.get("/dict");
    expect(rv.json).toEqual({ foo: "bar" });
    expect(rv.statusCode).toBe(201);

    rv = await client.get("/list");
    expect(rv.json).toEqual(["foo", "bar"]);
    expect(rv.statusCode).toBe(201);
  });

  test("views returning nothing or an unusable value are errors naming the view", async () => {
    const app = makeApp();
    app.get("/none", function from_none() {});
    app.get("/bad_type", function from_bad_type() {
      return true;
    });
    app.get("/bad_function", () => () => null);
    app.get("/bad_class", () => new (class Thing {})());
    const client = app.testClient();
    let error = await client.get("/none").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/returned undefined/);
    expect(String(error)).toContain("from_none");
    error = await client.get("/bad_type").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/it returned a boolean/i);
    await expect(client.get("/bad_function")).rejects.toBeInstanceOf(TypeError);
    await expect(client.get("/bad_class")).rejects.toThrow(/class Thing/);
  });

  test("makeResponse variants", async () => {
    const app = makeApp();
    await app.testRequestContext().run(async () => {
      let rv = makeResponse();
      expect(rv.statusCode).toBe(200);
      expect(rv.data).toEqual(Buffer.alloc(0));
      expect(rv.mimetype).toBe("text/html");

      rv = makeResponse("Awesome");
      expect(rv.statusCode).toBe(200);
      expect(rv.data.toString()).toBe("Awesome");
      expect(rv.mimetype).toBe("text/html");

      rv = makeResponse("W00t", 404);
      expect(rv.statusCode).toBe(404);
      expect(rv.data.toString()).toBe("W00t");
      expect(rv.mimetype).toBe("text/html");

      rv = makeResponse(
        (function* () {
          yield* "Hello";
        })(),
      );
      expect(rv.statusCode).toBe(200);
      expect((await rv.getData()).toString()).toBe("Hello");
      expect(rv.mimetype).toBe("text/html");
    });
  });

  test("makeResponse with a response instance", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      let rv = makeResponse(jsonify({ msg: "W00t" }), 400);
      expect(rv.statusCode).toBe(400);
      expect(JSON.parse(rv.data.toString())).toEqual({ msg: "W00t" });
      expect(rv.mimetype).toBe("application/json");

      rv = makeResponse(new Response(""), 400);
      expect(rv.statusCode).toBe(400);
      expect(rv.data.toString()).toBe("");
      expect(rv.mimetype).toBe("text/html");

      rv = makeResponse(new Response("", { headers: { "Content-Type": "text/html" } }), 400, [["X-Foo", "bar"]]);
      expect(rv.statusCode).toBe(400);
      expect(rv.headers.get("Content-Type")).toBe("text/html");
      expect(rv.headers.get("X-Foo")).toBe("bar");
    });
  });

  test("MAX_CONTENT_LENGTH answers 413 for larger bodies", async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 50;
    app.post("/", () => String(request.form.get("myfile") ?? "none"));
    const client = app.testClient();
    let rv = await client.post("/", { data: { myfile: "x".repeat(100) } });
    expect(rv.statusCode).toBe(413);
    rv = await client.post("/", { data: { myfile: "small" } });
    expect(rv.text).toBe("small");
  });
});

describe("URL building", () => {
  test("urlFor quotes values and builds external URLs", async () => {
    const app = makeApp();
    app.route("/hello/<name>", { methods: ["POST"] })(function hello() {
      return "";
    });
    await app.testRequestContext().run(() => {
      expect(urlFor("hello", { name: "test x" })).toBe("/hello/test%20x");
      expect(urlFor("hello", { name: "test x", _external: true })).toBe("http://localhost/hello/test%20x");
    });
  });

  test("build errors go through urlBuildErrorHandlers", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      expect(() => urlFor("spam")).toThrow(BuildError);
    });
    let error: BuildError | undefined;
    try {
      await app.testRequestContext().run(() => urlFor("spam"));
    } catch (err) {
      error = err as BuildError;
    }
    expect(() => app.handleUrlBuildError(error!, "spam", {})).toThrow(BuildError);
    app.urlBuildErrorHandlers.push(() => "/test_handler/");
    await app.testRequestContext().run(() => {
      expect(urlFor("spam")).toBe("/test_handler/");
    });
  });

  test("a build error handler may rethrow", async () => {
    const app = makeApp();
    app.urlBuildErrorHandlers.push((error) => {
      throw error;
    });
    await app.testRequestContext().run(() => {
      expect(() => urlFor("not.existing")).toThrow(BuildError);
    });
  });

  test("subdomains with subdomain matching", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "localhost.localdomain";
    app.get("/", function normal_index() {
      return "normal index";
    });
    app.get("/", { subdomain: "test" })(function test_index() {
      return "test index";
    });
    const client = app.testClient();
    expect((await client.get("http://localhost.localdomain/")).text).toBe("normal index");
    expect((await client.get("http://test.localhost.localdomain/")).text).toBe("test index");
  });

  test("a subdomain placeholder, with and without a port", async () => {
    for (const serverName of ["localhost.localdomain", "localhost.localdomain:3000"]) {
      const app = makeApp({ subdomainMatching: true });
      app.config.SERVER_NAME = serverName;
      app.get("/", { subdomain: "<user>" })(function index({ user }: { user: string }) {
        return `index for ${user}`;
      });
      expect((await app.testClient().get(`http://mitsuhiko.${serverName}/`)).text).toBe("index for mitsuhiko");
    }
  });

  test.each([false, true])("a host outside SERVER_NAME (subdomainMatching %s)", async (matching) => {
    const app = makeApp({ subdomainMatching: matching });
    app.config.SERVER_NAME = "localhost.localdomain:3000";
    app.get("/", () => ["", 204]);
    const client = app.testClient();
    // An IP address cannot match the name; it falls back to the default subdomain, with a warning.
    const warnings = catchWarnings();
    expect((await client.get("http://127.0.0.1:3000/")).statusCode).toBe(204);
    expect(warnings.restore()).toEqual(matching ? [expect.stringContaining("Current server name")] : []);
    // Without subdomain matching every subdomain is served.
    expect((await client.get("http://www.localhost.localdomain:3000/")).statusCode).toBe(matching ? 404 : 204);
  });

  test("SERVER_NAME with subdomain matching, ports and schemes", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.get("/", function index() {
      return "default";
    });
    app.get("/", { subdomain: "foo" })(function subdomain() {
      return "subdomain";
    });
    const client = app.testClient();
    app.config.SERVER_NAME = "dev.local:5000";
    expect((await client.get("http://dev.local:5000/")).text).toBe("default");
    expect((await client.get("https://dev.local:5000/")).text).toBe("default");
    app.config.SERVER_NAME = "dev.local:443";
    expect((await client.get("https://dev.local/")).text).toBe("default");
    app.config.SERVER_NAME = "dev.local";
    expect((await client.get("https://dev.local/")).text).toBe("default");
    const warnings = catchWarnings();
    expect((await client.get("http://foo.localhost/")).statusCode).toBe(200);
    expect(warnings.restore()).toEqual([expect.stringContaining("Current server name")]);
    expect((await client.get("http://foo.dev.local/")).text).toBe("subdomain");
  });

  test.each([
    { subdomainMatching: false, hostMatching: false, expectSubdomain: "default" },
    { subdomainMatching: true, hostMatching: false, expectSubdomain: "abc" },
    { subdomainMatching: false, hostMatching: true, expectSubdomain: "abc" },
  ])("SERVER_NAME matching: $subdomainMatching/$hostMatching", async ({ subdomainMatching, hostMatching, expectSubdomain }) => {
    const app = makeApp({ subdomainMatching, hostMatching, staticHost: hostMatching ? "example.test" : undefined });
    app.config.SERVER_NAME = "example.test";
    function index({ name }: { name: string }) {
      return name;
    }
    app.route("/", { defaults: { name: "default" }, host: "<name>" })(index);
    app.route("/", { subdomain: "<name>", host: "<name>.example.test" })(index);
    const client = app.testClient();
    expect((await client.get("http://example.test/")).text).toBe("default");
    expect((await client.get("http://abc.example.test/")).text).toBe(expectSubdomain);
    const warnings = catchWarnings();
    expect((await client.get("http://xyz.other.test/")).text).toBe("default");
    expect(warnings.restore()).toHaveLength(subdomainMatching ? 1 : 0);
  });
});

describe("static files", () => {
  test("the static route serves files and builds their URLs", async () => {
    const app = makeApp();
    const rv = await app.testClient().get("/static/index.html");
    expect(rv.statusCode).toBe(200);
    expect(rv.text.trim()).toBe("<h1>Hello World!</h1>");
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html" })).toBe("/static/index.html");
    });
    // ../../basic.test.ts exists, but outside the static folder.
    expect((await app.testClient().get("/static/..%2F..%2Fbasic.test.ts")).statusCode).toBe(404);
    expect((await app.testClient().get("/static/../../basic.test.ts")).statusCode).toBe(404);
    expect((await app.testClient().get("/static/missing.html")).statusCode).toBe(404);
  });

  test.each(["/foo", "/foo/"])("staticUrlPath %s", async (staticUrlPath) => {
    const app = makeApp({ staticUrlPath });
    expect((await app.testClient().get("/foo/index.html")).statusCode).toBe(200);
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html" })).toBe("/foo/index.html");
    });
  });

  test("an empty static folder serves the root folder at /", async () => {
    let app = makeApp({ staticFolder: "", staticUrlPath: "" });
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(200);
    app = makeApp({ staticFolder: "" });
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(200);
  });

  test("a static folder with a trailing slash keeps its URL path", async () => {
    const app = makeApp({ staticFolder: "static/" });
    app.get("/<path:path>", function catch_all({ path }) {
      return path;
    });
    expect((await app.testClient().get("/catch/all")).text).toBe("catch/all");
    expect((await app.testClient().get("/static/index.html")).statusCode).toBe(200);
  });

  test("the static route with host matching", async () => {
    const app = makeApp({ hostMatching: true, staticHost: "example.com" });
    expect((await app.testClient().get("http://example.com/static/index.html")).statusCode).toBe(200);
    await app.testRequestContext().run(() => {
      expect(urlFor("static", { filename: "index.html", _external: true })).toBe("http://example.com/static/index.html");
    });
    expect(() => new Flagon("x", { staticHost: "example.com" })).toThrow(/static_?host/i);
    expect(() => new Flagon("x", { hostMatching: true })).toThrow(/static_?host/i);
    expect(() => new Flagon("x", { hostMatching: true, staticFolder: null })).not.toThrow();
  });
});

describe("g", () => {
  test("g.get, attributes, `in` and keys", async () => {
    const app = makeApp();
    await app.appContext().run(() => {
      expect(g.get("x")).toBeUndefined();
      expect(g.get("x", 11)).toBe(11);
      g.x = 42;
      expect(g.get("x")).toBe(42);
      expect(g.x).toBe(42);
    });
    await app.appContext().run(() => {
      g.foo = 23;
      g.bar = 42;
      expect("foo" in g).toBe(true);
      expect("foos" in g).toBe(false);
      expect(Object.keys(g).sort()).toEqual(["bar", "foo"]);
    });
  });
});

describe("isolation", () => {
  test("overlapping async requests never see each other's request or g", async () => {
    const app = makeApp();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    app.beforeRequest(() => {
      g.who = request.args.get("who");
    });
    app.get("/", async () => {
      const who = request.args.get("who");
      await sleep(Number(request.args.get("delay")));
      expect(g.who).toBe(who);
      await Promise.resolve();
      return { who, g: g.who, path: request.fullPath };
    });
    const client = app.testClient();
    const delays = [30, 5, 20, 0, 12, 25, 1, 8];
    const responses = await Promise.all(delays.map((delay, i) => client.get("/", { query: { who: `r${i}`, delay } })));
    responses.forEach((rv, i) => {
      expect(rv.json).toEqual({ who: `r${i}`, g: `r${i}`, path: `/?who=r${i}&delay=${delays[i]}` });
    });
  });
});

describe("bad input", () => {
  test("a Host outside TRUSTED_HOSTS is a 400; hooks still run, the server goes on", async () => {
    const app = makeApp();
    app.config.TRUSTED_HOSTS = ["example.com"];
    const seen: string[] = [];
    app.beforeRequest(() => void seen.push(String(request.routingException?.constructor.name)));
    app.get("/", () => "ok");
    const client = app.testClient();
    expect((await client.get("http://evil.test/")).statusCode).toBe(400);
    expect((await client.get("http://example.com/")).text).toBe("ok");
    expect(seen).toEqual(["SecurityError", "undefined"]);
  });

  test("malformed percent-encoding is a 400, not a crash", async () => {
    const app = makeApp();
    app.get("/<name>", ({ name }) => name);
    expect((await app.testClient().get("/%E0%A4%A")).statusCode).toBe(400);
  });
});

describe("serving", () => {
  test("run takes host and port from SERVER_NAME; app.listener answers errors and never rejects", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "127.0.0.1:0";
    app.get("/", () => "hi");
    app.get("/boom", () => {
      throw new RangeError("boom");
    });
    const server = await app.run({ log: false });
    try {
      expect(server.host).toBe("127.0.0.1");
      expect(server.port).toBeGreaterThan(0);
      expect(await (await fetch(`${server.url}/`)).text()).toBe("hi");
      // TESTING is on, but a real server gets a 500 rather than a rejected listener.
      const failed = await fetch(`${server.url}/boom`);
      expect(failed.status).toBe(500);
      expect(await failed.text()).toContain("Internal Server Error");
      app.debug = true;
      const debugPage = await fetch(`${server.url}/boom`);
      expect(debugPage.status).toBe(500);
      expect(await debugPage.text()).toContain("RangeError");
      expect(await (await fetch(`${server.url}/`)).text()).toBe("hi");
    } finally {
      await server.close();
    }
  });

  test("a streamed body that fails before its first chunk still gets a 500", async () => {
    const app = makeApp();
    app.logger = { debug() {}, info() {}, warn() {}, error() {} };
    app.get("/stream", () =>
      (async function* () {
        throw new Error("no data");
      })(),
    );
    app.get("/", () => "hi");
    const server = await app.run({ log: false, port: 0 });
    try {
      const response = await fetch(`${server.url}/stream`);
      expect(response.status).toBe(500);
      expect(await (await fetch(`${server.url}/`)).text()).toBe("hi");
    } finally {
      await server.close();
    }
  });
});
