// Flask's tests/test_reqctx.py, translated: request contexts, their teardown, URL
// building inside them, copying a context into later callbacks.
import { describe, expect, test, vi } from "vitest";
import {
  AppContext,
  DefaultLogger,
  Flagon,
  NullSessionInterface,
  copyCurrentContext,
  currentApp,
  getCurrentObject,
  hasRequestContext,
  request,
  session,
  urlFor,
  type SessionMixin,
} from "flagon";
import { makeApp } from "./_helpers.js";

describe("request context teardown", () => {
  test("teardownRequest runs when the context ends, with no error", async () => {
    const app = makeApp();
    const buffer: unknown[] = [];
    app.teardownRequest((exception: unknown) => void buffer.push(exception));
    const ctx = app.testRequestContext();
    expect(buffer).toEqual([]);
    await ctx.run(() => {
      expect(buffer).toEqual([]);
    });
    expect(buffer).toEqual([undefined]);
  });

  test("an error caught earlier is not passed to teardown", async () => {
    const app = makeApp();
    const buffer: unknown[] = [];
    app.teardownRequest((exception: unknown) => void buffer.push(exception));
    try {
      throw new Error("dummy");
    } catch {
      // handled before the context exists
    }
    await app.testRequestContext().run(() => expect(buffer).toEqual([]));
    expect(buffer).toEqual([undefined]);
  });

  test("an error handled inside the context is not passed to teardown", async () => {
    const app = makeApp();
    const buffer: unknown[] = [];
    app.teardownRequest((exception: unknown) => void buffer.push(exception));
    await app.testRequestContext().run(() => {
      try {
        throw new Error("dummy");
      } catch {
        // handled inside
      }
    });
    expect(buffer).toEqual([undefined]);
  });

  test("an error escaping the context reaches teardown and the caller", async () => {
    const app = makeApp();
    const buffer: unknown[] = [];
    app.teardownRequest((exception: unknown) => void buffer.push(exception));
    const boom = new Error("boom");
    await expect(
      app.testRequestContext().run(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(buffer).toEqual([boom]);
  });
});

describe("URL building in a request context", () => {
  test("SERVER_NAME gives external URLs, with subdomains", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "localhost.localdomain:5000";
    app.get("/", function index() {
      return "";
    });
    app.get("/", { subdomain: "foo" })(function sub() {
      return "";
    });
    await app.testRequestContext("/").run(() => {
      expect(urlFor("index", { _external: true })).toBe("http://localhost.localdomain:5000/");
    });
    await app.testRequestContext("/").run(() => {
      expect(urlFor("sub", { _external: true })).toBe("http://foo.localhost.localdomain:5000/");
    });
    // A Host that does not match SERVER_NAME is not an error.
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    try {
      await app.testRequestContext("/", { headers: { Host: "localhost" } }).run(() => {});
    } finally {
      warn.mockRestore();
    }
    app.config.SERVER_NAME = "localhost";
    await app.testRequestContext("/").run(() => {});
    app.config.SERVER_NAME = "localhost:80";
    await app.testRequestContext("/").run(() => {
      expect(request.host).toBe("localhost");
    });
  });
});

describe("binding", () => {
  test("views can be called inside a test request context", async () => {
    const app = makeApp();
    const index = () => `Hello ${request.args.require("name")}!`;
    const meh = () => request.url;
    app.get("/", index);
    app.get("/meh", meh);
    expect(await app.testRequestContext("/?name=World").run(index)).toBe("Hello World!");
    expect(await app.testRequestContext("/meh").run(meh)).toBe("http://localhost/meh");
    expect(() => request.url).toThrow(/Working outside of request context/);
  });

  test("hasRequestContext inside and outside", async () => {
    const app = makeApp();
    expect(hasRequestContext()).toBe(false);
    expect(() => request.path).toThrow(/Working outside of request context/);
    await app.testRequestContext().run(() => {
      expect(hasRequestContext()).toBe(true);
      expect(getCurrentObject(request)).toBe(getCurrentObject(request));
      expect(request.path).toBe("/");
    });
    expect(hasRequestContext()).toBe(false);
  });

  test("after the context, the view cannot reach the request", async () => {
    const app = makeApp();
    const index = () => `Hello ${request.args.require("name")}!`;
    app.get("/", index);
    const ctx = app.testRequestContext("/?name=World");
    expect(await ctx.run(index)).toBe("Hello World!");
    expect(index).toThrow(/Working outside of request context/);
  });

  test("a request context carries the app and g of its own", async () => {
    const app = makeApp();
    const ctx = app.testRequestContext();
    expect(ctx).toBeInstanceOf(AppContext);
    await ctx.run(() => {
      expect(getCurrentObject(currentApp)).toBe(app);
    });
  });
});

// Flask copies contexts into greenlets; the JavaScript equivalent is a callback that
// runs after the request has ended.
describe("copying the context", () => {
  test("copyCurrentContext keeps request and app for later callbacks", async () => {
    const app = makeApp();
    let later: (() => unknown) | undefined;
    app.get("/", () => {
      later = copyCurrentContext(() => {
        expect(getCurrentObject(currentApp)).toBe(app);
        expect(request.path).toBe("/");
        expect(request.args.get("foo")).toBe("bar");
        return 42;
      });
      return "Hello World!";
    });
    const rv = await app.testClient().get("/?foo=bar");
    expect(rv.text).toBe("Hello World!");
    expect(() => request.path).toThrow(/outside of request context/);
    expect(later!()).toBe(42);
    expect(() => request.path).toThrow(/outside of request context/);
  });

  test("a copied context can be entered later by hand", async () => {
    const app = makeApp();
    const ctx = app.testRequestContext("/x?foo=bar");
    const copied = ctx.copy();
    expect(copied).not.toBe(ctx);
    expect(copied.enter(() => [request.path, request.args.get("foo")])).toEqual(["/x", "bar"]);
    expect(copied.g).not.toBe(ctx.g);
  });
});

describe("sessions and the context", () => {
  test("a failing session interface gives a 500, and the context is gone afterwards", async () => {
    class SessionError extends Error {}
    class FailingSessionInterface extends NullSessionInterface {
      override openSession(): SessionMixin | null {
        throw new SessionError();
      }
    }
    const app = new Flagon("failing", { staticFolder: null });
    app.logger = new DefaultLogger("failing", "info", () => {});
    app.sessionInterface = new FailingSessionInterface();
    app.get("/", () => String(session.user));
    const response = await app.testClient().get("/");
    expect(response.statusCode).toBe(500);
    expect(() => request.path).toThrow(/outside of request context/);
    expect(() => currentApp.name).toThrow(/outside of application context/);
  });
});
