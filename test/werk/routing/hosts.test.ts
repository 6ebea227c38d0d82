import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { HTTPException, Map, MapAdapter, NotFound, Request, Rule } from "@flagon/werk";
import { fakeRequest as fakeMessage } from "../http/request-helpers.js";
import { fakeRequest, redirectTarget } from "./_helpers.js";

// Werkzeug warns when the Host is not under the configured server name; keep test output quiet.
beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  vi.spyOn(process, "emitWarning").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface BindOptions {
  path?: string;
  baseUrl?: string;
  serverName?: string | null;
}

/** Binds like Werkzeug's `_Routing._bind`: a request for `path` on `baseUrl`, with `serverName`. */
function binder(map: Map, defaults: { baseUrl: string; serverName: string | null }) {
  const bind = ({ path = "/", baseUrl, serverName }: BindOptions = {}): MapAdapter => {
    let base = baseUrl ?? defaults.baseUrl;
    if (!base.includes("://")) base = `http://${base}`;
    const name = serverName === undefined ? defaults.serverName : serverName;
    const req = fakeRequest(path, base);
    return name === null ? map.bindToRequest(req) : map.bindToRequest(req, { serverName: name });
  };
  const match = (opts: BindOptions = {}) => bind(opts).match();
  const build = (endpoint: string, values: Record<string, unknown> = {}, opts: BindOptions & { external?: boolean } = {}) =>
    bind({ baseUrl: opts.baseUrl, serverName: opts.serverName }).build(endpoint, values, {
      forceExternal: opts.external ?? false,
    });
  return { bind, match, build };
}

describe("subdomain matching", () => {
  const urlMap = new Map([
    new Rule("/", { endpoint: "index" }),
    new Rule("/", { subdomain: "static", endpoint: "static" }),
    new Rule("/<word>", { subdomain: "<lang>", endpoint: "lookup" }),
  ]);
  const { match } = binder(urlMap, { baseUrl: "http://app.test", serverName: "app.test" });

  test("matches the rule without subdomain on the bare server name", () => {
    expect(match()).toEqual(["index", {}]);
  });

  test("matches the rule of the requested subdomain", () => {
    expect(match({ baseUrl: "static.app.test" })).toEqual(["static", {}]);
  });

  test("passes converter values from the subdomain and a non-ASCII path", () => {
    expect(match({ path: `/${encodeURIComponent("道具")}`, baseUrl: "jp.app.test" })).toEqual([
      "lookup",
      { lang: "jp", word: "道具" },
    ]);
  });

  test("falls back to the default subdomain when the host is not under the server name", () => {
    expect(match({ baseUrl: "static.other.test" })).toEqual(["index", {}]);
  });

  test("gives rules without a subdomain the empty default subdomain", () => {
    expect(urlMap.iterRules("index")[0]!.subdomain).toBe("");
  });
});

describe("default subdomain", () => {
  const urlMap = new Map(
    [
      new Rule("/", { subdomain: "", endpoint: "index" }),
      new Rule("/", { endpoint: "static" }),
      new Rule("/<word>", { subdomain: "<lang>", endpoint: "lookup" }),
    ],
    { defaultSubdomain: "static" },
  );
  const { match } = binder(urlMap, { baseUrl: "http://app.test", serverName: "app.test" });

  test("matches a rule with an explicit empty subdomain on the bare server name", () => {
    expect(match()).toEqual(["index", {}]);
  });

  test("matches rules without a subdomain on the default subdomain", () => {
    expect(match({ baseUrl: "static.app.test" })).toEqual(["static", {}]);
  });

  test("still passes converter values from the subdomain", () => {
    expect(match({ path: `/${encodeURIComponent("道具")}`, baseUrl: "jp.app.test" })).toEqual([
      "lookup",
      { lang: "jp", word: "道具" },
    ]);
  });

  test("uses the default subdomain when the host is not under the server name", () => {
    expect(match({ baseUrl: "other.test" })).toEqual(["static", {}]);
  });

  test("gives rules without a subdomain the map's default subdomain", () => {
    expect(urlMap.iterRules("static")[0]!.subdomain).toBe("static");
  });
});

