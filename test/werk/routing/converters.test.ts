import { describe, expect, test } from "vitest";
import {
  AnyConverter,
  BaseConverter,
  DEFAULT_CONVERTERS,
  FloatConverter,
  IntegerConverter,
  Map,
  NotFound,
  PathConverter,
  Rule,
  UUIDConverter,
  UnicodeConverter,
  ValidationError,
  parseConverterArgs,
} from "@flagon/werk";

describe("converter registry", () => {
  test("maps the built-in names to the built-in converters", () => {
    expect(DEFAULT_CONVERTERS).toMatchObject({
      default: UnicodeConverter,
      string: UnicodeConverter,
      any: AnyConverter,
      path: PathConverter,
      int: IntegerConverter,
      float: FloatConverter,
      uuid: UUIDConverter,
    });
  });

  test("adds converters per map without changing DEFAULT_CONVERTERS or other maps", () => {
    const m = new Map([], { converters: { bar: UnicodeConverter } });
    m.converters.foo = UnicodeConverter;
    m.add(new Rule("/a/<foo:a>", { endpoint: "a" }));
    m.add(new Rule("/b/<foo:b>", { endpoint: "b" }));
    m.add(new Rule("/c/<c>", { endpoint: "c" }));
    m.add(new Rule("/d/<bar:d>", { endpoint: "d" }));
    const a = m.bind("example.org", "/");
    expect(a.match("/a/1")).toEqual(["a", { a: "1" }]);
    expect(a.match("/b/2")).toEqual(["b", { b: "2" }]);
    expect(a.match("/c/3")).toEqual(["c", { c: "3" }]);
    expect(a.match("/d/4")).toEqual(["d", { d: "4" }]);
    expect("foo" in DEFAULT_CONVERTERS).toBe(false);
    expect("bar" in DEFAULT_CONVERTERS).toBe(false);
    expect("foo" in new Map().converters).toBe(false);
  });

  test("a converter given to the map overrides the built-in of the same name", () => {
    class Shouting extends BaseConverter {
      override toValue(value: string): unknown {
        return value.toUpperCase();
      }
    }
    const a = new Map([new Rule("/<x>", { endpoint: "x" })], { converters: { default: Shouting } }).bind("localhost");
    expect(a.match("/hey")).toEqual(["x", { x: "HEY" }]);
  });

  test("throws for a rule that names an unknown converter", () => {
    expect(() => new Map([new Rule("/<nope:x>", { endpoint: "x" })])).toThrow();
  });

  test("throws for a malformed converter placeholder", () => {
    expect(() => new Map([new Rule("/<int()>", { endpoint: "test" })])).toThrow();
  });
});

describe("BaseConverter", () => {
  const map = new Map();

  test("has Werkzeug's defaults and quotes values for URLs", () => {
    const c = new BaseConverter(map);
    expect(c.map).toBe(map);
    expect(c.regex).toBe("[^/]+");
    expect(c.weight).toBe(100);
    expect(c.partIsolating).toBe(true);
    expect(c.toValue("a b")).toBe("a b");
    expect(c.toUrl("a b/ü?")).toBe("a%20b/%C3%BC%3F");
    expect(c.toUrl(42)).toBe("42");
  });

  test("is not part-isolating when a subclass regex contains a slash outside a character class", () => {
    class Two extends BaseConverter {
      override regex = String.raw`\w+/\w+`;
    }
    class Pair extends BaseConverter {
      override regex = "[^/]{2}";
    }
    expect(new Two(map).partIsolating).toBe(false);
    expect(new Pair(map).partIsolating).toBe(true);
  });

  test("a slash-matching regex without partIsolating matches across segments", () => {
    class TwoConverter extends BaseConverter {
      override regex = String.raw`\w+/\w+`;
      override toValue(value: string): unknown {
        return value.split("/");
      }
    }
    const a = new Map([new Rule("/<two:values>/", { endpoint: "two" })], { converters: { two: TwoConverter } }).bind(
      "localhost",
    );
    expect(a.match("/a/b/")).toEqual(["two", { values: ["a", "b"] }]);
  });

  test("rejects a match when toValue throws ValidationError", () => {
    class EvenConverter extends BaseConverter {
      override regex = String.raw`\d+`;
      override toValue(value: string): unknown {
        const n = Number(value);
        if (n % 2 !== 0) throw new ValidationError();
        return n;
      }
    }
    const a = new Map([new Rule("/<even:n>", { endpoint: "even" })], { converters: { even: EvenConverter } }).bind(
      "localhost",
    );
    expect(a.match("/4")).toEqual(["even", { n: 4 }]);
    expect(() => a.match("/3")).toThrow(NotFound);
  });
});

