import { describe, expect, test } from "vitest";
import { DuplicateRuleError, Map, NotFound, Rule, UrlMap } from "@flagon/werk";
import { catchError } from "./_helpers.js";

type RuleOptions = NonNullable<ConstructorParameters<typeof Rule>[1]>;

describe("Rule construction", () => {
  test("requires the rule string to start with a slash", () => {
    expect(() => new Rule("foo", { endpoint: "foo" })).toThrow(/must start with a slash/);
  });

  test("rejects methods given as a single string", () => {
    expect(() => new Rule("/get", { methods: "GET" })).toThrow(TypeError);
  });

  test("stores methods upper-cased in a Set and adds HEAD to GET", () => {
    const rule = new Rule("/x", { methods: ["get", "post"] });
    expect(rule.methods).toBeInstanceOf(Set);
    expect([...rule.methods!].sort()).toEqual(["GET", "HEAD", "POST"]);
    expect(new Rule("/y").methods).toBeUndefined();
    expect([...new Rule("/z", { methods: ["PUT"] }).methods!]).toEqual(["PUT"]);
  });

  test("allows only GET, HEAD and OPTIONS on websocket rules", () => {
    expect(() => new Rule("/ws", { endpoint: "ws", websocket: true, methods: ["post"] })).toThrow();
    expect(
      () => new Rule("/ws", { endpoint: "ws", websocket: true, methods: ["get", "head", "options", "post"] }),
    ).toThrow();
    expect(() => new Rule("/ws", { endpoint: "ws", websocket: true, methods: ["get", "head", "options"] })).not.toThrow();
  });

  test("tells leaves from branches and collects arguments from the rule and its defaults", () => {
    const m = new Map([
      new Rule("/leaf/<int:id>", { endpoint: "leaf", defaults: { page: 1 } }),
      new Rule("/branch/", { endpoint: "branch" }),
    ]);
    const [leaf] = m.iterRules("leaf");
    const [branch] = m.iterRules("branch");
    expect(leaf!.isLeaf).toBe(true);
    expect(leaf!.isBranch).toBe(false);
    expect(branch!.isLeaf).toBe(false);
    expect(branch!.isBranch).toBe(true);
    expect([...leaf!.arguments].sort()).toEqual(["id", "page"]);
    expect(leaf!.map).toBe(m);
  });

  test("takes strictSlashes, mergeSlashes and subdomain from the map when unset", () => {
    const m = new Map([new Rule("/a", { endpoint: "a" }), new Rule("/b", { endpoint: "b", strictSlashes: true })], {
      strictSlashes: false,
      mergeSlashes: false,
      defaultSubdomain: "www",
    });
    const [a] = m.iterRules("a");
    const [b] = m.iterRules("b");
    expect(a!.strictSlashes).toBe(false);
    expect(a!.mergeSlashes).toBe(false);
    expect(a!.subdomain).toBe("www");
    expect(b!.strictSlashes).toBe(true);
  });

  test("cannot be bound to a second map", () => {
    const rule = new Rule("/x", { endpoint: "x" });
    new Map([rule]);
    expect(() => new Map([rule])).toThrow();
    expect(() => rule.bind(new Map())).toThrow();
  });
});