describe("host matching", () => {
  const urlMap = new Map(
    [
      new Rule("/", { host: "app.test", endpoint: "index" }),
      new Rule("/", { host: "<lang>.app.test", endpoint: "lang" }),
      new Rule("/page/", { host: "app.<domain>", defaults: { page: 1 }, endpoint: "page" }),
      new Rule("/page/<int:page>/", { host: "pages.<domain>", endpoint: "page" }),
    ],
    { hostMatching: true },
  );
  const { match, build } = binder(urlMap, { baseUrl: "http://app.test", serverName: null });

  test("matches the rule for the request host", () => {
    expect(match()).toEqual(["index", {}]);
  });

  test("does not match an unknown host", () => {
    expect(() => match({ baseUrl: "somewhere.test" })).toThrow(NotFound);
  });

  test("matches a converter at the start of the host", () => {
    expect(match({ baseUrl: "en.app.test" })).toEqual(["lang", { lang: "en" }]);
  });

  test("matches a converter at the end of the host", () => {
    expect(match({ path: "/page/", baseUrl: "app.personal.test" })).toEqual([
      "page",
      { domain: "personal.test", page: 1 },
    ]);
  });

  test("disables subdomain matching", () => {
    expect(urlMap.subdomainMatching).toBe(false);
  });

  test("redirects to add a trailing slash on the same host", () => {
    expect(redirectTarget(() => match({ path: "/page", baseUrl: "app.other.test" }))).toBe("http://app.other.test/page/");
  });

  test("redirects to the default rule on another host", () => {
    expect(redirectTarget(() => match({ path: "/page/1/", baseUrl: "pages.personal.test" }))).toBe(
      "http://app.personal.test/page/",
    );
  });

  test("builds a path for a rule on the current host", () => {
    expect(build("index", {}, { baseUrl: "app.test" })).toBe("/");
    expect(build("page", { domain: "personal.test" }, { baseUrl: "app.personal.test" })).toBe("/page/");
  });

  test("builds an absolute URL for a rule on another host", () => {
    expect(build("index", {}, { baseUrl: "pages.other.test" })).toBe("http://app.test/");
    expect(build("page", { domain: "personal.test" }, { baseUrl: "app.test" })).toBe("http://app.personal.test/page/");
  });

  test("refuses a subdomain in bind()", () => {
    expect(() => urlMap.bind("app.test", "/", { subdomain: "x" })).toThrow();
  });

  test("uses the request host and ignores serverName when binding to a request", () => {
    const adapter = urlMap.bindToRequest(fakeRequest("/", "http://en.app.test/"), { serverName: "app.test" });
    expect(adapter.serverName).toBe("en.app.test");
    expect(adapter.match()).toEqual(["lang", { lang: "en" }]);
  });

  test("builds for the rule whose host is the current one when an endpoint has several", () => {
    const m = new Map(
      [
        new Rule("/", { endpoint: "index", host: "alpha.example.com" }),
        new Rule("/", { endpoint: "index", host: "beta.example.com" }),
        new Rule("/", { endpoint: "gamma", host: "gamma.example.com" }),
      ],
      { hostMatching: true },
    );
    const alpha = m.bind("alpha.example.com");
    expect(alpha.build("index")).toBe("/");
    expect(alpha.build("gamma")).toBe("http://gamma.example.com/");
    const alphaCase = m.bind("AlPhA.ExAmPlE.CoM");
    expect(alphaCase.build("index")).toBe("/");
    expect(alphaCase.build("gamma")).toBe("http://gamma.example.com/");
    expect(m.bind("beta.example.com").build("index")).toBe("/");
    expect(m.bind("BeTa.ExAmPlE.CoM").build("index")).toBe("/");
  });
});

describe("no domain matching", () => {
  const urlMap = new Map([new Rule("/", { endpoint: "index" })], { subdomainMatching: false });
  const { match } = binder(urlMap, { baseUrl: "http://app.test", serverName: "app.test" });

  test("matches on the server name", () => {
    expect(match()).toEqual(["index", {}]);
  });

  test("ignores the subdomain of the request", () => {
    expect(match({ baseUrl: "static.app.test" })).toEqual(["index", {}]);
  });
});

