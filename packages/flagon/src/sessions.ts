/**
 * Sessions (Flask's `flask.sessions`): the `SessionInterface` the application talks to
 * (open a session for a request, save it into the response), the dict-like session
 * objects, and the default interface, which keeps the session in a signed cookie.
 *
 * The cookie holds tagged JSON, base64url, a timestamp and an HMAC-SHA256 signature
 * (in cookie-signature's form: unpadded base64) under a key derived from SECRET_KEY: the
 * client can read the data but not change it. Keep secrets out of it, or use
 * `ServerSideSessionInterface`.
 */
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";
import { deflateSync, inflateSync } from "node:zlib";
import { cookieSizeWarning, dumpCookie, type Request, type Response } from "@flagon/werk";
import type { ConfigValues } from "./config.js";
import type { Logger } from "./logging.js";
import { isPlainObject, TaggedJSONSerializer } from "./tag.js";

/** What every session offers on top of its keys (Flask's `SessionMixin`). */
export interface SessionMixin {
  [key: string]: unknown;
  /** Whether a handler read or wrote the session (adds `Vary: Cookie`). */
  accessed: boolean;
  /** Whether the data changed and must be saved. Set it by hand after changing a nested value. */
  modified: boolean;
  /** Whether the session lives for PERMANENT_SESSION_LIFETIME instead of the browser session. */
  permanent: boolean;
  /** Whether the session was just created (no valid cookie came with the request). */
  isNew: boolean;
  // Flagon's sessions have these helpers; a custom session may be a plain object without them.
  /** The value of `key`, or `fallback` when it is not set. */
  get?(key: string, fallback?: unknown): unknown;
  /** Remove `key` and return its value (or `fallback`; without one a missing key throws). */
  pop?(key: string, ...fallback: [unknown?]): unknown;
  /** Set `key` to `value` unless it is set; return its value. */
  setDefault?(key: string, value?: unknown): unknown;
  /** Remove every key. */
  clear?(): void;
}

/**
 * A session with its helpers: what `session` is inside a request with Flagon's own
 * interfaces (custom sessions should extend `SecureCookieSession` to offer them too).
 */
export type Session = SessionMixin & Required<Pick<SessionMixin, "get" | "pop" | "setDefault" | "clear">>;

/** The parts of the application the session interfaces use; `Flagon` has them. */
export interface SessionApp {
  readonly config: ConfigValues;
  readonly logger: Logger;
}

/**
 * Open and save sessions; assign an implementation to `app.sessionInterface` (Flask's
 * `SessionInterface`). An interface whose `openSession` returns a promise sets `isAsync`,
 * so the app awaits the session (`ctx.loadSession()`) before the `beforeRequest` hooks.
 */
export interface SessionInterface<App = unknown> {
  /** True when `openSession` returns a promise (a session kept in a store). */
  readonly isAsync?: boolean;
  /** The session for a request, or null when none can be had (a null session is used). */
  openSession(app: App, request: Request): SessionMixin | null;
  /** Write the session into the response (cookie, store, or nothing). */
  saveSession(app: App, session: SessionMixin, response: Response): void | Promise<void>;
  /** A session that refuses writes, used when `openSession` gives none. */
  makeNullSession(app: App): SessionMixin;
  /** Whether a session is the null session (not saved). */
  isNullSession(session: SessionMixin): boolean;
  /**
   * Whether a request that never touched the session must still have it opened and saved:
   * a permanent session is refreshed on every request under SESSION_REFRESH_EACH_REQUEST,
   * as Flask (which always opens the session) does. Optional; absent means no.
   */
  needsRefresh?(app: App, request: Request): boolean;
}

/** A session interface whose sessions come from a store: `openSession` returns a promise. */
export interface AsyncSessionInterface<App = unknown> extends Omit<SessionInterface<App>, "openSession" | "isAsync"> {
  readonly isAsync: true;
  /** The session for a request, or null when none can be had. */
  openSession(app: App, request: Request): Promise<SessionMixin | null>;
}

/** Either kind of session interface. */
export type AnySessionInterface<App = unknown> = SessionInterface<App> | AsyncSessionInterface<App>;

// ---- session objects ---------------------------------------------------------------

// Where a session keeps its data (a null-prototype object).
const SESSION_DATA = Symbol("flagon.session.data");
const SET_ITEM = Symbol("flagon.session.setItem");
const DELETE_ITEM = Symbol("flagon.session.deleteItem");

