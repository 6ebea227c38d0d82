import { describe, expect, it } from "vitest";
import { Accept, CharsetAccept, LanguageAccept, MIMEAccept, parseAcceptHeader } from "@flagon/werk";

describe("Accept", () => {
  it("parses a header and keeps it sorted by quality", () => {
    const a = parseAcceptHeader("en-us,ru;q=0.5");
    expect(a.values()).toEqual(["en-us", "ru"]);
    expect(a.best).toBe("en-us");
    expect(a.find("ru")).toBe(1);
    expect(() => a.index("de")).toThrow(RangeError);
    expect(a.toHeader()).toBe("en-us,ru;q=0.5");
    expect(a.provided).toBe(true);
  });

  it("keeps parameters with spaces", () => {
    const a = parseAcceptHeader('application/x-special; z="a b";q=0.5');
    expect(a.quality('application/x-special; z="a b"')).toBe(0.5);
  });

  it("answers quality, has, index and find", () => {
    const accept = new Accept([["tinker", 0], ["tailor", 0.333], ["soldier", 0.667], ["sailor", 1]]);
    expect(accept.at(3)).toEqual(["tinker", 0]);
    expect(accept.at(2)).toEqual(["tailor", 0.333]);
    expect(accept.at(0)).toEqual(["sailor", 1]);
    expect(accept.quality("tinker")).toBe(0);
    expect(accept.quality("soldier")).toBe(0.667);
    expect(accept.quality("spy")).toBe(0);
    expect(accept.has("sailor")).toBe(true);
    expect(accept.has("spy")).toBe(false);
    expect(accept.index("tinker")).toBe(3);
    expect(accept.index("sailor")).toBe(0);
    expect(accept.find("spy")).toBe(-1);
    expect(accept.toHeader()).toBe("sailor,soldier;q=0.667,tailor;q=0.333,tinker;q=0");
    expect(accept.length).toBe(4);
    expect([...accept]).toEqual(accept.toArray());
  });

  it("picks the best match by quality, never one of quality 0", () => {
    const accept = new Accept([["tinker", 0], ["tailor", 0.333], ["soldier", 0.667], ["sailor", 1]]);
    expect(accept.bestMatch(["tinker", "tailor", "soldier", "sailor"])).toBe("sailor");
    expect(accept.bestMatch(["tinker", "tailor", "soldier"])).toBe("soldier");
    expect(accept.bestMatch(["tinker", "tailor"])).toBe("tailor");
    expect(accept.bestMatch(["tinker"])).toBeUndefined();
    expect(accept.bestMatch(["tinker"], "x")).toBe("x");
  });

  it("matches wildcards, preferring specific items", () => {
    const accept = new Accept([["*", 0], ["asterisk", 1]]);
    expect(accept.has("*")).toBe(true);
    expect(accept.bestMatch(["asterisk", "star"])).toBe("asterisk");
    expect(accept.bestMatch(["star"])).toBeUndefined();

    const specific = new Accept([["asterisk", 0], ["star", 0.5], ["*", 1]]);
    expect(specific.bestMatch(["star", "asterisk"])).toBe("star");
    expect(specific.bestMatch(["asterisk", "star"])).toBe("star");
    expect(specific.bestMatch(["asterisk", "times"])).toBe("times");
    expect(specific.bestMatch(["asterisk"])).toBeUndefined();
  });

  it("keeps the server's order among equal matches", () => {
    expect(new Accept([["*", 1]]).bestMatch(["alice", "bob"])).toBe("alice");
    expect(new Accept([["*", 1]]).bestMatch(["bob", "alice"])).toBe("bob");
    const accept = new Accept([["alice", 1], ["bob", 1]]);
    expect(accept.bestMatch(["alice", "bob"])).toBe("alice");
    expect(accept.bestMatch(["bob", "alice"])).toBe("bob");
    expect(accept.best).toBe("alice");
  });

  it.each([".5", "+0.5", "0.5_1", "1e-1", "0x1", "5", "-0.1"])("skips an item with q=%j", (q) => {
    expect(parseAcceptHeader(`en,jp;q=${q}`).values()).toEqual(["en"]);
  });

  it("skips an item with an encoded invalid q", () => {
    expect(parseAcceptHeader("en,jp;q*=UTF-8''%F0%9F%AF%B0.%F0%9F%AF%B5").values()).toEqual(["en"]);
  });

  it("reads q=1 and q=1.0 (and 0, 0.0) alike", () => {
    expect(parseAcceptHeader("en;q=1").toArray()).toEqual(parseAcceptHeader("en;q=1.0").toArray());
    expect(parseAcceptHeader("en;q=0").toArray()).toEqual(parseAcceptHeader("en;q=0.0").toArray());
  });

  it("is empty and not provided for a missing header", () => {
    for (const value of [undefined, null, ""]) {
      const a = parseAcceptHeader(value);
      expect(a.provided).toBe(false);
      expect(a.length).toBe(0);
      expect(a.best).toBeUndefined();
      expect(a.bestMatch(["x"], "dflt")).toBe("dflt");
    }
  });

  it.each(['"unclosed, a', ",,,", ";;;", "a;q=", "=;q=1", "\r\n", "a;q=0.5;q=0.7", "*;q=x"])(
    "never throws on %j",
    (value) => {
      expect(() => parseAcceptHeader(value, MIMEAccept).toHeader()).not.toThrow();
      expect(() => parseAcceptHeader(value, LanguageAccept).bestMatch(["en"])).not.toThrow();
    },
  );
});

