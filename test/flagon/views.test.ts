import { describe, expect, expectTypeOf, it } from "vitest";
import { Flagon, MethodView, Response, View, g, makeResponse, request, type PlainViewFunction, type ViewFunction } from "flagon";

function makeApp(): Flagon {
  const app = new Flagon("test");
  app.testing = true;
  return app;
}

const allowOf = (response: { headers: { get(name: string): string | null | undefined } }): string[] =>
  (response.headers.get("Allow") ?? "").split(",").map((m) => m.trim()).filter(Boolean).sort();

/** Flask's `common_test`: GET and POST answered, PUT refused, OPTIONS lists both. */
async function expectGetAndPost(app: Flagon): Promise<void> {
  const c = app.testClient();
  expect((await c.get("/")).text).toBe("GET");
  expect((await c.post("/")).text).toBe("POST");
  expect((await c.put("/")).statusCode).toBe(405);
  expect(allowOf(await c.options("/"))).toEqual(["GET", "HEAD", "OPTIONS", "POST"]);
}

describe("View", () => {
  it("dispatches every allowed method to dispatchRequest", async () => {
    class Index extends View {
      static override methods = ["GET", "POST"];
      dispatchRequest() {
        return request.method;
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    await expectGetAndPost(app);
  });

  it("names the view function after the endpoint and carries the class attributes", () => {
    class Index extends View {
      static override methods = ["GET", "POST"];
      static override provideAutomaticOptions = false;
      dispatchRequest() {
        return "";
      }
    }
    const view = Index.asView("index");
    expect(view.name).toBe("index");
    expect(view.viewClass).toBe(Index);
    expect(view.methods).toEqual(["GET", "POST"]);
    expect(view.provideAutomaticOptions).toBe(false);
    expectTypeOf(view).toEqualTypeOf<ViewFunction<typeof Index>>();
    expectTypeOf(view).toMatchTypeOf<(params: Record<string, unknown>) => unknown>();
  });

  it("passes the URL values to dispatchRequest", async () => {
    class Hello extends View {
      dispatchRequest({ name }: { name: string }) {
        return `Hello, ${name}!`;
      }
    }
    const app = makeApp();
    app.addUrlRule("/hello/<name>", { view: Hello.asView("hello") });
    expect((await app.testClient().get("/hello/World")).text).toBe("Hello, World!");
  });

  it("passes asView's extra arguments to the constructor", async () => {
    class Greeting extends View {
      constructor(
        readonly word: string,
        readonly times: number,
      ) {
        super();
      }
      dispatchRequest() {
        return this.word.repeat(this.times);
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Greeting.asView("greet", "hi", 3) });
    expect((await app.testClient().get("/")).text).toBe("hihihi");
    expectTypeOf(Greeting.asView<typeof Greeting>).parameters.toEqualTypeOf<[name: string, word: string, times: number]>();
    // @ts-expect-error the constructor takes (word: string, times: number)
    void (() => Greeting.asView("greet", 3, "hi"));
  });

  it("uses the endpoint given to addUrlRule over the view's name", async () => {
    class Index extends View {
      dispatchRequest() {
        return "index";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { endpoint: "home", view: Index.asView("index") });
    expect(app.viewFunctions.home).toBeDefined();
    expect(app.viewFunctions.index).toBeUndefined();
    expect((await app.testClient().get("/")).text).toBe("index");
  });

  it("refuses a second view for an existing endpoint, and keeps the first working", async () => {
    class Index extends View {
      static override methods = ["GET", "POST"];
      dispatchRequest() {
        return request.method;
      }
    }
    const app = makeApp();
    app.debug = true;
    app.addUrlRule("/", { view: Index.asView("index") });
    expect(() => app.addUrlRule("/other", { view: Index.asView("index") })).toThrow(/overwriting an existing endpoint function: index/);
    await expectGetAndPost(app);
  });

  it("creates an instance per request by default", async () => {
    let created = 0;
    class Count extends View {
      readonly n = ++created;
      dispatchRequest() {
        return String(this.n);
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Count.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("1");
    expect((await c.get("/")).text).toBe("2");
  });

  it("creates one instance in asView when initEveryRequest is false", async () => {
    let created = 0;
    class CountInit extends View {
      static override initEveryRequest = false;
      constructor() {
        super();
        created++;
      }
      dispatchRequest() {
        return String(created);
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: CountInit.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("1");
    expect((await c.get("/")).text).toBe("1");
  });

  it("applies the class's decorators to the view function", async () => {
    const addParachute = (view: PlainViewFunction): PlainViewFunction => (params) => {
      const response = makeResponse(view(params));
      response.headers.set("X-Parachute", "awesome");
      return response;
    };
    class Index extends View {
      static override decorators = [addParachute];
      dispatchRequest() {
        return "Awesome";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    const rv = await app.testClient().get("/");
    expect(rv.headers.get("X-Parachute")).toBe("awesome");
    expect(rv.text).toBe("Awesome");
  });

  it("applies decorators in order, the first one innermost, and sees the name set", async () => {
    const seen: string[] = [];
    const tag =
      (label: string) =>
      (view: PlainViewFunction): PlainViewFunction => {
        seen.push(`${label}:${view.name}`);
        return (params) => `${label}(${String(view(params))})`;
      };
    class Index extends View {
      static override decorators = [tag("inner"), tag("outer")];
      dispatchRequest() {
        return "x";
      }
    }
    const app = makeApp();
    const view = Index.asView("index");
    app.addUrlRule("/", { view });
    expect(view.name).toBe("index");
    expect(view.viewClass).toBe(Index);
    expect(seen[0]).toBe("inner:index");
    expect((await app.testClient().get("/")).text).toBe("outer(inner(x))");
  });

  it("says which decorator returned no function", () => {
    class Index extends View {
      static override decorators = [(() => undefined) as unknown as (view: PlainViewFunction) => PlainViewFunction];
      dispatchRequest() {
        return "x";
      }
    }
    expect(() => Index.asView("index")).toThrow(/Decorator 0 of Index\.decorators returned undefined/);
  });

  // app.ts addUrlRule reads `view.methods` but not `view.provideAutomaticOptions` (Flask
  // does); flip these two back to `it` once it does.
  it("disables automatic OPTIONS with provideAutomaticOptions = false", async () => {
    class Index extends View {
      static override provideAutomaticOptions = false;
      dispatchRequest() {
        return "Hello World!";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    expect((await app.testClient().options("/")).statusCode).toBe(405);
  });

  it("enables automatic OPTIONS with provideAutomaticOptions = true when the config disables it", async () => {
    const app = makeApp();
    app.config.PROVIDE_AUTOMATIC_OPTIONS = false;
    class Index extends View {
      static override provideAutomaticOptions = true;
      dispatchRequest() {
        return "Hello World!";
      }
    }
    app.addUrlRule("/", { view: Index.asView("index") });
    expect(allowOf(await app.testClient().options("/"))).toEqual(["GET", "HEAD", "OPTIONS"]);
  });

  it("lets a view that lists OPTIONS answer it itself", async () => {
    class Index extends View {
      static override methods = ["OPTIONS"];
      dispatchRequest() {
        return ["", { "X-Test": "test" }];
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    expect((await app.testClient().options("/")).headers.get("X-Test")).toBe("test");
  });
});

describe("MethodView", () => {
  it("dispatches to the method named after the HTTP method", async () => {
    class Index extends MethodView {
      get() {
        return "GET";
      }
      post() {
        return "POST";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    expect(Index.methods).toEqual(["GET", "POST"]);
    await expectGetAndPost(app);
  });

  it("leaves methods undefined when no method function is defined", () => {
    expect(MethodView.methods).toBeUndefined();
    class Empty extends MethodView {}
    expect(Empty.methods).toBeUndefined();
  });

  it("instantiates the class found on viewClass, so a test can patch it", async () => {
    class Index extends MethodView {
      get(): unknown {
        throw new Error("unpatched");
      }
      post(): unknown {
        throw new Error("unpatched");
      }
    }
    class Other extends Index {
      override get() {
        return "GET";
      }
      override post() {
        return "POST";
      }
    }
    const view = Index.asView("index");
    view.viewClass = Other;
    const app = makeApp();
    app.addUrlRule("/", { view });
    await expectGetAndPost(app);
  });

  it("adds a subclass's methods to its parent's", async () => {
    class Index extends MethodView {
      get() {
        return "GET";
      }
      post() {
        return "POST";
      }
    }
    class BetterIndex extends Index {
      delete() {
        return "DELETE";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: BetterIndex.asView("index") });
    const c = app.testClient();
    expect(allowOf(await c.options("/"))).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "POST"]);
    expect((await c.delete("/")).text).toBe("DELETE");
    expect(Index.methods).toEqual(["GET", "POST"]);
  });

  it("answers HEAD with get() when there is no head()", async () => {
    class Index extends MethodView {
      get() {
        return new Response("Blub", { headers: { "X-Method": request.method } });
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    const c = app.testClient();
    let rv = await c.get("/");
    expect(rv.text).toBe("Blub");
    expect(rv.headers.get("X-Method")).toBe("GET");
    rv = await c.head("/");
    expect(rv.text).toBe("");
    expect(rv.headers.get("X-Method")).toBe("HEAD");
  });

  it("answers HEAD with head() when defined", async () => {
    class Index extends MethodView {
      get() {
        return "GET";
      }
      head() {
        return new Response("", { headers: { "X-Method": "HEAD" } });
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("GET");
    const rv = await c.head("/");
    expect(rv.text).toBe("");
    expect(rv.headers.get("X-Method")).toBe("HEAD");
  });

  it("merges a parent's explicit methods with the child's method functions", async () => {
    class BaseView extends MethodView {
      static override methods = ["GET", "PROPFIND"];
    }
    class ChildView extends BaseView {
      get() {
        return "GET";
      }
      propfind() {
        return "PROPFIND";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: ChildView.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("GET");
    expect((await c.open("/", { method: "PROPFIND" })).text).toBe("PROPFIND");
    expect(ChildView.methods).toEqual(["GET", "PROPFIND"]);
  });

  // Flask's multiple inheritance (`class GetDeleteView(GetView, DeleteView)`) is a mixin here.
  const withDelete = <B extends new (...args: any[]) => MethodView>(Base: B) =>
    class extends Base {
      delete() {
        return "DELETE";
      }
    };
  const withPost = <B extends new (...args: any[]) => MethodView>(Base: B) =>
    class extends Base {
      post() {
        return "POST";
      }
    };

  it("collects methods from mixins and bases", async () => {
    class GetView extends MethodView {
      get() {
        return "GET";
      }
    }
    class DeleteView extends withDelete(MethodView) {}
    class GetDeleteView extends withDelete(GetView) {}
    const app = makeApp();
    app.addUrlRule("/", { view: GetDeleteView.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("GET");
    expect((await c.delete("/")).text).toBe("DELETE");
    expect(GetDeleteView.methods).toEqual(["DELETE", "GET"]);
    expect(DeleteView.methods).toEqual(["DELETE"]);
  });

  it("lets a subclass drop a parent's method by setting methods", async () => {
    class GetView extends MethodView {
      get() {
        return "GET";
      }
    }
    class OnlyGet extends withPost(GetView) {
      static override methods = ["GET"];
    }
    const app = makeApp();
    app.addUrlRule("/", { view: OnlyGet.asView("index") });
    const c = app.testClient();
    expect((await c.get("/")).text).toBe("GET");
    expect((await c.post("/")).statusCode).toBe(405);
    expect(OnlyGet.methods).toEqual(["GET"]);
  });

  it("gives a class its own list when methods is assigned after definition", () => {
    class Index extends MethodView {
      get() {
        return "GET";
      }
    }
    class Child extends Index {}
    Child.methods = ["GET", "PUT"];
    expect(Child.methods).toEqual(["GET", "PUT"]);
    expect(Index.methods).toEqual(["GET"]);
  });

  it("awaits async method functions", async () => {
    class Items extends MethodView {
      async get({ id }: { id: number }) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { id, method: request.method };
      }
      async put({ id }: { id: number }) {
        await Promise.resolve();
        g.touched = id;
        return [`updated ${id} ${String(g.touched)}`, 201];
      }
    }
    const app = makeApp();
    app.addUrlRule("/items/<int:id>", { view: Items.asView("item") });
    const c = app.testClient();
    expect((await c.get("/items/7")).json).toEqual({ id: 7, method: "GET" });
    const rv = await c.put("/items/8");
    expect(rv.statusCode).toBe(201);
    expect(rv.text).toBe("updated 8 8");
    expect(allowOf(await c.options("/items/1"))).toEqual(["GET", "HEAD", "OPTIONS", "PUT"]);
  });

  it("fails clearly when a listed method has no method function", async () => {
    class Index extends MethodView {
      static override methods = ["GET", "PUT"];
      get() {
        return "GET";
      }
    }
    const app = makeApp();
    app.addUrlRule("/", { view: Index.asView("index") });
    await expect(app.testClient().put("/")).rejects.toThrow(/Unimplemented method "PUT" on Index: define a put\(\) method/);
  });
});
