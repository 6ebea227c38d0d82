import { describe, expect, test } from "vitest";
import { BaseConverter, BuildError, Map, Rule } from "@flagon/werk";
import { FakeMultiDict, catchError, fakeRequest } from "./_helpers.js";

describe("building URLs", () => {
  const map = new Map([
    new Rule("/", { endpoint: "index" }),
    new Rule("/foo", { endpoint: "foo" }),
    new Rule("/bar/<baz>", { endpoint: "bar" }),
    new Rule("/bar/<int:bazi>", { endpoint: "bari" }),
    new Rule("/bar/<float:bazf>", { endpoint: "barf" }),
    new Rule("/bar/<path:bazp>", { endpoint: "barp" }),
    new Rule("/hehe", { endpoint: "blah", subdomain: "blah" }),
    new Rule("/ws", { endpoint: "ws", websocket: true }),
  ]);

  test("builds absolute URLs for rules on another subdomain and paths for the bound one", () => {
    const adapter = map.bind("example.org", "/", { subdomain: "blah" });
    expect(adapter.build("index", {})).toBe("http://example.org/");
    expect(adapter.build("foo", {})).toBe("http://example.org/foo");
    expect(adapter.build("bar", { baz: "blub" })).toBe("http://example.org/bar/blub");
    expect(adapter.build("bari", { bazi: 50 })).toBe("http://example.org/bar/50");
    expect(adapter.build("barf", { bazf: 0.815 })).toBe("http://example.org/bar/0.815");
    expect(adapter.build("barp", { bazp: "la/di" })).toBe("http://example.org/bar/la/di");
    expect(adapter.build("blah", {})).toBe("/hehe");
    expect(() => adapter.build("urks")).toThrow(BuildError);
  });

  test("prefixes built URLs with the script name", () => {
    const adapter = map.bind("example.org", "/test", { subdomain: "blah" });
    expect(adapter.build("index", {})).toBe("http://example.org/test/");
    expect(adapter.build("foo", {})).toBe("http://example.org/test/foo");
    expect(adapter.build("bar", { baz: "blub" })).toBe("http://example.org/test/bar/blub");
    expect(adapter.build("bari", { bazi: 50 })).toBe("http://example.org/test/bar/50");
    expect(adapter.build("barf", { bazf: 0.815 })).toBe("http://example.org/test/bar/0.815");
    expect(adapter.build("barp", { bazp: "la/di" })).toBe("http://example.org/test/bar/la/di");
    expect(adapter.build("blah", {})).toBe("/test/hehe");
  });

  test("builds external URLs with forceExternal, protocol-relative without a scheme", () => {
    expect(map.bind("example.org").build("foo", {})).toBe("/foo");
    expect(map.bind("example.org").build("foo", {}, { forceExternal: true })).toBe("http://example.org/foo");
    const schemeless = map.bind("example.org", "/", { urlScheme: "" });
    expect(schemeless.build("foo", {})).toBe("/foo");
    expect(schemeless.build("foo", {}, { forceExternal: true })).toBe("//example.org/foo");
    expect(schemeless.build("foo", {}, { urlScheme: "https", forceExternal: true })).toBe("https://example.org/foo");
  });

  test("always builds websocket rules as ws/wss URLs and HTTP rules as http/https", () => {
    const adapter = map.bind("example.org", "/", { urlScheme: "ws" });
    expect(adapter.build("ws", {})).toBe("ws://example.org/ws");
    expect(adapter.build("foo", {}, { forceExternal: true })).toBe("http://example.org/foo");
    expect(adapter.build("foo", {})).toBe("/foo");
    expect(adapter.build("ws", {}, { urlScheme: "https" })).toBe("wss://example.org/ws");
  });

  test("builds a rule with ten thousand arguments", () => {
    const longArgs: Record<string, number> = {};
    for (let x = 0; x < 10000; x++) longArgs[`v${x}`] = x;
    const rule = Object.keys(longArgs)
      .map((k) => `/<${k}>`)
      .join("");
    const adapter = new Map([new Rule(rule, { endpoint: "bleep", buildOnly: true })]).bind("localhost", "/");
    const url = `${adapter.build("bleep", longArgs)}/`;
    for (const v of Object.values(longArgs)) expect(url.includes(`/${v}/`)).toBe(true);
  });

  test("merges repeated slashes in built URLs unless the rule disables it", () => {
    const adapter = new Map([
      new Rule("/yes//merge", { endpoint: "yes_merge" }),
      new Rule("/no//merge", { endpoint: "no_merge", mergeSlashes: false }),
    ]).bind("localhost", "/");
    expect(adapter.build("yes_merge")).toBe("/yes/merge");
    expect(adapter.build("no_merge")).toBe("/no//merge");
  });

  test("builds floats without scientific notation", () => {
    const adapter = new Map([new Rule("/<float:v>", { endpoint: "a" })]).bind("test.example");
    expect(adapter.build("a", { v: 0.00001 })).not.toContain("e");
    expect(adapter.build("a", { v: 0.00001 })).toBe("/0.00001");
    expect(adapter.build("a", { v: 1e-7 })).not.toContain("e");
    expect(adapter.build("a", { v: 1e21 })).not.toContain("e");
  });

  test("converts non-string values with the default converter", () => {
    expect(new Map([new Rule("/<foo>", { endpoint: "foo" })]).bind("example.com").build("foo", { foo: 42 })).toBe("/42");
  });

  test("does not quote a colon inside a path value", () => {
    const a = new Map([new Rule("/<foo>", { endpoint: "x" })]).bind("example.org");
    expect(a.build("x", { foo: "x:y" })).toBe("/x:y");
    expect(a.build("x", { foo: "x:y" }, { forceExternal: true })).toBe("http://example.org/x:y");
  });

  test("quotes characters that are not allowed in a path segment", () => {
    const a = new Map([new Rule("/<foo>", { endpoint: "x" })]).bind("example.org");
    expect(a.build("x", { foo: "a b?c#d%中" })).toBe("/a%20b%3Fc%23d%25%E4%B8%AD");
    expect(a.build("x", { foo: "!$&'()*+,;=@" })).toBe("/!$&'()*+,;=@");
  });

  test("builds with arguments named like reserved words", () => {
    const self = new Map([new Rule("/foo/<string:self>", { endpoint: "foo" })]).bind("example.org", "/", {
      subdomain: "blah",
    });
    expect(self.build("foo", { self: "bar" })).toBe("http://example.org/foo/bar");
    const klass = new Map([new Rule("/foo/<string:class>", { endpoint: "foo" })]).bind("example.org", "/", {
      subdomain: "blah",
    });
    expect(klass.build("foo", { class: "bar" })).toBe("http://example.org/foo/bar");
  });

  test("builds and matches arguments named like Object.prototype members", () => {
    const a = new Map([new Rule("/foo/<constructor>/<toString>", { endpoint: "foo" })]).bind("example.org");
    expect(a.build("foo", { constructor: "bar", toString: "baz" })).toBe("/foo/bar/baz");
    expect(a.match("/foo/bar/baz")).toEqual(["foo", { constructor: "bar", toString: "baz" }]);
  });

  test("builds external URLs with the port of the server name", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })]).bind("example.org:5000", "/");
    expect(adapter.build("index", {}, { forceExternal: true })).toBe("http://example.org:5000/");
  });

  test("builds external URLs with the port when bound to a request", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })]).bindToRequest(
      fakeRequest("/", "http://example.org:5000/"),
      { serverName: "example.org:5000" },
    );
    expect(adapter.build("index", {}, { forceExternal: true })).toBe("http://example.org:5000/");
  });

  test("appends an anchor, quoted, after the query string", () => {
    const a = new Map([new Rule("/foo", { endpoint: "foo" })]).bind("example.org");
    expect(a.build("foo", {}, { anchor: "frag" })).toBe("/foo#frag");
    expect(a.build("foo", {}, { anchor: "a b" })).toBe("/foo#a%20b");
    expect(a.build("foo", { q: 1 }, { anchor: "frag" })).toBe("/foo?q=1#frag");
    expect(a.build("foo", {}, { anchor: "frag", forceExternal: true })).toBe("http://example.org/foo#frag");
  });
});

