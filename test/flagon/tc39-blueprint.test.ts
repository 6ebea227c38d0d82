/**
 * Blueprint classes under standard TC39 decorators, end to end: a fixture app is compiled
 * with the TypeScript compiler (no experimentalDecorators), then served.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Flagon } from "flagon";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "fixtures/tc39-blueprint/app.ts");
// Inside the repository, so that the emitted file's `import "flagon"` resolves.
const outDir = join(here, "fixtures/tc39-blueprint", `.out-${process.pid}`);

interface Fixture {
  app: Flagon;
  calls: string[];
}

let fx: Fixture;
let diagnostics: readonly ts.Diagnostic[] = [];

beforeAll(async () => {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ["source"],
    strict: true,
    skipLibCheck: true,
    experimentalDecorators: false,
    emitDecoratorMetadata: false,
    types: ["node"],
    outDir,
    rootDir: dirname(fixture),
  };
  const program = ts.createProgram([fixture], options);
  const source = program.getSourceFile(fixture)!;
  diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  mkdirSync(outDir, { recursive: true });
  const result = program.emit(source);
  expect(result.emitSkipped).toBe(false);
  fx = (await import(pathToFileURL(join(outDir, "app.js")).href)) as Fixture;
}, 60_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe("blueprint classes written with TC39 decorators", () => {
  test("type-check under standard decorators", () => {
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });

  test("route instance methods on one instance, static methods on the class, under the prefix", async () => {
    const client = fx.app.testClient();
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
    const client = fx.app.testClient();
    fx.calls.length = 0;
    expect((await client.get("/shop/closed")).text).toBe("the shop is closed");
    expect(fx.calls).toEqual(["bound before app", "app before /shop/closed", "shop before shop.closed", "shop teardown"]);
    fx.calls.length = 0;
    expect((await client.get("/")).text).toBe("home");
    expect(fx.calls).toEqual(["bound before app", "app before /"]);
    const missing = await client.get("/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.text).toBe("no such page: /nowhere");
    expect((fx.app.templateFilters.price as (n: number) => string)(3)).toBe("3 EUR");
  });

  test("a Blueprint's own decorators, bare hooks included, on the methods of a @controller class", async () => {
    fx.calls.length = 0;
    expect((await fx.app.testClient().get("/bound/")).text).toBe("hello from bound");
    expect(fx.calls).toEqual(["bound before app", "app before /bound/", "bound before"]);
  });

  test("nest a blueprint class in another, under both registrations", async () => {
    const client = fx.app.testClient();
    expect((await client.get("/shop/reviews/")).text).toBe("shop.reviews.list");
    expect((await client.get("/outlet/reviews/")).text).toBe("outlet.reviews.list");
  });
});
