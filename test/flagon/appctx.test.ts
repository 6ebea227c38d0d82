// Flask's tests/test_appctx.py, translated: application contexts, currentApp, g, and
// teardown_appcontext with and without errors.
import { describe, expect, test } from "vitest";
import {
  AppCtxGlobals,
  DefaultLogger,
  Flagon,
  currentApp,
  g,
  getCurrentObject,
  hasAppContext,
  jsonify,
  urlFor,
} from "flagon";
import { makeApp } from "./_helpers.js";

describe("URL building in an app context", () => {
  test("SERVER_NAME and PREFERRED_URL_SCHEME build external URLs", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "localhost";
    app.config.PREFERRED_URL_SCHEME = "https";
    app.get("/", function index() {
      return "";
    });
    await app.appContext().run(() => {
      expect(urlFor("index")).toBe("https://localhost/");
    });
  });

  test("APPLICATION_ROOT prefixes URLs built without a request", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "example.com";
    app.config.APPLICATION_ROOT = "/app";
    app.get("/page", function page() {
      return "";
    });
    await app.appContext().run(() => {
      expect(urlFor("page", { q: "1" })).toBe("http://example.com/app/page?q=1");
    });
  });

  test("without SERVER_NAME, urlFor needs a request", async () => {
    const app = makeApp();
    await app.appContext().run(() => {
      expect(() => urlFor("index")).toThrow(/SERVER_NAME/);
    });
  });

  test("without any context, urlFor says so", () => {
    expect(() => urlFor("index")).toThrow(/Working outside of application context/);
  });
});

describe("currentApp", () => {
  test("a request context means an app context", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      expect(getCurrentObject(currentApp)).toBe(app);
      expect(hasAppContext()).toBe(true);
    });
    expect(() => currentApp.name).toThrow(/Working outside of application context/);
  });

  test("an app context provides currentApp", async () => {
    const app = makeApp();
    await app.appContext().run(() => {
      expect(getCurrentObject(currentApp)).toBe(app);
      expect(currentApp.name).toBe("flagon_test");
    });
    expect(hasAppContext()).toBe(false);
    expect(() => currentApp.name).toThrow(/Working outside of application context/);
  });

  test("nested app contexts of different apps", async () => {
    const outer = makeApp({}, "outer");
    const inner = makeApp({}, "inner");
    await outer.appContext().run(async () => {
      g.name = "outer";
      await inner.appContext().run(() => {
        expect(currentApp.name).toBe("inner");
        expect(g.has("name")).toBe(false);
      });
      expect(currentApp.name).toBe("outer");
      expect(g.name).toBe("outer");
    });
  });
});

