// Server-side sessions: the signed id cookie, MemoryStore, RedisStore against a real
// redis-server (started by the test on a free port), regeneration, outages.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Flagon, session, type Response, type SessionMixin } from "flagon";
import { currentContext } from "../../packages/flagon/src/ctx.js";
import {
  MemoryStore,
  RedisStore,
  ServerSideSession,
  ServerSideSessionInterface,
  newSessionId,
  type SessionStore,
} from "../../packages/flagon/src/session-stores.js";
import type { AnySessionInterface } from "../../packages/flagon/src/sessions.js";
import type { FlagonClient } from "../../packages/flagon/src/testing.js";
import { makeApp as makeTestApp } from "./_helpers.js";
import { startRedis, type TestRedis } from "./_redis.js";

function makeApp(iface: ServerSideSessionInterface = new ServerSideSessionInterface()): Flagon & { logs: string[] } {
  const app = makeTestApp();
  (app as { sessionInterface: AnySessionInterface<Flagon> }).sessionInterface = iface;
  app.get("/set/<key>/<value>", ({ key, value }: { key: string; value: string }) => {
    session[key] = value;
    return "";
  });
  app.get("/", () => ({ ...session }));
  app.get("/regenerate", () => {
    (session as unknown as ServerSideSession).regenerate();
    return "";
  });
  app.get("/sid", () => (session as unknown as ServerSideSession).sid);
  app.get("/clear", () => {
    session.clear!();
    return "";
  });
  return app;
}

const clientOf = (app: Flagon): FlagonClient => app.testClient() as FlagonClient;
const sidOf = (client: FlagonClient): string | undefined => client.getCookie("session")?.value.split(".")[0];

/** A store that records calls and can be made to fail. */
class FlakyStore extends MemoryStore {
  failing = false;
  override get(id: string): string | undefined {
    if (this.failing) throw new Error("connection refused");
    return super.get(id);
  }
  override set(id: string, value: string, ttl: number): void {
    if (this.failing) throw new Error("connection refused");
    super.set(id, value, ttl);
  }
}