describe("choosing a rule by method", () => {
  test("prefers the default method and falls back to other rules of the endpoint", () => {
    const adapter = new Map([
      new Rule("/", { endpoint: "index", methods: ["GET"] }),
      new Rule("/<name>", { endpoint: "hello_name", methods: ["GET"] }),
      new Rule("/select", { endpoint: "hello_select", methods: ["POST"] }),
      new Rule("/search_get", { endpoint: "search", methods: ["GET"] }),
      new Rule("/search_post", { endpoint: "search", methods: ["POST"] }),
    ]).bind("example.com");
    expect(adapter.build("index")).toBe("/");
    expect(adapter.build("index", {}, { method: "GET" })).toBe("/");
    expect(adapter.build("hello_name", { name: "foo" })).toBe("/foo");
    expect(adapter.build("hello_select")).toBe("/select");
    expect(adapter.build("hello_select", {}, { method: "POST" })).toBe("/select");
    expect(adapter.build("search")).toBe("/search_get");
    expect(adapter.build("search", {}, { method: "GET" })).toBe("/search_get");
    expect(adapter.build("search", {}, { method: "POST" })).toBe("/search_post");
  });
});

describe("query strings", () => {
  test("sorts query parameters with sortParameters and sortKey", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })], {
      sortParameters: true,
      sortKey: (item) => item[1],
    }).bind("localhost", "/");
    expect(adapter.build("index", { x: 20, y: 10, z: 30 }, { forceExternal: true })).toBe(
      "http://localhost/?y=10&x=20&z=30",
    );
  });

  test("sorts query parameters by key with sortParameters alone", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })], { sortParameters: true }).bind("localhost");
    expect(adapter.build("index", { b: 1, c: 3, a: 2 })).toBe("/?a=2&b=1&c=3");
  });

  test("form-encodes unknown values, UTF-8 for non-ASCII", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })]).bind("localhost");
    expect(adapter.build("index", { q: "中 文", "a&b": "c=d" })).toBe("/?q=%E4%B8%AD+%E6%96%87&a%26b=c%3Dd");
  });

  test("drops null values and fails when a required one is null", () => {
    const adapter = new Map([new Rule("/flob/<flub>", { endpoint: "endp" })]).bind("", "/");
    expect(() => adapter.build("endp", { flub: null, flop: null })).toThrow(BuildError);
    expect(() => adapter.build("endp", { flub: undefined })).toThrow(BuildError);
    const url = adapter.build("endp", { flub: "x", flop: null, flap: undefined });
    expect(url).toBe("/flob/x");
    expect(url).not.toContain("flop");
  });

  // Werkzeug's vector (1.0, "?v=1.0") is written with 1.5: JavaScript prints 1.0 as "1".
  const appendCases: Array<[unknown, string]> = [
    [null, ""],
    [undefined, ""],
    [[null], ""],
    [[null, null], ""],
    ["", "?v="],
    [[""], "?v="],
    [0, "?v=0"],
    [1.5, "?v=1.5"],
    [[1, 2], "?v=1&v=2"],
    [[1, null, 2], "?v=1&v=2"],
    [[1, "", 2], "?v=1&v=&v=2"],
    ["1+2", "?v=1%2B2"],
  ];
  for (const [value, expected] of appendCases) {
    test(`appends unknown value ${JSON.stringify(value) ?? "undefined"} from an object as "${expected}"`, () => {
      const adapter = new Map([new Rule("/", { endpoint: "a" })]).bind("localhost");
      expect(adapter.build("a", { v: value })).toBe(`/${expected}`);
      expect(adapter.build("a", { v: value }, { appendUnknown: false })).toBe("/");
    });
  }

  const multiAppendCases: Array<[unknown, string]> = [
    [null, ""],
    [[null], ""],
    [[null, null], ""],
    ["", "?v="],
    [[""], "?v="],
    [0, "?v=0"],
    [1.5, "?v=1.5"],
    [[1, 2], "?v=1&v=2"],
    [[1, null, 2], "?v=1&v=2"],
    [[1, "", 2], "?v=1&v=&v=2"],
  ];
  for (const [value, expected] of multiAppendCases) {
    test(`appends unknown value ${JSON.stringify(value)} from a MultiDict as "${expected}"`, () => {
      const adapter = new Map([new Rule("/", { endpoint: "a" })]).bind("localhost");
      expect(adapter.build("a", new FakeMultiDict({ v: value }))).toBe(`/${expected}`);
      expect(adapter.build("a", new FakeMultiDict({ v: value }), { appendUnknown: false })).toBe("/");
    });
  }
});

