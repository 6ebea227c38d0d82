/**
 * Blueprint classes under standard TC39 decorators, end to end: a fixture app is compiled
 * with the TypeScript compiler (no experimentalDecorators), then served.
 */
import { describe, expect, test } from "vitest";
import { useTc39Fixture } from "./_tc39.js";
import type { Flagon } from "flagon";

interface Fixture {
  app: Flagon;
  calls: string[];
}

const fixture = useTc39Fixture<Fixture>(import.meta.url, "fixtures/tc39-blueprint/app.ts");

describe("blueprint classes written with TC39 decorators", () => {
  test("type-check under standard decorators", () => {
    expect(fixture.diagnostics).toEqual([]);
  });

  test("route instance methods on one instance, static methods on the class, under the prefix", async () => {
    const client = fixture.module.app.testClient();
    expect((await client.post("/shop/buy/7")).json).toEqual({ id: 7, sold: 1 });
    // The second registration shares the class's instance.
    expect((await client.post("/outlet/buy/8")).json).toEqual({ id: 8, sold: 2 });
    const index = await client.get("/shop/");
    expect(index.text).toBe("sold 2, next: /shop/buy/1");
    expect(index.headers.get("X-Sold")).toBe("2");
    expect((await client.get("/outlet/")).text).toBe("sold 2, next: /outlet/buy/1");
    expect((await client.get("/shop/price")).text).toBe("10 EUR");
  });

  // "bound" was registered before "shop", so its app-wide hook comes first.
  test("scope the blueprint's hooks and error handlers; app-wide ones reach every request", async () => {
    const client = fixture.module.app.testClient();
    fixture.module.calls.length = 0;
    expect((await client.get("/shop/closed")).text).toBe("the shop is closed");
    expect(fixture.module.calls).toEqual(["bound before app", "app before /shop/closed", "shop before shop.closed", "shop teardown"]);
    fixture.module.calls.length = 0;
    expect((await client.get("/")).text).toBe("home");
    expect(fixture.module.calls).toEqual(["bound before app", "app before /"]);
    const missing = await client.get("/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.text).toBe("no such page: /nowhere");
    expect((fixture.module.app.templateFilters.price as (n: number) => string)(3)).toBe("3 EUR");
  });

  test("a Blueprint's own decorators, bare hooks included, on the methods of a @controller class", async () => {
    fixture.module.calls.length = 0;
    expect((await fixture.module.app.testClient().get("/bound/")).text).toBe("hello from bound");
    expect(fixture.module.calls).toEqual(["bound before app", "app before /bound/", "bound before"]);
  });

  test("nest a blueprint class in another, under both registrations", async () => {
    const client = fixture.module.app.testClient();
    expect((await client.get("/shop/reviews/")).text).toBe("shop.reviews.list");
    expect((await client.get("/outlet/reviews/")).text).toBe("outlet.reviews.list");
  });
});
