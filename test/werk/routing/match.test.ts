import { describe, expect, test } from "vitest";
import {
  BadRequest,
  HTTPException,
  Map,
  MethodNotAllowed,
  NotFound,
  RequestRedirect,
  Rule,
  WebsocketMismatch,
} from "@flagon/werk";
import { catchError, fakeRequest, redirectTarget } from "./_helpers.js";

describe("basic matching", () => {
  const map = new Map([
    new Rule("/", { endpoint: "index" }),
    new Rule("/foo", { endpoint: "foo" }),
    new Rule("/bar/", { endpoint: "bar" }),
    new Rule("/ws", { endpoint: "ws", websocket: true }),
    new Rule("/", { endpoint: "indexws", websocket: true }),
  ]);

  test("matches static leaf and branch rules and reports unknown paths as NotFound", () => {
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/")).toEqual(["index", {}]);
    expect(adapter.match("/foo")).toEqual(["foo", {}]);
    expect(adapter.match("/bar/")).toEqual(["bar", {}]);
    expect(() => adapter.match("/bar")).toThrow(RequestRedirect);
    expect(() => adapter.match("/blub")).toThrow(NotFound);
  });

  test("matches only websocket rules when bound with the ws scheme", () => {
    const adapter = map.bind("example.org", "/", { urlScheme: "ws" });
    expect(adapter.match("/")).toEqual(["indexws", {}]);
  });

  test("redirects /bar to /bar/ under the script name", () => {
    expect(redirectTarget(() => map.bind("example.org", "/test").match("/bar"))).toBe("http://example.org/test/bar/");
    expect(redirectTarget(() => map.bind("example.org", "/").match("/bar"))).toBe("http://example.org/bar/");
  });

  test("keeps query arguments given as an object or a string in the redirect", () => {
    const adapter = map.bind("example.org", "/");
    expect(redirectTarget(() => adapter.match("/bar", undefined, { queryArgs: { aha: "muhaha" } }))).toBe(
      "http://example.org/bar/?aha=muhaha",
    );
    expect(redirectTarget(() => adapter.match("/bar", undefined, { queryArgs: "aha=muhaha" }))).toBe(
      "http://example.org/bar/?aha=muhaha",
    );
  });

  test("keeps the request's query string in the redirect when bound to a request", () => {
    const adapter = map.bindToRequest(fakeRequest("/bar?foo=bar", "http://example.org/"));
    expect(redirectTarget(() => adapter.match())).toBe("http://example.org/bar/?foo=bar");
  });

  test("tells websocket and HTTP rules apart with the websocket option", () => {
    const adapter = map.bind("example.org", "/ws", { urlScheme: "wss" });
    expect(adapter.match("/ws", undefined, { websocket: true })).toEqual(["ws", {}]);
    expect(() => adapter.match("/ws", undefined, { websocket: false })).toThrow(WebsocketMismatch);
    expect(() => adapter.match("/foo", undefined, { websocket: true })).toThrow(WebsocketMismatch);
  });

  test("WebsocketMismatch is a BadRequest", () => {
    const adapter = map.bind("example.org");
    const err = catchError(() => adapter.match("/ws"), WebsocketMismatch);
    expect(err).toBeInstanceOf(BadRequest);
    expect(err.code).toBe(400);
  });

  test("detects a websocket request from Connection: Upgrade and Upgrade: WebSocket headers", () => {
    const adapter = map.bindToRequest(
      fakeRequest("/ws?foo=bar", "http://example.org/", { headers: { Connection: "Upgrade", upgrade: "WebSocket" } }),
    );
    expect(adapter.match("/ws")).toEqual(["ws", {}]);
    expect(() => adapter.match("/ws", undefined, { websocket: false })).toThrow(WebsocketMismatch);
  });

  test("detects a websocket request when Upgrade is one of several Connection tokens", () => {
    const adapter = map.bindToRequest(
      fakeRequest("/ws?foo=bar", "http://example.org/", {
        headers: { Connection: "keep-alive, Upgrade", upgrade: "websocket" },
      }),
    );
    expect(adapter.websocket).toBe(true);
    expect(adapter.match("/ws")).toEqual(["ws", {}]);
    expect(() => adapter.match("/ws", undefined, { websocket: false })).toThrow(WebsocketMismatch);
  });
});