describe("Rule.empty", () => {
  test("returns an unbound copy that shares no mutable state", () => {
    const rule = new Rule("/foo", {
      defaults: { meh: "muh" },
      subdomain: "x",
      methods: ["POST"],
      buildOnly: false,
      endpoint: "x",
      strictSlashes: true,
    });
    const view = (r: Rule) => ({
      rule: r.rule,
      defaults: r.defaults ? { ...r.defaults } : r.defaults,
      subdomain: r.subdomain,
      methods: r.methods ? new Set(r.methods) : r.methods,
      buildOnly: r.buildOnly,
      endpoint: r.endpoint,
      strictSlashes: r.strictSlashes,
      redirectTo: r.redirectTo,
      alias: r.alias,
      host: r.host,
    });
    const rule2 = rule.empty();
    expect(rule2).not.toBe(rule);
    expect(view(rule2)).toEqual(view(rule));
    rule.methods!.add("GET");
    expect(view(rule2)).not.toEqual(view(rule));
    rule.methods!.delete("GET");
    expect(view(rule2)).toEqual(view(rule));
    rule.defaults!.meh = "aha";
    expect(view(rule2)).not.toEqual(view(rule));
  });

  test("keeps the subclass, and its options when getEmptyKwargs adds them", () => {
    class CustomRule extends Rule {
      custom: string | undefined;
      constructor(string: string, opts: RuleOptions & { custom?: string } = {}) {
        const { custom, ...rest } = opts;
        super(string, rest);
        this.custom = custom;
      }
      override getEmptyKwargs() {
        return { ...super.getEmptyKwargs(), custom: this.custom };
      }
    }
    const rule1 = new CustomRule("/foo", { endpoint: "bar", custom: "yes" });
    const rule2 = rule1.empty();
    expect(rule2).toBeInstanceOf(CustomRule);
    expect(rule2.rule).toBe(rule1.rule);
    expect(rule2.endpoint).toBe("bar");
    expect((rule2 as CustomRule).custom).toBe("yes");
  });

  test("keeps the subclass without a getEmptyKwargs override", () => {
    class PlainSubclass extends Rule {}
    const rule2 = new PlainSubclass("/foo", { endpoint: "bar" }).empty();
    expect(rule2).toBeInstanceOf(PlainSubclass);
    expect(rule2.rule).toBe("/foo");
  });
});

describe("string forms", () => {
  test("shows a bound rule with its placeholders, sorted methods and endpoint", () => {
    const m = new Map([new Rule("/foo/<int:id>", { endpoint: "endpoint", methods: ["post", "get"] })]);
    expect(String(m.iterRules()[0])).toBe("<Rule '/foo/<id>' (GET, HEAD, POST) -> endpoint>");
  });

  test("shows an unbound rule as unbound", () => {
    expect(String(new Rule("/foo", { endpoint: "x" }))).toBe("<Rule (unbound)>");
  });

  test("shows a map with its rules", () => {
    const m = new Map([new Rule("/wat", { endpoint: "enter" }), new Rule("/woop", { endpoint: "foobar" })]);
    expect(String(m)).toBe("Map([<Rule '/wat' -> enter>, <Rule '/woop' -> foobar>])");
  });
});

describe("Map", () => {
  test("UrlMap is the same class as Map", () => {
    expect(UrlMap).toBe(Map);
  });

  test("iterRules lists all rules, or those of one endpoint (none for an unknown one)", () => {
    const m = new Map([
      new Rule("/a", { endpoint: "a" }),
      new Rule("/b", { endpoint: "b" }),
      new Rule("/b/<int:page>", { endpoint: "b" }),
    ]);
    expect(m.iterRules().map((r) => r.rule).sort()).toEqual(["/a", "/b", "/b/<int:page>"]);
    expect(m.iterRules("b").map((r) => r.rule).sort()).toEqual(["/b", "/b/<int:page>"]);
    expect(m.iterRules("nope")).toEqual([]);
  });

  test("isEndpointExpecting tells whether any rule of the endpoint takes the arguments", () => {
    const m = new Map([
      new Rule("/about", { endpoint: "about" }),
      new Rule("/<lang>/about", { endpoint: "about" }),
      new Rule("/", { endpoint: "index" }),
    ]);
    expect(m.isEndpointExpecting("about", "lang")).toBe(true);
    expect(m.isEndpointExpecting("about", "lang", "page")).toBe(false);
    expect(m.isEndpointExpecting("index", "lang")).toBe(false);
  });

  test("isEndpointExpecting is false for an unknown endpoint", () => {
    const m = new Map([new Rule("/", { endpoint: "index" })]);
    expect(m.isEndpointExpecting("nope", "x")).toBe(false);
  });

  test("matches rules added after the first match", () => {
    const m = new Map([new Rule("/a", { endpoint: "a" })]);
    const adapter = m.bind("example.org");
    expect(adapter.match("/a")).toEqual(["a", {}]);
    expect(() => adapter.match("/b")).toThrow(NotFound);
    m.add(new Rule("/b", { endpoint: "b" }));
    expect(adapter.match("/b")).toEqual(["b", {}]);
    expect(adapter.build("b")).toBe("/b");
  });
});

