import { afterEach, describe, expect, it, vi } from "vitest";
import { cookieSizeWarning, dumpCookie, Headers, ImmutableMultiDict, type MultiDict, parseCookie } from "@flagon/werk";

describe("parseCookie", () => {
  it("parses Werkzeug's mixed bag of cookies", () => {
    const cookies = parseCookie(
      "dismiss-top=6; CP=null*; PHPSESSID=0a539d42abc001cdc762809248d4beed;" +
        'a=42; b="\\";"; ; fo234{=bar;blub=Blah; "__Secure-c"=d;' +
        "==__Host-eq=bad;__Host-eq=good;",
    );
    expect(cookies.toObject()).toEqual({
      CP: "null*",
      PHPSESSID: "0a539d42abc001cdc762809248d4beed",
      a: "42",
      "dismiss-top": "6",
      b: '";',
      "fo234{": "bar",
      blub: "Blah",
      '"__Secure-c"': "d",
      "__Host-eq": "good",
    });
  });

  it("returns an immutable MultiDict keeping repeated names", () => {
    const cookies = parseCookie("first=IamTheFirst ; a=1; oops ; a=2 ;second = andMeTwo;");
    expect(cookies).toBeInstanceOf(ImmutableMultiDict);
    expect(cookies.toObject(false)).toEqual({
      first: ["IamTheFirst"],
      a: ["1", "2"],
      oops: [""],
      second: ["andMeTwo"],
    });
    expect(cookies.get("a")).toBe("1");
    expect(cookies.getAll("a")).toEqual(["1", "2"]);
    expect(() => cookies.set("a", "3")).toThrow(TypeError);
  });

  it("ignores empty parts", () => {
    expect(parseCookie("spam=ham; duck=mallard; ; ").toObject()).toEqual({ spam: "ham", duck: "mallard" });
  });

  it("decodes quoted values and octal escapes", () => {
    expect(parseCookie('foo="foo\\054bar"').get("foo")).toBe("foo,bar");
    expect(parseCookie('foo="?foo"; version="0.1";').toObject()).toEqual({ foo: "?foo", version: "0.1" });
    expect(parseCookie('a="x;y"z; c=d').toObject(false)).toEqual({ a: ['"x'], 'y"z': [""], c: ["d"] });
  });

  it("re-decodes UTF-8 that arrived as latin1", () => {
    expect(parseCookie("fÃ¶=fÃ¶").get("fö")).toBe("fö");
    expect(parseCookie("a=\u00ff\u00fe").get("a")).toBe("\u00ff\u00fe");
    expect(parseCookie("a=中").get("a")).toBe("中");
  });

  it.each([
    "",
    ";;;;",
    "=",
    "==",
    '"',
    'a="unclosed',
    'a="\\',
    "\\\\\\",
    "a=\u0000\r\nb=2",
    "=;=;=;a",
    '"\\777"',
    'a="\\777\\400"',
    "a=1; ".repeat(2000),
  ])("never throws on garbled header %j", (header) => {
    expect(() => parseCookie(header)).not.toThrow();
  });

  it("pairs up stray quotes as Werkzeug does, in linear time", () => {
    expect(parseCookie('a=";'.repeat(4) + 'b="ok"').toObject(false)).toEqual({ a: [";a=", ";a="], b: ["ok"] });
    const start = performance.now();
    const cookies = parseCookie('a=";'.repeat(4096) + 'b="ok"');
    parseCookie('a="\\";'.repeat(3000));
    expect(performance.now() - start).toBeLessThan(100);
    expect(cookies.getAll("a")).toHaveLength(2048);
    expect(cookies.get("b")).toBe("ok");
  });

  it("gives sensible results for garbled headers", () => {
    expect(parseCookie(undefined).size).toBe(0);
    expect(parseCookie(null).size).toBe(0);
    // The empty result is shared, so it must stay immutable.
    expect(() => (parseCookie("") as unknown as MultiDict<string>).set("a", "1")).toThrow(/immutable/);
    expect(parseCookie("").size).toBe(0);
    expect(parseCookie('a="unclosed; b=2').toObject()).toEqual({ a: '"unclosed', b: "2" });
    expect(parseCookie("=value; b=2").toObject()).toEqual({ b: "2" });
    expect(parseCookie('a="\\400"').get("a")).toBe("400");
    expect(parseCookie('a="\\377"').get("a")).toBe("\uFFFD");
  });
});

