// Flask's session tests (tests/test_basic.py, test_session_interface.py, and
// test_testing.py's session_transaction), translated to Flagon, plus the session
// object's plain-object behaviour and tampered cookies.
import { createSecretKey } from "node:crypto";
import { inspect } from "node:util";
import cookieSignature from "cookie-signature";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseDate, type TestResponse } from "@flagon/werk";
import { Flagon, Response, request, session, type SessionMixin } from "flagon";
import { currentContext } from "../../packages/flagon/src/ctx.js";
import {
  deriveKey,
  KeyRing,
  NullSession,
  SecureCookieSession,
  SecureCookieSessionInterface,
  type SessionInterface,
} from "../../packages/flagon/src/sessions.js";
import type { ConfigValues } from "../../packages/flagon/src/config.js";
import type { FlagonClient } from "../../packages/flagon/src/testing.js";
import { makeApp as makeTestApp } from "./_helpers.js";

/** An app in testing mode with cookie sessions (Flask's `app` fixture). */
function makeApp(): Flagon & { logs: string[] } {
  const app = makeTestApp();
  expect(app.sessionInterface).toBeInstanceOf(SecureCookieSessionInterface);
  return app;
}

const clientOf = (app: Flagon): FlagonClient => app.testClient() as FlagonClient;
const setCookie = (rv: TestResponse): string => rv.headers.get("Set-Cookie") ?? "";
const openedSession = (): SessionMixin | null => currentContext()!.openedSession as SessionMixin | null;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the session object", () => {
  test("behaves like a plain object", () => {
    const s = new SecureCookieSession() as SessionMixin;
    s.user = "ada";
    s.count = 1;
    expect(s.user).toBe("ada");
    expect("user" in s).toBe(true);
    expect("nope" in s).toBe(false);
    expect(Object.keys(s)).toEqual(["user", "count"]);
    expect({ ...s }).toEqual({ user: "ada", count: 1 });
    expect(JSON.stringify(s)).toBe('{"user":"ada","count":1}');
    delete s.user;
    expect(Object.keys(s)).toEqual(["count"]);
    expect(s).toBeInstanceOf(SecureCookieSession);
    expect(inspect(s)).toBe("SecureCookieSession { count: 1 }");
  });

  test("setting and deleting keys mark it modified; reading marks it accessed", () => {
    const s = new SecureCookieSession({ a: 1 }) as SessionMixin;
    expect([s.accessed, s.modified, s.isNew]).toEqual([false, false, false]);
    void s.a;
    expect([s.accessed, s.modified]).toEqual([true, false]);
    delete s.missing;
    expect(s.modified).toBe(false);
    s.b = 2;
    expect(s.modified).toBe(true);
    const fresh = new SecureCookieSession() as SessionMixin;
    expect(fresh.isNew).toBe(true);
    delete fresh.a;
    void Object.keys(fresh);
    expect([fresh.accessed, fresh.modified]).toEqual([true, false]);
  });

  test("nested changes are not seen until modified is set", () => {
    const s = new SecureCookieSession({ cart: [1] }) as SessionMixin;
    (s.cart as number[]).push(2);
    expect(s.modified).toBe(false);
    s.modified = true;
    expect(s.modified).toBe(true);
    expect(Object.keys(s)).toEqual(["cart"]);
  });

  test("get, pop, setDefault and clear, without colliding with keys", () => {
    const s = new SecureCookieSession({ get: "data", a: 1 }) as SessionMixin;
    expect(s.get!("get")).toBe("data");
    expect(s.get!("missing", "fallback")).toBe("fallback");
    expect(s.setDefault!("b", 2)).toBe(2);
    expect(s.setDefault!("b", 3)).toBe(2);
    expect(s.pop!("a")).toBe(1);
    expect(s.pop!("a", "gone")).toBe("gone");
    expect(() => s.pop!("a")).toThrow(/no key "a"/);
    expect(() => {
      (s as Record<string, unknown>).get = 1;
    }).toThrow(/"get" is a method of the session/);
    expect(() => {
      delete (s as Record<string, unknown>).modified;
    }).toThrow(/attribute of the session/);
    s.modified = false;
    s.clear!();
    expect(Object.keys(s)).toEqual([]);
    expect(s.modified).toBe(true);
  });

  test("permanent is stored as the _permanent key, as in Flask", () => {
    const s = new SecureCookieSession() as SessionMixin;
    expect(s.permanent).toBe(false);
    s.permanent = true;
    expect(s.permanent).toBe(true);
    expect({ ...s }).toEqual({ _permanent: true });
    expect(s.modified).toBe(true);
  });

  test("a __proto__ key is data, never the prototype", () => {
    const s = new SecureCookieSession() as SessionMixin;
    s["__proto__"] = { polluted: true };
    expect(Object.keys(s)).toEqual(["__proto__"]);
    expect(s).toBeInstanceOf(SecureCookieSession);
    expect(s.polluted).toBeUndefined();
  });

  test("the null session reads as empty and refuses writes", () => {
    const s = new NullSession() as SessionMixin;
    expect(s.get!("x")).toBeUndefined();
    expect(Object.keys(s)).toEqual([]);
    expect(() => {
      s.x = 1;
    }).toThrow(/session is unavailable/);
    expect(() => {
      s.permanent = true;
    }).toThrow(/session is unavailable/);
    expect(() => s.pop!("x", null)).toThrow(/session is unavailable/);
    expect(() => s.clear!()).toThrow(/session is unavailable/);
    s.accessed = true;
  });
});

