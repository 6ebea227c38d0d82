import { describe, expect, test } from "vitest";
import { HTTPException, Map, MapAdapter, RequestRedirect, Rule } from "@flagon/werk";
import { redirectTarget } from "./_helpers.js";

describe("merge-slash redirects", () => {
  // Werkzeug's case passes the already-decoded "/merge/%//path"; match() here decodes its
  // input, so a literal "%" arrives as "%25".
  const cases: Array<[string, string]> = [
    ["/merge/%25//path", "/merge/%25/path"],
    ["/merge//st/path", "/merge/st/path"],
  ];
  for (const [path, expected] of cases) {
    test(`redirects ${path} to ${expected} without double-encoding`, () => {
      const adapter = new Map([new Rule("/merge/<some>/path")]).bind("localhost", "/");
      expect(redirectTarget(() => adapter.match(path)).endsWith(expected)).toBe(true);
    });
  }
});

describe("strict-slash redirects", () => {
  test("percent-encodes non-ASCII characters in the redirect URL", () => {
    const adapter = new Map([new Rule("/öäü/")]).bind("localhost", "/");
    expect(redirectTarget(() => adapter.match("/öäü"))).toBe("http://localhost/%C3%B6%C3%A4%C3%BC/");
  });

  test("redirects to the root under a script name for an empty path", () => {
    const m = new Map([new Rule("/", { endpoint: "index" })]);
    expect(redirectTarget(() => m.bind("example.com", "/approot").match(""))).toBe("http://example.com/approot/");
    expect(redirectTarget(() => m.bind("example.com").match(""))).toBe("http://example.com/");
  });

  test("redirects Cyrillic and plus-sign paths on an IDNA host", () => {
    const a = new Map([new Rule("/войти/", { endpoint: "enter" }), new Rule("/foo+bar/", { endpoint: "foobar" })]).bind(
      "☃.example.com",
    );
    expect(redirectTarget(() => a.match("/войти"))).toBe("http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/");
    expect(a.match("/войти/")).toEqual(["enter", {}]);
    expect(redirectTarget(() => a.match("/foo+bar"))).toBe("http://xn--n3h.example.com/foo+bar/");
    expect(a.match("/foo+bar/")).toEqual(["foobar", {}]);
    expect(a.build("enter", {}, { forceExternal: true })).toBe(
      "http://xn--n3h.example.com/%D0%B2%D0%BE%D0%B9%D1%82%D0%B8/",
    );
    expect(a.build("foobar", {}, { forceExternal: true })).toBe("http://xn--n3h.example.com/foo+bar/");
  });
});

describe("query strings in redirects", () => {
  const adapter = new Map([new Rule("/bar/", { endpoint: "bar" })]).bind("example.org", "/", { queryArgs: "from=bind" });

  test("form-encodes object query arguments, repeating keys for arrays", () => {
    expect(redirectTarget(() => adapter.match("/bar", undefined, { queryArgs: { q: "a b&c", n: [1, 2] } }))).toBe(
      "http://example.org/bar/?q=a+b%26c&n=1&n=2",
    );
  });

  test("falls back to the query arguments given to bind()", () => {
    expect(redirectTarget(() => adapter.match("/bar"))).toBe("http://example.org/bar/?from=bind");
  });
});

describe("default redirects", () => {
  test("redirects /foo/42 to /foo when another rule provides bar=42 as a default", () => {
    const adapter = new Map([new Rule("/foo", { defaults: { bar: 42 } }), new Rule("/foo/<int:bar>")]).bind(
      "localhost",
      "/",
    );
    expect(redirectTarget(() => adapter.match("/foo/42"))).toBe("http://localhost/foo");
  });

  test("quotes the path of a default redirect", () => {
    const adapter = new Map([
      new Rule("/<category>", { defaults: { page: 1 }, endpoint: "category" }),
      new Rule("/<category>/page/<int:page>", { endpoint: "category" }),
    ]).bind("example.com");
    expect(redirectTarget(() => adapter.match("/foo bar/page/1"))).toBe("http://example.com/foo%20bar");
  });

  test("does not redirect to defaults when redirectDefaults is false", () => {
    const adapter = new Map(
      [new Rule("/foo/", { defaults: { page: 1 }, endpoint: "foo" }), new Rule("/foo/<int:page>", { endpoint: "foo" })],
      { redirectDefaults: false },
    ).bind("example.org");
    expect(adapter.match("/foo/1")).toEqual(["foo", { page: 1 }]);
    expect(adapter.build("foo", { page: 1 })).toBe("/foo/");
  });
});