describe("server-side sessions (MemoryStore)", () => {
  test("the cookie carries only a signed random id; the data stays on the server", async () => {
    const store = new MemoryStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/user/ada");
    const cookie = client.getCookie("session")!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/]{43}$/);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.value).not.toContain("ada");
    const sid = sidOf(client)!;
    expect(JSON.parse(store.get(sid)!)).toEqual({ user: "ada" });
    expect((await client.get("/")).json).toEqual({ user: "ada" });
    expect((await client.get("/sid")).text).toBe(sid);
  });

  test("ids are 256-bit random base64url strings", () => {
    const ids = new Set(Array.from({ length: 100 }, newSessionId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(Buffer.from(id, "base64url")).toHaveLength(32);
  });

  test("regenerate() issues a new id, keeps the data and deletes the old entry", async () => {
    const store = new MemoryStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/user/ada");
    const oldCookie = client.getCookie("session")!.value;
    const oldSid = sidOf(client)!;
    await client.get("/regenerate");
    const newSid = sidOf(client)!;
    expect(newSid).not.toBe(oldSid);
    expect(store.get(oldSid)).toBeUndefined();
    expect((await client.get("/")).json).toEqual({ user: "ada" });
    // The old cookie (say, planted by an attacker before login) now opens an empty session.
    client.setCookie("session", oldCookie);
    expect((await client.get("/")).json).toEqual({});
  });

  test("an unsigned, tampered or unknown id never becomes the session's id", async () => {
    const app = makeApp();
    const client = clientOf(app);
    const planted = newSessionId();
    for (const value of [planted, `${planted}.forged`, "garbage", ""]) {
      client.setCookie("session", value);
      const rv = await client.get("/");
      expect([rv.statusCode, rv.json]).toEqual([200, {}]);
      await client.get("/set/a/1");
      expect(sidOf(client)).not.toBe(planted);
      client.deleteCookie("session");
    }
    // Signed by us, but no longer in the store (expired, logged out): a new id.
    await client.get("/set/a/1");
    const signedButGone = client.getCookie("session")!.value;
    await client.get("/clear");
    client.setCookie("session", signedButGone);
    await client.get("/set/b/2");
    expect(sidOf(client)).not.toBe(signedButGone.split(".")[0]);
    expect((await client.get("/")).json).toEqual({ b: "2" });
  });

  test("an emptied session deletes its entry and its cookie", async () => {
    const store = new MemoryStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/a/1");
    const sid = sidOf(client)!;
    const rv = await client.get("/clear");
    expect(rv.headers.get("Set-Cookie")).toMatch(/^session=; Expires=Thu, 01 Jan 1970/);
    expect(store.get(sid)).toBeUndefined();
    expect(client.getCookie("session")).toBeUndefined();
  });

  test("requests that leave the session alone write nothing and add no Vary", async () => {
    const store = new MemoryStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    app.get("/nothing", () => "");
    const client = clientOf(app);
    const rv = await client.get("/nothing");
    expect(rv.headers.get("Set-Cookie")).toBeUndefined();
    expect(rv.headers.get("Vary")).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test("permanent sessions get an expiring cookie and are refreshed on each request", async () => {
    const app = makeApp();
    app.get("/login", () => {
      session.user = 1;
      session.permanent = true;
      return "";
    });
    app.get("/nothing", () => "");
    const client = clientOf(app);
    expect((await client.get("/login")).headers.get("Set-Cookie")).toMatch(/Expires=/);
    const rv = await client.get("/nothing");
    expect(rv.headers.get("Set-Cookie")).toMatch(/^session=.+Expires=/);
    expect(rv.headers.get("Vary")).toBe("Cookie");
  });

  test("special types survive the store", async () => {
    const app = makeApp();
    app.get("/types", () => {
      session.d = new Date(5);
      session.b = Buffer.from("hi");
      session.m = new Map([[1, 2]]);
      return "";
    });
    const client = clientOf(app);
    await client.get("/types");
    await client.sessionTransaction((s: SessionMixin) => {
      expect(s.d).toEqual(new Date(5));
      expect(s.b).toEqual(Buffer.from("hi"));
      expect(s.m).toEqual(new Map([[1, 2]]));
    });
  });

  test("sessionTransaction reads and writes server-side sessions", async () => {
    const app = makeApp();
    const client = clientOf(app);
    await client.sessionTransaction((s: SessionMixin) => {
      s.user = "grace";
    });
    expect((await client.get("/")).json).toEqual({ user: "grace" });
  });

  test("without SECRET_KEY the session is the null session", async () => {
    const app = makeApp();
    app.config.SECRET_KEY = null;
    await expect(clientOf(app).get("/set/a/1")).rejects.toThrow(/session is unavailable/);
    await expect(clientOf(app).sessionTransaction(() => {})).rejects.toThrow(/did not open a session/);
  });

  test("the synchronous session explains that an asynchronous one must be loaded first", async () => {
    const app = makeApp();
    const ctx = app.testRequestContext();
    await ctx.run(async () => {
      expect(() => session.user).toThrow(/not loaded yet.*await ctx.loadSession\(\)/s);
      await ctx.loadSession();
      expect(session.user).toBeUndefined();
      session.user = 1;
      expect(await ctx.loadSession()).toBe(ctx.openedSession);
    });
  });

  test("a store failing on open gives a 503, logged with the cause", async () => {
    const store = new FlakyStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/a/1");
    store.failing = true;
    const rv = await client.get("/");
    expect(rv.statusCode).toBe(503);
    expect(rv.text).toContain("The session store is unavailable");
    expect(app.logs.some((line) => line.includes("The session store is unavailable") && line.includes("connection refused"))).toBe(true);
    store.failing = false;
    expect((await client.get("/")).json).toEqual({ a: "1" });
  });

  test("a store failing on save turns the response into a 503", async () => {
    const store = new FlakyStore();
    const iface = new ServerSideSessionInterface({ store });
    const app = makeApp(iface);
    app.get("/fail-on-save", () => {
      session.x = 1;
      store.failing = true;
      return "saved?";
    });
    app.afterRequest((response: Response) => response);
    const client = clientOf(app);
    const rv = await client.get("/fail-on-save");
    expect(rv.statusCode).toBe(503);
    expect(rv.headers.get("Set-Cookie")).toBeUndefined();
    store.failing = false;
  });
});

describe("MemoryStore", () => {
  test("is bounded: the least recently used session goes first", () => {
    const store = new MemoryStore({ max: 2 });
    store.set("a", "1", 60);
    store.set("b", "2", 60);
    store.get("a");
    store.set("c", "3", 60);
    expect([store.get("a"), store.get("b"), store.get("c")]).toEqual(["1", undefined, "3"]);
  });

  test("entries expire after their TTL", async () => {
    const store = new MemoryStore();
    store.set("a", "1", 1);
    store.set("b", "2", 60);
    expect(store.get("a")).toBe("1");
    await new Promise((r) => setTimeout(r, 1100));
    expect(store.get("a")).toBeUndefined();
    expect(store.get("b")).toBe("2");
  });

  test("stores a copy: changing a session after saving does not change the store", async () => {
    const store: SessionStore = new MemoryStore();
    const app = makeApp(new ServerSideSessionInterface({ store }));
    app.get("/push", () => {
      const list = (session.get!("list", []) as number[]).concat(1);
      session.list = list;
      return "";
    });
    const client = clientOf(app);
    await client.get("/push");
    await client.get("/push");
    expect((await client.get("/")).json).toEqual({ list: [1, 1] });
  });
});

describe("RedisStore (a real redis-server)", () => {
  let redis: TestRedis;
  let store: RedisStore;
  let raw: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    store = new RedisStore({ url: redis.url, prefix: "t:session:", readyTimeout: 300 });
    raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    raw.on("error", () => {});
    await raw.connect();
  }, 20_000);

  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
    await redis?.stop();
  });

  test("keeps sessions under the prefix, expiring after PERMANENT_SESSION_LIFETIME", async () => {
    const app = makeApp(new ServerSideSessionInterface({ store }));
    app.config.PERMANENT_SESSION_LIFETIME = 3600;
    const client = clientOf(app);
    await client.get("/set/user/ada");
    const sid = sidOf(client)!;
    expect(JSON.parse((await raw.get(`t:session:${sid}`))!)).toEqual({ user: "ada" });
    const ttl = await raw.ttl(`t:session:${sid}`);
    expect(ttl).toBeGreaterThan(3590);
    expect(ttl).toBeLessThanOrEqual(3600);
    expect((await client.get("/")).json).toEqual({ user: "ada" });
  });

  test("is shared: a second app on the same Redis sees the session", async () => {
    const first = clientOf(makeApp(new ServerSideSessionInterface({ store })));
    const otherStore = new RedisStore({ url: redis.url, prefix: "t:session:" });
    try {
      const second = makeApp(new ServerSideSessionInterface({ store: otherStore }));
      await first.get("/set/cart/3");
      const client = clientOf(second);
      client.setCookie("session", first.getCookie("session")!.value);
      expect((await client.get("/")).json).toEqual({ cart: "3" });
    } finally {
      await otherStore.close();
    }
  });

  test("regenerate() deletes the old key", async () => {
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/user/ada");
    const oldSid = sidOf(client)!;
    await client.get("/regenerate");
    expect(await raw.exists(`t:session:${oldSid}`)).toBe(0);
    expect(await raw.exists(`t:session:${sidOf(client)!}`)).toBe(1);
  });

  test("an emptied session deletes its key", async () => {
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/a/1");
    const sid = sidOf(client)!;
    await client.get("/clear");
    expect(await raw.exists(`t:session:${sid}`)).toBe(0);
  });

  test("Redis down gives a 503; requests succeed again once it is back", async () => {
    const app = makeApp(new ServerSideSessionInterface({ store }));
    const client = clientOf(app);
    await client.get("/set/user/ada");
    expect((await client.get("/")).json).toEqual({ user: "ada" });

    await redis.stop();
    const down = await client.get("/");
    expect(down.statusCode).toBe(503);
    expect(down.text).toContain("The session store is unavailable");
    expect(app.logs.some((line) => line.includes("ERROR") && line.includes("The session store is unavailable"))).toBe(true);

    await redis.start();
    // ioredis reconnects on its own (within about a second).
    let rv = await client.get("/set/user/ada");
    for (let i = 0; rv.statusCode === 503 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      rv = await client.get("/set/user/ada");
    }
    expect(rv.statusCode).toBe(200);
    // The restarted server is empty (no persistence): the data written after recovery is there.
    expect((await client.get("/")).json).toEqual({ user: "ada" });
  }, 20_000);
});