describe("merge slashes", () => {
  const urlMap = new Map([
    new Rule("/no/tail", { endpoint: "no_tail" }),
    new Rule("/yes/tail/", { endpoint: "yes_tail" }),
    new Rule("/with/<path:path>", { endpoint: "with_path" }),
    new Rule("/no//merge", { endpoint: "no_merge", mergeSlashes: false }),
    new Rule("/no/merging", { endpoint: "no_merging", mergeSlashes: false }),
  ]);
  const adapter = urlMap.bind("localhost", "/");

  test("redirects repeated slashes to the merged path", () => {
    expect(redirectTarget(() => adapter.match("/no//tail"))).toMatch(/\/no\/tail$/);
    expect(redirectTarget(() => adapter.match("/yes//tail"))).toMatch(/\/yes\/tail\/$/);
    expect(redirectTarget(() => adapter.match("/yes/tail//"))).toMatch(/\/yes\/tail\/$/);
    expect(() => adapter.match("//yes///tail////")).toThrow(RequestRedirect);
  });

  test("matches the canonical paths without redirecting", () => {
    expect(adapter.match("/no/tail")[0]).toBe("no_tail");
    expect(adapter.match("/yes/tail/")[0]).toBe("yes_tail");
  });

  test("keeps repeated slashes inside path converter values", () => {
    expect(adapter.match("/with/http://example.com/")[1]).toEqual({ path: "http://example.com/" });
    expect(adapter.match("/with/x//y")[1]).toEqual({ path: "x//y" });
  });

  test("does not merge slashes for rules with mergeSlashes disabled", () => {
    expect(adapter.match("/no//merge")[0]).toBe("no_merge");
    expect(adapter.match("/no/merging")[0]).toBe("no_merging");
    expect(() => adapter.match("/no//merging")).toThrow(NotFound);
  });
});