// A key names an attribute of the session (a flag, a method, a subclass field) when the
// session object has it; every other string key is a data key.
const isAttribute = (target: object, key: string | symbol): boolean =>
  typeof key === "symbol" || (key !== "__proto__" && key in target);

const SESSION_HANDLER: ProxyHandler<SecureCookieSession> = {
  get(target, key) {
    if (isAttribute(target, key)) return Reflect.get(target, key, target);
    // Promise resolution probes `then` on every value it settles with: not an access.
    if (key === "then") return target[SESSION_DATA].then;
    target.accessed = true;
    return target[SESSION_DATA][key as string];
  },
  set(target, key, value) {
    if (!isAttribute(target, key)) {
      target[SET_ITEM](key as string, value);
      return true;
    }
    if (typeof key === "string" && typeof Reflect.get(target, key, target) === "function") {
      throw new TypeError(
        `"${key}" is a method of the session and cannot be assigned. Store the value under another key ` +
          "(session keys named like session methods and flags are reachable only through session.get).",
      );
    }
    return Reflect.set(target, key, value, target);
  },
  deleteProperty(target, key) {
    if (isAttribute(target, key)) {
      if (typeof key === "symbol") return Reflect.deleteProperty(target, key);
      throw new TypeError(`"${key}" is an attribute of the session, not a key, and cannot be deleted.`);
    }
    target[DELETE_ITEM](key as string);
    return true;
  },
  has(target, key) {
    if (typeof key === "symbol") return Reflect.has(target, key);
    target.accessed = true;
    return Object.hasOwn(target[SESSION_DATA], key);
  },
  ownKeys(target) {
    target.accessed = true;
    return Reflect.ownKeys(target[SESSION_DATA]);
  },
  getOwnPropertyDescriptor(target, key) {
    if (typeof key === "symbol") return Reflect.getOwnPropertyDescriptor(target, key);
    const data = target[SESSION_DATA];
    if (!Object.hasOwn(data, key)) return undefined;
    return { value: data[key], writable: true, enumerable: true, configurable: true };
  },
  // Class fields of subclasses are defined, not assigned: they stay attributes.
  defineProperty(target, key, descriptor) {
    return Reflect.defineProperty(target, key, descriptor);
  },
};

/**
 * A session that behaves like a plain object (Flask's `SecureCookieSession`): keys are
 * read, set and deleted as properties, `"user" in session` and `Object.keys(session)`
 * see only the data. Setting or deleting a key marks the session `modified`; reading
 * marks it `accessed`. Changes inside nested values are not seen: after
 * `session.cart.push(item)`, set `session.modified = true` (or assign `session.cart` again).
 *
 * The flags `accessed`, `modified`, `permanent`, `isNew` and the methods `get`, `pop`,
 * `setDefault`, `clear` are attributes, never keys; a key with one of those names is
 * reached with `session.get(name)`. `permanent` is stored as the `_permanent` key, as in
 * Flask. Subclasses keep their own state in class fields, symbol keys or accessors.
 *
 * @example
 * session.user = "ada";
 * session.permanent = true;
 * delete session.cart;
 * session.get("theme", "light");
 */
export class SecureCookieSession implements SessionMixin {
  [key: string]: unknown;
  /** Whether a handler read or wrote the session (adds `Vary: Cookie`). */
  accessed = false;
  /** Whether the data changed and must be saved. */
  modified = false;
  /** Whether the session was just created (no valid cookie came with the request). */
  isNew: boolean;
  /** The data. @internal */
  declare [SESSION_DATA]: Record<string, unknown>;

  constructor(initial?: Record<string, unknown> | null, opts: { isNew?: boolean } = {}) {
    this.isNew = opts.isNew ?? initial == null;
    this[SESSION_DATA] = Object.assign(Object.create(null), initial);
    return new Proxy(this, SESSION_HANDLER);
  }

  /** Whether the session outlives the browser session (the `_permanent` key). */
  get permanent(): boolean {
    return this[SESSION_DATA]._permanent === true;
  }
  set permanent(value: boolean) {
    this[SET_ITEM]("_permanent", Boolean(value));
  }

  /** The value of `key`, or `fallback` when it is not set. */
  get(key: string, fallback?: unknown): unknown {
    this.accessed = true;
    const data = this[SESSION_DATA];
    return Object.hasOwn(data, key) ? data[key] : fallback;
  }

