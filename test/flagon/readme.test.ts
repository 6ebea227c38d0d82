// Keeps the README's application example honest: the same code, exercised.
import { expect, test } from "vitest";
import { Flagon, request, abort, urlFor } from "flagon";
test("the README example serves what it says", async () => {
  const app = new Flagon(import.meta.url);
  app.get("/", () => "Hello, World!");
  app.get("/post/<int:id>", function post({ id }) {
    return { id, url: urlFor("post", { id }) };
  });
  app.post("/echo", () => request.json);
  class Posts {
    @app.get("/posts/<slug>")
    static show({ slug }: { slug: string }) {
      if (slug === "secret") abort(404);
      return `<h1>${slug}</h1>`;
    }
  }
  void Posts;
  const c = app.testClient();
  expect((await c.get("/post/3")).json).toEqual({ id: 3, url: "/post/3" });
  expect((await c.get("/posts/x")).text).toBe("<h1>x</h1>");
  expect((await c.get("/posts/secret")).statusCode).toBe(404);
  expect((await c.post("/echo", { json: [1] })).json).toEqual([1]);
});