describe("strict slashes", () => {
  test("redirects /bar to /bar/ for GET while POST /bar has its own rule", () => {
    const map = new Map([
      new Rule("/bar/", { endpoint: "get", methods: ["GET"] }),
      new Rule("/bar", { endpoint: "post", methods: ["POST"] }),
      new Rule("/foo/", { endpoint: "foo", methods: ["POST"] }),
      new Rule("/<path:var>/", { endpoint: "path", methods: ["GET"] }),
    ]);
    const adapter = map.bind("example.org", "/");

    expect(adapter.match("/bar/", "GET")).toEqual(["get", {}]);
    expect(adapter.match("/bar", "POST")).toEqual(["post", {}]);
    expect(adapter.match("/abc/", "GET")).toEqual(["path", { var: "abc" }]);

    expect(() => adapter.match("/bar", "GET")).toThrow(RequestRedirect);
    expect(() => adapter.match("/bar/", "POST")).toThrow(MethodNotAllowed);
    expect(catchError(() => adapter.match("/foo", "POST"), RequestRedirect).code).toBe(308);
    expect(redirectTarget(() => adapter.match("/abc", "GET"))).toBe("http://example.org/abc/");
  });

  test("gives the same results when the leaf rule is added before the branch rule", () => {
    const map = new Map([
      new Rule("/bar", { endpoint: "post", methods: ["POST"] }),
      new Rule("/bar/", { endpoint: "get", methods: ["GET"] }),
    ]);
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/bar/", "GET")).toEqual(["get", {}]);
    expect(adapter.match("/bar", "POST")).toEqual(["post", {}]);
    expect(() => adapter.match("/bar", "GET")).toThrow(RequestRedirect);
    expect(() => adapter.match("/bar/", "POST")).toThrow(MethodNotAllowed);
  });

  test("redirects and rejects other methods when only the branch rule exists", () => {
    const adapter = new Map([new Rule("/bar/", { endpoint: "get", methods: ["GET"] })]).bind("example.org", "/");
    expect(adapter.match("/bar/", "GET")).toEqual(["get", {}]);
    expect(() => adapter.match("/bar", "GET")).toThrow(RequestRedirect);
    expect(() => adapter.match("/bar/", "POST")).toThrow(MethodNotAllowed);
  });

  test("leaf rules do not consume a trailing slash that a branch rule matches", () => {
    const map = new Map(
      [
        new Rule("/path1", { endpoint: "leaf" }),
        new Rule("/path1/", { endpoint: "branch" }),
        new Rule("/path2", { endpoint: "leaf", strictSlashes: false }),
        new Rule("/path2/", { endpoint: "branch" }),
        new Rule("/path3", { endpoint: "leaf" }),
        new Rule("/path3/", { endpoint: "branch", strictSlashes: false }),
        new Rule("/path4", { endpoint: "leaf", strictSlashes: false }),
        new Rule("/path4/", { endpoint: "branch", strictSlashes: false }),
        new Rule("/path5", { endpoint: "leaf" }),
      ],
      { strictSlashes: false },
    );
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/path1", "GET")).toEqual(["leaf", {}]);
    expect(adapter.match("/path1/", "GET")).toEqual(["branch", {}]);
    expect(adapter.match("/path2", "GET")).toEqual(["leaf", {}]);
    expect(adapter.match("/path2/", "GET")).toEqual(["branch", {}]);
    expect(adapter.match("/path3", "GET")).toEqual(["leaf", {}]);
    expect(adapter.match("/path3/", "GET")).toEqual(["branch", {}]);
    expect(adapter.match("/path4", "GET")).toEqual(["leaf", {}]);
    expect(adapter.match("/path4/", "GET")).toEqual(["branch", {}]);
    expect(adapter.match("/path5/", "GET")).toEqual(["leaf", {}]);
  });

  test("matches with and without a trailing slash when strictSlashes is false on the rule", () => {
    const map = new Map([
      new Rule("/path1", { endpoint: "leaf_path", strictSlashes: false }),
      new Rule("/path2/", { endpoint: "branch_path", strictSlashes: false }),
      new Rule("/<path:path>", { endpoint: "leaf_path_converter", strictSlashes: false }),
    ]);
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/path1", "GET")).toEqual(["leaf_path", {}]);
    expect(adapter.match("/path1/", "GET")).toEqual(["leaf_path", {}]);
    expect(adapter.match("/path2", "GET")).toEqual(["branch_path", {}]);
    expect(adapter.match("/path2/", "GET")).toEqual(["branch_path", {}]);
    expect(adapter.match("/any", "GET")).toEqual(["leaf_path_converter", { path: "any" }]);
    expect(adapter.match("/any/", "GET")).toEqual(["leaf_path_converter", { path: "any/" }]);
  });
});

describe("binding to a request", () => {
  test("uses the request path when match() gets no path", () => {
    const m = new Map([new Rule("/foo", { endpoint: "foo" }), new Rule("/bar", { endpoint: "bar" })]);
    const a = m.bindToRequest(fakeRequest("/foo"));
    expect(a.match("/foo")).toEqual(["foo", {}]);
    expect(a.match()).toEqual(["foo", {}]);
    expect(a.match("/bar")).toEqual(["bar", {}]);
    expect(() => a.match("/bars")).toThrow(NotFound);
  });

  test("decodes a percent-encoded non-ASCII request path", () => {
    const m = new Map([new Rule("/", { endpoint: "index" }), new Rule("/лошадь", { endpoint: "horse" })]);
    const a = m.bindToRequest(fakeRequest(`/${encodeURIComponent("лошадь")}`));
    expect(a.match()).toEqual(["horse", {}]);
    expect(a.match("/")).toEqual(["index", {}]);
    expect(a.match("/лошадь")).toEqual(["horse", {}]);
    expect(() => a.match("/барсук")).toThrow(NotFound);
  });

  test("takes the default method from the request", () => {
    const m = new Map([new Rule("/", { endpoint: "create", methods: ["POST"] })]);
    const a = m.bindToRequest(fakeRequest("/", "http://localhost/", { method: "POST" }));
    expect(a.defaultMethod).toBe("POST");
    expect(a.match()).toEqual(["create", {}]);
  });
});