  /** Remove `key` and return its value (or `fallback`; without one a missing key throws). */
  pop(key: string, ...fallback: [unknown?]): unknown {
    const data = this[SESSION_DATA];
    if (Object.hasOwn(data, key)) {
      const value = data[key];
      this[DELETE_ITEM](key);
      return value;
    }
    this.accessed = true;
    if (fallback.length) return fallback[0];
    throw new Error(`The session has no key "${key}"; pass a fallback to pop() to allow a missing one.`);
  }

  /** Set `key` to `value` unless it is set; return its value. */
  setDefault(key: string, value?: unknown): unknown {
    const data = this[SESSION_DATA];
    if (!Object.hasOwn(data, key)) this[SET_ITEM](key, value);
    this.accessed = true;
    return data[key];
  }

  /** Remove every key (the cookie is deleted when the response is saved). */
  clear(): void {
    this[SESSION_DATA] = Object.create(null);
    this.accessed = true;
    this.modified = true;
  }

  /** The data as a plain object, for `JSON.stringify(session)`. */
  toJSON(): Record<string, unknown> {
    return { ...this[SESSION_DATA] };
  }

  /** Store a key (what assignment does); subclasses refuse here. @internal */
  [SET_ITEM](key: string, value: unknown): void {
    this[SESSION_DATA][key] = value;
    this.accessed = true;
    this.modified = true;
  }

  /** Remove a key (what `delete` does). @internal */
  [DELETE_ITEM](key: string): void {
    const data = this[SESSION_DATA];
    this.accessed = true;
    if (!Object.hasOwn(data, key)) return;
    delete data[key];
    this.modified = true;
  }

  /** How `console.log` and `util.inspect` show the session: its class and data. */
  [inspect.custom](_depth: number, options: object, show: typeof inspect): string {
    return `${this.constructor.name} ${show({ ...this[SESSION_DATA] }, options)}`;
  }
}

// Flask's message; the test suites look for "session is unavailable".
function refuse(): never {
  throw new Error(
    "The session is unavailable because no secret key was set. Set app.config.SECRET_KEY " +
      "(a long random string) to use sessions.",
  );
}

/**
 * The session used when the interface opens none (no SECRET_KEY): it reads as empty,
 * and every write explains that a secret key is needed (Flask's `NullSession`).
 */
export class NullSession extends SecureCookieSession {
  override pop(): never {
    return refuse();
  }
  override setDefault(): never {
    return refuse();
  }
  override clear(): never {
    return refuse();
  }
  override [SET_ITEM](): never {
    return refuse();
  }
  override [DELETE_ITEM](): never {
    return refuse();
  }
}

/** A new null session: readable (empty), every write throws an error asking for SECRET_KEY. */
export function createNullSession(): SessionMixin {
  return new NullSession();
}

/** Whether a session is a null session. */
export function isNullSession(session: SessionMixin): boolean {
  return session instanceof NullSession;
}

/** The data of a session as a plain record (its own store for Flagon's sessions). @internal */
export function sessionData(session: SessionMixin): Record<string, unknown> {
  return session instanceof SecureCookieSession ? session[SESSION_DATA] : { ...session };
}

// ---- signing -------------------------------------------------------------------------

/**
 * The signing key for a secret: HMAC-SHA256 of the salt under the secret (itsdangerous'
 * "hmac" key derivation), so one SECRET_KEY gives unrelated keys for unrelated uses.
 */
export function deriveKey(secret: string | Buffer, salt: string): Buffer {
  return createHmac("sha256", secret).update(salt).digest();
}

/**
 * Signs with the app's SECRET_KEY and verifies with it or any of SECRET_KEY_FALLBACKS,
 * for one salt. Keys are derived once per change of the configured secrets.
 */
export class KeyRing {
  readonly salt: string;
  #secret: unknown = undefined;
  #fallbacks: ReadonlyArray<unknown> | null = null;
  #keys: KeyObject[] | null = null;

  constructor(salt: string) {
    this.salt = salt;
  }

  /**
   * The derived keys, newest (SECRET_KEY) first; null without a SECRET_KEY. They are
   * `KeyObject`s: HMAC with a prepared key skips importing the key bytes on every call.
   */
  keys(config: ConfigValues): KeyObject[] | null {
    const secret = config.SECRET_KEY;
    if (!secret) return null;
    const fallbacks = config.SECRET_KEY_FALLBACKS ?? NO_FALLBACKS;
    if (secret !== this.#secret || !sameItems(fallbacks, this.#fallbacks)) {
      const all = [secret, ...fallbacks.filter(Boolean)];
      this.#keys = all.map((key) => createSecretKey(deriveKey(key as string | Buffer, this.salt)));
      this.#secret = secret;
      this.#fallbacks = [...fallbacks];
    }
    return this.#keys;
  }

