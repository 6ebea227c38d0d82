import { describe, expect, test } from "vitest";
import { EndpointPrefix, Map, MethodNotAllowed, NotFound, Rule, RuleFactory, RuleTemplate, Subdomain, Submount } from "@flagon/werk";

type RuleRow = [string, string | undefined, unknown];

function rows(map: Map): RuleRow[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return map
    .iterRules()
    .map((r): RuleRow => [r.rule, r.subdomain, r.endpoint])
    .sort((x, y) => cmp(x[0], y[0]) || cmp(String(x[1]), String(y[1])) || cmp(String(x[2]), String(y[2])));
}

describe("RuleTemplate", () => {
  test("expands $app and ${app} in Submount paths, endpoint prefixes, rule strings and subdomains", () => {
    const testcase = RuleTemplate([
      Submount("/test/$app", [
        new Rule("/foo/", { endpoint: "handle_foo" }),
        new Rule("/bar/", { endpoint: "handle_bar" }),
        new Rule("/baz/", { endpoint: "handle_baz" }),
      ]),
      EndpointPrefix("${app}", [
        new Rule("/${app}-blah", { endpoint: "bar" }),
        new Rule("/${app}-meh", { endpoint: "baz" }),
      ]),
      Subdomain("$app", [new Rule("/blah", { endpoint: "x_bar" }), new Rule("/meh", { endpoint: "x_baz" })]),
    ]);

    const urlMap = new Map([
      testcase({ app: "test1" }),
      testcase({ app: "test2" }),
      testcase({ app: "test3" }),
      testcase({ app: "test4" }),
    ]);

    expect(rows(urlMap)).toEqual([
      ["/blah", "test1", "x_bar"],
      ["/blah", "test2", "x_bar"],
      ["/blah", "test3", "x_bar"],
      ["/blah", "test4", "x_bar"],
      ["/meh", "test1", "x_baz"],
      ["/meh", "test2", "x_baz"],
      ["/meh", "test3", "x_baz"],
      ["/meh", "test4", "x_baz"],
      ["/test/test1/bar/", "", "handle_bar"],
      ["/test/test1/baz/", "", "handle_baz"],
      ["/test/test1/foo/", "", "handle_foo"],
      ["/test/test2/bar/", "", "handle_bar"],
      ["/test/test2/baz/", "", "handle_baz"],
      ["/test/test2/foo/", "", "handle_foo"],
      ["/test/test3/bar/", "", "handle_bar"],
      ["/test/test3/baz/", "", "handle_baz"],
      ["/test/test3/foo/", "", "handle_foo"],
      ["/test/test4/bar/", "", "handle_bar"],
      ["/test/test4/baz/", "", "handle_baz"],
      ["/test/test4/foo/", "", "handle_foo"],
      ["/test1-blah", "", "test1bar"],
      ["/test1-meh", "", "test1baz"],
      ["/test2-blah", "", "test2bar"],
      ["/test2-meh", "", "test2baz"],
      ["/test3-blah", "", "test3bar"],
      ["/test3-meh", "", "test3baz"],
      ["/test4-blah", "", "test4bar"],
      ["/test4-meh", "", "test4baz"],
    ]);
  });

  test("substitutes ${name} and $name in rule strings, endpoints and string defaults only", () => {
    const resource = RuleTemplate([
      new Rule("/${name}s/", { endpoint: "$name.list", defaults: { kind: "${name}-list", page: 1 } }),
      new Rule("/$name/<int:id>", { endpoint: "${name}.show", methods: ["GET"] }),
    ]);
    const a = new Map([resource({ name: "user" }), resource({ name: "page" })]).bind("example.org");
    expect(a.match("/users/")).toEqual(["user.list", { kind: "user-list", page: 1 }]);
    expect(a.match("/pages/")).toEqual(["page.list", { kind: "page-list", page: 1 }]);
    expect(a.match("/user/3")).toEqual(["user.show", { id: 3 }]);
    expect(a.build("page.show", { id: 7 })).toBe("/page/7");
    expect(() => a.match("/page/7", "POST")).toThrow(MethodNotAllowed);
  });

  test("works with new as well as a plain call", () => {
    const tpl = new RuleTemplate([new Rule("/$section/", { endpoint: "$section" })]);
    const a = new Map([tpl({ section: "docs" })]).bind("example.org");
    expect(a.match("/docs/")).toEqual(["docs", {}]);
  });
});

