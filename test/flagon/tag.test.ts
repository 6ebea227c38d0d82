// Flask's tests/test_json_tag.py, translated: tagged JSON round trips, tag registration
// and order, plus the JavaScript types Flagon adds (Map, Set, bigint).
import { describe, expect, test } from "vitest";
import { JSONTag, PassDict, TagDict, TaggedJSONSerializer } from "../../packages/flagon/src/tag.js";

const roundTrip = (value: unknown): unknown => {
  const s = new TaggedJSONSerializer();
  return s.loads(s.dumps(value));
};

describe("round trips", () => {
  test.each([
    ["an object whose key is a tag", { " t": [1, 2, 3] }],
    ["an escaped tag key", { " t__": Buffer.from("a") }],
    ["the dict tag's own key", { " di": " di" }],
    ["nested values", { x: [1, 2, 3], y: 4 }],
    ["an array", [1, 2, 3]],
    ["arrays in arrays", [[1, 2, 3]]],
    ["bytes", Buffer.from([0xff])],
    ["a date with milliseconds", new Date("2024-05-01T12:34:56.789Z")],
    ["a Map with non-string keys", new Map<unknown, unknown>([[1, "a"], [{ k: 2 }, new Date(0)]])],
    ["a Set", new Set(["a", 1, Buffer.from("x")])],
    ["a bigint", 12345678901234567890n],
    ["strings that look like tags", { a: " d", b: { " x": 1 } }],
    ["null and booleans", { n: null, t: true, f: false }],
    ["a __proto__ key", JSON.parse('{"__proto__": {"polluted": true}}')],
  ])("%s", (_name, value) => {
    const back = roundTrip(value);
    expect(back).toEqual(value);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("bytes come back as a Buffer, dates as a Date", () => {
    const back = roundTrip({ b: new Uint8Array([1, 2]), d: new Date(0) }) as { b: unknown; d: unknown };
    expect(Buffer.isBuffer(back.b)).toBe(true);
    expect(back.d).toBeInstanceOf(Date);
  });

  test("object keys holding undefined are left out, as in JSON", () => {
    expect(roundTrip({ a: 1, b: undefined })).toEqual({ a: 1 });
    expect(Object.keys(roundTrip({ a: 1, b: undefined }) as object)).toEqual(["a"]);
  });

  test("the wire format is compact and readable", () => {
    const s = new TaggedJSONSerializer();
    expect(s.dumps({ d: new Date(0) })).toBe('{"d":{" d":"1970-01-01T00:00:00.000Z"}}');
    expect(s.dumps({ " t": 1 })).toBe('{" di":{" t__":1}}');
    expect(s.dumps(Buffer.from("hi"))).toBe('{" b":"aGk="}');
  });

  test("Flask's tagged tuples and HTTP dates read back", () => {
    const s = new TaggedJSONSerializer();
    expect(s.loads('{" t":[1,2,3]}')).toEqual([1, 2, 3]);
    expect(s.loads('{" d":"Sun, 06 Nov 1994 08:49:37 GMT"}')).toEqual(new Date(Date.UTC(1994, 10, 6, 8, 49, 37)));
  });

  test("class instances are refused with the class name", () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const s = new TaggedJSONSerializer();
    expect(() => s.dumps({ p: new Point(1) })).toThrow(/type Point.*register a JSONTag/);
    expect(() => s.dumps(new Date(NaN))).toThrow(/invalid Date/);
  });

  test("objects with toJSON are written as JSON writes them", () => {
    const s = new TaggedJSONSerializer();
    expect(s.loads(s.dumps({ u: new URL("http://a/b") }))).toEqual({ u: "http://a/b" });
  });
});

describe("registering tags", () => {
  test("a duplicate key throws unless forced", () => {
    class OtherDict extends JSONTag {
      override readonly key = " d";
    }
    const s = new TaggedJSONSerializer();
    expect(() => s.register(OtherDict)).toThrow(/already registered/);
    s.register(OtherDict, { force: true, index: 0 });
    expect(s.tags[" d"]).toBeInstanceOf(OtherDict);
    expect(s.order[0]).toBeInstanceOf(OtherDict);
  });

  test("a custom tag round trips its class", () => {
    class Foo {
      constructor(readonly data: unknown) {}
    }
    class TagFoo extends JSONTag {
      override readonly key = " f";
      override check(value: unknown): boolean {
        return value instanceof Foo;
      }
      override toJson(value: unknown): unknown {
        return this.serializer.tag((value as Foo).data);
      }
      override fromJson(value: unknown): unknown {
        return new Foo(value);
      }
    }
    const s = new TaggedJSONSerializer();
    s.register(TagFoo);
    const back = s.loads(s.dumps(new Foo("bar")));
    expect(back).toBeInstanceOf(Foo);
    expect((back as Foo).data).toBe("bar");
  });

  test("a tag key written with JSON escapes is still read as a tag", () => {
    // The parser's fast path skips the reviver only when no tag key can be in the text.
    const s = new TaggedJSONSerializer();
    const back = s.loads('{"x": {"\\u0020d": "Thu, 01 Jan 1970 00:00:00 GMT"}}') as { x: unknown };
    expect(back.x).toBeInstanceOf(Date);
    expect(s.loads('{"x": {" d": "Thu, 01 Jan 1970 00:00:00 GMT"}}')).toEqual({ x: new Date(0) });
    expect(s.loads('{"x": " d", "y": [1, "two"]}')).toEqual({ x: " d", y: [1, "two"] });
  });

  test("a custom tag may tag strings and numbers, and read its own key back", () => {
    class TagUpper extends JSONTag {
      override readonly key = "up";
      override check(value: unknown): boolean {
        return typeof value === "string" && value.startsWith("!");
      }
      override toJson(value: unknown): unknown {
        return (value as string).slice(1);
      }
      override fromJson(value: unknown): unknown {
        return `!${String(value)}`;
      }
    }
    const s = new TaggedJSONSerializer();
    s.register(TagUpper);
    expect(s.dumps({ a: "!x", b: "y", n: 1 })).toBe('{"a":{"up":"x"},"b":"y","n":1}');
    expect(s.loads('{"a":{"up":"x"},"b":"y"}')).toEqual({ a: "!x", b: "y" });
  });

  test("the base tag's methods say they are not implemented", () => {
    const tag = new JSONTag(new TaggedJSONSerializer());
    expect(() => tag.check(null)).toThrow(/not implemented/);
    expect(() => tag.toJson(null)).toThrow(/not implemented/);
    expect(() => tag.fromJson(null)).toThrow(/not implemented/);
  });

  test("index places the tag in the order", () => {
    class Tag1 extends JSONTag {
      override readonly key = " 1";
    }
    class Tag2 extends JSONTag {
      override readonly key = " 2";
    }
    const s = new TaggedJSONSerializer();
    s.register(Tag1, { index: -1 });
    expect(s.order.at(-2)).toBeInstanceOf(Tag1);
    s.register(Tag2);
    expect(s.order.at(-1)).toBeInstanceOf(Tag2);
  });

  test("the default order checks the dict escape before plain objects", () => {
    const s = new TaggedJSONSerializer();
    expect(s.order[0]).toBeInstanceOf(TagDict);
    expect(s.order[1]).toBeInstanceOf(PassDict);
  });
});