describe("alias redirects", () => {
  const a = new Map([
    new Rule("/", { endpoint: "index" }),
    new Rule("/index.html", { endpoint: "index", alias: true }),
    new Rule("/users/", { defaults: { page: 1 }, endpoint: "users" }),
    new Rule("/users/index.html", { defaults: { page: 1 }, alias: true, endpoint: "users" }),
    new Rule("/users/page/<int:page>", { endpoint: "users" }),
    new Rule("/users/page-<int:page>.html", { alias: true, endpoint: "users" }),
  ]).bind("example.com");

  test("redirects alias rules to the canonical URL of the endpoint", () => {
    expect(redirectTarget(() => a.match("/index.html"))).toBe("http://example.com/");
    expect(redirectTarget(() => a.match("/users/index.html"))).toBe("http://example.com/users/");
    expect(redirectTarget(() => a.match("/users/page-2.html"))).toBe("http://example.com/users/page/2");
    expect(redirectTarget(() => a.match("/users/page-1.html"))).toBe("http://example.com/users/");
  });

  test("keeps query arguments in an alias redirect", () => {
    expect(redirectTarget(() => a.match("/users/page-1.html", undefined, { queryArgs: { foo: "bar" } }))).toBe(
      "http://example.com/users/?foo=bar",
    );
  });

  test("builds the canonical rule, never the alias", () => {
    expect(a.build("index")).toBe("/");
    expect(a.build("users", { page: 1 })).toBe("/users/");
    expect(a.build("users", { page: 2 })).toBe("/users/page/2");
  });
});

describe("redirectTo", () => {
  test("fills a string target with the matched values and joins it to the script root", () => {
    const m = new Map([
      new Rule("/foo/<slug>", { endpoint: "foo" }),
      new Rule("/some/old/url/<slug>", { redirectTo: "foo/<slug>" }),
      new Rule("/absolute/<int:id>", { redirectTo: "/foo/<id>" }),
    ]);
    expect(redirectTarget(() => m.bind("example.org").match("/some/old/url/bar"))).toBe("http://example.org/foo/bar");
    expect(redirectTarget(() => m.bind("example.org", "/app").match("/some/old/url/bar"))).toBe(
      "http://example.org/app/foo/bar",
    );
    expect(redirectTarget(() => m.bind("example.org", "/app").match("/absolute/7"))).toBe("http://example.org/foo/7");
  });

  test("calls a function target with the adapter and the matched values", () => {
    const calls: Array<[unknown, Record<string, unknown>]> = [];
    const m = new Map([
      new Rule("/foo/<slug>", { endpoint: "foo" }),
      new Rule("/other/old/url/<int:id>", {
        redirectTo: (adapter, values) => {
          calls.push([adapter, values]);
          return `foo/slug-${String(values.id)}`;
        },
      }),
    ]);
    const adapter = m.bind("example.org");
    expect(redirectTarget(() => adapter.match("/other/old/url/42"))).toBe("http://example.org/foo/slug-42");
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(adapter);
    expect(calls[0]![0]).toBeInstanceOf(MapAdapter);
    expect(calls[0]![1]).toEqual({ id: 42 });
  });

  test("redirects on the bound subdomain", () => {
    const m = new Map([new Rule("/old", { redirectTo: "new", subdomain: "blog" })]);
    expect(redirectTarget(() => m.bind("example.org", "/", { subdomain: "blog" }).match("/old"))).toBe(
      "http://blog.example.org/new",
    );
  });
});

describe("RequestRedirect", () => {
  test("is an HTTPException with code 308 and the target in newUrl", () => {
    const exc = new RequestRedirect("http://www.google.com/");
    expect(exc).toBeInstanceOf(HTTPException);
    expect(exc.code).toBe(308);
    expect(exc.newUrl).toBe("http://www.google.com/");
    exc.code = 307;
    expect(exc.code).toBe(307);
  });
});
