/**
 * Server-side sessions: the cookie carries only a random, signed session id; the data
 * lives in a store (`MemoryStore` for one process, `RedisStore` for many processes and
 * machines). Nothing but the id reaches the client, sessions can be revoked by deleting
 * them, and `session.regenerate()` changes the id after a login (against fixation).
 *
 * @example
 * app.sessionInterface = new ServerSideSessionInterface({
 *   store: new RedisStore({ url: "redis://127.0.0.1:6379", prefix: "myapp:session:" }),
 * });
 */
import { randomBytes } from "node:crypto";
import { ServiceUnavailable, type Request, type Response } from "@flagon/werk";
import type { Redis, RedisOptions } from "ioredis";
import { LRUCache } from "lru-cache";
import {
  BaseSessionInterface,
  KeyRing,
  SecureCookieSession,
  isEmpty,
  sessionData,
  sessionJsonSerializer,
  type AsyncSessionInterface,
  type SessionApp,
  type SessionMixin,
} from "./sessions.js";
import { isPlainObject, type TaggedJSONSerializer } from "./tag.js";

/**
 * Where server-side sessions keep their data: serialised session text by id, each entry
 * living `ttl` seconds from its last write. Methods may return values or promises; a
 * store that cannot be reached throws (the request then gets a 503).
 */
export interface SessionStore {
  /** The text stored under `id`, or undefined when there is none (or it expired). */
  get(id: string): Promise<string | undefined> | string | undefined;
  /** Store `value` under `id` for `ttl` seconds. */
  set(id: string, value: string, ttl: number): Promise<void> | void;
  /** Remove the entry of `id`, if any. */
  delete(id: string): Promise<void> | void;
}

/** Options of `new MemoryStore()`. */
export interface MemoryStoreOptions {
  /** The most sessions kept; the least recently used go first. Default 10,000. */
  max?: number;
  /** The most characters of session data kept in all. Default 64 MiB worth. */
  maxSize?: number;
}

/**
 * Sessions in this process's memory, bounded (least recently used go first) and expiring
 * after their TTL. Lost on restart and not shared between processes or workers: use
 * `RedisStore` for those.
 */
export class MemoryStore implements SessionStore {
  readonly #cache: LRUCache<string, string>;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#cache = new LRUCache<string, string>({
      max: opts.max ?? 10_000,
      maxSize: opts.maxSize ?? 64 * 1024 * 1024,
      sizeCalculation: (value, key) => value.length + key.length,
      // Per-entry TTLs are given to `set`; this only turns TTL tracking on.
      ttl: 24 * 60 * 60 * 1000,
    });
  }

  /** The text stored under `id`, unless it expired. */
  get(id: string): string | undefined {
    return this.#cache.get(id);
  }

  /** Store `value` under `id` for `ttl` seconds. */
  set(id: string, value: string, ttl: number): void {
    this.#cache.set(id, value, { ttl: Math.max(1, ttl) * 1000 });
  }

  /** Remove the entry of `id`. */
  delete(id: string): void {
    this.#cache.delete(id);
  }

  /** How many sessions are stored (expired ones may still count until touched). */
  get size(): number {
    return this.#cache.size;
  }
}

/** Options of `new RedisStore()`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client to use (its owner closes it). Give it a `commandTimeout`, so that
   * a connection that hangs fails instead of holding requests; the store itself never
   * sends a command while the client is not ready.
   */
  client?: Redis;
  /** Where to connect when no client is given. Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Options for the client the store creates; they replace the store's defaults. */
  redisOptions?: RedisOptions;
  /** Put in front of every session id to make the Redis key. Default `"session:"`. */
  prefix?: string;
  /**
   * How long a request waits for a connection that is not ready (starting up, or
   * reconnecting) before the store is reported unavailable, in milliseconds. Default 1000.
   */
  readyTimeout?: number;
}

/**
 * Sessions in Redis, through ioredis: one string key per session (`prefix` + id) that
 * Redis expires after the session's TTL, so every process and machine sharing the Redis
 * sees the same sessions. While Redis is unreachable, requests that need a session get a
 * 503; the client reconnects by itself and requests succeed again once Redis is back.
 *
 * @example
 * const store = new RedisStore({ url: process.env.REDIS_URL, prefix: "shop:session:" });
 * app.sessionInterface = new ServerSideSessionInterface({ store });
 */
