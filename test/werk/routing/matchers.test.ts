import { describe, expect, test } from "vitest";
import {
  BaseConverter,
  CompiledMatcher,
  Map,
  Rule,
  StateMachineMatcher,
  Submount,
  Subdomain,
  ValidationError,
  type MatcherClass,
  type RouteLookup,
} from "@flagon/werk";

class EvenConverter extends BaseConverter {
  override regex = "\\d+";
  override toValue(value: string): number {
    const n = Number(value);
    if (n % 2) throw new ValidationError();
    return n;
  }
}

function buildMap(matcher: MatcherClass): Map {
  return new Map(
    [
      new Rule("/", { endpoint: "index" }),
      new Rule("/users/", { endpoint: "users", defaults: { page: 1 } }),
      new Rule("/users/page/<int:page>", { endpoint: "users" }),
      new Rule("/users/<name>", { endpoint: "user", methods: ["GET", "POST"] }),
      new Rule("/users/<name>", { endpoint: "user_delete", methods: ["DELETE"] }),
      new Rule("/users/<name>/files/<path:file>", { endpoint: "file" }),
      new Rule("/users/<name>/files/<path:file>/edit", { endpoint: "file_edit" }),
      new Rule("/n/<even:n>", { endpoint: "even" }),
      new Rule("/n/<int:n>", { endpoint: "odd" }),
      new Rule("/v<int:major>.<int:minor>", { endpoint: "version" }),
      new Rule("/lax", { endpoint: "lax", strictSlashes: false }),
      new Rule("/branch/", { endpoint: "branch" }),
      new Rule("/any/<any(a, b, 'c d'):x>", { endpoint: "any" }),
      new Rule("/ws", { endpoint: "ws", websocket: true }),
      new Rule("/ünï/<code>", { endpoint: "unicode" }),
      new Rule("/old/<slug>", { endpoint: "old", redirectTo: "users/<slug>" }),
      new Rule("/f/<float(signed=True):x>", { endpoint: "float" }),
      new Rule("/u/<uuid:id>", { endpoint: "uuid" }),
      Submount("/api", [new Rule("/items/:id", { endpoint: "api.item" }), new Rule("/files/*rest", { endpoint: "api.files" })]),
      Subdomain("<tenant>", [new Rule("/dash", { endpoint: "dash" })]),
      new Rule("/<path:page>/<int:rev>", { endpoint: "wiki_rev" }),
      new Rule("/<path:page>", { endpoint: "wiki" }),
    ],
    { matcher, converters: { even: EvenConverter } },
  );
}

const PATHS = [
  "", "/", "//", "/users", "/users/", "/users/page/1", "/users/page/2", "/users/ada", "/users/ada/",
  "/users//ada", "/users/ada/files/a/b.txt", "/users/ada/files/a/b.txt/edit", "/users/ada/files/",
  "/n/4", "/n/5", "/n/x", "/v1.2", "/v1.", "/lax", "/lax/", "/branch", "/branch/", "/any/a", "/any/c%20d",
  "/any/e", "/ws", "/%C3%BCn%C3%AF/7", "/ünï/7", "/old/ada", "/f/-1.5", "/f/1", "/u/2B5B0911-FDCF-4DD2-921B-28ACE88DB8A0",
  "/api/items/3", "/api/files/x/y/z", "/api/files/", "/dash", "/some/wiki/page", "/some/wiki/page/12",
  "/%zz", "/a//b//c", "/trailing/", "/hello\n",
];
const METHODS = ["GET", "POST", "DELETE", "PUT", "HEAD"];
const HOSTS: Array<[string, string | undefined]> = [["example.com", undefined], ["example.com", "acme"]];

function outcome(found: RouteLookup): unknown {
  if (found.status === 200) return { status: 200, endpoint: found.rule.endpoint, values: found.values };
  return { ...found, validMethods: found.status === 405 ? [...(found.validMethods ?? [])].sort() : undefined };
}

describe("matchers", () => {
  test("maps use the compiled matcher unless told otherwise", () => {
    const map = new Map([new Rule("/", { endpoint: "index" })]);
    expect(map.matcher).toBeInstanceOf(Map.defaultMatcher);
    expect(new Map([], { matcher: StateMachineMatcher }).matcher).toBeInstanceOf(StateMachineMatcher);
    expect(new Map([], { matcher: CompiledMatcher }).matcher).toBeInstanceOf(CompiledMatcher);
  });

  test("the compiled and the interpreted matcher agree on every path, method, host and protocol", () => {
    const compiled = buildMap(CompiledMatcher);
    const interpreted = buildMap(StateMachineMatcher);
    let compared = 0;
    for (const [host, subdomain] of HOSTS) {
      for (const websocket of [false, true]) {
        const a = compiled.bind(host, "/", { subdomain });
        const b = interpreted.bind(host, "/", { subdomain });
        for (const path of PATHS) {
          for (const method of METHODS) {
            const left = outcome(a.lookup(path, method, { websocket }));
            const right = outcome(b.lookup(path, method, { websocket }));
            expect(left, `${method} ${subdomain ?? ""}|${path} ws=${websocket}`).toEqual(right);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(HOSTS.length * 2 * PATHS.length * METHODS.length);
  });

  test("a rule added after matching is found by both matchers", () => {
    for (const matcher of [CompiledMatcher, StateMachineMatcher]) {
      const map = new Map([new Rule("/a", { endpoint: "a" })], { matcher });
      const urls = map.bind("example.com");
      expect(urls.lookup("/b").status).toBe(404);
      map.add(new Rule("/b/<int:n>", { endpoint: "b" }));
      expect(urls.match("/b/2")).toEqual(["b", { n: 2 }]);
    }
  });
});
