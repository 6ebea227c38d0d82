import { describe, expect, it } from "vitest";
import {
  dumpHeader,
  dumpOptionsHeader,
  parseDictHeader,
  parseListHeader,
  parseOptionsHeader,
  quoteHeaderValue,
  unquoteHeaderValue,
} from "@flagon/werk";

describe("quoteHeaderValue / unquoteHeaderValue", () => {
  it("leaves tokens alone and quotes the rest", () => {
    expect(quoteHeaderValue("foo")).toBe("foo");
    expect(quoteHeaderValue("")).toBe('""');
    expect(quoteHeaderValue("a b")).toBe('"a b"');
    expect(quoteHeaderValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteHeaderValue("foo", false)).toBe('"foo"');
    expect(quoteHeaderValue(42)).toBe("42");
  });

  it("round-trips", () => {
    for (const value of ["plain", "with space", 'qu"ote', "back\\slash", ""]) {
      expect(unquoteHeaderValue(quoteHeaderValue(value))).toBe(value);
    }
    expect(unquoteHeaderValue('"a\\xb"')).toBe("axb");
    expect(unquoteHeaderValue('"')).toBe('"');
  });
});

describe("parseListHeader", () => {
  it.each<[string, string[]]>([
    ["a b", ["a b"]],
    ["a b, c", ["a b", "c"]],
    ['a b, "c, d"', ["a b", "c, d"]],
    ['"a\\"b", c', ['a"b', "c"]],
    ['a"b,c", "d e"', ['a"b,c"', "d e"]],
    ["a, ,,b,", ["a", "b"]],
    ['a, "b, c", "d, e', []],
  ])("parses %j", (value, expected) => {
    expect(parseListHeader(value)).toEqual(expected);
  });
});

describe("parseDictHeader", () => {
  it.each<[string, Record<string, string | null>]>([
    ['foo="bar baz", blah=42', { foo: "bar baz", blah: "42" }],
    ["foo, bar=", { foo: null, bar: "" }],
    ["=foo, =", {}],
    ['a=1, b="2, 3", c="4, d=5', {}],
    ["name*=UTF-8''%C2%B5, x*=BAD''%62", { name: "µ", x: "%62" }],
  ])("parses %j", (value, expected) => {
    expect(parseDictHeader(value)).toEqual(expected);
  });

  it("keeps a __proto__ key as data", () => {
    const parsed = parseDictHeader("__proto__=x, a=1");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed["__proto__"]).toBe("x");
  });
});

describe("parseOptionsHeader", () => {
  it.each<[string | null | undefined, string]>([
    [null, ""],
    [undefined, ""],
    ["", ""],
    [";a=b", ""],
    ["v", "v"],
    ["v;", "v"],
  ])("gives no options for %j", (value, expected) => {
    expect(parseOptionsHeader(value)).toEqual([expected, {}]);
  });

  it.each<[string, Record<string, string>]>([
    ["v;a=b;c=d;", { a: "b", c: "d" }],
    ["v;  ; a=b ; ", { a: "b" }],
    ["v;a", {}],
    ["v;a=", {}],
    ["v;=b", {}],
    ['v;a="b"', { a: "b" }],
    ["v;a=µ", {}],
    ['v;a="\';\'";b="µ";', { a: "';'", b: "µ" }],
    ['v;a="b c"', { a: "b c" }],
    ['v;a="b\\"c";d=e', { a: 'b"c', d: "e" }],
    ['v;a="c:\\\\"', { a: "c:\\" }],
    ['v;a="c:\\"', {}],
    ['v;a="b\\\\\\"c"', { a: 'b\\"c' }],
    ['v;a="b%22c"', { a: 'b"c' }],
    ["v;a*=b", { a: "b" }],
    ["v;a*=ASCII'en'b", { a: "b" }],
    ["v;a*=US-ASCII''%62", { a: "b" }],
    ["v;a*=UTF-8''%C2%B5", { a: "µ" }],
    ["v;a*=US-ASCII''%C2%B5", { a: "\uFFFD\uFFFD" }],
    ["v;a*=BAD''%62", { a: "%62" }],
    ["v;a*=UTF-8'''%F0%9F%90%8D'.txt", { a: "'🐍'.txt" }],
    ['v;a="🐍.txt"', { a: "🐍.txt" }],
    ["v;a*0=b;a*1=c;d=e", { a: "bc", d: "e" }],
    ["v;a*0*=b", { a: "b" }],
    ["v;a*0*=UTF-8''b;a*1=c;a*2*=%C2%B5", { a: "bcµ" }],
    ["v;a*=ISO-8859-1''%E9", { a: "é" }],
    ['v;a="' + "\\".repeat(400), {}],
  ])("parses %j", (value, expected) => {
    expect(parseOptionsHeader(value)).toEqual(["v", expected]);
  });

  it("handles broken values without throwing", () => {
    expect(parseOptionsHeader(" ")).toEqual(["", {}]);
    expect(parseOptionsHeader(" , ")).toEqual([",", {}]);
    expect(parseOptionsHeader(" ; ")).toEqual(["", {}]);
    expect(parseOptionsHeader(" ,; ")).toEqual([",", {}]);
    expect(parseOptionsHeader(" , a ")).toEqual([", a", {}]);
    expect(parseOptionsHeader(" ; a ")).toEqual(["", {}]);
  });

  it("lower-cases option names", () => {
    expect(parseOptionsHeader('something; fileName="File.ext"')[1].filename).toBe("File.ext");
  });

  it("parses a real Content-Type", () => {
    expect(parseOptionsHeader("multipart/form-data; boundary=----abc; charset=utf-8")).toEqual([
      "multipart/form-data",
      { boundary: "----abc", charset: "utf-8" },
    ]);
  });
});

describe("dumpOptionsHeader / dumpHeader", () => {
  it("dumps options, skipping null and undefined", () => {
    expect(dumpOptionsHeader("foo", { bar: 42 })).toBe("foo; bar=42");
    expect(dumpOptionsHeader("foo", { bar: 42, fizz: null, buzz: undefined })).toBe("foo; bar=42");
    expect(dumpOptionsHeader("text/html", { charset: "utf-8" })).toBe("text/html; charset=utf-8");
    expect(dumpOptionsHeader("a", { "b*": "UTF-8''x%20y" })).toBe("a; b*=UTF-8''x%20y");
  });

  it("quotes non-ASCII values unless asked to encode them", () => {
    expect(dumpOptionsHeader("attachment", { filename: "ü.txt" })).toBe('attachment; filename="ü.txt"');
    expect(dumpOptionsHeader("attachment", { filename: "ü.txt" }, { encodeNonAscii: true })).toBe(
      "attachment; filename=u.txt; filename*=UTF-8''%C3%BC.txt",
    );
  });

  it("dumps lists and dictionaries", () => {
    expect(dumpHeader([1, 2, 3])).toBe("1, 2, 3");
    expect(dumpHeader(["foo", "bar baz"])).toBe('foo, "bar baz"');
    expect(dumpHeader({ foo: "bar" })).toBe("foo=bar");
    expect(dumpHeader({ foo: "bar baz", flag: null })).toBe('foo="bar baz", flag');
    expect(dumpHeader({ "foo*": "UTF-8''bar" })).toBe("foo*=UTF-8''bar");
  });
});
