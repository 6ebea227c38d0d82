import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, test } from "vitest";
import {
  AppContext,
  AppCtxGlobals,
  afterThisRequest,
  copyCurrentContext,
  hasAppContext,
  hasRequestContext,
  type ContextApp,
} from "../../packages/flagon/src/ctx.js";
import { g, getCurrentObject, requestProxy, sessionProxy } from "../../packages/flagon/src/globals.js";

interface FakeRequest {
  path: string;
  describe(): string;
}

function fakeApp(log: string[] = []): ContextApp {
  return {
    name: "fake",
    createUrlAdapter: () => null,
    openSession: () => ({ accessed: false, user: "ada" }),
    doTeardownRequest: async (_ctx, error) => void log.push(`teardown_request:${String(error)}`),
    doTeardownAppcontext: async (_ctx, error) => void log.push(`teardown_appcontext:${String(error)}`),
  };
}

const request = requestProxy<FakeRequest>();
const session = sessionProxy<{ accessed: boolean; user?: string }>();

function makeRequest(path: string): FakeRequest {
  return {
    path,
    describe() {
      return `request for ${this.path}`;
    },
  };
}

describe("contexts", () => {
  test("proxies fail outside a context with a message that says what to do", () => {
    expect(() => g.x).toThrow(/Working outside of application context/);
    expect(() => request.path).toThrow(/Working outside of request context/);
    expect(() => session.user).toThrow(/testRequestContext/);
    expect(hasAppContext()).toBe(false);
    expect(hasRequestContext()).toBe(false);
  });

  test("an app context gives g but no request", async () => {
    const log: string[] = [];
    await new AppContext(fakeApp(log)).run(() => {
      g.value = 42;
      expect(g.value).toBe(42);
      expect(hasAppContext()).toBe(true);
      expect(hasRequestContext()).toBe(false);
      expect(() => request.path).toThrow(/outside of request context/);
    });
    expect(log).toEqual(["teardown_appcontext:undefined"]);
  });

  test("teardown receives the error and the error still propagates", async () => {
    const log: string[] = [];
    const boom = new Error("boom");
    await expect(
      new AppContext(fakeApp(log), { request: makeRequest("/") }).run(() => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(log).toEqual(["teardown_request:Error: boom", "teardown_appcontext:Error: boom"]);
  });

  test("proxies forward reads, writes, methods, `in` and keys to the current object", async () => {
    await new AppContext(fakeApp(), { request: makeRequest("/a") }).run(() => {
      expect(request.path).toBe("/a");
      expect(request.describe()).toBe("request for /a");
      expect("path" in request).toBe(true);
      expect(Object.keys(request)).toEqual(["path", "describe"]);
      expect(getCurrentObject(request).path).toBe("/a");
      g.user = "ada";
      expect(g.get("user")).toBe("ada");
      expect(g.get("missing", "fallback")).toBe("fallback");
      expect(g.setDefault("user", "bob")).toBe("ada");
      expect(g.has("user")).toBe(true);
      expect(g.pop("user")).toBe("ada");
      expect(() => g.pop("user")).toThrow(/pass a fallback/);
      expect(g.pop("user", null)).toBeNull();
      expect(getCurrentObject(g)).toBeInstanceOf(AppCtxGlobals);
    });
  });

  test("the session opens on first access and is marked accessed", async () => {
    let opened = 0;
    const app = { ...fakeApp(), openSession: () => (opened++, { accessed: false, user: "ada" }) };
    const ctx = new AppContext(app, { request: makeRequest("/") });
    await ctx.run(() => {
      expect(ctx.openedSession).toBeNull();
      expect(session.user).toBe("ada");
      expect(session.user).toBe("ada");
      expect(ctx.openedSession?.accessed).toBe(true);
    });
    expect(opened).toBe(1);
  });

  test("overlapping async requests never see each other's request or g", async () => {
    const seen: string[] = [];
    const handle = (path: string, delay: number) =>
      new AppContext(fakeApp(), { request: makeRequest(path) }).run(async () => {
        g.path = path;
        await sleep(delay);
        seen.push(`${request.path}=${String(g.path)}`);
        await Promise.resolve();
        expect(request.path).toBe(path);
        expect(g.path).toBe(path);
      });
    await Promise.all([handle("/slow", 30), handle("/fast", 5), handle("/middle", 15)]);
    expect(seen).toEqual(["/fast=/fast", "/middle=/middle", "/slow=/slow"]);
  });

  test("afterThisRequest collects callbacks on the current request", async () => {
    const ctx = new AppContext(fakeApp(), { request: makeRequest("/") });
    await ctx.run(() => {
      const fn = afterThisRequest((response: unknown) => response);
      expect(ctx.afterRequestFunctions).toEqual([fn]);
    });
    expect(() => afterThisRequest(() => undefined)).toThrow(/outside of request context/);
  });

  test("copyCurrentContext carries the request into later callbacks", async () => {
    let later: (() => string) | undefined;
    await new AppContext(fakeApp(), { request: makeRequest("/kept") }).run(() => {
      later = copyCurrentContext(() => request.path);
    });
    expect(later!()).toBe("/kept");
  });
});