describe("constructing converters from rule arguments", () => {
  class Recorder extends BaseConverter {
    args: unknown[];
    constructor(map: Map, ...args: unknown[]) {
      super(map);
      this.args = args;
    }
    override toValue(value: string): unknown {
      return { value, args: this.args, map: this.map };
    }
  }
  const m = new Map(
    [
      new Rule("/a/<rec(1, 2, max=3):x>", { endpoint: "a" }),
      new Rule("/b/<rec(1, 2):x>", { endpoint: "b" }),
      new Rule("/c/<rec:x>", { endpoint: "c" }),
      new Rule(`/d/<rec(True, False, None, 'x y', "q", 1.5, 7, name):x>`, { endpoint: "d" }),
      new Rule("/e/<rec(fixed_digits=4, signed=True):x>", { endpoint: "e" }),
    ],
    { converters: { rec: Recorder } },
  );
  const adapter = m.bind("localhost");
  const argsOf = (path: string) => (adapter.match(path)[1].x as { args: unknown[] }).args;

  test("passes positional arguments and then one keyword object", () => {
    expect(argsOf("/a/v")).toEqual([1, 2, { max: 3 }]);
  });

  test("passes no keyword object when the rule has no keyword arguments", () => {
    expect(argsOf("/b/v")).toEqual([1, 2]);
    expect(argsOf("/c/v")).toEqual([]);
  });

  test("converts Python literals, numbers, quoted strings and bare names", () => {
    expect(argsOf("/d/v")).toEqual([true, false, null, "x y", "q", 1.5, 7, "name"]);
  });

  test("keeps keyword names as written", () => {
    expect(argsOf("/e/v")).toEqual([{ fixed_digits: 4, signed: true }]);
  });

  test("passes the map as the first constructor argument", () => {
    expect((adapter.match("/c/v")[1].x as { map: unknown }).map).toBe(m);
  });
});

describe("parseConverterArgs", () => {
  test("parses positional and keyword arguments", () => {
    expect(parseConverterArgs("test, a=1, b=3.0")).toEqual([["test"], { a: 1, b: 3.0 }]);
  });

  test("parses an empty string to no arguments", () => {
    expect(parseConverterArgs("")).toEqual([[], {}]);
  });

  test("accepts a trailing comma", () => {
    expect(parseConverterArgs("a, b, c,")).toEqual([["a", "b", "c"], {}]);
  });

  test("converts True, False and None", () => {
    expect(parseConverterArgs("True, False, None")[0]).toEqual([true, false, null]);
  });

  test("unquotes quoted strings", () => {
    expect(parseConverterArgs('"foo", "bar"')[0]).toEqual(["foo", "bar"]);
    expect(parseConverterArgs(`'foo,bar', "a b"`)[0]).toEqual(["foo,bar", "a b"]);
  });

  test("rejects arguments separated by something other than commas", () => {
    expect(() => parseConverterArgs("min=0;max=500")).toThrow();
  });
});

describe("UnicodeConverter", () => {
  test("matches one segment of at least one character by default", () => {
    const a = new Map([new Rule("/p/<name>", { endpoint: "p" })]).bind("localhost");
    expect(a.match("/p/x")).toEqual(["p", { name: "x" }]);
    expect(() => a.match("/p/")).toThrow(NotFound);
    expect(() => a.match("/p/x/y")).toThrow(NotFound);
  });

  test("honours length, minlength and maxlength", () => {
    const a = new Map([
      new Rule("/l/<string(length=2):lang>", { endpoint: "l" }),
      new Rule("/r/<string(minlength=2, maxlength=3):code>", { endpoint: "r" }),
    ]).bind("localhost");
    expect(a.match("/l/de")).toEqual(["l", { lang: "de" }]);
    expect(() => a.match("/l/d")).toThrow(NotFound);
    expect(() => a.match("/l/deu")).toThrow(NotFound);
    expect(() => a.match("/r/a")).toThrow(NotFound);
    expect(a.match("/r/ab")).toEqual(["r", { code: "ab" }]);
    expect(a.match("/r/abc")).toEqual(["r", { code: "abc" }]);
    expect(() => a.match("/r/abcd")).toThrow(NotFound);
  });
});