  /** `value` + "." + its signature under the newest key. Throws without SECRET_KEY. */
  sign(value: string, config: ConfigValues): string {
    const keys = this.keys(config);
    if (keys === null) throw new Error("Cannot sign without app.config.SECRET_KEY.");
    // A 32-byte digest is 43 base64 characters and one "=", which is dropped.
    return `${value}.${createHmac("sha256", keys[0]!).update(value).digest("base64").slice(0, SIGNATURE_CHARS)}`;
  }

  /**
   * The value a signed string carries when any accepted key verifies it, else null.
   * The signature (cookie-signature's unpadded base64 HMAC-SHA256) is compared as the
   * 32 bytes it decodes to, in constant time, as itsdangerous compares digests.
   */
  unsign(signed: string, config: ConfigValues): string | null {
    const keys = this.keys(config);
    if (keys === null) return null;
    const dot = signed.lastIndexOf(".");
    if (dot < 0 || signed.length - dot - 1 !== SIGNATURE_CHARS) return null;
    const given = Buffer.from(signed.slice(dot + 1), "base64");
    if (given.length !== SIGNATURE_BYTES) return null;
    const value = signed.slice(0, dot);
    for (let i = 0; i < keys.length; i++) {
      if (timingSafeEqual(createHmac("sha256", keys[i]!).update(value).digest(), given)) return value;
    }
    return null;
  }
}

const NO_FALLBACKS: readonly unknown[] = Object.freeze([]);
// An HMAC-SHA256 digest, and its length in unpadded base64.
const SIGNATURE_BYTES = 32;
const SIGNATURE_CHARS = 43;

function sameItems(a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown> | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Every cookie signed in the same second carries the same timestamp: encode it once.
let stampedSecond = -1;
let stamp = "";

/** Seconds as itsdangerous writes them: the big-endian bytes, without leading zeros, base64url. */
function encodeTimestamp(seconds: number): string {
  if (seconds !== stampedSecond) {
    const hex = seconds.toString(16);
    stamp = Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex").toString("base64url");
    stampedSecond = seconds;
  }
  return stamp;
}

// base64url digit values by char code; -1 for anything else.
const BASE64URL_DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  BASE64URL_DIGITS["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charCodeAt(i)] = i;
}

/** The seconds `encodeTimestamp` wrote (1 to 6 big-endian bytes, unpadded base64url); NaN if garbled. */
function decodeTimestamp(text: string): number {
  // Decoded here rather than through a Buffer: it is at most 8 characters, on every request.
  const length = text.length;
  if (length < 2 || length > 8 || length % 4 === 1) return NaN;
  let bits = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? BASE64URL_DIGITS[code]! : -1;
    if (digit < 0) return NaN;
    bits = bits * 64 + digit;
  }
  // The last character carries bits past the final byte; they are dropped, as a decoder does.
  const spare = (length * 6) % 8;
  return Math.floor(bits / 2 ** spare);
}

// A signed cookie from a clock a little ahead is accepted, so that servers whose clocks
// differ by seconds do not reject each other's cookies.
const CLOCK_SKEW = 60;
// Payloads up to this many bytes are never worth compressing.
const COMPRESS_FROM = 256;
// The most a compressed payload may inflate to: far above any cookie, far below harm.
const MAX_INFLATED = 1 << 20;

/**
 * Dumps and loads signed, timestamped, tagged-JSON payloads, as itsdangerous'
 * `URLSafeTimedSerializer`: `payload.timestamp.signature`, the payload being base64url
 * JSON, or "." and base64url zlib when that is shorter.
 */
export class TimedSerializer {
  readonly keyRing: KeyRing;
  readonly serializer: TaggedJSONSerializer;

  constructor(salt: string, serializer: TaggedJSONSerializer) {
    this.keyRing = new KeyRing(salt);
    this.serializer = serializer;
  }

  /** The signed form of `value`, timestamped now. */
  dumps(value: unknown, config: ConfigValues): string {
    const json = Buffer.from(this.serializer.dumps(value), "utf8");
    // zlib cannot shrink a small payload (its header alone costs bytes), and a compressor
    // per response is the most expensive step of a session save: only try past 256 bytes.
    let payload = json.toString("base64url");
    if (json.length > COMPRESS_FROM) {
      const compressed = deflateSync(json);
      if (compressed.length < json.length - 1) payload = `.${compressed.toString("base64url")}`;
    }
    return this.keyRing.sign(`${payload}.${encodeTimestamp(Math.floor(Date.now() / 1000))}`, config);
  }