describe("binding to a request with a server name", () => {
  test("takes the subdomain from the Host header, not a configured name", () => {
    const map = new Map([new Rule("/", { endpoint: "index", subdomain: "wiki" })]);
    const adapter = map.bindToRequest(fakeRequest("/", "http://wiki.example.com/"), { serverName: "example.com" });
    expect(adapter.match("/")).toEqual(["index", {}]);
    expect(adapter.build("index", {}, { forceExternal: true })).toBe("http://wiki.example.com/");
    expect(adapter.build("index")).toBe("/");

    const admin = map.bindToRequest(fakeRequest("/", "http://admin.example.com/"), { serverName: "example.com" });
    expect(admin.build("index")).toBe("http://wiki.example.com/");
  });

  test("uses the empty default subdomain when the host is not under the server name", () => {
    const m = new Map([new Rule("/foo", { endpoint: "foo" })]);
    const a = m.bindToRequest(fakeRequest("/foo", "http://foo.example.com/"), { serverName: "bar.example.com" });
    expect(a.subdomain).toBe("");
  });

  const defaultPorts: Array<[string, string]> = [
    ["http://localhost", "localhost:80"],
    ["https://localhost", "localhost:443"],
  ];
  for (const [base, name] of defaultPorts) {
    test(`matches server name ${name} against a ${base} request without a port`, () => {
      const map = new Map([new Rule("/foo", { endpoint: "foo" })]);
      const adapter = map.bindToRequest(fakeRequest("/foo", base), { serverName: name });
      expect(adapter.match()).toEqual(["foo", {}]);
    });
  }

  test("detects https from an encrypted socket", () => {
    const map = new Map([new Rule("/foo", { endpoint: "foo" })]);
    const adapter = map.bindToRequest(fakeRequest("/foo", "https://example.org/"));
    expect(adapter.urlScheme).toBe("https");
    expect(adapter.build("foo", {}, { forceExternal: true })).toBe("https://example.org/foo");
  });

  test("derives the subdomain from the server name and falls back to the default", () => {
    const serverName = "example.invalid";
    const map = new Map([new Rule("/", { endpoint: "index" }), new Rule("/", { endpoint: "alt", subdomain: "alt" })]);
    expect(map.bindToRequest(fakeRequest("/", `http://${serverName}/`), { serverName }).match()).toEqual(["index", {}]);
    expect(map.bindToRequest(fakeRequest("/", `http://alt.${serverName}/`), { serverName }).match()).toEqual([
      "alt",
      {},
    ]);
    const other = map.bindToRequest(fakeRequest("/", `http://${serverName}/`), { serverName: "foo" });
    expect(other.subdomain).toBe("");
  });

  test("compares host and server name case-insensitively", () => {
    const m = new Map([new Rule("/", { endpoint: "index", subdomain: "foo" })]);
    const a = m.bindToRequest(fakeRequest("/", "http://FOO.EXAMPLE.COM/"), { serverName: "example.com" });
    expect(a.match("/")).toEqual(["index", {}]);
    const byIp = m.bindToRequest(fakeRequest("/", "http://127.0.0.1:5000/"), { serverName: "example.com" });
    expect(() => byIp.match()).toThrow(NotFound);
  });

  test("uses the default subdomain when the server name lacks the request's port", () => {
    const map = new Map([new Rule("/", { endpoint: "index" })]);
    const adapter = map.bindToRequest(fakeRequest("/", "http://example.org:5000/"), { serverName: "example.org" });
    expect(adapter.subdomain).toBe("");
  });

  test("uses an explicit subdomain option instead of deriving one", () => {
    const map = new Map([new Rule("/", { endpoint: "x", subdomain: "x" })]);
    const adapter = map.bindToRequest(fakeRequest("/", "http://example.org/"), { subdomain: "x" });
    expect(adapter.subdomain).toBe("x");
    expect(adapter.match()).toEqual(["x", {}]);
  });
});