describe("PathConverter", () => {
  test("matches slashes and weighs more than the default converter", () => {
    const c = new PathConverter(new Map());
    expect(c.partIsolating).toBe(false);
    expect(c.weight).toBe(200);
    const a = new Map([new Rule("/f/<path:p>", { endpoint: "f" })]).bind("localhost");
    expect(a.match("/f/a/b/c.txt")).toEqual(["f", { p: "a/b/c.txt" }]);
    expect(a.build("f", { p: "a/b c" })).toBe("/f/a/b%20c");
  });
});

describe("number converters", () => {
  test("IntegerConverter and FloatConverter weigh less than the default converter", () => {
    expect(new IntegerConverter(new Map()).weight).toBe(50);
    expect(new FloatConverter(new Map()).weight).toBe(50);
  });

  test("int honours fixed_digits when matching and zero-pads when building", () => {
    const a = new Map([new Rule("/y/<int(fixed_digits=4):year>", { endpoint: "y" })]).bind("localhost");
    expect(a.match("/y/2024")).toEqual(["y", { year: 2024 }]);
    expect(a.match("/y/0042")).toEqual(["y", { year: 42 }]);
    expect(() => a.match("/y/042")).toThrow(NotFound);
    expect(() => a.match("/y/12345")).toThrow(NotFound);
    expect(a.build("y", { year: 42 })).toBe("/y/0042");
  });

  test("int honours min and max", () => {
    const a = new Map([new Rule("/n/<int(min=1, max=10):n>", { endpoint: "n" })]).bind("localhost");
    expect(() => a.match("/n/0")).toThrow(NotFound);
    expect(a.match("/n/1")).toEqual(["n", { n: 1 }]);
    expect(a.match("/n/10")).toEqual(["n", { n: 10 }]);
    expect(() => a.match("/n/11")).toThrow(NotFound);
  });

  test("int rejects non-digits", () => {
    const a = new Map([new Rule("/n/<int:n>", { endpoint: "n" })]).bind("localhost");
    expect(() => a.match("/n/1a")).toThrow(NotFound);
    expect(() => a.match("/n/1.5")).toThrow(NotFound);
  });

  test("float needs a decimal point and honours min and max", () => {
    const a = new Map([new Rule("/f/<float(min=0.5, max=2.5):f>", { endpoint: "f" })]).bind("localhost");
    expect(() => a.match("/f/1")).toThrow(NotFound);
    expect(() => a.match("/f/0.4")).toThrow(NotFound);
    expect(a.match("/f/0.5")).toEqual(["f", { f: 0.5 }]);
    expect(a.match("/f/2.5")).toEqual(["f", { f: 2.5 }]);
    expect(() => a.match("/f/2.6")).toThrow(NotFound);
  });
});

describe("UUIDConverter", () => {
  const a = new Map([new Rule("/a/<uuid:a_uuid>", { endpoint: "a" })]).bind("example.org", "/");

  test("gives the UUID as a lower-case string", () => {
    expect(a.match("/a/a8098c1a-f86e-11da-bd1a-00112444be1e")).toEqual([
      "a",
      { a_uuid: "a8098c1a-f86e-11da-bd1a-00112444be1e" },
    ]);
    expect(a.match("/a/A8098C1A-F86E-11DA-BD1A-00112444BE1E")).toEqual([
      "a",
      { a_uuid: "a8098c1a-f86e-11da-bd1a-00112444be1e" },
    ]);
  });

  test("rejects strings that are not UUIDs and builds from a UUID string", () => {
    expect(() => a.match("/a/a8098c1a-f86e-11da-bd1a")).toThrow(NotFound);
    expect(a.build("a", { a_uuid: "a8098c1a-f86e-11da-bd1a-00112444be1e" })).toBe(
      "/a/a8098c1a-f86e-11da-bd1a-00112444be1e",
    );
  });
});

