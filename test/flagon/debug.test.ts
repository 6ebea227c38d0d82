import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, test } from "vitest";
import { escapeHtml } from "@flagon/werk";
import { Flagon, debugErrorResponse, renderDebugPage } from "flagon";
import { parseStack } from "../../packages/flagon/src/tbtools.js";
import { callsFailDeep } from "./fixtures/debug-thrower.js";

const THROWER = fileURLToPath(new URL("./fixtures/debug-thrower.ts", import.meta.url));
const throwerLines = readFileSync(THROWER, "utf8").split("\n");
/** The 1-based line of the fixture whose text contains `needle`. */
const throwerLine = (needle: string): number => throwerLines.findIndex((line) => line.includes(needle)) + 1;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

async function pageOf(error: unknown): Promise<string> {
  return debugErrorResponse(error, null).getData(true);
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Compile a TypeScript source to JavaScript in a temporary folder, with its source map
 * inline or in a .map file; returns the paths and the generated position of `needle`.
 */
function compile(source: string, needle: string, mapStyle: "inline" | "file"): { ts: string; js: string; line: number; column: number } {
  const dir = mkdtempSync(join(tmpdir(), "flagon-debug-"));
  dirs.push(dir);
  const tsPath = join(dir, "generated.ts");
  const jsPath = join(dir, "generated.js");
  writeFileSync(tsPath, source);
  const out = ts.transpileModule(source, {
    fileName: "generated.ts",
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      ...(mapStyle === "inline" ? { inlineSourceMap: true, inlineSources: true } : { sourceMap: true }),
    },
  });
  writeFileSync(jsPath, out.outputText);
  if (out.sourceMapText !== undefined) writeFileSync(`${jsPath}.map`, out.sourceMapText);
  const lines = out.outputText.split("\n");
  const index = lines.findIndex((l) => l.includes(needle));
  return { ts: tsPath, js: jsPath, line: index + 1, column: lines[index]!.indexOf(needle) + 1 };
}

const GENERATED_TS = [
  "interface Options { strict: boolean }",
  "",
  "export function check(opts: Options): void {",
  "  const label: string = opts.strict ? 'strict' : 'lax';",
  "  if (label.length) throw new TypeError('check failed: ' + label);",
  "}",
  "",
].join("\n");
const GENERATED_TS_LINE = 5;