describe("Flask's session vectors", () => {
  test("Vary: Cookie and the flags follow what the view did", async () => {
    const app = makeApp();
    const seen: Array<[boolean, boolean] | null> = [];
    app.post("/", function doSet() {
      session.value = request.form.get("value");
      return "value set";
    });
    app.get("/", function doGet() {
      return String(session.get!("value", "None"));
    });
    app.get("/nothing", function doNothing() {
      return "";
    });
    app.afterRequest((response: Response) => {
      const s = openedSession();
      seen.push(s && [s.accessed, s.modified]);
      return response;
    });
    const client = clientOf(app);

    let rv = await client.get("/nothing");
    expect(rv.headers.get("Vary")).toBeUndefined();
    expect(seen.pop()).toBeNull();

    rv = await client.post("/", { form: { value: "42" } });
    expect(rv.text).toBe("value set");
    expect(rv.headers.get("Vary")).toBe("Cookie");
    expect(seen.pop()).toEqual([true, true]);

    rv = await client.get("/");
    expect(rv.text).toBe("42");
    expect(rv.headers.get("Vary")).toBe("Cookie");
    expect(seen.pop()).toEqual([true, false]);

    rv = await client.get("/nothing");
    expect(rv.headers.get("Vary")).toBeUndefined();
    expect(seen.pop() ?? [false, false]).toEqual([false, false]);
  });

  test("the cookie path is APPLICATION_ROOT", async () => {
    const app = makeApp();
    app.config.APPLICATION_ROOT = "/foo";
    app.get("/", function index() {
      session.testing = 42;
      return "Hello World";
    });
    const rv = await clientOf(app).get("/", { baseUrl: "http://example.com:8080" });
    expect(setCookie(rv).toLowerCase()).toContain("path=/foo");
  });

  test("SESSION_COOKIE_* settings become the cookie's attributes, also when deleting it", async () => {
    const app = makeApp();
    Object.assign(app.config, {
      SERVER_NAME: "www.example.com:8080",
      SESSION_COOKIE_DOMAIN: ".example.com",
      SESSION_COOKIE_HTTPONLY: false,
      SESSION_COOKIE_SECURE: true,
      SESSION_COOKIE_PARTITIONED: true,
      SESSION_COOKIE_SAMESITE: "Lax",
      SESSION_COOKIE_PATH: "/",
    });
    app.get("/", function index() {
      session.testing = 42;
      return "Hello World";
    });
    app.get("/clear", function clear() {
      session.pop!("testing", null);
      return "Goodbye World";
    });
    const client = clientOf(app);
    let cookie = setCookie(await client.get("/", { baseUrl: "http://www.example.com:8080" })).toLowerCase();
    expect(cookie).toContain("domain=example.com");
    expect(cookie).toContain("path=/");
    expect(cookie).toContain("secure");
    expect(cookie).not.toContain("httponly");
    expect(cookie).toContain("samesite=lax");
    expect(cookie).toContain("partitioned");

    cookie = setCookie(await client.get("/clear", { baseUrl: "http://www.example.com:8080" })).toLowerCase();
    expect(cookie).toMatch(/^session=;/);
    expect(cookie).toContain("domain=example.com");
    expect(cookie).toContain("path=/");
    expect(cookie).toContain("secure");
    expect(cookie).toContain("samesite=lax");
    expect(cookie).toContain("partitioned");
    expect(cookie).toContain("max-age=0");
  });

  test("SESSION_COOKIE_SAMESITE: invalid throws, null leaves it out, Strict and Lax are written", async () => {
    const app = makeApp();
    app.get("/", function index() {
      session.testing = 42;
      return "Hello World";
    });
    const client = clientOf(app);
    (app.config as { SESSION_COOKIE_SAMESITE: unknown }).SESSION_COOKIE_SAMESITE = "invalid";
    await expect(client.get("/")).rejects.toThrow(/sameSite/);
    app.config.SESSION_COOKIE_SAMESITE = null;
    expect(setCookie(await client.get("/")).toLowerCase()).not.toContain("samesite");
    app.config.SESSION_COOKIE_SAMESITE = "Strict";
    expect(setCookie(await client.get("/")).toLowerCase()).toContain("samesite=strict");
    app.config.SESSION_COOKIE_SAMESITE = "Lax";
    expect(setCookie(await client.get("/")).toLowerCase()).toContain("samesite=lax");
  });

  test("without SECRET_KEY the session reads as empty and writes explain why they fail", async () => {
    const app = makeApp();
    app.config.SECRET_KEY = null;
    await app.testRequestContext().run(() => {
      expect(session.get!("missing_key")).toBeUndefined();
      expect(() => {
        session.foo = 42;
      }).toThrow(/session is unavailable because no secret key was set.*SECRET_KEY/);
      expect(() => session.pop!("foo")).toThrow(/session is unavailable/);
    });
    app.get("/", () => {
      session.user = 1;
      return "";
    });
    await expect(clientOf(app).get("/")).rejects.toThrow(/session is unavailable/);
  });

  test("SECRET_KEY_FALLBACKS keep older cookies readable during key rotation", async () => {
    const app = makeApp();
    app.post("/", function setSession() {
      session.a = 1;
      return "";
    });
    app.get("/", function getSession() {
      return { ...session };
    });
    const client = clientOf(app);
    app.config.SECRET_KEY = "0 key";
    app.config.SECRET_KEY_FALLBACKS = ["-1 key", "-2 key"];
    await client.post("/");
    expect((await client.get("/")).json).toEqual({ a: 1 });
    // A key the cookie was not signed with: it reads as an empty session.
    app.config.SECRET_KEY = "? key";
    expect((await client.get("/")).json).toEqual({});
    // The signing key is now a fallback: accepted.
    app.config.SECRET_KEY = "+1 key";
    app.config.SECRET_KEY_FALLBACKS = ["0 key", "-1 key"];
    expect((await client.get("/")).json).toEqual({ a: 1 });
  });

  test("the newest key signs", async () => {
    const app = makeApp();
    app.config.SECRET_KEY = "new";
    app.config.SECRET_KEY_FALLBACKS = ["old"];
    app.get("/", () => {
      session.a = 1;
      return "";
    });
    const client = clientOf(app);
    await client.get("/");
    app.config.SECRET_KEY_FALLBACKS = null;
    await client.sessionTransaction((s) => expect({ ...s }).toEqual({ a: 1 }));
  });

  test("permanent sessions expire after PERMANENT_SESSION_LIFETIME, others with the browser", async () => {
    const app = makeApp();
    let permanent = true;
    app.get("/", function index() {
      session.test = 42;
      session.permanent = permanent;
      return "";
    });
    app.get("/test", function test() {
      return String(session.permanent);
    });
    const client = clientOf(app);
    let rv = await client.get("/");
    const expires = parseDate(/\bExpires=([^;]+)/i.exec(setCookie(rv))![1]);
    const expected = Date.now() + app.config.PERMANENT_SESSION_LIFETIME * 1000;
    expect(Math.abs(expires!.getTime() - expected)).toBeLessThan(5000);
    expect((await client.get("/test")).text).toBe("true");

    permanent = false;
    rv = await client.get("/");
    expect(setCookie(rv)).not.toBe("");
    expect(setCookie(rv)).not.toMatch(/expires=/i);
  });

  test("afterRequest hooks may still change the session", async () => {
    const app = makeApp();
    app.afterRequest(function modifySession(response: Response) {
      session.foo = 42;
      return response;
    });
    app.get("/", function dumpSessionContents() {
      return String(session.get!("foo", "None"));
    });
    const client = clientOf(app);
    expect((await client.get("/")).text).toBe("None");
    expect((await client.get("/")).text).toBe("42");
  });

  test("special types survive the round trip", async () => {
    const app = makeApp();
    const now = new Date("2024-05-01T12:34:56.789Z");
    app.get("/", function dumpSessionContents() {
      session.t = [1, 2, 3];
      session.b = Buffer.from([0xff]);
      session.d = now;
      session.m = new Map([["k", new Set([1])]]);
      session.n = 10n ** 20n;
      session.t_tag = { " t": "not-a-tuple" };
      session.di_t_tag = { " t__": "not-a-tuple" };
      session.di_tag = { " di": "not-a-dict" };
      return ["", 204];
    });
    const client = clientOf(app);
    await client.get("/");
    await client.sessionTransaction((s) => {
      expect(s.t).toEqual([1, 2, 3]);
      expect(Buffer.isBuffer(s.b)).toBe(true);
      expect(s.b).toEqual(Buffer.from([0xff]));
      expect(s.d).toEqual(now);
      expect(s.m).toEqual(new Map([["k", new Set([1])]]));
      expect(s.n).toBe(10n ** 20n);
      expect(s.t_tag).toEqual({ " t": "not-a-tuple" });
      expect(s.di_t_tag).toEqual({ " t__": "not-a-tuple" });
      expect(s.di_tag).toEqual({ " di": "not-a-dict" });
    });
  });

  test.each([
    [true, true, true],
    [true, false, false],
    [false, true, false],
    [false, false, false],
  ])("permanent=%s, SESSION_REFRESH_EACH_REQUEST=%s: a read sends the cookie again: %s", async (permanent, refresh, expectHeader) => {
    const app = makeApp();
    app.config.SESSION_REFRESH_EACH_REQUEST = refresh;
    app.get("/bump", function bump() {
      const rv = ((session.get!("foo", 0) as number) + 1);
      session.foo = rv;
      session.permanent = permanent;
      return String(rv);
    });
    app.get("/read", function read() {
      return String(session.get!("foo", 0));
    });
    const client = clientOf(app);
    expect((await client.get("/bump")).text).toBe("1");
    expect((await client.get("/bump")).text).toBe("2");
    expect((await client.get("/bump")).text).toBe("3");
    const rv = await client.get("/read");
    expect(rv.headers.get("Set-Cookie") !== undefined).toBe(expectHeader);
    expect(rv.text).toBe("3");
  });

  test("Vary: Cookie is added once, after any Vary the view set", async () => {
    const app = makeApp();
    app.get("/set", () => {
      session.test = "test";
      return "";
    });
    app.get("/get", () => String(session.get!("test")));
    app.get("/getitem", () => String(session.test));
    app.get("/setdefault", () => String(session.setDefault!("test", "default")));
    app.get("/clear", () => {
      session.clear!();
      return "";
    });
    app.get("/vary-cookie-header-set", () => {
      const response = new Response("");
      response.addVary("Cookie");
      session.test = "test";
      return response;
    });
    app.get("/vary-header-set", () => {
      const response = new Response("");
      response.addVary("Accept-Encoding", "Accept-Language");
      session.test = "test";
      return response;
    });
    app.get("/no-vary-header", () => "");
    const client = clientOf(app);
    const expectVary = async (path: string, value: string | null = "Cookie"): Promise<void> => {
      const rv = await client.get(path);
      if (value === null) expect(rv.headers.get("Vary")).toBeUndefined();
      else expect(rv.headers.getAll("Vary")).toEqual([value]);
    };
    await expectVary("/set");
    await expectVary("/get");
    await expectVary("/getitem");
    await expectVary("/setdefault");
    await expectVary("/clear");
    await expectVary("/vary-cookie-header-set");
    await expectVary("/vary-header-set", "Accept-Encoding, Accept-Language, Cookie");
    await expectVary("/no-vary-header", null);
  });

  test("refreshing a permanent session the view ignored still varies on Cookie", async () => {
    const app = makeApp();
    app.get("/login", function login() {
      session.user_id = 1;
      session.permanent = true;
      return "";
    });
    app.get("/ignored", function ignored() {
      return "";
    });
    const client = clientOf(app);
    expect((await client.get("/login")).headers.get("Vary")).toBe("Cookie");
    const rv = await client.get("/ignored");
    expect(rv.headers.get("Vary")).toBe("Cookie");
    expect(setCookie(rv)).toMatch(/^session=.+Expires=/);
  });

  test("a session emptied by the view deletes the cookie; one that was empty sends none", async () => {
    const app = makeApp();
    app.get("/set", () => {
      session.a = 1;
      return "";
    });
    app.get("/empty", () => {
      delete session.a;
      return "";
    });
    const client = clientOf(app);
    await client.get("/set");
    expect(client.getCookie("session")).toBeDefined();
    const rv = await client.get("/empty");
    expect(setCookie(rv)).toMatch(/^session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0/);
    expect(client.getCookie("session")).toBeUndefined();
    expect((await client.get("/empty")).headers.get("Set-Cookie")).toBeUndefined();
  });

  test("a cookie over MAX_COOKIE_SIZE is logged as a warning; 0 turns the check off", async () => {
    const app = makeApp();
    app.config.MAX_COOKIE_SIZE = 100;
    app.get("/", () => {
      session.big = "bar".repeat(100);
      return ["", 204];
    });
    const client = clientOf(app);
    await client.get("/");
    expect(app.logs.filter((line) => line.includes("WARN") && line.includes("cookie is too large"))).toHaveLength(1);
    app.config.MAX_COOKIE_SIZE = 0;
    app.logs.length = 0;
    await client.get("/");
    expect(app.logs).toEqual([]);
  });
});

