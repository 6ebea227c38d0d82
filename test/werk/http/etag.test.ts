import { describe, expect, it } from "vitest";
import { ETags, generateEtag, parseEtags, quoteEtag, unquoteEtag } from "@flagon/werk";

describe("generateEtag", () => {
  it("gives the SHA-1 hex digest of strings and bytes alike", () => {
    expect(generateEtag("awesome")).toBe("03d67c263c27a453ef65b29e30334727333ccbcd");
    expect(generateEtag(Buffer.from("awesome"))).toBe("03d67c263c27a453ef65b29e30334727333ccbcd");
    expect(generateEtag("")).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(generateEtag(new Uint8Array([97, 98, 99]))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });
});

describe("quoteEtag / unquoteEtag", () => {
  it("quotes and unquotes strong and weak tags", () => {
    expect(quoteEtag("foo")).toBe('"foo"');
    expect(quoteEtag("foo", true)).toBe('W/"foo"');
    expect(unquoteEtag('"foo"')).toEqual(["foo", false]);
    expect(unquoteEtag('W/"foo"')).toEqual(["foo", true]);
    expect(unquoteEtag('w/"foo"')).toEqual(["foo", true]);
    expect(unquoteEtag("  foo ")).toEqual(["foo", false]);
    expect(unquoteEtag("")).toEqual(["", false]);
    expect(unquoteEtag('"')).toEqual(['"', false]);
  });

  it("refuses a tag containing a quote", () => {
    expect(() => quoteEtag('a"b')).toThrow(TypeError);
  });
});

describe("ETags", () => {
  it("parses strong, weak and unquoted tags", () => {
    const es = parseEtags('"foo", "bar", W/"baz", blar');
    expect([...es].sort()).toEqual(["bar", "blar", "foo"]);
    expect(es.contains("foo")).toBe(true);
    expect(es.contains("baz")).toBe(false);
    expect(es.containsWeak("baz")).toBe(true);
    expect(es.contains("blar")).toBe(true);
    expect(es.containsRaw('W/"baz"')).toBe(true);
    expect(es.containsRaw('"foo"')).toBe(true);
    expect(es.containsRaw('"baz"')).toBe(false);
    expect(es.isWeak("baz")).toBe(true);
    expect(es.isStrong("baz")).toBe(false);
    expect(es.size).toBe(3);
    expect(es.toHeader().split(", ").sort()).toEqual(['"bar"', '"blar"', '"foo"', 'W/"baz"']);
    expect(es.asSet()).toEqual(new Set(["foo", "bar", "blar"]));
    expect(es.asSet(true)).toEqual(new Set(["foo", "bar", "blar", "baz"]));
  });

  it("is not empty with only a weak tag", () => {
    const etags = ETags.fromHeader('W/"foo"');
    expect(etags.isEmpty).toBe(false);
    expect(etags.containsRaw('W/"foo"')).toBe(true);
    expect(etags.size).toBe(0);
  });

  it("matches everything for *", () => {
    const star = parseEtags("*");
    expect(star.starTag).toBe(true);
    expect(star.contains("anything")).toBe(true);
    expect(star.containsWeak("anything")).toBe(true);
    expect(star.toHeader()).toBe("*");
    expect(parseEtags('"a", *').starTag).toBe(true);
    expect(parseEtags('"*"').starTag).toBe(false);
  });

  it("treats a missing header as an empty set", () => {
    for (const value of [undefined, null, ""]) {
      const es = parseEtags(value);
      expect(es.isEmpty).toBe(true);
      expect(es.contains("x")).toBe(false);
      expect(es.toHeader()).toBe("");
    }
  });

  it("reads a malformed quoted tag as raw text up to the comma", () => {
    expect([...parseEtags('"a"b", c')]).toEqual(['"a"b"', "c"]);
    expect([...parseEtags('"a"b, c')]).toEqual(['"a"b', "c"]);
    expect([...parseEtags('"a" , "b"')]).toEqual(["a", "b"]);
    expect([...parseEtags('""')]).toEqual([""]);
  });

  it.each(['"unclosed', ",,,", "W/", 'W/"', "\r\n", '"a",,"b"', "W/W/x", '\\"'.repeat(500)])(
    "never throws on %j",
    (value) => {
      expect(() => parseEtags(value).toHeader()).not.toThrow();
    },
  );

  it("stays linear on hostile input", () => {
    const start = performance.now();
    parseEtags('"a"b, '.repeat(3000));
    parseEtags('"'.repeat(20_000));
    expect(performance.now() - start).toBeLessThan(100);
  });

  it("skips empty items", () => {
    expect([...parseEtags('"a",,"b", ')]).toEqual(["a", "b"]);
  });
});