describe("percent-decoding", () => {
  const map = new Map([
    new Rule("/hello/<name>", { endpoint: "hello" }),
    new Rule("/dir/<name>/", { endpoint: "dir" }),
    new Rule("/static/ä", { endpoint: "umlaut" }),
  ]);
  const adapter = map.bind("example.org");

  test("decodes the path as UTF-8 before matching", () => {
    expect(adapter.match("/hello/%E4%B8%AD")).toEqual(["hello", { name: "中" }]);
    expect(adapter.match("/hello/a%20b")).toEqual(["hello", { name: "a b" }]);
    expect(adapter.match("/static/%C3%A4")).toEqual(["umlaut", {}]);
  });

  test("decodes %2F before matching, as a WSGI server does", () => {
    const m = new Map([new Rule("/f/<path:p>", { endpoint: "f" }), new Rule("/one/<name>", { endpoint: "one" })]);
    const a = m.bind("example.org");
    expect(a.match("/f/a%2Fb")).toEqual(["f", { p: "a/b" }]);
    expect(() => a.match("/one/a%2Fb")).toThrow(NotFound);
  });

  test("re-encodes the decoded path in a strict-slash redirect", () => {
    expect(redirectTarget(() => adapter.match("/dir/%E4%B8%AD"))).toBe("http://example.org/dir/%E4%B8%AD/");
  });

  test("rejects malformed percent-encoding with BadRequest", () => {
    expect(() => adapter.match("/hello/%zz")).toThrow(BadRequest);
    expect(() => adapter.match("/hello/%")).toThrow(BadRequest);
  });

  test("rejects percent-encoded bytes that are not valid UTF-8 with BadRequest", () => {
    const err = catchError(() => adapter.match("/hello/%C3%28"), BadRequest);
    expect(err.code).toBe(400);
  });

  test("decodes the path of a bound request", () => {
    expect(map.bindToRequest(fakeRequest("/hello/%E4%B8%AD")).match()).toEqual(["hello", { name: "中" }]);
  });
});