describe("values passed to converters", () => {
  class ListConverter extends BaseConverter {
    override toUrl(value: unknown): string {
      return super.toUrl((value as unknown[]).map(String).join("."));
    }
  }
  const adapter = () =>
    new Map([new Rule("/<int:v>", { endpoint: "int" }), new Rule("/<list:v>", { endpoint: "list" })], {
      converters: { list: ListConverter },
    }).bind("localhost");

  // Python's str(None) is "None"; String(null) here gives "null".
  const dictCases: Array<[string, unknown, string | (abstract new (...args: never[]) => Error)]> = [
    ["int", 1, "/1"],
    ["int", null, BuildError],
    ["int", [1], TypeError],
    ["list", [1], "/1"],
    ["list", [1, null, 2], "/1.null.2"],
    ["list", 1, TypeError],
  ];
  for (const [endpoint, value, expected] of dictCases) {
    const outcome = typeof expected === "string" ? `builds "${expected}"` : `throws ${expected.name}`;
    test(`${endpoint} rule with object value ${JSON.stringify(value)} ${outcome}`, () => {
      if (typeof expected === "string") expect(adapter().build(endpoint, { v: value })).toBe(expected);
      else expect(() => adapter().build(endpoint, { v: value })).toThrow(expected);
    });
  }

  // A MultiDict passes a single value on its own and several as an array; null is not dropped.
  const multiCases: Array<[string, unknown, string | (abstract new (...args: never[]) => Error)]> = [
    ["int", 1, "/1"],
    ["int", [1], "/1"],
    ["int", [], BuildError],
    ["int", null, TypeError],
    ["int", [null], TypeError],
    ["list", 1, TypeError],
    ["list", [1], TypeError],
    ["list", [[1]], "/1"],
    ["list", [1, null, 2], "/1.null.2"],
  ];
  for (const [endpoint, value, expected] of multiCases) {
    const outcome = typeof expected === "string" ? `builds "${expected}"` : `throws ${expected.name}`;
    test(`${endpoint} rule with MultiDict value ${JSON.stringify(value)} ${outcome}`, () => {
      const values = new FakeMultiDict({ v: value });
      if (typeof expected === "string") expect(adapter().build(endpoint, values)).toBe(expected);
      else expect(() => adapter().build(endpoint, values)).toThrow(expected);
    });
  }
});