export class RedisStore implements SessionStore {
  /** The prefix of the Redis keys. */
  readonly prefix: string;
  readonly #readyTimeout: number;
  readonly #ownsClient: boolean;
  #client: Redis | Promise<Redis>;
  #waiting: Promise<void> | null = null;

  constructor(opts: RedisStoreOptions = {}) {
    this.prefix = opts.prefix ?? "session:";
    this.#readyTimeout = opts.readyTimeout ?? 1000;
    this.#ownsClient = opts.client === undefined;
    // ioredis is loaded only by apps that use this store.
    this.#client =
      opts.client ??
      import("ioredis").then(({ Redis }) => {
        const client = new Redis(opts.url ?? "redis://127.0.0.1:6379", {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 100, 1000),
          ...opts.redisOptions,
        });
        // Failures reach requests as 503s (and the app's log); no second report here.
        client.on("error", () => {});
        return (this.#client = client);
      });
  }

  /** The text stored under `id`. */
  async get(id: string): Promise<string | undefined> {
    const client = await this.#ready();
    return (await client.get(this.prefix + id)) ?? undefined;
  }

  /** Store `value` under `id`, expiring in `ttl` seconds. */
  async set(id: string, value: string, ttl: number): Promise<void> {
    const client = await this.#ready();
    await client.set(this.prefix + id, value, "EX", Math.max(1, Math.ceil(ttl)));
  }

  /** Remove the entry of `id`. */
  async delete(id: string): Promise<void> {
    const client = await this.#ready();
    await client.del(this.prefix + id);
  }

  /** Close the connection, if the store opened it. */
  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    const client = await this.#client;
    await client.quit().catch(() => client.disconnect());
  }

  // A command sent while the connection is down would wait in ioredis' queue or fail
  // obscurely; wait a bounded time for "ready" instead, shared by concurrent requests.
  async #ready(): Promise<Redis> {
    const client = await this.#client;
    if (client.status === "ready") return client;
    if (client.status === "end") throw new Error("The Redis connection of the session store was closed.");
    await (this.#waiting ??= new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.off("ready", onReady);
        reject(new Error(`Redis was not ready within ${this.#readyTimeout} ms (status "${client.status}").`));
      }, this.#readyTimeout);
      client.once("ready", onReady);
    }).finally(() => {
      this.#waiting = null;
    }));
    return client;
  }
}

// ---- sessions ----------------------------------------------------------------------------

const SID = Symbol("flagon.session.sid");
const PREVIOUS_SID = Symbol("flagon.session.previousSid");

/** A new session id: 32 random bytes, base64url (256 bits from the system's CSPRNG). */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

/** The shape of the ids `newSessionId` makes; anything else in a cookie is ignored. */
const SID_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * A session whose data lives in a store, under `sid`. It behaves like
 * `SecureCookieSession`, plus `regenerate()`.
 */
export class ServerSideSession extends SecureCookieSession {
  declare [SID]: string | undefined;
  declare [PREVIOUS_SID]: string | undefined;

  constructor(sid?: string, initial?: Record<string, unknown> | null, opts: { isNew?: boolean } = {}) {
    super(initial, opts);
    this[SID] = sid;
  }

  /** The session id (made on first use for a new session). */
  get sid(): string {
    return (this[SID] ??= newSessionId());
  }

  /**
   * Give the session a new id, keeping its data; the entry under the old id is deleted
   * when the response is saved. Call it when the user's privileges change (login) so an
   * id planted before cannot be used after (session fixation).
   */
  regenerate(): void {
    if (!this.isNew && this[PREVIOUS_SID] === undefined) this[PREVIOUS_SID] = this[SID];
    this[SID] = newSessionId();
    this.modified = true;
  }

  /** The id the session had before `regenerate()`, to delete on save. @internal */
  get previousSid(): string | undefined {
    return this[PREVIOUS_SID];
  }
}

/** Options of `new ServerSideSessionInterface()`. */
export interface ServerSideSessionOptions {
  /** Where sessions live. Default: a new `MemoryStore`. */
  store?: SessionStore;
  /** The salt of the cookie signature. Default `"server-session"`. */
  salt?: string;
  /** How session data is written to the store. Default: the session's tagged JSON. */
  serializer?: TaggedJSONSerializer;
}