describe("the signed cookie", () => {
  function app(): { app: Flagon & { logs: string[] }; client: FlagonClient } {
    const a = makeApp();
    a.get("/set", () => {
      session.user = "ada";
      return "";
    });
    a.get("/", () => ({ ...session }));
    return { app: a, client: clientOf(a) };
  }

  test("is payload.timestamp.signature, readable but not forgeable", async () => {
    const { client } = app();
    await client.get("/set");
    const value = client.getCookie("session")!.value;
    const [payload, timestamp, signature] = value.split(".");
    expect(JSON.parse(Buffer.from(payload!, "base64url").toString())).toEqual({ user: "ada" });
    const seconds = parseInt(Buffer.from(timestamp!, "base64url").toString("hex"), 16);
    expect(Math.abs(seconds - Date.now() / 1000)).toBeLessThan(5);
    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}$/);
  });

  test("a large repetitive payload is compressed", async () => {
    const a = makeApp();
    a.get("/", () => {
      session.big = "abc".repeat(2000);
      return "";
    });
    const client = clientOf(a);
    await client.get("/");
    const value = client.getCookie("session")!.value;
    expect(value.startsWith(".")).toBe(true);
    expect(value.length).toBeLessThan(500);
    await client.sessionTransaction((s) => expect(s.big).toBe("abc".repeat(2000)));
  });

  const tamperings: Array<[string, (value: string) => string]> = [
    ["a flipped byte in the payload", (v) => (v[1] === "A" ? v[0] + "B" : v[0] + "A") + v.slice(2)],
    ["a flipped byte in the signature", (v) => v.slice(0, -2) + (v.at(-2) === "A" ? "B" : "A") + v.slice(-1)],
    ["a truncated cookie", (v) => v.slice(0, v.length - 10)],
    ["the signature cut off", (v) => v.slice(0, v.lastIndexOf("."))],
    ["garbage", () => "%%garbage\u00ff!!"],
    ["an empty value", () => ""],
    ["only dots", () => "..."],
    ["a payload that is not JSON, signed", () => "bm90IGpzb24.AAAA.x"],
    ["the signature padded with =", (v) => `${v}=`],
    ["a character added to the signature", (v) => `${v}A`],
  ];

  test.each(tamperings)("%s gives an empty new session and a 200", async (_name, tamper) => {
    const { app: a, client } = app();
    let isNew: boolean | undefined;
    a.afterRequest((response: Response) => {
      isNew = openedSession()?.isNew;
      return response;
    });
    await client.get("/set");
    client.setCookie("session", tamper(client.getCookie("session")!.value));
    const rv = await client.get("/");
    expect(rv.statusCode).toBe(200);
    expect(rv.json).toEqual({});
    expect(isNew).toBe(true);
  });

  test("a cookie signed with another key gives an empty session", async () => {
    const { app: a, client } = app();
    await client.get("/set");
    a.config.SECRET_KEY = "a different key";
    const rv = await client.get("/");
    expect([rv.statusCode, rv.json]).toEqual([200, {}]);
  });

  test("a cookie older than PERMANENT_SESSION_LIFETIME is rejected by the server", async () => {
    const { app: a, client } = app();
    a.config.PERMANENT_SESSION_LIFETIME = 60;
    await client.get("/set");
    expect((await client.get("/")).json).toEqual({ user: "ada" });
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 61_000);
    // The browser would still send it (no Expires on a non-permanent session).
    expect(client.getCookie("session")).toBeDefined();
    const rv = await client.get("/");
    expect([rv.statusCode, rv.json]).toEqual([200, {}]);
  });

  test("a cookie from the future beyond clock skew is rejected", async () => {
    const { client } = app();
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + 3600_000);
    await client.get("/set");
    vi.mocked(Date.now).mockReturnValue(now);
    expect((await client.get("/")).json).toEqual({});
  });

  test("signatures are cookie-signature's, under the derived key, both ways", () => {
    const ring = new KeyRing("cookie-session");
    const config = { SECRET_KEY: "test key" } as ConfigValues;
    const key = createSecretKey(deriveKey("test key", "cookie-session"));
    for (const value of ["", "a", "eyJ1c2VyIjoiYWRhIn0.aSSBAA", "ü/+?".repeat(50)]) {
      const signed = ring.sign(value, config);
      expect(signed).toBe(cookieSignature.sign(value, key));
      expect(ring.unsign(signed, config)).toBe(value);
      expect(cookieSignature.unsign(signed, key)).toBe(value);
    }
    expect(ring.unsign(cookieSignature.sign("x", createSecretKey(deriveKey("other", "cookie-session"))), config)).toBeNull();
  });

  test.each([
    ["a character outside base64url", (stamp: string) => `${stamp.slice(0, -1)}*`],
    ["more than six bytes", (stamp: string) => `AAAA${stamp}`],
    ["an impossible length", (stamp: string) => `${stamp}A`],
    ["no characters", () => ""],
  ])("a correctly signed cookie whose timestamp has %s gives an empty session", async (_name, garble) => {
    const { app: a, client } = app();
    await client.get("/set");
    const [payload, stamp] = client.getCookie("session")!.value.split(".");
    const signer = (a.sessionInterface as SecureCookieSessionInterface).signer;
    client.setCookie("session", signer.keyRing.sign(`${payload}.${stamp}`, a.config));
    expect((await client.get("/")).json).toEqual({ user: "ada" });
    client.setCookie("session", signer.keyRing.sign(`${payload}.${garble(stamp!)}`, a.config));
    expect((await client.get("/")).json).toEqual({});
  });

  test("a cookie signed under a fallback key is accepted after the key rotates", async () => {
    const { app: a, client } = app();
    await client.get("/set");
    a.config.SECRET_KEY = "the new key";
    a.config.SECRET_KEY_FALLBACKS = ["an older key", "test key"];
    expect((await client.get("/")).json).toEqual({ user: "ada" });
    a.config.SECRET_KEY_FALLBACKS = ["an older key"];
    expect((await client.get("/")).json).toEqual({});
  });

  test("a session-signed value from another salt is not accepted", async () => {
    const { app: a, client } = app();
    const other = new SecureCookieSessionInterface({ salt: "something-else" });
    await client.get("/set");
    a.sessionInterface = other;
    expect((await client.get("/")).json).toEqual({});
  });
});

