import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { BadRequestKeyError, Headers, MultiDict } from "@flagon/werk";

describe("Headers", () => {
  it("looks names up without regard to case", () => {
    const headers = new Headers();
    headers.add("Content-Type", "text/plain");
    headers.add("X-Foo", "bar");
    expect(headers.has("x-Foo")).toBe(true);
    expect(headers.has("Content-type")).toBe(true);
    expect(headers.get("CONTENT-TYPE")).toBe("text/plain");
    expect(headers.get("missing")).toBeUndefined();
    expect(headers.get("missing", "dflt")).toBe("dflt");
  });

  it("replaces in place with set and keeps the order", () => {
    const headers = new Headers([["Content-Type", "text/plain"], ["X-Foo", "bar"], ["content-type", "x/y"]]);
    headers.set("Content-Type", "foo/bar");
    expect(headers.toList()).toEqual([["Content-Type", "foo/bar"], ["X-Foo", "bar"]]);
    headers.set("X-New", "1");
    expect(headers.at(-1)).toEqual(["X-New", "1"]);
  });

  it("writes the HTTP wire format", () => {
    const headers = new Headers([["Content-Type", "foo/bar"], ["X-Foo", "bar"]]);
    expect(String(headers)).toBe("Content-Type: foo/bar\r\nX-Foo: bar\r\n\r\n");
    expect(String(new Headers())).toBe("\r\n");
  });

  it("adds parameters from an options object", () => {
    const headers = new Headers();
    headers.add("Content-Disposition", "attachment", { filename: "foo" });
    expect(headers.get("Content-Disposition")).toBe("attachment; filename=foo");
    headers.add("x", "y", { z: '"' });
    expect(headers.get("x")).toBe('y; z="\\""');
    headers.set("Content-Disposition", "attachment", { filename: "x.txt", skipped: undefined });
    expect(headers.getAll("content-disposition")).toEqual(["attachment; filename=x.txt"]);
  });

  it("encodes a non-ASCII parameter as filename*=UTF-8''", () => {
    const headers = new Headers();
    headers.set("Content-Disposition", "attachment", { filename: "résumé 中.pdf" });
    expect(headers.get("Content-Disposition")).toBe(
      "attachment; filename=\"resume .pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E4%B8%AD.pdf",
    );
    headers.set("Content-Disposition", "inline", { filename: "中文" });
    expect(headers.get("Content-Disposition")).toBe("inline; filename*=UTF-8''%E4%B8%AD%E6%96%87");
  });

  it("stringifies values, and dates as HTTP dates", () => {
    const headers = new Headers({ a: 1 });
    headers.add("b", true);
    headers.add("Expires", new Date(0));
    expect(headers.get("a")).toBe("1");
    expect(headers.get("b")).toBe("true");
    expect(headers.get("expires")).toBe("Thu, 01 Jan 1970 00:00:00 GMT");
    expect(headers.pop("a")).toBe("1");
  });

  it("converts with a type function, falling back to the default", () => {
    const headers = new Headers([["Content-Length", "42"], ["X-Bar", "1"], ["X-Bar", "2"], ["X-Bar", "no"], ["Bad", "x"]]);
    expect(headers.get("Content-Length", undefined, Number)).toBe(42);
    expect(headers.get("Bad", 0, Number)).toBe(0);
    expect(headers.getAll("X-Bar", Number)).toEqual([1, 2]);
    expect(headers.getAll("x-bar")).toEqual(["1", "2", "no"]);
  });

  it("supports setDefault, pop and require", () => {
    const headers = new Headers([["X-Foo", "bar"], ["X-Bar", "1"], ["X-Bar", "2"]]);
    expect(headers.setDefault("X-Foo", "nope")).toBe("bar");
    expect(headers.setDefault("X-Bar", "nope")).toBe("1");
    expect(headers.setDefault("X-Baz", "quux")).toBe("quux");
    expect(headers.setDefault("X-Baz", "nope")).toBe("quux");
    expect(headers.pop("X-Baz")).toBe("quux");
    expect(headers.pop("b", "2")).toBe("2");
    expect(() => headers.pop("c")).toThrow(BadRequestKeyError);
    expect(headers.require("x-foo")).toBe("bar");
    expect(() => headers.require("Authorization")).toThrow(BadRequestKeyError);
  });

  it("copies independently", () => {
    const a = new Headers([["foo", "bar"]]);
    const b = a.copy();
    a.add("foo", "baz");
    expect(a.getAll("foo")).toEqual(["bar", "baz"]);
    expect(b.getAll("foo")).toEqual(["bar"]);
  });

  it("extends with Headers, objects with arrays and pairs", () => {
    const h = new Headers([["a", "0"], ["b", "1"], ["c", "2"]]);
    h.extend(new Headers([["a", "3"], ["a", "4"]]));
    expect(h.getAll("a")).toEqual(["0", "3", "4"]);
    h.extend({ b: ["5", "6"] });
    expect(h.getAll("b")).toEqual(["1", "5", "6"]);
    h.extend({ c: "7", d: ["8", "9"] });
    expect(h.getAll("c")).toEqual(["2", "7"]);
    expect(h.getAll("d")).toEqual(["8", "9"]);
    h.extend(new MultiDict([["e", "1"], ["e", "2"]]));
    expect(h.getAll("e")).toEqual(["1", "2"]);
  });

  it("replaces the named headers on update", () => {
    const h = new Headers([["a", "0"], ["b", "1"], ["c", "2"]]);
    h.update(new Headers([["a", "3"], ["a", "4"]]));
    expect(h.getAll("a")).toEqual(["3", "4"]);
    h.update({ b: ["5", "6"] });
    expect(h.getAll("b")).toEqual(["5", "6"]);
    h.update({ c: "7", d: ["8", "9"] });
    expect(h.getAll("c")).toEqual(["7"]);
    expect(h.getAll("d")).toEqual(["8", "9"]);
    h.update([["c", "10"], ["c", "11"]]);
    expect(h.getAll("c")).toEqual(["11"]);
  });

  it("sets a list of values in the place of the first one", () => {
    const h = new Headers([["a", "0"], ["b", "1"], ["c", "2"]]);
    h.setAll("b", ["3", "4"]);
    expect(h.at(1)).toEqual(["b", "3"]);
    expect(h.at(-1)).toEqual(["b", "4"]);
    h.setAll("b", []);
    expect(h.has("b")).toBe(false);
    h.setAll("d", ["5"]);
    expect(h.get("d")).toBe("5");
  });

  it("deletes every field of a name", () => {
    const h = new Headers([["Set-Cookie", "a=1"], ["X", "1"], ["set-cookie", "b=2"]]);
    expect(h.delete("SET-COOKIE")).toBe(true);
    expect(h.delete("set-cookie")).toBe(false);
    expect(h.toList()).toEqual([["X", "1"]]);
    h.clear();
    expect(h.size).toBe(0);
  });

  it("builds from Node's IncomingHttpHeaders and OutgoingHttpHeaders", () => {
    const incoming: IncomingHttpHeaders = { host: "example.com", "set-cookie": ["a=1", "b=2"], "x-missing": undefined };
    const h = new Headers(incoming);
    expect(h.get("Host")).toBe("example.com");
    expect(h.getAll("Set-Cookie")).toEqual(["a=1", "b=2"]);
    expect(h.has("x-missing")).toBe(false);
    const outgoing: OutgoingHttpHeaders = { "content-length": 12, "x-multi": ["Cookie", "Accept"] };
    const o = new Headers(outgoing);
    expect(o.get("Content-Length")).toBe("12");
    expect(o.getAll("X-Multi")).toEqual(["Cookie", "Accept"]);
  });

  it("keeps the client's spelling from rawHeaders", () => {
    const h = Headers.fromRaw(["Host", "a.example", "X-Multi", "1", "x-multi", "2"]);
    expect(h.toList()).toEqual([["Host", "a.example"], ["X-Multi", "1"], ["x-multi", "2"]]);
    expect(h.keys()).toEqual(["Host", "X-Multi"]);
    expect(h.keys(true)).toEqual(["host", "x-multi"]);
  });

  it("iterates over [name, value] pairs and converts to an object", () => {
    const h = new Headers([["Content-Type", "text/html"], ["Set-Cookie", "a=1"], ["set-cookie", "b=2"]]);
    expect([...h]).toEqual([["Content-Type", "text/html"], ["Set-Cookie", "a=1"], ["set-cookie", "b=2"]]);
    expect(h.size).toBe(3);
    expect(h.values()).toEqual(["text/html", "a=1", "b=2"]);
    expect({ ...h.toObject() }).toEqual({ "Content-Type": "text/html", "Set-Cookie": ["a=1", "b=2"] });
  });

  it("compares equal regardless of name case", () => {
    const h1 = new Headers([["X-Foo", "foo"], ["X-Bar", "bah"], ["X-Bar", "humbug"]]);
    const h2 = new Headers([["x-foo", "foo"], ["x-bar", "bah"], ["x-bar", "humbug"]]);
    expect(h1.equals(h2)).toBe(true);
    h2.set("x-foo", "other");
    expect(h1.equals(h2)).toBe(false);
  });

  describe("refuses header injection", () => {
    const variations = ["foo\nbar", "foo\r\nbar", "foo\rbar", "foo\0bar", "foo\r\n Set-Cookie: evil=1"];

    it.each(variations)("in values: %j", (bad) => {
      const h = new Headers();
      expect(() => h.add("foo", bad)).toThrow(TypeError);
      expect(() => h.set("foo", bad)).toThrow(TypeError);
      expect(() => h.append("foo", "test", { option: bad })).toThrow(TypeError);
      expect(() => h.set("foo", "test", { option: bad })).toThrow(TypeError);
      expect(() => h.setDefault("foo", bad)).toThrow(TypeError);
      expect(() => h.setAll("foo", ["ok", bad])).toThrow(TypeError);
      expect(() => new Headers([["X-Example", bad]])).toThrow(TypeError);
      expect(() => new Headers({ "X-Example": [bad] })).toThrow(TypeError);
      expect(h.size).toBe(0);
    });

    it.each(variations)("in names: %j", (bad) => {
      const h = new Headers();
      expect(() => h.add(bad, "v")).toThrow(/CR, LF or NUL/);
      expect(() => h.set(bad, "v")).toThrow(TypeError);
      expect(() => new Headers({ [bad]: "v" })).toThrow(TypeError);
      expect(h.size).toBe(0);
    });

    it("in non-ASCII option values too (the fallback keeps the CR)", () => {
      expect(() => new Headers().add("Content-Disposition", "attachment", { filename: "é\r\nX: y" })).toThrow(TypeError);
    });
  });
});