/**
 * Sessions kept in a store, the cookie holding only the signed session id. Entries live
 * PERMANENT_SESSION_LIFETIME from their last write; the cookie follows the same rules as
 * the cookie interface (attributes, refresh, deletion when emptied). An unknown,
 * expired or tampered id gives a new session with a new id. A store that fails gives the
 * request a 503 (`ServiceUnavailable`), logged with the cause.
 *
 * Opening is asynchronous (`isAsync`): the app awaits it before the `beforeRequest`
 * hooks. Concurrent requests of one session each save their own copy: the last to
 * finish wins.
 */
export class ServerSideSessionInterface extends BaseSessionInterface implements AsyncSessionInterface<SessionApp> {
  readonly isAsync = true as const;
  /** Where sessions live. */
  readonly store: SessionStore;
  /** Signs the session id in the cookie. */
  readonly keyRing: KeyRing;
  /** Turns session data into the store's text and back. */
  readonly serializer: TaggedJSONSerializer;

  constructor(opts: ServerSideSessionOptions = {}) {
    super();
    this.store = opts.store ?? new MemoryStore();
    this.keyRing = new KeyRing(opts.salt ?? "server-session");
    this.serializer = opts.serializer ?? sessionJsonSerializer;
  }

  /**
   * The session named by the request's cookie, or a new one; without SECRET_KEY the null
   * session (returned here rather than null, so it needs no help from the caller).
   */
  async openSession(app: SessionApp, request: Request): Promise<SessionMixin> {
    if (this.keyRing.keys(app.config) === null) return this.makeNullSession(app);
    const signed = request.cookies.get(this.getCookieName(app));
    const sid = signed ? this.keyRing.unsign(signed, app.config) : null;
    if (sid === null || !SID_RE.test(sid)) return new ServerSideSession();
    let text: string | undefined;
    try {
      text = await this.store.get(sid);
    } catch (error) {
      throw unavailable(app, error);
    }
    if (text === undefined) return new ServerSideSession();
    let data: unknown;
    try {
      data = this.serializer.loads(text);
    } catch (error) {
      app.logger.warn(`Discarding unreadable server-side session data: ${String(error)}`);
    }
    return isPlainObject(data) ? new ServerSideSession(sid, data, { isNew: false }) : new ServerSideSession();
  }

  /** Never: asynchronous sessions are loaded on every request anyway, so refreshing needs no extra opening. */
  override needsRefresh(): boolean {
    return false;
  }

  /**
   * Store the session and send its cookie (by the cookie interface's rules); delete the
   * entry and the cookie of an emptied session, and the old entry of a regenerated one.
   * If the store fails, the response becomes a 503.
   */
  async saveSession(app: SessionApp, session: SessionMixin, response: Response): Promise<void> {
    if (!(session instanceof ServerSideSession)) {
      throw new TypeError("ServerSideSessionInterface can only save the sessions it opened (ServerSideSession).");
    }
    if (session.accessed) response.addVary("Cookie");
    const data = sessionData(session);
    const previous = session.previousSid;
    let cookie: "set" | "delete" | null = null;
    try {
      if (previous !== undefined) {
        await this.store.delete(previous);
        session[PREVIOUS_SID] = undefined;
      }
      if (isEmpty(data)) {
        if (!session.modified) return;
        if (!session.isNew) await this.store.delete(session.sid);
        cookie = "delete";
      } else if (this.shouldSetCookie(app, session)) {
        await this.store.set(session.sid, this.serializer.dumps(data), app.config.PERMANENT_SESSION_LIFETIME);
        cookie = "set";
      }
    } catch (error) {
      answerUnavailable(response, unavailable(app, error));
      return;
    }
    if (cookie === "delete") this.writeCookie(app, response, null);
    else if (cookie === "set") {
      this.writeCookie(app, response, this.keyRing.sign(session.sid, app.config), this.getExpirationTime(app, session));
    }
  }
}

/** The 503 for a failing store, logged with its cause. */
function unavailable(app: SessionApp, cause: unknown): ServiceUnavailable {
  app.logger.error("The session store is unavailable", cause);
  const error = new ServiceUnavailable("The session store is unavailable. Please try again in a moment.");
  error.cause = cause;
  return error;
}

// Saving happens after the response exists: it is turned into the 503 page, keeping the
// headers the view set.
function answerUnavailable(response: Response, error: ServiceUnavailable): void {
  response.status = 503;
  response.headers.set("Content-Type", "text/html; charset=utf-8");
  response.setData(error.getBody());
}