describe("teardown_appcontext", () => {
  test("runs when the app context ends", async () => {
    const app = makeApp();
    const cleanup: unknown[] = [];
    app.teardownAppcontext((exception: unknown) => void cleanup.push(exception));
    await app.appContext().run(() => {});
    expect(cleanup).toEqual([undefined]);
  });

  test("an error caught before the context is not passed", async () => {
    const app = makeApp();
    const cleanup: unknown[] = [];
    app.teardownAppcontext((exception: unknown) => void cleanup.push(exception));
    try {
      throw new Error("dummy");
    } catch {
      // handled
    }
    await app.appContext().run(() => {});
    expect(cleanup).toEqual([undefined]);
  });

  test("an error handled inside the context is not passed", async () => {
    const app = makeApp();
    const cleanup: unknown[] = [];
    app.teardownAppcontext((exception: unknown) => void cleanup.push(exception));
    await app.appContext().run(() => {
      try {
        throw new Error("dummy");
      } catch {
        // handled
      }
    });
    expect(cleanup).toEqual([undefined]);
  });

  test("an error an error handler answered is not passed", async () => {
    const app = makeApp();
    app.config.PROPAGATE_EXCEPTIONS = true;
    const cleanup: unknown[] = [];
    app.teardownAppcontext((exception: unknown) => void cleanup.push(exception));
    app.get("/", function index() {
      throw new Error("dummy");
    });
    app.errorHandler(Error)((f: Error) => jsonify(String(f)));
    const client = app.testClient();
    await app.appContext().run(async () => {
      const rv = await client.get("/");
      expect(rv.json).toBe("Error: dummy");
    });
    // The request's context, then the outer one.
    expect(cleanup).toEqual([undefined, undefined]);
  });

  test("an unhandled error reaches both contexts' teardown and the caller", async () => {
    const app = makeApp();
    app.config.PROPAGATE_EXCEPTIONS = true;
    const cleanup: unknown[] = [];
    app.teardownAppcontext((exception: unknown) => void cleanup.push(exception));
    app.get("/", function index() {
      throw new RangeError("dummy");
    });
    const client = app.testClient();
    await expect(app.appContext().run(() => client.get("/"))).rejects.toThrow(/dummy/);
    expect(cleanup).toHaveLength(2);
    expect(cleanup[0]).toBeInstanceOf(RangeError);
    expect(cleanup[0]).toBe(cleanup[1]);
  });

  test("each request runs request teardown, then app teardown, once", async () => {
    const app = makeApp();
    const called: string[] = [];
    app.teardownRequest(() => void called.push("request"));
    app.teardownAppcontext(() => void called.push("app"));
    app.get("/", () => "");
    const res = await app.testClient().get("/");
    expect(res.statusCode).toBe(200);
    expect(res.text).toBe("");
    expect(called).toEqual(["request", "app"]);
  });

  test("an app context without a request skips teardownRequest", async () => {
    const app = makeApp();
    app.testing = false;
    const called: string[] = [];
    app.teardownRequest(() => {
      throw new RangeError("must not run");
    });
    app.teardownAppcontext(() => void called.push("TEARDOWN"));
    await app.appContext().run(() => void called.push(currentApp.name));
    expect(called).toEqual(["flagon_test", "TEARDOWN"]);
    expect(() => currentApp.name).toThrow(/outside of application context/);
  });

  test("every teardown function runs even when some fail; the failures reach the test", async () => {
    const app = makeApp();
    let count = 0;
    app.teardownRequest(() => {
      count += 1;
      throw new RangeError("request_teardown 1");
    });
    app.teardownRequest(() => {
      count += 1;
      throw new RangeError("request_teardown 2");
    });
    app.teardownAppcontext(() => {
      count += 1;
      throw new RangeError("app_teardown");
    });
    app.get("/", () => "");
    const error = await app
      .testClient()
      .get("/")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    const [requestErrors, appError] = (error as AggregateError).errors as [AggregateError, Error];
    expect((error as AggregateError).message).toMatch(/context teardown/);
    expect(requestErrors.message).toMatch(/request teardown/);
    expect(requestErrors.errors.map((e: Error) => e.message)).toEqual(["request_teardown 2", "request_teardown 1"]);
    expect(appError.message).toBe("app_teardown");
    expect(count).toBe(3);
  });

  test("outside testing, teardown failures are logged and the response is still sent", async () => {
    const app = makeApp();
    app.testing = false;
    const lines: string[] = [];
    app.logger = new DefaultLogger("flagon_test", "info", (line) => lines.push(line));
    app.teardownRequest(() => {
      throw new RangeError("teardown broke");
    });
    app.get("/", () => "fine");
    const rv = await app.testClient().get("/");
    expect(rv.text).toBe("fine");
    expect(lines.some((line) => line.includes("teardown broke"))).toBe(true);
  });
});

describe("g", () => {
  test("get, has, setDefault, pop, keys", async () => {
    const app = makeApp();
    await app.appContext().run(() => {
      expect(g.get("foo")).toBeUndefined();
      expect(g.get("foo", "bar")).toBe("bar");
      expect("foo" in g).toBe(false);
      g.foo = "bar";
      expect("foo" in g).toBe(true);
      g.setDefault("bar", "the cake is a lie");
      g.setDefault("bar", "hello world");
      expect(g.bar).toBe("the cake is a lie");
      expect(g.pop("bar")).toBe("the cake is a lie");
      expect(() => g.pop("bar")).toThrow(/no attribute "bar"/);
      expect(g.pop("bar", "more cake")).toBe("more cake");
      expect(Object.keys(g)).toEqual(["foo"]);
      expect(getCurrentObject(g)).toBeInstanceOf(AppCtxGlobals);
    });
  });

  test("each context gets its own g", async () => {
    const app = makeApp();
    await app.appContext().run(() => {
      g.value = 1;
    });
    await app.appContext().run(() => {
      expect(g.get("value")).toBeUndefined();
    });
    expect(() => g.value).toThrow(/outside of application context/);
  });
});