describe("duplicate rules", () => {
  test("rules differing in subdomain, websocket mode or methods are not duplicates", () => {
    expect(
      () =>
        new Map([
          new Rule("/", { endpoint: "index" }),
          new Rule("/", { endpoint: "websocket", websocket: true }),
          new Rule("/", { endpoint: "sub", subdomain: "a" }),
          new Rule("/method", { methods: ["GET"] }),
          new Rule("/method", { methods: ["POST"] }),
        ]),
    ).not.toThrow();
  });

  test("rules on different hosts are not duplicates under host matching", () => {
    expect(
      () =>
        new Map([new Rule("/", { endpoint: "index", host: "a" }), new Rule("/", { endpoint: "host", host: "b" })], {
          hostMatching: true,
        }),
    ).not.toThrow();
  });

  test("the subdomain does not count when subdomain matching is disabled", () => {
    expect(
      () =>
        new Map([new Rule("/", { endpoint: "index" }), new Rule("/", { endpoint: "sub", subdomain: "a" })], {
          subdomainMatching: false,
        }),
    ).toThrow(DuplicateRuleError);
  });

  test("equal static rules are duplicates", () => {
    const first = new Rule("/", { endpoint: "a" });
    const second = new Rule("/", { endpoint: "b" });
    const err = catchError(() => new Map([first, second]), DuplicateRuleError);
    expect(err.existing).toBe(first);
    expect(err.duplicate).toBe(second);
  });

  test("rules with equal converter parts are duplicates whatever the variable names", () => {
    expect(
      () => new Map([new Rule("/page/<a>", { endpoint: "a" }), new Rule("/page/<b>", { endpoint: "b" })]),
    ).toThrow(DuplicateRuleError);
  });

  test("rules with different converters are not duplicates", () => {
    expect(() => new Map([new Rule("/<a>", { endpoint: "a" }), new Rule("/<int:b>", { endpoint: "b" })])).not.toThrow();
  });

  test("rules whose methods overlap are duplicates", () => {
    expect(
      () =>
        new Map([
          new Rule("/", { methods: ["GET", "POST"], endpoint: "a" }),
          new Rule("/", { methods: ["POST", "PUT"], endpoint: "b" }),
        ]),
    ).toThrow(DuplicateRuleError);
  });

  test("rules sharing only HEAD and OPTIONS are not duplicates", () => {
    expect(
      () =>
        new Map([
          new Rule("/", { methods: ["GET", "OPTIONS"], endpoint: "a" }),
          new Rule("/", { methods: ["POST", "OPTIONS"], endpoint: "b" }),
        ]),
    ).not.toThrow();
  });

  test("rules with exactly the same HEAD and OPTIONS methods are duplicates", () => {
    expect(
      () =>
        new Map([
          new Rule("/", { methods: ["HEAD", "OPTIONS"], endpoint: "a" }),
          new Rule("/", { methods: ["HEAD", "OPTIONS"], endpoint: "b" }),
        ]),
    ).toThrow(DuplicateRuleError);
  });
});

describe("path-to-regexp rule strings", () => {
  const m = new Map([
    new Rule("/users/:id", { endpoint: "user" }),
    new Rule("/files/*path", { endpoint: "file" }),
    new Rule("/a{/:opt}", { endpoint: "a" }),
  ]);
  const adapter = m.bind("example.org");

  test("matches :name as one segment with the default converter", () => {
    expect(adapter.match("/users/42")).toEqual(["user", { id: "42" }]);
    expect(() => adapter.match("/users/42/x")).toThrow(NotFound);
    expect(adapter.build("user", { id: 7 })).toBe("/users/7");
  });

  test("matches *name across segments with the path converter", () => {
    expect(adapter.match("/files/a/b.txt")).toEqual(["file", { path: "a/b.txt" }]);
    expect(adapter.build("file", { path: "x/y z" })).toBe("/files/x/y%20z");
  });

  test("expands an optional group into one rule per variant with the same endpoint", () => {
    expect(m.iterRules("a")).toHaveLength(2);
    expect(adapter.match("/a")).toEqual(["a", {}]);
    expect(adapter.match("/a/x")).toEqual(["a", { opt: "x" }]);
    expect(adapter.build("a")).toBe("/a");
    expect(adapter.build("a", { opt: "x" })).toBe("/a/x");
  });

  test("collects the parameter names as rule arguments", () => {
    expect([...m.iterRules("user")[0]!.arguments]).toEqual(["id"]);
    expect([...m.iterRules("file")[0]!.arguments]).toEqual(["path"]);
  });
});
