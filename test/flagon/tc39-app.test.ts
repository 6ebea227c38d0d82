/**
 * The public decorators under standard TC39 decorators, end to end: a fixture app is
 * compiled with the TypeScript compiler (no experimentalDecorators), then served.
 */
import { describe, expect, test } from "vitest";
import { useTc39Fixture } from "./_tc39.js";
import type { Flagon } from "flagon";

interface Fixture {
  app: Flagon;
  calls: string[];
}

const fixture = useTc39Fixture<Fixture>(import.meta.url, "fixtures/tc39-app/app.ts");

describe("an app written with TC39 decorators", () => {
  test("type-checks under standard decorators", () => {
    expect(fixture.diagnostics).toEqual([]);
  });

  test("app-bound decorators route static methods with `this` as the class", async () => {
    const response = await fixture.module.app.testClient().get("/static");
    expect(response.text).toBe("hello from a static method");
  });

  test("app-bound decorators route instance methods on one instance of a @controller class", async () => {
    const client = fixture.module.app.testClient();
    expect((await client.get("/count")).text).toBe("1");
    expect((await client.get("/count")).text).toBe("2");
  });

  test("standalone decorators register views, hooks and error handlers through app.register", async () => {
    const client = fixture.module.app.testClient();
    expect((await client.get("/api/7")).json).toEqual({ id: 7, prefix: "api" });
    expect((await client.post("/api/echo", { json: { a: 1 } })).json).toEqual({ a: 1 });
    const missing = await client.get("/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.text).toBe("nothing at /nowhere");
    expect(fixture.module.calls).toContain("before /api/7");
  });
});