describe("BuildError", () => {
  test("suggests the rule with the closest endpoint name", () => {
    const adapter = new Map([
      new Rule("/foo/", { endpoint: "users.here" }),
      new Rule("/wat/", { endpoint: "admin.users" }),
      new Rule("/woop", { endpoint: "foo.users" }),
    ]).bind("example.com");
    const err = catchError(() => adapter.build("admin.user"), BuildError);
    expect(err.suggested?.endpoint).toBe("admin.users");
  });

  test("suggests the rule that takes the given values", () => {
    const ruleId = new Rule("/user/id/<id>/", { endpoint: "users" });
    const ruleSlug = new Rule("/user/<slug>/", { endpoint: "users" });
    const ruleRandom = new Rule("/user/emails/<email>/", { endpoint: "users" });
    const adapter = new Map([ruleId, ruleSlug, ruleRandom]).bind("example.com");
    const err = catchError(() => adapter.build("x", { slug: "" }), BuildError);
    expect(err.suggested).toBe(ruleSlug);
  });

  test("suggests the rule that accepts the given method", () => {
    const post = new Rule("/post/", { endpoint: "foobar", methods: ["POST"] });
    const get = new Rule("/get/", { endpoint: "foobar", methods: ["GET"] });
    const put = new Rule("/put/", { endpoint: "foobar", methods: ["PUT"] });
    const adapter = new Map([post, get, put]).bind("example.com");
    expect(catchError(() => adapter.build("invalid", {}, { method: "POST" }), BuildError).suggested).toBe(post);
    expect(catchError(() => adapter.build("invalid", {}, { method: "GET" }), BuildError).suggested).toBe(get);
    expect(catchError(() => adapter.build("invalid", {}, { method: "PUT" }), BuildError).suggested).toBe(put);
  });

  test("suggests nothing when the map has no rules", () => {
    const err = catchError(() => new Map([]).bind("test.com").build("invalid", {}), BuildError);
    expect(err.suggested).toBeFalsy();
  });

  test("carries the endpoint, values and method", () => {
    const adapter = new Map([new Rule("/foo/", { endpoint: "world", methods: ["GET"] })]).bind("example.com");
    const err = catchError(() => adapter.build("world", { a: 1 }, { method: "POST" }), BuildError);
    expect(err.endpoint).toBe("world");
    expect(err.values).toEqual({ a: 1 });
    expect(err.method).toBe("POST");
  });

  test("names the endpoint, method and values in the message", () => {
    const adapter = new Map([new Rule("/foo/", { endpoint: "world", methods: ["GET"] })]).bind("example.com");
    expect(catchError(() => adapter.build("urks"), BuildError).message).toMatch(
      /^Could not build url for endpoint 'urks'\./,
    );
    expect(catchError(() => adapter.build("world", {}, { method: "POST" }), BuildError).message).toMatch(
      /^Could not build url for endpoint 'world' \('POST'\)\./,
    );
    expect(catchError(() => adapter.build("urks", { user_id: 5 }), BuildError).message).toMatch(
      /^Could not build url for endpoint 'urks' with values \['user_id'\]\./,
    );
  });

  test("asks 'did you mean' for another endpoint, missing values or other methods", () => {
    const adapter = new Map([new Rule("/foo/<id>/", { endpoint: "world", methods: ["GET"] })]).bind("example.com");
    expect(catchError(() => adapter.build("helloworld"), BuildError).message).toContain(
      "Did you mean 'world' instead?",
    );
    const missing = catchError(() => adapter.build("world"), BuildError).message;
    expect(missing).toContain("Did you forget to specify values ['id']?");
    expect(missing).not.toContain("Did you mean to use methods");
    expect(catchError(() => adapter.build("world", { id: 2 }, { method: "POST" }), BuildError).message).toContain(
      "Did you mean to use methods ['GET', 'HEAD']?",
    );
  });
});