function errorAt(message: string, file: string, line: number, column: number): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}\n    at check (${file}:${line}:${column})\n    at Object.<anonymous> (${file}:20:1)`;
  return error;
}

describe("debugErrorResponse", () => {
  test("shows an error thrown in a TypeScript module with its file, line and source line", async () => {
    const error = caught(() => callsFailDeep());
    const response = debugErrorResponse(error, { method: "GET", path: "/boom" });
    expect(response.statusCode).toBe(500);
    expect(response.mimetype).toBe("text/html");
    const html = await response.getData(true);
    expect(html).toContain("RangeError: deep failure: &lt;input&gt; &amp; more");
    expect(html).toContain("GET /boom");
    const line = throwerLine("throw new RangeError");
    expect(html).toContain(`<span class=file>${THROWER}</span>:<span class=line>${line}</span>`);
    // The failing line is marked, with its neighbours around it.
    expect(html).toMatch(new RegExp(`<mark class=current[^>]*><span class=ln>\\s*${line}</span> ${escapeRegExp(escapeHtml(throwerLines[line - 1]!))}</mark>`));
    expect(html).toContain(escapeHtml(throwerLines[line - 2]!));
    expect(html).toContain(escapeHtml(throwerLines[line]!));
    // The caller's frame, in the same file, comes next.
    expect(html).toContain(`<span class=line>${throwerLine('return failDeep("<input>")')}</span>`);
    expect(html).toContain("<code class=fn>failDeep</code>");
    expect(html).toContain("<code class=fn>callsFailDeep</code>");
  });

  test("escapes markup in messages, names and request paths", async () => {
    const error = new Error("<script>alert(1)</script>");
    error.name = "Bad<img src=x onerror=alert(1)>";
    const response = debugErrorResponse(error, { method: "GET", path: "/<script>" });
    const html = await response.getData(true);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("GET /&lt;script&gt;");
    // No script could run even if one slipped through.
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });

  test("renders thrown values that are not errors", async () => {
    const html = await pageOf("plain <string>");
    expect(html).toContain("Non-error thrown (string): plain &lt;string&gt;");
    expect(await pageOf(undefined)).toContain("Non-error thrown (undefined)");
    expect(await pageOf(null)).toContain("Non-error thrown (null)");
    expect(await pageOf({ code: 42 })).toContain("{ code: 42 }");
    expect(await pageOf(Symbol("s"))).toContain("Symbol(s)");
  });

  test("shows the cause chain and the errors of an AggregateError, each once", async () => {
    const root = new TypeError("root <cause>");
    const middle = new Error("middle", { cause: root });
    const top = new AggregateError([middle, "a string"], "top", { cause: middle });
    const html = await pageOf(top);
    expect(html).toContain("AggregateError: top");
    expect(html).toContain("Error 1 of 2 in the group above: Error: <span class=msg>middle</span>");
    expect(html).toContain("Error 2 of 2 in the group above: Non-error thrown (string): <span class=msg>a string</span>");
    expect(html).toContain("The above was caused by: TypeError: <span class=msg>root &lt;cause&gt;</span>");
    // `middle` is both in the group and the cause: shown once.
    expect(html.match(/<span class=msg>middle<\/span>/g)).toHaveLength(1);

    const cyclic = new Error("cyclic");
    cyclic.cause = cyclic;
    expect(await pageOf(cyclic)).toContain("Error: cyclic");
  });

  test("folds node internals and node_modules frames", async () => {
    const error = new Error("x");
    error.stack = [
      "Error: x",
      `    at failDeep (${THROWER}:5:11)`,
      "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at Layer.handle (/srv/app/node_modules/router/lib/layer.js:152:17)",
      "    at new Promise (<anonymous>)",
      `    at async main (file://${THROWER}:12:3)`,
      "    at eval (eval at compile (/srv/app/x.js:1:1), <anonymous>:1:1)",
    ].join("\n");
    const html = await pageOf(error);
    expect(html).toContain("<summary>3 library frames</summary>");
    expect(html).toContain("node:internal/process/task_queues:95:5");
    expect(html).toContain("<code class=fn>async main</code>");
    expect(html).toContain("<summary>1 library frame</summary>");
  });

  test("maps frames of generated JavaScript through an inline source map", async () => {
    const out = compile(GENERATED_TS, "new TypeError", "inline");
    rmSync(out.ts); // Only the map's sourcesContent has the source now.
    const html = await pageOf(errorAt("inline", out.js, out.line, out.column));
    expect(html).toContain(`<span class=file>${out.ts}</span>:<span class=line>${GENERATED_TS_LINE}</span>`);
    expect(html).toContain("(source map)");
    expect(html).toContain(escapeHtml("if (label.length) throw new TypeError('check failed: ' + label);"));
    expect(html).toContain("export function check(opts: Options): void {");
  });

  test("maps frames of generated JavaScript through a .map file next to it", async () => {
    const out = compile(GENERATED_TS, "new TypeError", "file");
    const html = await pageOf(errorAt("file", out.js, out.line, out.column));
    expect(html).toContain(`<span class=file>${out.ts}</span>:<span class=line>${GENERATED_TS_LINE}</span>`);
    expect(html).toContain(escapeHtml("const label: string = opts.strict ? 'strict' : 'lax';"));
  });

  test("maps frames through the source maps Node registered (--enable-source-maps)", async () => {
    const out = compile(GENERATED_TS, "new TypeError", "inline");
    const wasEnabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(true);
    try {
      createRequire(import.meta.url)(out.js);
    } finally {
      process.setSourceMapsEnabled(wasEnabled);
    }
    // Without its comment the file maps only through Node's registry.
    writeFileSync(out.js, readFileSync(out.js, "utf8").replace(/\/\/# sourceMappingURL=.*$/m, ""));
    const html = await pageOf(errorAt("registered", out.js, out.line, out.column));
    expect(html).toContain(`<span class=line>${GENERATED_TS_LINE}</span>`);
    expect(html).toContain("(source map)");
  });

  test("never throws: corrupt maps, missing files and hostile values give a page", async () => {
    const out = compile(GENERATED_TS, "new TypeError", "inline");
    const js = readFileSync(out.js, "utf8");
    writeFileSync(out.js, js.replace(/base64,.*$/m, "base64,bm90IGpzb24="));
    let html = await pageOf(errorAt("corrupt", out.js, out.line, out.column));
    // The raw frame, with the generated file's own lines.
    expect(html).toContain(`<span class=file>${out.js}</span>:<span class=line>${out.line}</span>`);
    expect(html).toContain("new TypeError");

    writeFileSync(out.js, js.replace(/base64,.*$/m, "base64," + Buffer.from('{"version":3,"sources":["a.ts"],"mappings":"!!!;;ZZZZ"}').toString("base64")));
    html = await pageOf(errorAt("bad mappings", out.js, out.line, out.column));
    expect(html).toContain("Error: bad mappings");

    html = await pageOf(errorAt("missing", "/no/such/dir/file.ts", 10, 5));
    expect(html).toContain("<span class=file>/no/such/dir/file.ts</span>:<span class=line>10</span>");
    html = await pageOf(errorAt("past the end", THROWER, 10_000, 1));
    expect(html).toContain("<span class=line>10000</span>");

    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
        getPrototypeOf() {
          throw new Error("trap");
        },
      },
    );
    expect(debugErrorResponse(hostile, null).statusCode).toBe(500);
    const weird = new Error("weird");
    Object.defineProperty(weird, "stack", {
      get() {
        throw new Error("no stack for you");
      },
    });
    expect(await pageOf(weird)).toContain("Error: weird");
    const stackless = new Error("stackless");
    stackless.stack = undefined;
    expect(await pageOf(stackless)).toContain("No stack trace.");
  });

  test("takes the request line from the current request", async () => {
    const app = new Flagon("t");
    const html = await app
      .testRequestContext("/where?secret=1", { method: "POST", headers: { Cookie: "session=hunter2" } })
      .run(() => renderDebugPage(errorAt("x", "/no/such/file.ts", 1, 1)));
    expect(html).toContain("POST /where");
    expect(html).not.toContain("secret");
    expect(html).not.toContain("hunter2");
  });

  test("answers an unhandled view error in debug mode", async () => {
    const app = new Flagon("t");
    app.debug = true;
    app.logger = { debug() {}, info() {}, warn() {}, error() {} };
    app.get("/boom", () => callsFailDeep());
    const response = await app.testClient().get("/boom");
    expect(response.statusCode).toBe(500);
    expect(response.text).toContain("GET /boom");
    expect(response.text).toContain(`debug-thrower.ts</span>:<span class=line>${throwerLine("throw new RangeError")}</span>`);
  });
});

describe("parseStack", () => {
  test("reads names, files, lines and columns from V8's frames", () => {
    const [named, bare, url, native] = parseStack(
      [
        "Error: a",
        "  with a second message line",
        "    at Post.save [as persist] (/app/models.ts:12:7)",
        "    at /app/main.ts:3:1",
        "    at async file:///app/x%20y.mjs:1:2",
        "    at Array.map (<anonymous>)",
      ].join("\n"),
    );
    expect(named).toMatchObject({ functionName: "Post.save [as persist]", file: "/app/models.ts", line: 12, column: 7, isLibrary: false });
    expect(bare).toMatchObject({ functionName: "", file: "/app/main.ts", line: 3, column: 1 });
    expect(url).toMatchObject({ functionName: "async", file: "/app/x y.mjs", line: 1, column: 2 });
    expect(native).toMatchObject({ functionName: "Array.map", file: null, isLibrary: true });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
