/**
 * The public decorators under standard TC39 decorators, end to end: a fixture app is
 * compiled with the TypeScript compiler (no experimentalDecorators), then served.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Flagon } from "flagon";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "fixtures/tc39-app/app.ts");
// Inside the repository, so that the emitted file's `import "flagon"` resolves.
const outDir = join(here, "fixtures/tc39-app", `.out-${process.pid}`);

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

describe("an app written with TC39 decorators", () => {
  test("type-checks under standard decorators", () => {
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))).toEqual([]);
  });

  test("app-bound decorators route static methods with `this` as the class", async () => {
    const response = await fx.app.testClient().get("/static");
    expect(response.text).toBe("hello from a static method");
  });

  test("app-bound decorators route instance methods on one instance of a @controller class", async () => {
    const client = fx.app.testClient();
    expect((await client.get("/count")).text).toBe("1");
    expect((await client.get("/count")).text).toBe("2");
  });

  test("standalone decorators register views, hooks and error handlers through app.register", async () => {
    const client = fx.app.testClient();
    expect((await client.get("/api/7")).json).toEqual({ id: 7, prefix: "api" });
    expect((await client.post("/api/echo", { json: { a: 1 } })).json).toEqual({ a: 1 });
    const missing = await client.get("/nowhere");
    expect(missing.statusCode).toBe(404);
    expect(missing.text).toBe("nothing at /nowhere");
    expect(fx.calls).toContain("before /api/7");
  });
});