describe("converters and weights during matching", () => {
  test("matches converter parts, defaults and redirects to the default URL", () => {
    const map = new Map([
      new Rule("/foo/", { defaults: { page: 1 }, endpoint: "foo" }),
      new Rule("/foo/<int:page>", { endpoint: "foo" }),
    ]);
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/foo/")).toEqual(["foo", { page: 1 }]);
    expect(() => adapter.match("/foo/1")).toThrow(RequestRedirect);
    expect(adapter.match("/foo/2")).toEqual(["foo", { page: 2 }]);
    expect(adapter.build("foo", {})).toBe("/foo/");
    expect(adapter.build("foo", { page: 1 })).toBe("/foo/");
    expect(adapter.build("foo", { page: 2 })).toBe("/foo/2");
  });

  test("accepts negative numbers only with signed=True", () => {
    const map = new Map([
      new Rule("/foos/<int(signed=True):page>", { endpoint: "foos" }),
      new Rule("/bars/<float(signed=True):page>", { endpoint: "bars" }),
      new Rule("/foo/<int:page>", { endpoint: "foo" }),
      new Rule("/bar/<float:page>", { endpoint: "bar" }),
    ]);
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/foos/-2")).toEqual(["foos", { page: -2 }]);
    expect(adapter.match("/foos/-50")).toEqual(["foos", { page: -50 }]);
    expect(adapter.match("/bars/-2.0")).toEqual(["bars", { page: -2.0 }]);
    expect(adapter.match("/bars/-0.185")).toEqual(["bars", { page: -0.185 }]);
    expect(() => adapter.match("/foo/-2")).toThrow(NotFound);
    expect(() => adapter.match("/foo/-50")).toThrow(NotFound);
    expect(() => adapter.match("/bar/-0.185")).toThrow(NotFound);
    expect(() => adapter.match("/bar/-2.0")).toThrow(NotFound);
  });

  test("prefers static rules over path converters and splits greedy path pairs", () => {
    const map = new Map([
      new Rule("/foo", { endpoint: "foo" }),
      new Rule("/<path:bar>", { endpoint: "bar" }),
      new Rule("/<path:bar>/<path:blub>", { endpoint: "bar" }),
    ]);
    const adapter = map.bind("example.org", "/");
    expect(adapter.match("/foo")).toEqual(["foo", {}]);
    expect(adapter.match("/blub")).toEqual(["bar", { bar: "blub" }]);
    expect(adapter.match("/he/he")).toEqual(["bar", { bar: "he", blub: "he" }]);
    expect(adapter.build("foo", {})).toBe("/foo");
    expect(adapter.build("bar", { bar: "blub" })).toBe("/blub");
    expect(adapter.build("bar", { bar: "blub", blub: "bar" })).toBe("/blub/bar");
  });

  test("matches wiki-style rules mixing path converters, static text and colons", () => {
    const map = new Map([
      new Rule("/", { defaults: { name: "FrontPage" }, endpoint: "page" }),
      new Rule("/Special", { endpoint: "special" }),
      new Rule("/<int:year>", { endpoint: "year" }),
      new Rule("/<path:name>:foo", { endpoint: "foopage" }),
      new Rule("/<path:name>:<path:name2>", { endpoint: "twopage" }),
      new Rule("/<path:name>", { endpoint: "page" }),
      new Rule("/<path:name>/edit", { endpoint: "editpage" }),
      new Rule("/<path:name>/silly/<path:name2>", { endpoint: "sillypage" }),
      new Rule("/<path:name>/silly/<path:name2>/edit", { endpoint: "editsillypage" }),
      new Rule("/Talk:<path:name>", { endpoint: "talk" }),
      new Rule("/User:<username>", { endpoint: "user" }),
      new Rule("/User:<username>/<path:name>", { endpoint: "userpage" }),
      new Rule("/User:<username>/comment/<int:id>-<int:replyId>", { endpoint: "usercomment" }),
      new Rule("/Files/<path:file>", { endpoint: "files" }),
      new Rule("/<admin>/<manage>/<things>", { endpoint: "admin" }),
    ]);
    const adapter = map.bind("example.org", "/");

    expect(adapter.match("/")).toEqual(["page", { name: "FrontPage" }]);
    expect(() => adapter.match("/FrontPage")).toThrow(RequestRedirect);
    expect(adapter.match("/Special")).toEqual(["special", {}]);
    expect(adapter.match("/2007")).toEqual(["year", { year: 2007 }]);
    expect(adapter.match("/Some:foo")).toEqual(["foopage", { name: "Some" }]);
    expect(adapter.match("/Some:bar")).toEqual(["twopage", { name: "Some", name2: "bar" }]);
    expect(adapter.match("/Some/Page")).toEqual(["page", { name: "Some/Page" }]);
    expect(adapter.match("/Some/Page/edit")).toEqual(["editpage", { name: "Some/Page" }]);
    expect(adapter.match("/Foo/silly/bar")).toEqual(["sillypage", { name: "Foo", name2: "bar" }]);
    expect(adapter.match("/Foo/silly/bar/edit")).toEqual(["editsillypage", { name: "Foo", name2: "bar" }]);
    expect(adapter.match("/Talk:Foo/Bar")).toEqual(["talk", { name: "Foo/Bar" }]);
    expect(adapter.match("/User:thomas")).toEqual(["user", { username: "thomas" }]);
    expect(adapter.match("/User:thomas/projects/werkzeug")).toEqual([
      "userpage",
      { username: "thomas", name: "projects/werkzeug" },
    ]);
    expect(adapter.match("/User:thomas/comment/123-456")).toEqual([
      "usercomment",
      { username: "thomas", id: 123, replyId: 456 },
    ]);
    expect(adapter.match("/Files/downloads/werkzeug/0.2.zip")).toEqual([
      "files",
      { file: "downloads/werkzeug/0.2.zip" },
    ]);
    expect(adapter.match("/Jerry/eats/cheese")).toEqual([
      "admin",
      { admin: "Jerry", manage: "eats", things: "cheese" },
    ]);
  });

  test("matches and builds a mix of static, int, string and path rules", () => {
    const m = new Map([
      new Rule("/", { endpoint: "index" }),
      new Rule("/<int:blub>", { endpoint: "an_int" }),
      new Rule("/<blub>", { endpoint: "a_string" }),
      new Rule("/foo/", { endpoint: "nested" }),
      new Rule("/foobar/", { endpoint: "nestedbar" }),
      new Rule("/foo/<path:testing>/", { endpoint: "nested_show" }),
      new Rule("/foo/<path:testing>/edit", { endpoint: "nested_edit" }),
      new Rule("/users/", { endpoint: "users", defaults: { page: 1 } }),
      new Rule("/users/page/<int:page>", { endpoint: "users" }),
      new Rule("/foox", { endpoint: "foox" }),
      new Rule("/<path:bar>/<path:blub>", { endpoint: "barx_path_path" }),
    ]);
    const a = m.bind("example.com");

    expect(a.match("/")).toEqual(["index", {}]);
    expect(a.match("/42")).toEqual(["an_int", { blub: 42 }]);
    expect(a.match("/blub")).toEqual(["a_string", { blub: "blub" }]);
    expect(a.match("/foo/")).toEqual(["nested", {}]);
    expect(a.match("/foobar/")).toEqual(["nestedbar", {}]);
    expect(a.match("/foo/1/2/3/")).toEqual(["nested_show", { testing: "1/2/3" }]);
    expect(a.match("/foo/1/2/3/edit")).toEqual(["nested_edit", { testing: "1/2/3" }]);
    expect(a.match("/users/")).toEqual(["users", { page: 1 }]);
    expect(a.match("/users/page/2")).toEqual(["users", { page: 2 }]);
    expect(a.match("/foox")).toEqual(["foox", {}]);
    expect(a.match("/1/2/3")).toEqual(["barx_path_path", { bar: "1", blub: "2/3" }]);

    expect(a.build("index")).toBe("/");
    expect(a.build("an_int", { blub: 42 })).toBe("/42");
    expect(a.build("a_string", { blub: "test" })).toBe("/test");
    expect(a.build("nested")).toBe("/foo/");
    expect(a.build("nestedbar")).toBe("/foobar/");
    expect(a.build("nested_show", { testing: "1/2/3" })).toBe("/foo/1/2/3/");
    expect(a.build("nested_edit", { testing: "1/2/3" })).toBe("/foo/1/2/3/edit");
    expect(a.build("users", { page: 1 })).toBe("/users/");
    expect(a.build("users", { page: 2 })).toBe("/users/page/2");
    expect(a.build("foox")).toBe("/foox");
    expect(a.build("barx_path_path", { bar: "1", blub: "2/3" })).toBe("/1/2/3");
  });

  for (const prefix of ["", "/aaa"]) {
    test(`matches and builds rules whose defaults differ only in a flag (prefix "${prefix}")`, () => {
      const m = new Map([
        new Rule(`${prefix}/`, { defaults: { foo: 1, bar: false }, endpoint: "x" }),
        new Rule(`${prefix}/<int:foo>`, { defaults: { bar: false }, endpoint: "x" }),
        new Rule(`${prefix}/bar/`, { defaults: { foo: 1, bar: true }, endpoint: "x" }),
        new Rule(`${prefix}/bar/<int:foo>`, { defaults: { bar: true }, endpoint: "x" }),
      ]);
      const a = m.bind("example.com");
      expect(a.match(`${prefix}/`)).toEqual(["x", { foo: 1, bar: false }]);
      expect(a.match(`${prefix}/2`)).toEqual(["x", { foo: 2, bar: false }]);
      expect(a.match(`${prefix}/bar/`)).toEqual(["x", { foo: 1, bar: true }]);
      expect(a.match(`${prefix}/bar/2`)).toEqual(["x", { foo: 2, bar: true }]);

      expect(a.build("x", { foo: 1, bar: false })).toBe(`${prefix}/`);
      expect(a.build("x", { foo: 2, bar: false })).toBe(`${prefix}/2`);
      expect(a.build("x", { bar: false })).toBe(`${prefix}/`);
      expect(a.build("x", { foo: 1, bar: true })).toBe(`${prefix}/bar/`);
      expect(a.build("x", { foo: 2, bar: true })).toBe(`${prefix}/bar/2`);
      expect(a.build("x", { bar: true })).toBe(`${prefix}/bar/`);
    });
  }

  test("a static suffix outweighs extra converter parts after a path converter", () => {
    const m = new Map([
      new Rule("/<path:path>/c", { endpoint: "simple" }),
      new Rule("/<path:path>/<a>/<b>", { endpoint: "complex" }),
    ]);
    const a = m.bind("localhost", "/", { pathInfo: "/a/b/c" });
    expect(a.match()).toEqual(["simple", { path: "a/b" }]);
  });

  test("a uuid converter outweighs an int converter regardless of order", () => {
    const m = new Map([new Rule("/<int:value>", { endpoint: "int" }), new Rule("/<uuid:value>", { endpoint: "uuid" })]);
    const a = m.bind("localhost");
    expect(a.match("/2b5b0911-fdcf-4dd2-921b-28ace88db8a0")).toEqual([
      "uuid",
      { value: "2b5b0911-fdcf-4dd2-921b-28ace88db8a0" },
    ]);
    expect(a.match("/42")).toEqual(["int", { value: 42 }]);
  });

  test("static parts beat converters independent of the order rules were added", () => {
    const m = new Map([
      new Rule("/<name>", { endpoint: "name" }),
      new Rule("/<int:id>", { endpoint: "id" }),
      new Rule("/new", { endpoint: "new" }),
    ]);
    const a = m.bind("localhost");
    expect(a.match("/new")).toEqual(["new", {}]);
    expect(a.match("/7")).toEqual(["id", { id: 7 }]);
    expect(a.match("/old")).toEqual(["name", { name: "old" }]);
  });

  test("does not match a trailing newline", () => {
    const a = new Map([new Rule("/hello", { endpoint: "hello" })]).bind("localhost");
    expect(() => a.match("/hello\n")).toThrow(NotFound);
  });

  test("matches several converters within one path segment", () => {
    const adapter = new Map([new Rule("/v<int:major>.<int:minor>", { endpoint: "version" })]).bind("localhost");
    expect(adapter.match("/v1.2")).toEqual(["version", { major: 1, minor: 2 }]);
  });

  test("escapes regex metacharacters in static parts", () => {
    const adapter = new Map([new Rule("/.<int:value>", { endpoint: "dotted" })]).bind("localhost");
    expect(adapter.match("/.2")).toEqual(["dotted", { value: 2 }]);
    expect(() => adapter.match("/a2")).toThrow(NotFound);
  });
});