describe("MIMEAccept", () => {
  const header =
    "text/xml,application/xml,application/xhtml+xml,application/foo;quiet=no; bar=baz;q=0.6," +
    "text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5";

  it("reports qualities through wildcards and parameters", () => {
    const a = parseAcceptHeader(header, MIMEAccept);
    expect(a).toBeInstanceOf(MIMEAccept);
    expect(() => a.quality("missing")).toThrow(TypeError);
    expect(a.quality("image/png")).toBe(1);
    expect(a.quality("text/plain")).toBe(0.8);
    expect(a.quality("foo/bar")).toBe(0.5);
    expect(a.quality("application/foo;quiet=no; bar=baz")).toBe(0.6);
    expect(a.at(a.find("foo/bar"))).toEqual(["*/*", 0.5]);
  });

  it("finds the best match", () => {
    const a = MIMEAccept.fromHeader(
      "text/xml,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png",
    );
    expect(a.bestMatch(["text/html", "application/xhtml+xml"])).toBe("application/xhtml+xml");
    expect(a.bestMatch(["text/html"])).toBe("text/html");
    expect(a.bestMatch(["foo/bar"])).toBeUndefined();
    expect(a.bestMatch(["foo/bar", "bar/foo"], "foo/bar")).toBe("foo/bar");
    expect(a.bestMatch(["application/xml", "text/xml"])).toBe("application/xml");
  });

  it("prefers the more specific media range", () => {
    const a = MIMEAccept.fromHeader("text/*, text/html, text/html;level=1, */*");
    expect(a.bestMatch(["text/html; version=1", "text/html"])).toBe("text/html");
    expect(a.bestMatch(["text/html", "text/html; level=1"])).toBe("text/html; level=1");
  });

  it.each<[Array<[string, number]>, string[], string | undefined, string | undefined]>([
    [[["text/*", 1]], ["text/html"], undefined, "text/html"],
    [[["text/*", 1]], ["image/png"], "text/plain", "text/plain"],
    [[["text/*", 1]], ["image/png"], undefined, undefined],
    [[["*/*", 1], ["text/html", 1]], ["image/png", "text/html"], undefined, "text/html"],
    [[["*/*", 1], ["text/html", 1]], ["image/png", "text/plain"], undefined, "image/png"],
    [[["*/*", 1], ["text/html", 1], ["image/*", 1]], ["image/png", "text/html"], undefined, "text/html"],
    [[["*/*", 1], ["text/html", 1], ["image/*", 1]], ["text/plain", "image/png"], undefined, "image/png"],
    [[["text/html", 1], ["text/html; level=1", 1]], ["text/html;level=1"], undefined, "text/html;level=1"],
  ])("matches %j against %j", (values, offers, fallback, expected) => {
    expect(new MIMEAccept(values).bestMatch(offers, fallback)).toBe(expected);
  });

  it("ignores malformed client items (regression: 'foo=' item)", () => {
    const a = MIMEAccept.fromHeader("foo=,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5");
    expect(a.bestMatch(["foo/bar"])).toBe("foo/bar");
    expect(new MIMEAccept([["*/html", 1]]).bestMatch(["text/html"])).toBeUndefined();
  });

  it("refuses an invalid mimetype from the application", () => {
    expect(() => new MIMEAccept([["*/*", 1]]).bestMatch(["*/html"])).toThrow(TypeError);
  });

  it("answers acceptHtml, acceptXhtml and acceptJson", () => {
    const browser = MIMEAccept.fromHeader("text/html,application/xhtml+xml,application/xml;q=0.9");
    expect(browser.acceptHtml).toBe(true);
    expect(browser.acceptXhtml).toBe(true);
    expect(browser.acceptJson).toBe(false);
    const api = MIMEAccept.fromHeader("application/json");
    expect(api.acceptJson).toBe(true);
    expect(api.acceptHtml).toBe(false);
    expect(MIMEAccept.fromHeader("*/*").acceptJson).toBe(true);
  });
});

