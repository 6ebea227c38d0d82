import { describe, expect, test } from "vitest";
import { Flagon, Response, g, handleFetch, request } from "flagon";

/** An app whose logger keeps its messages instead of printing them. */
function makeApp(): Flagon & { logs: string[] } {
  const app = new Flagon("t") as Flagon & { logs: string[] };
  app.logs = [];
  const keep = (message: string, ...args: unknown[]): void => {
    app.logs.push([message, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(" "));
  };
  app.logger = { debug: keep, info: keep, warn: keep, error: keep };
  return app;
}

const fetchApp = (app: Flagon, url: string, init?: RequestInit): Promise<globalThis.Response> =>
  handleFetch(app, new Request(new URL(url, "http://localhost"), init));

/** A body of `chunks` chunks of `size` bytes, counting how many were pulled. */
function countedBody(chunks: number, size: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(97));
    },
  });
  return { body, pulled: () => pulled };
}

describe("handleFetch", () => {
  test("answers a GET with the view's text, reading the query string", async () => {
    const app = makeApp();
    app.get("/x", () => `y=${request.args.get("y")} ${request.method} ${request.url}`);
    const response = await fetchApp(app, "http://localhost/x?y=1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await response.text()).toBe("y=1 GET http://localhost/x?y=1");
  });

  test("passes a JSON body to the view and JSON back", async () => {
    const app = makeApp();
    app.post("/echo", () => ({ got: request.json }));
    const response = await fetchApp(app, "/echo", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ a: [1, 2] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ got: { a: [1, 2] } });
  });

  test("parses urlencoded and multipart forms", async () => {
    const app = makeApp();
    app.post("/form", async () => ({ name: request.form.get("name"), file: (await request.getFiles()).get("f")?.filename ?? null }));
    const urlencoded = await fetchApp(app, "/form", { method: "POST", body: new URLSearchParams({ name: "Ada" }) });
    expect(await urlencoded.json()).toEqual({ name: "Ada", file: null });
    const form = new FormData();
    form.append("name", "Grace");
    form.append("f", new Blob(["hello"]), "a.txt");
    const multipart = await fetchApp(app, "/form", { method: "POST", body: form });
    expect(await multipart.json()).toEqual({ name: "Grace", file: "a.txt" });
  });

  test("round-trips status, headers and cookies", async () => {
    const app = makeApp();
    app.get("/c", () => {
      const response = new Response(`theme=${request.cookies.get("theme")} ${request.headers.get("X-Custom")}`, { status: 201 });
      response.headers.set("X-Reply", "yes");
      response.setCookie("a", "1", { httpOnly: true });
      response.setCookie("b", "2");
      return response;
    });
    const response = await fetchApp(app, "/c", { headers: { Cookie: "theme=dark", "X-Custom": "hi" } });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe("Created");
    expect(response.headers.get("x-reply")).toBe("yes");
    expect(response.headers.getSetCookie()).toEqual(["a=1; HttpOnly; Path=/", "b=2; Path=/"]);
    expect(await response.text()).toBe("theme=dark hi");
  });

  test("takes the scheme and host from the URL and the client address from the options", async () => {
    const app = makeApp();
    app.get("/where", () => ({ scheme: request.scheme, host: request.host, remote: request.remoteAddr ?? null }));
    const response = await handleFetch(app, new Request("https://example.com:8443/where"), { remoteAddress: "10.0.0.7" });
    expect(await response.json()).toEqual({ scheme: "https", host: "example.com:8443", remote: "10.0.0.7" });
  });

  test("answers HEAD with the GET view's headers and no body", async () => {
    const app = makeApp();
    app.get("/h", () => "hello");
    const response = await fetchApp(app, "/h", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe("5");
    expect(response.body).toBeNull();
  });

  test("answers 404 and 405 (with Allow)", async () => {
    const app = makeApp();
    app.get("/only-get", () => "x");
    expect((await fetchApp(app, "/missing")).status).toBe(404);
    const response = await fetchApp(app, "/only-get", { method: "DELETE" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
  });

  test("streams an async iterable body, in the request's context, tearing down at its end", async () => {
    const app = makeApp();
    const events: string[] = [];
    app.teardownRequest(() => {
      events.push(`teardown ${request.path}`);
    });
    app.get("/stream", () => {
      g.count = 0;
      return (async function* () {
        for (let i = 0; i < 3; i++) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          g.count = (g.count as number) + 1;
          yield `${request.path}:${i};`;
        }
      })();
    });
    const response = await fetchApp(app, "/stream");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBeNull();
    expect(events).toEqual([]);
    expect(await response.text()).toBe("/stream:0;/stream:1;/stream:2;");
    expect(events).toEqual(["teardown /stream"]);
  });

  test("tears down and closes the view's iterator when the consumer cancels the stream", async () => {
    const app = makeApp();
    const events: string[] = [];
    app.teardownRequest(() => {
      events.push("teardown");
    });
    app.get("/forever", () =>
      (async function* () {
        try {
          for (let i = 0; ; i++) yield `${i}\n`;
        } finally {
          events.push("generator closed");
        }
      })(),
    );
    const response = await fetchApp(app, "/forever");
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("0\n");
    await reader.cancel();
    expect(events).toEqual(["generator closed", "teardown"]);
  });

  test("logs a streamed body that fails midway and cuts the stream", async () => {
    const app = makeApp();
    app.get("/broken", () =>
      (async function* () {
        yield "first";
        throw new Error("stream broke");
      })(),
    );
    const response = await fetchApp(app, "/broken");
    await expect(response.text()).rejects.toThrow("stream broke");
    expect(app.logs.some((line) => line.includes("stream broke"))).toBe(true);
  });

  test("answers 500 when a streamed body fails before its first chunk", async () => {
    const app = makeApp();
    app.get("/broken-early", () =>
      (async function* () {
        throw new Error("no chunk at all");
      })(),
    );
    const response = await fetchApp(app, "/broken-early");
    expect(response.status).toBe(500);
    expect(app.logs.some((line) => line.includes("no chunk at all"))).toBe(true);
  });

  test("answers 413 for a declared Content-Length over MAX_CONTENT_LENGTH, without reading the body", async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 1000;
    app.post("/upload", () => ({ size: request.data.length }));
    const { body, pulled } = countedBody(100, 1000);
    const response = await handleFetch(
      app,
      new Request("http://localhost/upload", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Content-Length": "100000" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThan(5);
  });

  test("answers 413 for a streamed body growing past MAX_CONTENT_LENGTH, and stops reading it", async () => {
    const app = makeApp();
    app.config.MAX_CONTENT_LENGTH = 10_000;
    app.post("/upload", () => ({ size: request.data.length }));
    const { body, pulled } = countedBody(1000, 1000);
    const response = await fetchApp(app, "/upload", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThan(50);
  });

  test("reads a large streamed body whole", async () => {
    const app = makeApp();
    app.post("/big", async () => ({ size: (await request.getData()).length }));
    const { body, pulled } = countedBody(512, 16 * 1024);
    const response = await fetchApp(app, "/big", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await response.json()).toEqual({ size: 512 * 16 * 1024 });
    expect(pulled()).toBe(512);
  });

  test("answers a view error with a logged 500 in production", async () => {
    const app = makeApp();
    const torn: unknown[] = [];
    app.teardownRequest((error: unknown) => {
      torn.push(error);
    });
    app.get("/fail", () => {
      throw new Error("view failed");
    });
    const response = await fetchApp(app, "/fail");
    expect(response.status).toBe(500);
    expect(await response.text()).toContain("Internal Server Error");
    expect(app.logs.some((line) => line.includes("Exception on /fail [GET]") && line.includes("view failed"))).toBe(true);
    expect(torn).toHaveLength(1);
  });

  test("rejects with the view's error when TESTING is on, after tearing down", async () => {
    const app = makeApp();
    app.testing = true;
    const torn: unknown[] = [];
    app.teardownRequest((error: unknown) => {
      torn.push(error);
    });
    app.get("/fail", () => {
      throw new Error("view failed");
    });
    await expect(fetchApp(app, "/fail")).rejects.toThrow("view failed");
    expect(torn).toEqual([expect.objectContaining({ message: "view failed" })]);
  });

  test("answers a view error with the debug page when DEBUG is on", async () => {
    const app = makeApp();
    app.debug = true;
    app.get("/fail", () => {
      throw new Error("view <failed>");
    });
    const response = await fetchApp(app, "/fail");
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain("view &lt;failed&gt;");
    expect(html).toContain("GET /fail");
    expect(html).toContain("fetch.test.ts");
  });
});