describe("methods", () => {
  test("answers HEAD with the GET rule but not with a POST-only rule", () => {
    const adapter = new Map([
      new Rule("/get", { methods: ["GET"], endpoint: "a" }),
      new Rule("/post", { methods: ["POST"], endpoint: "b" }),
    ]).bind("example.org");
    expect(adapter.match("/get", "HEAD")).toEqual(["a", {}]);
    expect(() => adapter.match("/post", "HEAD")).toThrow(MethodNotAllowed);
  });

  test("matches methods case-insensitively", () => {
    const adapter = new Map([new Rule("/post", { methods: ["post"], endpoint: "b" })]).bind("example.org");
    expect(adapter.match("/post", "post")).toEqual(["b", {}]);
    expect(adapter.match("/post", "POST")).toEqual(["b", {}]);
  });

  test("lists the methods allowed for a path across rules", () => {
    const m = new Map([new Rule("/<foo>", { methods: ["GET", "HEAD"] }), new Rule("/foo", { methods: ["POST"] })]);
    const a = m.bind("example.org");
    expect([...a.allowedMethods("/foo")].sort()).toEqual(["GET", "HEAD", "POST"]);
    expect(a.allowedMethods("/nothing/here")).toEqual([]);
  });

  test("MethodNotAllowed lists HEAD for a GET rule in validMethods", () => {
    const adapter = new Map([new Rule("/thing", { endpoint: "thing", methods: ["GET"] })]).bind("example.org");
    const err = catchError(() => adapter.match("/thing", "POST"), MethodNotAllowed);
    expect(err.code).toBe(405);
    expect([...(err.validMethods ?? [])].sort()).toEqual(["GET", "HEAD"]);
  });

  test("MethodNotAllowed collects the methods of every rule for the path", () => {
    const adapter = new Map([
      new Rule("/thing", { endpoint: "read", methods: ["GET"] }),
      new Rule("/thing", { endpoint: "write", methods: ["PUT", "DELETE"] }),
    ]).bind("example.org");
    const err = catchError(() => adapter.match("/thing", "POST"), MethodNotAllowed);
    expect([...(err.validMethods ?? [])].sort()).toEqual(["DELETE", "GET", "HEAD", "PUT"]);
  });

  test("uses the adapter's default method when match() gets none", () => {
    const m = new Map([new Rule("/x", { endpoint: "x", methods: ["PUT"] })]);
    expect(m.bind("example.org", "/", { defaultMethod: "PUT" }).match("/x")).toEqual(["x", {}]);
    expect(() => m.bind("example.org").match("/x")).toThrow(MethodNotAllowed);
  });
});