describe("LanguageAccept", () => {
  it("normalizes tags for lookups", () => {
    const a = LanguageAccept.fromHeader("de-AT,de;q=0.8,en;q=0.5");
    expect(a.best).toBe("de-AT");
    expect(a.has("de_AT")).toBe(true);
    expect(a.has("en")).toBe(true);
    expect(a.quality("de-at")).toBe(1);
    expect(a.quality("en")).toBe(0.5);
  });

  it.each<[Array<[string, number]>, string[], string | undefined, string | undefined]>([
    [[["en-us", 1]], ["en"], undefined, "en"],
    [[["en", 1]], ["en_US"], undefined, "en_US"],
    [[["en-GB", 1]], ["en-US"], undefined, undefined],
    [[["de_AT", 1], ["de", 0.9]], ["en"], undefined, undefined],
    [[["de_AT", 1], ["de", 0.9], ["en-US", 0.8]], ["de", "en"], undefined, "de"],
    [[["de_AT", 0.9], ["en-US", 1]], ["en"], undefined, "en"],
    [[["en-us", 1]], ["en-us"], undefined, "en-us"],
    [[["en-us", 1]], ["en-us", "en"], undefined, "en-us"],
    [[["en-GB", 1]], ["en-US", "en"], "en-US", "en"],
    [[["de_AT", 1]], ["en-US", "en"], "en-US", "en-US"],
    [[["aus-EN", 1]], ["aus"], undefined, "aus"],
    [[["aus", 1]], ["aus-EN"], undefined, "aus-EN"],
  ])("falls back from %j to %j", (values, offers, fallback, expected) => {
    expect(new LanguageAccept(values).bestMatch(offers, fallback)).toBe(expected);
  });
});

describe("CharsetAccept", () => {
  it("compares canonical charset names", () => {
    const a = new CharsetAccept([["ISO-8859-1", 1], ["utf-8", 0.7]]);
    expect(a.best).toBe("ISO-8859-1");
    expect(a.has("iso-8859-1")).toBe(true);
    expect(a.has("latin1")).toBe(true);
    expect(a.has("UTF8")).toBe(true);
    expect(a.has("utf7")).toBe(false);
    expect(a.quality("utf-8")).toBe(0.7);
    expect(a.quality("utf7")).toBe(0);
  });
});
