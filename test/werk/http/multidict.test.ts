import { describe, expect, it } from "vitest";
import { BadRequestKeyError, CombinedMultiDict, ImmutableMultiDict, MultiDict } from "@flagon/werk";

const PAIRS: Array<[string, number]> = [
  ["a", 1], ["b", 2], ["a", 2], ["d", 3], ["a", 1], ["a", 3], ["d", 4], ["c", 3],
];

describe("MultiDict", () => {
  it("gives the first value on get and every value on getAll", () => {
    const md = new MultiDict(PAIRS);
    expect(md.get("a")).toBe(1);
    expect(md.get("c")).toBe(3);
    expect(md.get("e")).toBeUndefined();
    expect(md.getAll("a")).toEqual([1, 2, 1, 3]);
    expect(md.getAll("d")).toEqual([3, 4]);
    expect(md.getAll("x")).toEqual([]);
  });

  it("builds from an object with arrays as multiple values, skipping empty arrays", () => {
    const md = new MultiDict({ a: "4", b: ["2", "3"], e: [] });
    expect(md.getAll("b")).toEqual(["2", "3"]);
    expect(md.has("e")).toBe(false);
    expect(md.size).toBe(2);
  });

  it("builds from a Map and from another MultiDict without sharing arrays", () => {
    const fromMap = new MultiDict(new Map<string, string | string[]>([["x", ["1", "2"]], ["y", "3"]]));
    expect(fromMap.items(true)).toEqual([["x", "1"], ["x", "2"], ["y", "3"]]);
    const copy = new MultiDict(fromMap);
    copy.append("x", "9");
    expect(fromMap.getAll("x")).toEqual(["1", "2"]);
  });

  it("returns the default when the key is missing or the conversion fails", () => {
    const md = new MultiDict({ a: "42", b: "blub", c: "1e", n: ["2", "x", "3"] });
    expect(md.get("a", undefined, Number)).toBe(42);
    expect(md.get("b", -1, Number)).toBe(-1);
    expect(md.get("missing", 7, Number)).toBe(7);
    expect(md.get("c", 0, (v) => JSON.parse(v) as number)).toBe(0);
    expect(md.get("a", 0, (v) => {
      if (!/^\d+$/.test(v)) throw new Error("not an int");
      return Number.parseInt(v, 10);
    })).toBe(42);
    expect(md.getAll("n", Number)).toEqual([2, 3]);
  });

  it("replaces every value with set and extends with append/add", () => {
    const md = new MultiDict(PAIRS);
    md.set("a", 42);
    expect(md.getAll("a")).toEqual([42]);
    md.setAll("a", [1, 2, 3]);
    expect(md.get("a")).toBe(1);
    const list = [7, 8];
    md.setAll("z", list);
    list.length = 0;
    expect(md.getAll("z")).toEqual([7, 8]);
    md.setAll("z", []);
    expect(md.has("z")).toBe(false);
    md.add("c", 42);
    md.append("c", 23);
    expect(md.getAll("c")).toEqual([3, 42, 23]);
  });

  it("supports setDefault, delete, pop and popAll", () => {
    const md = new MultiDict<number>({ foo: [1, 2, 3, 4], y: 0 });
    expect(md.setDefault("u", 23)).toBe(23);
    expect(md.setDefault("u", 99)).toBe(23);
    expect(md.delete("u")).toBe(true);
    expect(md.delete("u")).toBe(false);
    expect(md.pop("y")).toBe(0);
    expect(md.has("y")).toBe(false);
    expect(md.pop("foos", 32)).toBe(32);
    expect(() => md.pop("foos")).toThrow(BadRequestKeyError);
    expect(md.popAll("foo")).toEqual([1, 2, 3, 4]);
    expect(md.popAll("missing")).toEqual([]);
    expect(md.size).toBe(0);
  });

  it("pops the first value and drops the others", () => {
    const md = new MultiDict({ foo: ["1", "2", "3"] });
    expect(md.pop("foo", "x")).toBe("1");
    expect(md.size).toBe(0);
  });

  it("throws BadRequestKeyError (a 400) from require for a missing key", () => {
    const md = new MultiDict({ a: "1" });
    expect(md.require("a")).toBe("1");
    let error: unknown;
    try {
      md.require("missing");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequestKeyError);
    expect((error as BadRequestKeyError).code).toBe(400);
    expect((error as BadRequestKeyError).key).toBe("missing");
  });

  it("lists keys, first values, items and lists in key order", () => {
    const md = new MultiDict(PAIRS);
    md.delete("d");
    expect(md.keys()).toEqual(["a", "b", "c"]);
    expect(md.values()).toEqual([1, 2, 3]);
    expect(md.items()).toEqual([["a", 1], ["b", 2], ["c", 3]]);
    expect(md.items(true)).toEqual([["a", 1], ["a", 2], ["a", 1], ["a", 3], ["b", 2], ["c", 3]]);
    expect(md.lists()).toEqual([["a", [1, 2, 1, 3]], ["b", [2]], ["c", [3]]]);
    expect(md.listValues()).toEqual([[1, 2, 1, 3], [2], [3]]);
    expect(md.size).toBe(3);
  });

  it("iterates over every pair", () => {
    const md = new MultiDict([["a", "1"], ["b", "2"], ["a", "3"]]);
    expect([...md]).toEqual([["a", "1"], ["a", "3"], ["b", "2"]]);
    expect([...md.multiItems()]).toEqual([...md]);
  });

  it("does not expose its internal arrays", () => {
    const md = new MultiDict({ a: ["1", "2"] });
    md.getAll("a").push("x");
    md.lists()[0]![1].push("y");
    expect(md.getAll("a")).toEqual(["1", "2"]);
  });

  it("extends on update", () => {
    const md = new MultiDict<number>({ a: [1, 2, 3] });
    md.update(new MultiDict<number>([["a", 4], ["a", 5], ["y", 0]]));
    expect(md.getAll("a")).toEqual([1, 2, 3, 4, 5]);
    md.update({ a: 6, y: [1] });
    expect(md.getAll("a")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(md.getAll("y")).toEqual([0, 1]);
  });

  it("converts to objects, flat or with arrays", () => {
    const md = new MultiDict<number>();
    md.set("foo", 42);
    md.add("bar", 1);
    md.add("bar", 2);
    expect(md.toObject()).toEqual({ foo: 42, bar: 1 });
    expect(md.toObject(false)).toEqual({ foo: [42], bar: [1, 2] });
    expect(JSON.stringify(md)).toBe('{"foo":42,"bar":1}');
  });

  it("keeps a __proto__ key as plain data in toObject", () => {
    const md = new MultiDict([["__proto__", "x"], ["a", "1"]]);
    const obj = md.toObject();
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(["__proto__", "a"]);
    expect(obj["__proto__"]).toBe("x");
  });

  it("copies deeply enough to change the copy alone", () => {
    const md = new MultiDict({ a: ["1", "2"] });
    const copy = md.copy();
    copy.append("a", "3");
    expect(md.getAll("a")).toEqual(["1", "2"]);
    expect(copy.getAll("a")).toEqual(["1", "2", "3"]);
  });

  it("shows every pair in toString", () => {
    const md = new MultiDict([["a", "1"], ["a", "2"], ["b", "3"]]);
    expect(String(md)).toBe('MultiDict([["a","1"],["a","2"],["b","3"]])');
  });
});

describe("ImmutableMultiDict", () => {
  const mutators: Array<[string, (md: MultiDict) => unknown]> = [
    ["set", (md) => md.set("a", "x")],
    ["setAll", (md) => md.setAll("a", ["x"])],
    ["append", (md) => md.append("a", "x")],
    ["add", (md) => md.add("a", "x")],
    ["delete", (md) => md.delete("a")],
    ["clear", (md) => md.clear()],
    ["setDefault", (md) => md.setDefault("z", "x")],
    ["pop", (md) => md.pop("a")],
    ["popAll", (md) => md.popAll("a")],
    ["update", (md) => md.update({ b: "2" })],
  ];

  it.each(mutators)("refuses %s with a TypeError", (name, mutate) => {
    const md = new ImmutableMultiDict({ a: "1" });
    expect(() => mutate(md)).toThrow(TypeError);
    expect(() => mutate(md)).toThrow(`ImmutableMultiDict is immutable: ${name}()`);
    expect(md.getAll("a")).toEqual(["1"]);
  });

  it("reads like a MultiDict and copies into a mutable one", () => {
    const md = new ImmutableMultiDict({ foo: 1, bar: 2, baz: 3 });
    expect(md).toBeInstanceOf(MultiDict);
    expect(md.get("foo")).toBe(1);
    expect(md.keys().sort()).toEqual(["bar", "baz", "foo"]);
    expect(md.size).toBe(3);
    const copy = md.copy();
    expect(copy).not.toBeInstanceOf(ImmutableMultiDict);
    copy.pop("foo");
    expect(md.has("foo")).toBe(true);
  });
});

describe("CombinedMultiDict", () => {
  it("reads through every dict in order", () => {
    const d1 = new MultiDict([["foo", "1"]]);
    const d2 = new MultiDict([["bar", "2"], ["bar", "3"]]);
    const d = new CombinedMultiDict([d1, d2]);
    expect(d.get("foo")).toBe("1");
    expect(d.get("bar")).toBe("2");
    expect(d.getAll("bar")).toEqual(["2", "3"]);
    expect(d.items().sort()).toEqual([["bar", "2"], ["foo", "1"]]);
    expect(d.items(true).sort()).toEqual([["bar", "2"], ["bar", "3"], ["foo", "1"]]);
    expect(d.has("missingkey")).toBe(false);
    expect(d.has("foo")).toBe(true);
    expect(d.get("foo", undefined, Number)).toBe(1);
    expect(d.getAll("bar", Number)).toEqual([2, 3]);
    expect(() => d.require("missing")).toThrow(BadRequestKeyError);
  });

  it("is read-only but copies into a mutable MultiDict", () => {
    const d = new CombinedMultiDict([new MultiDict({ foo: "1" })]);
    expect(() => d.set("foo", "blub")).toThrow(TypeError);
    const copy = d.copy();
    copy.set("foo", "blub");
    expect(copy.get("foo")).toBe("blub");
    expect(d.get("foo")).toBe("1");
  });

  it("merges the lists of the same key", () => {
    const md1 = new MultiDict([["foo", "bar"], ["foo", "baz"]]);
    const md2 = new MultiDict([["foo", "blafasel"]]);
    const x = new CombinedMultiDict([md1, md2]);
    expect(x.lists()).toEqual([["foo", ["bar", "baz", "blafasel"]]]);
    expect(x.toObject()).toEqual({ foo: "bar" });
    expect(x.toObject(false)).toEqual({ foo: ["bar", "baz", "blafasel"] });
  });

  it("counts distinct keys and follows changes to the wrapped dicts", () => {
    const d1 = new MultiDict([["foo", "1"]]);
    const d2 = new MultiDict([["bar", "2"], ["foo", "3"]]);
    const d = new CombinedMultiDict([d1, d2]);
    expect(d.size).toBe(2);
    expect(d.keys()).toEqual(["foo", "bar"]);
    d1.clear();
    expect(d.size).toBe(2);
    expect(d.get("foo")).toBe("3");
    d2.delete("foo");
    expect(d.size).toBe(1);
  });

  it("lets a later dict answer when the first value does not convert", () => {
    const d = new CombinedMultiDict([new MultiDict({ n: "x" }), new MultiDict({ n: "5" })]);
    expect(d.get("n", 0, Number)).toBe(5);
  });
});
