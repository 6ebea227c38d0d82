import { describe, expectTypeOf, test } from "vitest";
import { Flagon, type RouteView } from "flagon";

describe("view argument types", () => {
  test("app.get types the view's first argument from the rule string", () => {
    const app = new Flagon("types");
    app.get("/post/<int:id>/<slug>", (params) => {
      expectTypeOf(params).toEqualTypeOf<{ id: number; slug: string }>();
      return "";
    });
    app.post("/price/<float:amount>", ({ amount }) => {
      expectTypeOf(amount).toEqualTypeOf<number>();
      return "";
    });
    app.route("/users/:name/files/*path", (params) => {
      expectTypeOf(params).toEqualTypeOf<{ name: string; path: string }>();
      return "";
    });
    app.get("/", (params) => {
      expectTypeOf(params).toEqualTypeOf<{}>();
      return "";
    });
  });

  test("RouteView is the view type for a rule", () => {
    expectTypeOf<Parameters<RouteView<"/a/<int:n>">>[0]>().toEqualTypeOf<{ n: number }>();
  });
});