describe("adapter helpers", () => {
  test("returns the matched rule with returnRule", () => {
    const rule = new Rule("/foo/", { endpoint: "foo" });
    const adapter = new Map([rule]).bind("localhost", "/");
    const [matched, values] = adapter.match("/foo/", undefined, { returnRule: true });
    expect(matched).toBe(rule);
    expect(values).toEqual({});
  });

  test("matches / when neither bind nor match gets a path", () => {
    expect(new Map([new Rule("/", { endpoint: "index" })]).bind("example.org").match()).toEqual(["index", {}]);
  });

  test("test() is true for matches and redirects and false for errors", () => {
    const a = new Map([
      new Rule("/", { endpoint: "index" }),
      new Rule("/dir/", { endpoint: "dir" }),
      new Rule("/post", { endpoint: "post", methods: ["POST"] }),
    ]).bind("example.org");
    expect(a.test("/")).toBe(true);
    expect(a.test("/dir")).toBe(true);
    expect(a.test("/post", "POST")).toBe(true);
    expect(a.test("/post", "GET")).toBe(false);
    expect(a.test("/missing")).toBe(false);
  });

  describe("dispatch", () => {
    const map = new Map([new Rule("/", { endpoint: "root" }), new Rule("/foo/", { endpoint: "foo" })]);
    const adapter = map.bindToRequest(fakeRequest("/"));
    const view = (endpoint: unknown, values: unknown) => JSON.stringify([endpoint, values]);

    test("calls the view with the endpoint and values", () => {
      expect(adapter.dispatch(view, "/")).toBe('["root",{}]');
    });

    test("returns the RequestRedirect instead of calling the view", () => {
      const rv = adapter.dispatch(view, "/foo");
      expect(rv).toBeInstanceOf(RequestRedirect);
      expect((rv as RequestRedirect).code).toBe(308);
      expect((rv as RequestRedirect).newUrl).toBe("http://localhost/foo/");
    });

    test("rethrows HTTP exceptions unless catchHttpExceptions is set", () => {
      const raising = () => {
        throw new NotFound();
      };
      expect(() => adapter.dispatch(raising, "/")).toThrow(NotFound);
      const rv = adapter.dispatch(raising, "/", undefined, true);
      expect(rv).toBeInstanceOf(NotFound);
      expect((rv as HTTPException).code).toBe(404);
    });

    test("returns the NotFound of an unmatched path when catching", () => {
      expect(() => adapter.dispatch(view, "/nope")).toThrow(NotFound);
      expect(adapter.dispatch(view, "/nope", undefined, true)).toBeInstanceOf(NotFound);
    });
  });
});
