import { describe, expect, expectTypeOf, test } from "vitest";
import { Map, Rule } from "@flagon/werk";
import type { RouteParams } from "@flagon/werk";

// These assertions are checked by `tsc` (npm run typecheck); each test also matches the route
// at runtime so the value shape the type describes is the one the router produces.

describe("RouteParams", () => {
  test("types int converters as numbers and default converters as strings", () => {
    expectTypeOf<RouteParams<"/post/<int:id>/<slug>">>().branded.toEqualTypeOf<{ id: number; slug: string }>();
    // @ts-expect-error an int parameter is not a string
    const wrong: RouteParams<"/post/<int:id>/<slug>"> = { id: "3", slug: "x" };
    void wrong;
    const a = new Map([new Rule("/post/<int:id>/<slug>", { endpoint: "post" })]).bind("localhost");
    expect(a.match("/post/3/hello")[1]).toEqual({ id: 3, slug: "hello" });
  });

  test("types float converters as numbers", () => {
    expectTypeOf<RouteParams<"/at/<float:x>">>().branded.toEqualTypeOf<{ x: number }>();
    const a = new Map([new Rule("/at/<float:x>", { endpoint: "at" })]).bind("localhost");
    expect(a.match("/at/1.5")[1]).toEqual({ x: 1.5 });
  });

  test("types path, uuid, string and any converters as strings", () => {
    expectTypeOf<RouteParams<"/f/<path:p>">>().branded.toEqualTypeOf<{ p: string }>();
    expectTypeOf<RouteParams<"/u/<uuid:u>">>().branded.toEqualTypeOf<{ u: string }>();
    expectTypeOf<RouteParams<"/s/<string(length=2):lang>">>().branded.toEqualTypeOf<{ lang: string }>();
    expectTypeOf<RouteParams<"/k/<any(a,b):k>">>().branded.toEqualTypeOf<{ k: string }>();
  });

  test("types converters with arguments by the converter name", () => {
    expectTypeOf<RouteParams<"/n/<int(min=1):n>">>().branded.toEqualTypeOf<{ n: number }>();
    expectTypeOf<RouteParams<"/y/<int(fixed_digits=4, min=1):year>/<float(signed=True):v>">>().branded.toEqualTypeOf<{
      year: number;
      v: number;
    }>();
    const a = new Map([new Rule("/n/<int(min=1):n>", { endpoint: "n" })]).bind("localhost");
    expect(a.match("/n/5")[1]).toEqual({ n: 5 });
  });

  test("types path-to-regexp :name and *name parameters as strings", () => {
    expectTypeOf<RouteParams<"/users/:id">>().branded.toEqualTypeOf<{ id: string }>();
    expectTypeOf<RouteParams<"/files/*path">>().branded.toEqualTypeOf<{ path: string }>();
    const a = new Map([new Rule("/users/:id", { endpoint: "user" })]).bind("localhost");
    expect(a.match("/users/42")[1]).toEqual({ id: "42" });
  });

  test("types a static rule as an empty object", () => {
    expectTypeOf<RouteParams<"/about">>().branded.toEqualTypeOf<{}>();
    expectTypeOf<RouteParams<"/">>().branded.toEqualTypeOf<{}>();
  });

  test("collects several parameters across segments and within one segment", () => {
    expectTypeOf<RouteParams<"/v<int:major>.<int:minor>/<name>">>().branded.toEqualTypeOf<{
      major: number;
      minor: number;
      name: string;
    }>();
  });
});
