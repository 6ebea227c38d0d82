// Flask's test_flashes and test_extended_flashing (tests/test_basic.py), translated.
import { describe, expect, test } from "vitest";
import { Flagon, SecureCookieSessionInterface, flash, getFlashedMessages, session, type FlagonClient, type SessionMixin } from "flagon";
import { makeApp as makeTestApp } from "./_helpers.js";

function makeApp(): Flagon & { logs: string[] } {
  const app = makeTestApp();
  if (!(app.sessionInterface instanceof SecureCookieSessionInterface)) app.sessionInterface = new SecureCookieSessionInterface();
  return app;
}

describe("flash", () => {
  test("each flash marks the session modified", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      expect(session.modified).toBe(false);
      flash("Zap");
      session.modified = false;
      flash("Zip");
      expect(session.modified).toBe(true);
      expect(getFlashedMessages()).toEqual(["Zap", "Zip"]);
    });
  });

  test("messages are stored under _flashes as [category, message] pairs", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      flash("Hello");
      flash("Oops", "error");
      expect(session._flashes).toEqual([
        ["message", "Hello"],
        ["error", "Oops"],
      ]);
    });
  });

  test("needs a session: without SECRET_KEY it says so", async () => {
    const app = makeApp();
    app.config.SECRET_KEY = null;
    await app.testRequestContext().run(() => {
      expect(() => flash("x")).toThrow(/session is unavailable/);
      expect(getFlashedMessages()).toEqual([]);
    });
  });

  test("outside a request it explains the missing context", () => {
    expect(() => flash("x")).toThrow(/Working outside of request context/);
    expect(() => getFlashedMessages()).toThrow(/Working outside of request context/);
  });
});

describe("getFlashedMessages across requests", () => {
  function flashingApp(check: (path: string) => void): Flagon {
    const app = makeApp();
    app.get("/", () => {
      flash("Hello World");
      flash("Hello World", "error");
      flash("<em>Testing</em>", "warning");
      return "";
    });
    for (const path of ["/test/", "/test_with_categories/", "/test_filter/", "/test_filters/", "/test_filters_without_returning_categories/"]) {
      app.get(path, () => {
        check(path);
        return "";
      });
    }
    return app;
  }

  const expectations: Record<string, () => void> = {
    "/test/": () => expect(getFlashedMessages()).toEqual(["Hello World", "Hello World", "<em>Testing</em>"]),
    "/test_with_categories/": () =>
      expect(getFlashedMessages({ withCategories: true })).toEqual([
        ["message", "Hello World"],
        ["error", "Hello World"],
        ["warning", "<em>Testing</em>"],
      ]),
    "/test_filter/": () =>
      expect(getFlashedMessages({ categoryFilter: ["message"], withCategories: true })).toEqual([["message", "Hello World"]]),
    "/test_filters/": () =>
      expect(getFlashedMessages({ categoryFilter: ["message", "warning"], withCategories: true })).toEqual([
        ["message", "Hello World"],
        ["warning", "<em>Testing</em>"],
      ]),
    "/test_filters_without_returning_categories/": () =>
      expect(getFlashedMessages({ categoryFilter: ["message", "warning"] })).toEqual(["Hello World", "<em>Testing</em>"]),
  };

  test.each(Object.keys(expectations))("flashed on one request, read on the next at %s", async (path) => {
    let checked = 0;
    const app = flashingApp((p) => {
      expectations[p]!();
      checked++;
    });
    const client = app.testClient();
    await client.get("/");
    const rv = await client.get(path);
    expect(rv.statusCode).toBe(200);
    expect(checked).toBe(1);
  });

  test("reading removes them from the session; within the request they stay readable", async () => {
    const app = makeApp();
    app.get("/flash", () => {
      flash("one");
      return "";
    });
    app.get("/read", () => {
      const first = getFlashedMessages();
      const second = getFlashedMessages({ withCategories: true });
      return { first, second, left: "_flashes" in session };
    });
    const client = app.testClient() as FlagonClient;
    await client.get("/flash");
    expect((await client.get("/read")).json).toEqual({ first: ["one"], second: [["message", "one"]], left: false });
    expect((await client.get("/read")).json).toEqual({ first: [], second: [], left: false });
    await client.sessionTransaction((s: SessionMixin) => expect(Object.keys(s)).toEqual([]));
  });

  test("an empty category filter keeps every message", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      flash("a", "x");
      expect(getFlashedMessages({ categoryFilter: [] })).toEqual(["a"]);
    });
  });

  test("garbage under _flashes is ignored", async () => {
    const app = makeApp();
    await app.testRequestContext().run(() => {
      session._flashes = "not a list";
      flash("kept");
      expect(getFlashedMessages()).toEqual(["kept"]);
    });
    await app.testRequestContext().run(() => {
      session._flashes = [["ok", "fine"], "junk", [1, 2]];
      expect(getFlashedMessages({ withCategories: true })).toEqual([["ok", "fine"]]);
    });
  });
});