describe("custom session interfaces", () => {
  test("openSession can match the request to see its endpoint", async () => {
    const app = makeApp();
    let endpoint: string | null = null;
    class MySessionInterface extends SecureCookieSessionInterface {
      override openSession(a: never, req: never): SecureCookieSession | null {
        const ctx = currentContext()!;
        if (ctx.route === undefined) app.matchRequest(ctx);
        endpoint = (request as { endpoint: string | null }).endpoint;
        return super.openSession(a, req);
      }
    }
    app.sessionInterface = new MySessionInterface();
    app.get("/", function index() {
      return String(session.get!("x", "Hello, World!"));
    });
    const rv = await clientOf(app).get("/");
    expect(rv.statusCode).toBe(200);
    expect(endpoint).toBe("index");
  });

  test("a plain-object session from a custom interface works with the proxy", async () => {
    const app = makeApp();
    const saved: unknown[] = [];
    const iface: SessionInterface = {
      openSession: () => ({ accessed: false, modified: false, permanent: false, isNew: true }),
      saveSession: (_app, s) => void saved.push({ ...s }),
      makeNullSession: () => new NullSession(),
      isNullSession: () => false,
    };
    app.sessionInterface = iface;
    app.get("/", () => {
      session.x = 1;
      return "";
    });
    await clientOf(app).get("/");
    expect(saved).toEqual([{ accessed: true, modified: false, permanent: false, isNew: true, x: 1 }]);
  });
});