describe("dumpCookie", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("quotes a value with spaces and adds attributes", () => {
    const value = dumpCookie("foo", "bar baz blub", { maxAge: 360, httpOnly: true, syncExpires: false });
    expect(new Set(value.split("; "))).toEqual(new Set(["HttpOnly", "Max-Age=360", "Path=/", 'foo="bar baz blub"']));
    expect(dumpCookie("key", "xxx/")).toBe("key=xxx/; Path=/");
    expect(dumpCookie("key", "xxx=", { path: null })).toBe("key=xxx=");
  });

  it("writes attributes in Werkzeug's order", () => {
    vi.useFakeTimers({ now: 0 });
    expect(
      dumpCookie("sid", "abc", {
        domain: "example.com",
        maxAge: 60,
        secure: true,
        httpOnly: true,
        path: "/app",
        sameSite: "lax",
      }),
    ).toBe(
      "sid=abc; Domain=example.com; Expires=Thu, 01 Jan 1970 00:01:00 GMT; Max-Age=60; Secure; HttpOnly; Path=/app; SameSite=Lax",
    );
  });

  it("formats expires from a Date, a timestamp or a string", () => {
    expect(dumpCookie("a", "b", { expires: new Date(0), path: null })).toBe("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    expect(dumpCookie("a", "b", { expires: 0, path: null })).toBe("a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    expect(dumpCookie("a", "b", { expires: "Thu, 01 Jan 1970 00:00:00 GMT", path: null })).toBe(
      "a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    );
  });

  it("round-trips quoted values through parseCookie", () => {
    const val = dumpCookie("foo", "?foo");
    expect(val).toBe("foo=?foo; Path=/");
    expect(parseCookie(val).get("foo")).toBe("?foo");
    for (const value of ['a"b', "a\\b", "a;b,c", "tab\there", "é ☃ 🐍", "\r\n", ""]) {
      expect(parseCookie(dumpCookie("k", value)).get("k")).toBe(value);
    }
  });

  it("escapes non-ASCII values as octal UTF-8 bytes", () => {
    const val = dumpCookie("foo", "\u2603");
    const headers = new Headers();
    headers.add("Set-Cookie", val);
    expect(headers.get("Set-Cookie")).toBe('foo="\\342\\230\\203"; Path=/');
    expect(parseCookie(headers.get("Set-Cookie")).get("foo")).toBe("\u2603");
  });

  it("IDNA-encodes the domain and drops a port and leading dot", () => {
    expect(dumpCookie("foo", "bar", { domain: "\u2603.com" })).toBe("foo=bar; Domain=xn--n3h.com; Path=/");
    expect(dumpCookie("foo", "bar", { domain: "foo.com" })).toBe("foo=bar; Domain=foo.com; Path=/");
    expect(dumpCookie("foo", "bar", { domain: ".foo.com:8080", path: null })).toBe("foo=bar; Domain=foo.com");
    expect(dumpCookie("foo", "bar", { domain: "localhost", path: null })).toBe("foo=bar; Domain=localhost");
  });

  it.each<[string | null, string]>([
    ["strict", "foo=bar; SameSite=Strict"],
    ["lax", "foo=bar; SameSite=Lax"],
    ["none", "foo=bar; SameSite=None"],
    ["LAX", "foo=bar; SameSite=Lax"],
    [null, "foo=bar"],
  ])("normalizes sameSite %j", (sameSite, expected) => {
    expect(dumpCookie("foo", "bar", { sameSite, path: null })).toBe(expected);
  });

  it("refuses an invalid sameSite", () => {
    expect(() => dumpCookie("foo", "bar", { sameSite: "invalid" })).toThrow(TypeError);
    expect(() => dumpCookie("foo", "bar", { sameSite: "Lax; Secure" })).toThrow(/sameSite/);
  });

  it("makes partitioned cookies secure", () => {
    expect(dumpCookie("foo", "bar", { partitioned: true, secure: true })).toBe("foo=bar; Secure; Path=/; Partitioned");
    expect(dumpCookie("foo", "bar", { partitioned: true, secure: false })).toBe("foo=bar; Secure; Path=/; Partitioned");
  });

  it.each(["", "a b", "a;b", "a=b", "a\r\nb", "fö", "a,b", '"q"', "a\0"])("refuses the cookie name %j", (name) => {
    expect(() => dumpCookie(name, "v")).toThrow(TypeError);
  });

  it("never lets a value, path, domain or expires inject attributes or headers", () => {
    const value = dumpCookie("a", "x\r\nSet-Cookie: evil=1; Domain=evil.com");
    expect(value).not.toMatch(/[\r\n]/);
    expect(value.split("; ")).toEqual(['a="x\\015\\012Set-Cookie: evil=1\\073 Domain=evil.com"', "Path=/"]);
    expect(dumpCookie("a", "b", { path: "/x; Domain=evil.com\r\n" })).toBe("a=b; Path=/x%3B%20Domain=evil.com%0D%0A");
    for (const domain of ["a.com; Secure", "a.com\r\nX: y", "a b.com", "a/b", ":"]) {
      expect(() => dumpCookie("a", "b", { domain })).toThrow(TypeError);
    }
    expect(() => dumpCookie("a", "b", { expires: "x; Domain=evil.com" })).toThrow(TypeError);
    expect(() => dumpCookie("a", "b", { expires: "x\r\ny" })).toThrow(TypeError);
    expect(() => dumpCookie("a", "b", { maxAge: Number.NaN })).toThrow(TypeError);
  });

  it("reports a cookie over maxSize without warning on its own", () => {
    const warn = vi.spyOn(console, "warn");
    const fits = dumpCookie("foo", "bar".repeat(1360) + "b");
    expect(fits.length).toBe(4093);
    expect(cookieSizeWarning("foo", fits)).toBeUndefined();

    const messages: string[] = [];
    const big = dumpCookie("foo", "bar".repeat(1360) + "ba", { onTooLarge: (m) => messages.push(m) });
    expect(big.length).toBe(4094);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/"foo" cookie is too large/);
    expect(cookieSizeWarning("foo", big)).toMatch(/limit is 4093 bytes/);
    dumpCookie("foo", "w".repeat(501), { maxSize: 512, onTooLarge: (m) => messages.push(m) });
    expect(messages[1]).toMatch(/limit is 512 bytes/);
    dumpCookie("foo", "w".repeat(5000), { maxSize: 0, onTooLarge: (m) => messages.push(m) });
    expect(messages).toHaveLength(2);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