describe("AnyConverter", () => {
  test("matches one of its items, escaping dots", () => {
    const a = new Map([
      new Rule("/<any(a1, a2):a>", { endpoint: "no_dot" }),
      new Rule("/<any(a.1, a.2):a>", { endpoint: "yes_dot" }),
    ]).bind("example.org", "/");
    expect(a.match("/a1")).toEqual(["no_dot", { a: "a1" }]);
    expect(a.match("/a2")).toEqual(["no_dot", { a: "a2" }]);
    expect(a.match("/a.1")).toEqual(["yes_dot", { a: "a.1" }]);
    expect(a.match("/a.2")).toEqual(["yes_dot", { a: "a.2" }]);
    expect(() => a.match("/aX1")).toThrow(NotFound);
  });

  test("accepts quoted items containing commas", () => {
    const a = new Map([new Rule(`/<any(about, help, "foo,bar"):page>`, { endpoint: "p" })]).bind("localhost");
    expect(a.match("/foo,bar")).toEqual(["p", { page: "foo,bar" }]);
    expect(a.match("/help")).toEqual(["p", { page: "help" }]);
    expect(() => a.match("/foo")).toThrow(NotFound);
  });

  test("refuses to build a value that is not one of its items", () => {
    const a = new Map([new Rule("/<any(patient, provider):value>", { endpoint: "actor" })]).bind("localhost");
    expect(a.build("actor", { value: "patient" })).toBe("/patient");
    expect(a.build("actor", { value: "provider" })).toBe("/provider");
    expect(() => a.build("actor", { value: "invalid" })).toThrow("'invalid' is not one of 'patient', 'provider'");
  });
});

describe("custom regex converters", () => {
  class RegexConverter extends BaseConverter {
    constructor(map: Map, ...items: unknown[]) {
      super(map);
      this.regex = String(items[0]);
    }
  }

  test("matches a custom regex given as a quoted argument", () => {
    const adapter = new Map([new Rule(String.raw`/<regex('[^/:]+\.[^/:]+'):value>`, { endpoint: "regex" })], {
      converters: { regex: RegexConverter },
    }).bind("localhost");
    expect(adapter.match("/asdfsa.asdfs")).toEqual(["regex", { value: "asdfsa.asdfs" }]);
  });

  test("is not confused by nested groups in a converter regex", () => {
    class NestedRegexConverter extends BaseConverter {
      constructor(map: Map, ...items: unknown[]) {
        super(map);
        this.partIsolating = false;
        this.regex = String(items[0]);
      }
    }
    const DATE_PATTERN = String.raw`((\d{8}T\d{6}([.,]\d{1,3})?)|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([.,]\d{1,3})?))Z`;
    const a = new Map(
      [new Rule(`/<regex('${DATE_PATTERN}'):start>/<regex('${DATE_PATTERN}'):end>/`, { endpoint: "handler" })],
      { converters: { regex: NestedRegexConverter } },
    ).bind("example.org", "/");
    const [, values] = a.match("/2023-02-16T23:36:36.266Z/2023-02-16T23:46:36.266Z/");
    expect(values).toEqual({ start: "2023-02-16T23:36:36.266Z", end: "2023-02-16T23:46:36.266Z" });
  });

  test("passes array values to the converter instead of treating them as query values", () => {
    class TwoValueConverter extends BaseConverter {
      constructor(map: Map) {
        super(map);
        this.partIsolating = false;
        this.regex = String.raw`(\w\w+)/(\w\w+)`;
      }
      override toValue(twoValues: string): unknown {
        const [one, two] = twoValues.split("/");
        return [one, two];
      }
      override toUrl(values: unknown): string {
        const [one, two] = values as [string, string];
        return `${one}/${two}`;
      }
    }
    const a = new Map([new Rule("/<two:foo>/", { endpoint: "handler" })], {
      converters: { two: TwoValueConverter },
    }).bind("example.org", "/");
    expect(a.match("/qwert/yuiop/")).toEqual(["handler", { foo: ["qwert", "yuiop"] }]);
    expect(a.build("handler", { foo: ["qwert", "yuiop"] })).toBe("/qwert/yuiop/");
  });
});
