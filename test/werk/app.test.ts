/**
 * A small application built on werk alone (Map + Request + Response + sendFromDirectory,
 * served by runSimple), as Werkzeug lets one build a framework. It checks that the
 * layers work together and that bad input from SPEC section 7 gets its 4xx while the
 * server goes on serving.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  HTTPException,
  InternalServerError,
  Map,
  Request,
  Response,
  Rule,
  routingError,
  runSimple,
  sendFromDirectory,
  type SimpleServer,
} from "@flagon/werk";

const root = mkdtempSync(join(tmpdir(), "werk-app-"));
mkdirSync(join(root, "static"));
writeFileSync(join(root, "static", "site.css"), "body { color: red }");
writeFileSync(join(root, "secret.txt"), "do not serve");

const urlMap = new Map([
  new Rule("/hello/<name>", { endpoint: "hello" }),
  new Rule("/json", { endpoint: "json", methods: ["POST"] }),
  new Rule("/form", { endpoint: "form", methods: ["POST"] }),
  new Rule("/cookies", { endpoint: "cookies" }),
  new Rule("/static/<path:filename>", { endpoint: "static" }),
  new Rule("/boom", { endpoint: "boom" }),
]);

async function dispatch(request: Request): Promise<Response> {
  const found = urlMap.bindToRequest(request).lookup();
  if (found.status !== 200) throw routingError(found);
  const values = found.values as Record<string, string>;
  switch (found.rule.endpoint) {
    case "hello":
      return new Response(`Hello ${values.name}`, { mimetype: "text/plain" });
    case "json":
      return new Response(JSON.stringify({ got: await request.getJson() }), { mimetype: "application/json" });
    case "form": {
      const form = await request.getForm();
      return new Response(`fields=${[...form.keys()].length}`);
    }
    case "cookies":
      return new Response(`cookies=${JSON.stringify(request.cookies.toObject())}`);
    case "static":
      return sendFromDirectory(join(root, "static"), values.filename!, request);
    default:
      throw new Error("a bug in a view");
  }
}

async function listener(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = new Request(req, {
    maxContentLength: 1024,
    maxFormParts: 10,
    trustedHosts: ["127.0.0.1", "localhost"],
  });
  let response: Response;
  try {
    response = await dispatch(request);
  } catch (err) {
    response = (err instanceof HTTPException ? err : new InternalServerError()).getResponse();
  } finally {
    await request.close();
  }
  await response.writeTo(res, request);
}

let server: SimpleServer;
const logLines: string[] = [];

beforeAll(async () => {
  server = await runSimple(listener, { port: 0, logger: (line) => void logLines.push(line) });
});
afterAll(async () => {
  await server.close();
});

interface Answer {
  status: number;
  body: string;
}

function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: server.port, path, method: opts.method ?? "GET", headers: { connection: "close", ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

async function expectStillServing(): Promise<void> {
  expect(await send("/hello/again")).toEqual({ status: 200, body: "Hello again" });
}

describe("a werk-only application", () => {
  test("routes, decodes UTF-8 paths and answers", async () => {
    expect(await send("/hello/%E4%B8%AD")).toEqual({ status: 200, body: "Hello 中" });
    expect((await send("/static/site.css")).body).toBe("body { color: red }");
    expect((await send("/json", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' })).body).toBe('{"got":{"a":1}}');
  });

  const badInputs: Array<[string, () => Promise<Answer>, number]> = [
    ["malformed percent-encoding", () => send("/hello/%zz"), 400],
    ["invalid UTF-8 in the path", () => send("/hello/%C3%28"), 400],
    ["an unknown URL", () => send("/nowhere"), 404],
    ["a wrong method", () => send("/json"), 405],
    ["an over-long URL", () => send(`/hello/${"x".repeat(20_000)}`), 431],
    ["an over-long header", () => send("/hello/x", { headers: { "x-big": "y".repeat(20_000) } }), 431],
    ["invalid JSON", () => send("/json", { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" }), 400],
    [
      "a body over the limit with Content-Length",
      () => send("/json", { method: "POST", headers: { "content-type": "application/json" }, body: `"${"a".repeat(5000)}"` }),
      413,
    ],
    [
      "a chunked body over the limit",
      () => send("/json", { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, body: `"${"a".repeat(5000)}"` }),
      413,
    ],
    [
      "a form with too many parts",
      () => send("/form", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Array.from({ length: 50 }, (_, i) => `f${i}=1`).join("&") }),
      413,
    ],
    ["path traversal in a static file", () => send("/static/../secret.txt"), 404],
    ["encoded path traversal", () => send("/static/%2E%2E/secret.txt"), 404],
    ["a Host outside the trusted hosts", () => send("/hello/x", { headers: { host: "evil.example" } }), 400],
    ["a view that throws", () => send("/boom"), 500],
  ];

  for (const [label, run, status] of badInputs) {
    test(`${label} gets ${status} and the server keeps serving`, async () => {
      const answer = await run();
      expect(answer.status).toBe(status);
      // Never a stack trace outside debug mode.
      expect(answer.body).not.toMatch(/\n\s+at /);
      await expectStillServing();
    });
  }

  test("garbled cookies are read as what can be read, never an error", async () => {
    const answer = await send("/cookies", { headers: { cookie: 'a=1; ;;; b="unterminated; =novalue; c=%E0%A4%A' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^cookies=\{.*"a":"1".*\}$/);
    await expectStillServing();
  });

  test("each request leaves one access-log line", () => {
    expect(logLines.some((line) => /"GET \/hello\/again HTTP\/1\.1" 200/.test(line))).toBe(true);
  });
});
