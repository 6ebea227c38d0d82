// Flask's tests/test_testing.py, translated: the test client's defaults and options,
// redirects, cookies, JSON, subdomains, and testRequestContext. (Session transactions
// belong to the session tests; Flask's `with client:` context preservation has no
// equivalent: views return what a test needs to see.)
import { describe, expect, test } from "vitest";
import { Flagon, Response, g, jsonify, redirect, request, urlFor } from "flagon";
import { makeApp } from "./_helpers.js";

describe("defaults from the configuration", () => {
  test("SERVER_NAME and APPLICATION_ROOT shape testRequestContext's URL; SERVER_NAME the client's", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "example.com:1234";
    app.config.APPLICATION_ROOT = "/foo";
    app.get("/", function index() {
      return request.url;
    });
    const ctx = app.testRequestContext();
    expect((ctx.request as typeof request).url).toBe("http://example.com:1234/foo/");
    expect((ctx.request as typeof request).scriptRoot).toBe("/foo");
    expect(await ctx.run(() => urlFor("index"))).toBe("/foo/");
    // The client has no mount point to strip (see testClient), so only the host applies.
    expect((await app.testClient().get("/")).text).toBe("http://example.com:1234/");
  });

  test("localhost by default", async () => {
    const app = makeApp();
    app.get("/", () => request.url);
    expect((app.testRequestContext().request as typeof request).url).toBe("http://localhost/");
    expect((await app.testClient().get("/")).text).toBe("http://localhost/");
  });

  test("the client's address and user agent", async () => {
    const app = makeApp();
    app.get("/", () => {
      g.remoteAddr = request.remoteAddr;
      return { remoteAddr: g.remoteAddr, userAgent: request.userAgent };
    });
    expect((await app.testClient().get("/")).json).toEqual({ remoteAddr: "127.0.0.1", userAgent: "werk-test-client" });
  });

  test("changing the client's address and user agent", async () => {
    const app = makeApp();
    app.get("/", () => ({ remoteAddr: request.remoteAddr, userAgent: request.userAgent }));
    const client = app.testClient({ remoteAddr: "192.168.0.22", headers: { "User-Agent": "Foo" } });
    expect((await client.get("/")).json).toEqual({ remoteAddr: "192.168.0.22", userAgent: "Foo" });
    expect((await client.get("/", { remoteAddr: "127.0.0.2" })).json).toEqual({ remoteAddr: "127.0.0.2", userAgent: "Foo" });
  });

  test("the URL scheme", async () => {
    const app = makeApp();
    app.get("/", () => request.url);
    expect((app.testRequestContext("/", { urlScheme: "https" }).request as typeof request).url).toBe("https://localhost/");
    expect((await app.testClient().get("/", { baseUrl: "https://localhost" })).text).toBe("https://localhost/");
    app.config.PREFERRED_URL_SCHEME = "https";
    expect((await app.testClient().get("/")).text).toBe("https://localhost/");
  });

  test("an absolute URL as the path sets scheme and host", async () => {
    const app = makeApp();
    app.get("/", () => ({ scheme: request.scheme, host: request.host, scriptRoot: request.scriptRoot, path: request.path }));
    expect((await app.testClient().get("https://example.com/")).json).toEqual({
      scheme: "https",
      host: "example.com",
      scriptRoot: "",
      path: "/",
    });
    const ctx = app.testRequestContext("https://example.com/x?y=1");
    await ctx.run(() => {
      expect(request.url).toBe("https://example.com/x?y=1");
      expect(request.args.get("y")).toBe("1");
    });
  });
});

describe("requests", () => {
  test("a failing view gives a 500 outside testing, and g is gone afterwards", async () => {
    const app = makeApp();
    app.testing = false;
    app.get("/", () => {
      g.value = 42;
      return "Hello World!";
    });
    app.get("/other", () => {
      throw new RangeError("boom");
    });
    const client = app.testClient();
    let resp = await client.get("/");
    expect(resp.text).toBe("Hello World!");
    expect(resp.statusCode).toBe(200);
    resp = await client.get("/other");
    expect(resp.text).toContain("Internal Server Error");
    expect(resp.statusCode).toBe(500);
    expect(() => g.value).toThrow(/outside of application context/);
  });

  test("a client can be reused", async () => {
    const app = makeApp();
    const client = app.testClient();
    expect((await client.get("/")).statusCode).toBe(404);
    expect((await client.get("/")).statusCode).toBe(404);
  });

  test("a full URL with a query and a form body", async () => {
    const app = makeApp();
    app.post("/action", () => ({ form: request.form.toObject(), args: request.args.toObject() }));
    const rv = await app.testClient().post("http://domain.com/action?vodka=42", { data: { gin: 43 } });
    expect(rv.statusCode).toBe(200);
    expect(rv.json).toEqual({ form: { gin: "43" }, args: { vodka: "42" } });
  });

  test("JSON in, JSON out", async () => {
    const app = makeApp();
    app.post("/echo", () => {
      expect(request.isJson).toBe(true);
      return jsonify(request.json);
    });
    const jsonData = { drink: { gin: 1, tonic: true }, price: 10 };
    const rv = await app.testClient().post("/echo", { json: jsonData });
    expect(rv.statusCode).toBe(200);
    expect(rv.isJson).toBe(true);
    expect(rv.json).toEqual(jsonData);
  });

  test("a JSON request opens and closes one app context", async () => {
    const app = makeApp();
    let popped = 0;
    app.teardownAppcontext(() => void popped++);
    app.post("/hello", () => `Hello, ${(request.json as { name: string }).name}!`);
    const rv = await app.testClient().post("/hello", { json: { name: "Flagon" } });
    expect(rv.text).toBe("Hello, Flagon!");
    expect(popped).toBe(1);
  });

  test("invalid JSON is a 400, not a crash", async () => {
    const app = makeApp();
    app.testing = false;
    app.post("/echo", () => jsonify(request.json));
    const rv = await app.testClient().post("/echo", { data: "{nope", contentType: "application/json" });
    expect(rv.statusCode).toBe(400);
  });
});