  /**
   * The value of a signed string, or undefined when it is not valid: a bad signature
   * (tampered, or signed with a key no longer accepted), signed more than `maxAge`
   * seconds ago, or garbled.
   */
  loads(signed: string, config: ConfigValues, maxAge: number): unknown {
    const value = this.keyRing.unsign(signed, config);
    if (value === null) return undefined;
    const dot = value.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const age = Math.floor(Date.now() / 1000) - decodeTimestamp(value.slice(dot + 1));
    if (!(age <= maxAge && age >= -CLOCK_SKEW)) return undefined;
    const payload = value.slice(0, dot);
    try {
      const json =
        payload.startsWith(".")
          ? inflateSync(Buffer.from(payload.slice(1), "base64url"), { maxOutputLength: MAX_INFLATED })
          : Buffer.from(payload, "base64url");
      return this.serializer.loads(json.toString("utf8"));
    } catch {
      return undefined;
    }
  }
}

// ---- interfaces ------------------------------------------------------------------------

/**
 * The part of a session interface every implementation shares (Flask's
 * `SessionInterface` class): cookie attributes from the SESSION_COOKIE_* settings, the
 * rule for when the cookie is written, null sessions. Subclass it and implement
 * `openSession` and `saveSession`.
 */
export abstract class BaseSessionInterface {
  /** The session used when `openSession` returns null. */
  makeNullSession(_app: SessionApp): SessionMixin {
    return new NullSession();
  }

  /** Whether a session is the null session (never saved). */
  isNullSession(session: SessionMixin): boolean {
    return session instanceof NullSession;
  }

  /** The cookie name: SESSION_COOKIE_NAME. */
  getCookieName(app: SessionApp): string {
    return app.config.SESSION_COOKIE_NAME;
  }

  /** The cookie's Domain (SESSION_COOKIE_DOMAIN); null sends it to the exact host only. */
  getCookieDomain(app: SessionApp): string | null {
    return app.config.SESSION_COOKIE_DOMAIN || null;
  }

  /** The cookie's Path: SESSION_COOKIE_PATH, else APPLICATION_ROOT. */
  getCookiePath(app: SessionApp): string {
    return app.config.SESSION_COOKIE_PATH || app.config.APPLICATION_ROOT || "/";
  }

  /** Whether the cookie is HttpOnly: SESSION_COOKIE_HTTPONLY. */
  getCookieHttponly(app: SessionApp): boolean {
    return Boolean(app.config.SESSION_COOKIE_HTTPONLY);
  }

  /** Whether the cookie is Secure: SESSION_COOKIE_SECURE. */
  getCookieSecure(app: SessionApp): boolean {
    return Boolean(app.config.SESSION_COOKIE_SECURE);
  }

  /** The cookie's SameSite: SESSION_COOKIE_SAMESITE (`Strict`, `Lax`, `None` or null). */
  getCookieSamesite(app: SessionApp): string | null {
    return app.config.SESSION_COOKIE_SAMESITE ?? null;
  }

  /** Whether the cookie is Partitioned (CHIPS): SESSION_COOKIE_PARTITIONED. */
  getCookiePartitioned(app: SessionApp): boolean {
    return Boolean(app.config.SESSION_COOKIE_PARTITIONED);
  }

  /** When the cookie expires: now + PERMANENT_SESSION_LIFETIME for a permanent session, else null (browser session). */
  getExpirationTime(app: SessionApp, session: SessionMixin): Date | null {
    return session.permanent ? new Date(Date.now() + app.config.PERMANENT_SESSION_LIFETIME * 1000) : null;
  }

  /** Whether to send the cookie: the session changed, or it is permanent and SESSION_REFRESH_EACH_REQUEST is on. */
  shouldSetCookie(app: SessionApp, session: SessionMixin): boolean {
    return session.modified || (session.permanent && Boolean(app.config.SESSION_REFRESH_EACH_REQUEST));
  }

  /** Whether an untouched session must be opened to be refreshed: refreshing is on and the request has the cookie. */
  needsRefresh(app: SessionApp, request: Request): boolean {
    return Boolean(app.config.SESSION_REFRESH_EACH_REQUEST) && request.cookies.has(this.getCookieName(app));
  }