describe("Submount", () => {
  test("prefixes the rule strings of its rules", () => {
    const a = new Map([
      new Rule("/", { endpoint: "index" }),
      Submount("/blog", [new Rule("/", { endpoint: "blog/index" }), new Rule("/entry/<entry_slug>", { endpoint: "blog/show" })]),
    ]).bind("example.org");
    expect(a.match("/blog/")).toEqual(["blog/index", {}]);
    expect(a.match("/blog/entry/hello")).toEqual(["blog/show", { entry_slug: "hello" }]);
    expect(a.build("blog/show", { entry_slug: "x" })).toBe("/blog/entry/x");
  });

  test("drops a trailing slash from the prefix", () => {
    const m = new Map([Submount("/blog/", [new Rule("/", { endpoint: "blog" })])]);
    expect(m.iterRules().map((r) => r.rule)).toEqual(["/blog/"]);
  });

  test("works with new", () => {
    const a = new Map([new Submount("/api", [new Rule("/ping", { endpoint: "ping" })])]).bind("example.org");
    expect(a.match("/api/ping")).toEqual(["ping", {}]);
  });

  test("nests inside other factories", () => {
    const a = new Map([
      Submount("/a", [Submount("/b", [new Rule("/c", { endpoint: "abc" })])]),
    ]).bind("example.org");
    expect(a.match("/a/b/c")).toEqual(["abc", {}]);
  });
});

describe("Subdomain", () => {
  test("sets the subdomain of its rules, including converter subdomains", () => {
    const m = new Map([
      new Rule("/", { endpoint: "#select_language" }),
      Subdomain("<string(length=2):lang_code>", [new Rule("/", { endpoint: "index" }), new Rule("/about", { endpoint: "about" })]),
    ]);
    expect(m.bind("example.com").match("/")).toEqual(["#select_language", {}]);
    const de = m.bind("example.com", "/", { subdomain: "de" });
    expect(de.match("/")).toEqual(["index", { lang_code: "de" }]);
    expect(de.match("/about")).toEqual(["about", { lang_code: "de" }]);
    expect(() => m.bind("example.com", "/", { subdomain: "deu" }).match("/about")).toThrow(NotFound);
    expect(de.build("about", { lang_code: "de" })).toBe("/about");
    expect(de.build("about", { lang_code: "en" })).toBe("http://en.example.com/about");
  });

  test("works with new", () => {
    const m = new Map([new Subdomain("api", [new Rule("/", { endpoint: "api" })])]);
    expect(m.bind("example.com", "/", { subdomain: "api" }).match("/")).toEqual(["api", {}]);
    expect(m.iterRules("api")[0]!.subdomain).toBe("api");
  });
});

describe("EndpointPrefix", () => {
  test("prefixes the endpoints of nested factories", () => {
    const a = new Map([
      new Rule("/", { endpoint: "index" }),
      EndpointPrefix("blog/", [
        Submount("/blog", [new Rule("/", { endpoint: "index" }), new Rule("/entry/<entry_slug>", { endpoint: "show" })]),
      ]),
    ]).bind("example.org");
    expect(a.match("/")).toEqual(["index", {}]);
    expect(a.match("/blog/")).toEqual(["blog/index", {}]);
    expect(a.match("/blog/entry/x")).toEqual(["blog/show", { entry_slug: "x" }]);
  });

  test("works with new", () => {
    const a = new Map([new EndpointPrefix("admin.", [new Rule("/admin", { endpoint: "home" })])]).bind("example.org");
    expect(a.match("/admin")).toEqual(["admin.home", {}]);
  });
});

describe("factories and rule reuse", () => {
  test("a factory can be added to several maps because it hands out unbound copies", () => {
    const rule = new Rule("/x", { endpoint: "x" });
    const factory = Submount("/s", [rule]);
    const one = new Map([factory]);
    const two = new Map([factory]);
    expect(one.bind("a.test").match("/s/x")).toEqual(["x", {}]);
    expect(two.bind("b.test").match("/s/x")).toEqual(["x", {}]);
    expect(rule.map).toBeFalsy();
    expect(rule.rule).toBe("/x");
  });

  test("a custom RuleFactory contributes the rules returned by getRules", () => {
    class CrudFactory extends RuleFactory {
      readonly name: string;
      constructor(name: string) {
        super();
        this.name = name;
      }
      override getRules(map: Map): Rule[] {
        expect(map).toBeInstanceOf(Map);
        return [
          new Rule(`/${this.name}/`, { endpoint: `${this.name}.list`, methods: ["GET"] }),
          new Rule(`/${this.name}/<int:id>`, { endpoint: `${this.name}.show`, methods: ["GET"] }),
        ];
      }
    }
    const a = new Map([Submount("/api", [new CrudFactory("users")])]).bind("example.org");
    expect(a.match("/api/users/")).toEqual(["users.list", {}]);
    expect(a.match("/api/users/5")).toEqual(["users.show", { id: 5 }]);
  });
});