describe("subdomains", () => {
  test("urlFor builds the subdomain URL the client then requests", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.com";
    app.get("/", { subdomain: "<company_id>" })(function view({ company_id }: { company_id: string }) {
      return company_id;
    });
    const url = await app.testRequestContext().run(() => urlFor("view", { company_id: "xxx" }));
    expect(url).toBe("http://xxx.example.com/");
    const response = await app.testClient().get(url);
    expect(response.statusCode).toBe(200);
    expect(response.text).toBe("xxx");
  });

  test("without subdomains, a relative URL on SERVER_NAME", async () => {
    const app = makeApp();
    app.config.SERVER_NAME = "example.com";
    app.get("/<company_id>", function view({ company_id }) {
      return company_id;
    });
    const url = await app.testRequestContext().run(() => urlFor("view", { company_id: "xxx" }));
    expect(url).toBe("/xxx");
    const response = await app.testClient().get(url);
    expect(response.statusCode).toBe(200);
    expect(response.text).toBe("xxx");
  });

  test("testRequestContext with a subdomain", async () => {
    const app = makeApp({ subdomainMatching: true });
    app.config.SERVER_NAME = "example.com:1234";
    app.get("/", { subdomain: "xxx" })(function index() {
      return request.url;
    });
    const ctx = app.testRequestContext("/", { subdomain: "xxx" });
    expect((ctx.request as typeof request).url).toBe("http://xxx.example.com:1234/");
    expect((await app.testClient().get("http://xxx.example.com:1234/")).text).toBe("http://xxx.example.com:1234/");
  });
});

describe("redirects and cookies", () => {
  test("following redirects", async () => {
    const app = makeApp();
    app.get("/redirect", () => redirect("/target"));
    app.get("/target", () => "arrived");
    const client = app.testClient();
    let rv = await client.get("/redirect");
    expect(rv.statusCode).toBe(302);
    expect(rv.location).toBe("/target");
    rv = await client.get("/redirect", { followRedirects: true });
    expect(rv.text).toBe("arrived");
    expect(rv.history.map((r) => r.statusCode)).toEqual([302]);
    expect(rv.request.path).toBe("/target");
    rv = await app.testClient({ followRedirects: true }).get("/redirect");
    expect(rv.text).toBe("arrived");
  });

  test("the strict-slashes redirect keeps the POST body (308)", async () => {
    const app = makeApp();
    app.debug = true;
    app.route("/user/", { methods: ["GET", "POST"] })(function user() {
      return request.form.require("status");
    });
    const rv = await app.testClient().post("/user", { data: { status: "success" }, followRedirects: true });
    expect(rv.text).toBe("success");
    expect(rv.history[0]?.statusCode).toBe(308);
  });

  test("cookies set by responses are sent back; the client can set and delete them", async () => {
    const app = makeApp();
    app.get("/set", () => {
      const response = new Response("set");
      response.setCookie("flavour", "oatmeal");
      return response;
    });
    app.get("/read", () => request.cookies.get("flavour") ?? "none");
    app.get("/forget", () => {
      const response = new Response("forgot");
      response.deleteCookie("flavour");
      return response;
    });
    const client = app.testClient();
    expect((await client.get("/read")).text).toBe("none");
    await client.get("/set");
    expect(client.getCookie("flavour")?.value).toBe("oatmeal");
    expect((await client.get("/read")).text).toBe("oatmeal");
    await client.get("/forget");
    expect((await client.get("/read")).text).toBe("none");
    client.setCookie("flavour", "ginger");
    expect((await client.get("/read")).text).toBe("ginger");
    client.deleteCookie("flavour");
    expect((await client.get("/read")).text).toBe("none");
    const noCookies = app.testClient({ useCookies: false });
    await noCookies.get("/set");
    expect((await noCookies.get("/read")).text).toBe("none");
    expect(() => noCookies.getCookie("flavour")).toThrow(/Cookies are disabled/);
  });
});