  /**
   * Add the session cookie to the response with the configured attributes (`value` null
   * deletes it), and `Vary: Cookie`. A cookie larger than MAX_COOKIE_SIZE is logged as
   * a warning: browsers drop such cookies silently.
   */
  writeCookie(app: SessionApp, response: Response, value: string | null, expires: Date | null = null): void {
    const deleting = value === null;
    const name = this.getCookieName(app);
    const header = dumpCookie(name, deleting ? "" : value, {
      domain: this.getCookieDomain(app),
      path: this.getCookiePath(app),
      httpOnly: this.getCookieHttponly(app),
      secure: this.getCookieSecure(app),
      sameSite: this.getCookieSamesite(app),
      partitioned: this.getCookiePartitioned(app),
      expires: deleting ? 0 : expires,
      maxAge: deleting ? 0 : undefined,
    });
    const warning = deleting ? undefined : cookieSizeWarning(name, header, app.config.MAX_COOKIE_SIZE ?? 4093);
    if (warning !== undefined) app.logger.warn(warning);
    response.headers.add("Set-Cookie", header);
    response.addVary("Cookie");
  }
}

/** The serializer the cookie session interface uses by default (Flask's `session_json_serializer`). */
export const sessionJsonSerializer = new TaggedJSONSerializer();

/**
 * The default session interface: the whole session in a signed cookie (Flask's
 * `SecureCookieSessionInterface`). Without SECRET_KEY it opens no session, so writes
 * fail with a message asking for one. A cookie that is tampered with, signed by a key
 * not in SECRET_KEY/SECRET_KEY_FALLBACKS, older than PERMANENT_SESSION_LIFETIME or
 * garbled gives a new, empty session.
 *
 * @example
 * app.sessionInterface = new SecureCookieSessionInterface();
 * app.config.SECRET_KEY = process.env.SECRET_KEY;
 * app.post("/login", () => { session.user = request.form.get("user"); return redirect("/"); });
 */
export class SecureCookieSessionInterface extends BaseSessionInterface implements SessionInterface<SessionApp> {
  /** Signed payloads: the salt keeps session signatures apart from other uses of SECRET_KEY. */
  readonly signer: TimedSerializer;
  /** The class sessions are made of. */
  sessionClass: typeof SecureCookieSession = SecureCookieSession;

  constructor(opts: { salt?: string; serializer?: TaggedJSONSerializer } = {}) {
    super();
    this.signer = new TimedSerializer(opts.salt ?? "cookie-session", opts.serializer ?? sessionJsonSerializer);
  }

  /** The session from the request's cookie; a new empty one when there is none or it is invalid; null without SECRET_KEY. */
  openSession(app: SessionApp, request: Request): SecureCookieSession | null {
    if (this.signer.keyRing.keys(app.config) === null) return null;
    const value = request.cookies.get(this.getCookieName(app));
    if (!value) return new this.sessionClass();
    const data = this.signer.loads(value, app.config, app.config.PERMANENT_SESSION_LIFETIME);
    return isPlainObject(data) ? new this.sessionClass(data) : new this.sessionClass();
  }

  /**
   * Write the cookie, by Flask's rules: `Vary: Cookie` if the session was accessed; an
   * emptied session deletes the cookie; otherwise the cookie is sent when
   * `shouldSetCookie` says so, expiring with the session if it is permanent.
   */
  saveSession(app: SessionApp, session: SessionMixin, response: Response): void {
    if (session.accessed) response.addVary("Cookie");
    const data = sessionData(session);
    if (isEmpty(data)) {
      if (session.modified) this.writeCookie(app, response, null);
      return;
    }
    if (!this.shouldSetCookie(app, session)) return;
    this.writeCookie(app, response, this.signer.dumps(data, app.config), this.getExpirationTime(app, session));
  }
}

/** Whether a record has no keys. */
export function isEmpty(data: Record<string, unknown>): boolean {
  for (const _ in data) return false;
  return true;
}

/**
 * The interface of an app without sessions: every session is a null session. Flagon
 * uses `SecureCookieSessionInterface` by default; this one turns sessions off.
 */
export class NullSessionInterface implements SessionInterface {
  openSession(): SessionMixin | null {
    return null;
  }
  saveSession(): void {}
  makeNullSession(): SessionMixin {
    return createNullSession();
  }
  isNullSession(session: SessionMixin): boolean {
    return isNullSession(session);
  }
}