describe("client.sessionTransaction", () => {
  test("changes the session the next request sees, and reads it back", async () => {
    const app = makeApp();
    app.get("/", function index() {
      return JSON.stringify(session.foo);
    });
    const client = clientOf(app);
    await client.sessionTransaction((sess) => {
      expect(Object.keys(sess)).toHaveLength(0);
      sess.foo = [42];
      expect(Object.keys(sess)).toHaveLength(1);
    });
    expect((await client.get("/")).text).toBe("[42]");
    const result = await client.sessionTransaction((sess) => {
      expect(Object.keys(sess)).toHaveLength(1);
      expect(sess.foo).toEqual([42]);
      return "done";
    });
    expect(result).toBe("done");
  });

  test("async callbacks are awaited; a throwing callback saves nothing", async () => {
    const app = makeApp();
    const client = clientOf(app);
    await client.sessionTransaction(async (sess) => {
      await new Promise((r) => setTimeout(r, 1));
      sess.a = 1;
    });
    await expect(
      client.sessionTransaction((sess) => {
        sess.a = 2;
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await client.sessionTransaction((sess) => expect(sess.a).toBe(1));
  });

  test("without a session (no SECRET_KEY) it fails clearly", async () => {
    const app = new Flagon("t", { staticFolder: null });
    app.sessionInterface = new SecureCookieSessionInterface();
    await expect(clientOf(app).sessionTransaction(() => {})).rejects.toThrow(/Session backend did not open a session/);
  });

  test("keeps the test's own request context", async () => {
    const app = makeApp();
    app.get("/", () => "");
    const client = clientOf(app);
    await app.testRequestContext("/outer").run(async () => {
      await client.sessionTransaction(() => {
        expect(request.path).toBe("/outer");
      });
    });
  });

  test("needs cookies", async () => {
    const app = makeApp();
    const client = app.testClient({ useCookies: false }) as FlagonClient;
    await expect(client.sessionTransaction(() => {})).rejects.toThrow(/Cookies are disabled/);
  });

  test("uses the cookie of the given path and domain", async () => {
    const app = makeApp();
    app.config.SESSION_COOKIE_PATH = "/admin";
    app.get("/admin/", () => String(session.get!("role", "none")));
    const client = clientOf(app);
    await client.sessionTransaction((sess) => void (sess.role = "root"), { path: "/admin/" });
    expect(client.getCookie("session", { path: "/admin" })).toBeDefined();
    expect((await client.get("/admin/")).text).toBe("root");
  });
});