describe("bind()", () => {
  test("IDNA-encodes a long server name and keeps the port", () => {
    const adapter = new Map([new Rule("/", { endpoint: "index" })]).bind("🐍" + "a".repeat(52) + ":8443");
    const [name, port] = adapter.serverName.split(":");
    expect(name).toHaveLength(63);
    expect(name!.startsWith("xn--")).toBe(true);
    expect(port).toBe("8443");
  });

  test("lower-cases the server name", () => {
    expect(new Map().bind("Example.ORG").serverName).toBe("example.org");
  });

  test("stores its arguments on the adapter, the script name ending with a slash", () => {
    const map = new Map();
    const adapter = map.bind("example.org", "/app", {
      subdomain: "x",
      urlScheme: "https",
      defaultMethod: "POST",
      pathInfo: "/p",
      queryArgs: "a=1",
    });
    expect(adapter.map).toBe(map);
    expect(adapter.serverName).toBe("example.org");
    expect(adapter.scriptName).toBe("/app/");
    expect(adapter.subdomain).toBe("x");
    expect(adapter.urlScheme).toBe("https");
    expect(adapter.defaultMethod).toBe("POST");
    expect(adapter.pathInfo).toBe("/p");
    expect(adapter.queryArgs).toBe("a=1");
    expect(adapter.websocket).toBe(false);
    expect(map.bind("example.org", "/", { urlScheme: "wss" }).websocket).toBe(true);
  });

  test("defaults to the root script name and the map's default subdomain", () => {
    const adapter = new Map([], { defaultSubdomain: "www" }).bind("example.org");
    expect(adapter.scriptName).toBe("/");
    expect(adapter.subdomain).toBe("www");
    expect(adapter.urlScheme).toBe("http");
    expect(adapter.defaultMethod).toBe("GET");
  });

  test("getHost joins a subdomain to the server name", () => {
    const adapter = new Map().bind("example.org", "/", { subdomain: "blah" });
    expect(adapter.getHost("x")).toBe("x.example.org");
    expect(adapter.getHost("")).toBe("example.org");
  });

  test("makeRedirectUrl builds an absolute URL under the script name with the query", () => {
    const adapter = new Map().bind("example.org", "/app");
    expect(adapter.makeRedirectUrl("/foo", "a=b")).toBe("http://example.org/app/foo?a=b");
    expect(adapter.makeRedirectUrl("foo")).toBe("http://example.org/app/foo");
  });
});

describe("default redirects across subdomains", () => {
  test("redirects to the subdomain of the rule that provides the defaults", () => {
    const adapter = new Map([
      new Rule("/foo", { defaults: { bar: 42 }, subdomain: "test" }),
      new Rule("/foo/<int:bar>", { subdomain: "other" }),
    ]).bind("localhost", "/", { subdomain: "other" });
    const target = redirectTarget(() => adapter.match("/foo/42"));
    expect(target).toBe("http://test.localhost/foo");
  });
});

describe("bindToRequest with a werk Request", () => {
  test("reads host, scheme, method, path and query from the Request", () => {
    const map = new Map([new Rule("/bar/", { endpoint: "bar" }), new Rule("/hello/<name>", { endpoint: "hello", methods: ["POST"] })]);
    const request = new Request(fakeMessage({ method: "POST", url: "/hello/%E4%B8%AD?x=1", headers: { host: "Example.org" }, encrypted: true }));
    const urls = map.bindToRequest(request);
    expect(urls.serverName).toBe("example.org");
    expect(urls.urlScheme).toBe("https");
    expect(urls.match()).toEqual(["hello", { name: "中" }]);
    const redirect = map.bindToRequest(new Request(fakeMessage({ url: "/bar?x=1", headers: { host: "example.org" } })));
    expect(() => redirect.match()).toThrow(expect.objectContaining({ newUrl: "http://example.org/bar/?x=1" }));
  });

  test("an untrusted Host is refused with a 400 before any routing", () => {
    const map = new Map([new Rule("/", { endpoint: "index" })]);
    const trusted = new Request(fakeMessage({ headers: { host: "example.test" } }), { trustedHosts: ["example.test"] });
    expect(map.bindToRequest(trusted).match("/")).toEqual(["index", {}]);
    const untrusted = new Request(fakeMessage({ headers: { host: "evil.test" } }), { trustedHosts: ["example.test"] });
    let error: unknown;
    try {
      map.bindToRequest(untrusted);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HTTPException);
    expect((error as InstanceType<typeof HTTPException>).code).toBe(400);
  });

  test("a WebSocket upgrade on a werk Request binds the ws scheme", () => {
    const map = new Map([new Rule("/ws", { endpoint: "ws", websocket: true })]);
    const request = new Request(fakeMessage({ url: "/ws", headers: { host: "example.org", connection: "keep-alive, Upgrade", upgrade: "websocket" } }));
    const urls = map.bindToRequest(request);
    expect(urls.urlScheme).toBe("ws");
    expect(urls.match()).toEqual(["ws", {}]);
  });
});
