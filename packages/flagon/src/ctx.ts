/**
 * Contexts: what `request`, `session`, `g` and `currentApp` point at while a request
 * (or an app context opened by hand) runs. One AsyncLocalStorage holds the active
 * context; it follows every `await`, so overlapping requests never see each other's.
 *
 * As in Flask 3.2, one `AppContext` class serves both: with a request it is the
 * request context, without one an application context.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MapAdapter, RouteLookup } from "@flagon/werk";

/** The parts of the application a context needs; `Flagon` implements them. */
export interface ContextApp {
  readonly name: string;
  /** Bind the URL map for a request (or for the app alone, from SERVER_NAME). */
  createUrlAdapter(request: unknown | null): MapAdapter | null;
  /**
   * Open the session for a request (called on first access of `session`). A promise
   * when the session interface is asynchronous: `loadSession()` awaits it.
   */
  openSession(request: unknown): SessionLike | Promise<SessionLike>;
  /** Run teardown_request functions, in reverse registration order (a promise if any is async). */
  doTeardownRequest(ctx: AppContext, error: unknown): void | Promise<void>;
  /** Run teardown_appcontext functions, in reverse registration order (a promise if any is async). */
  doTeardownAppcontext(ctx: AppContext, error: unknown): void | Promise<void>;
}

/** What a session must offer the context: the `accessed` flag is set on each access. */
export interface SessionLike {
  accessed: boolean;
}

/**
 * Per-context storage for anything the application wants to keep during a request or
 * app context: `g.user = ...`. Behaves like a plain object, with `get`, `pop` and
 * `setDefault` helpers as Flask's `g`.
 */
export class AppCtxGlobals {
  [key: string]: unknown;

  /** The value of `name`, or `fallback` when it is not set. */
  get(name: string, fallback?: unknown): unknown {
    return Object.hasOwn(this, name) ? this[name] : fallback;
  }

  /** Remove `name` and return its value (or `fallback`; without one a missing key throws). */
  pop(name: string, ...fallback: [unknown?]): unknown {
    if (Object.hasOwn(this, name)) {
      const value = this[name];
      delete this[name];
      return value;
    }
    if (fallback.length) return fallback[0];
    throw new Error(`g has no attribute "${name}"; pass a fallback to pop() to allow a missing one.`);
  }

  /** Set `name` to `value` unless it is set already; return its value. */
  setDefault(name: string, value?: unknown): unknown {
    if (!Object.hasOwn(this, name)) this[name] = value;
    return this[name];
  }

  /** Whether `name` is set (Python's `"name" in g`). */
  has(name: string): boolean {
    return Object.hasOwn(this, name);
  }
}
// Helpers live on the prototype and must not shadow user keys called "get" or "pop".
for (const key of ["get", "pop", "setDefault", "has"]) {
  Object.defineProperty(AppCtxGlobals.prototype, key, { enumerable: false });
}

const storage = new AsyncLocalStorage<AppContext>();

/**
 * The active context data: the app, `g`, the URL adapter and, during a request, the
 * request, its session (opened on first access) and per-request callbacks.
 */
export class AppContext {
  readonly app: ContextApp;
  /** The URL adapter bound to the request, or to the app alone; null if binding failed. */
  urlAdapter: MapAdapter | null;
  /** Functions registered with `afterThisRequest`, run before `afterRequest` hooks; null until one is. */
  afterRequestFunctions: Array<(response: any) => unknown> | null = null;
  /** Flashed messages read during this request (filled by `getFlashedMessages`). */
  flashes: Array<[string, unknown]> | undefined = undefined;
  /** Set when binding the URL map failed (e.g. a bad Host); routing raises it. */
  routingError: unknown = undefined;
  /** The routing outcome for the request, once matched. */
  route: RouteLookup | undefined = undefined;
  #g: AppCtxGlobals | null;
  #request: unknown | null;
  #session: SessionLike | null;
  #sessionLoading: Promise<SessionLike> | null = null;

  constructor(app: ContextApp, opts: { request?: unknown; session?: SessionLike; g?: AppCtxGlobals } = {}) {
    this.app = app;
    this.#g = opts.g ?? null;
    this.#request = opts.request ?? null;
    this.#session = opts.session ?? null;
    this.urlAdapter = null;
    try {
      this.urlAdapter = app.createUrlAdapter(this.#request);
    } catch (err) {
      if (this.#request === null) throw err;
      this.routingError = err;
    }
  }

  /** Storage for the duration of this context, created on first use (most requests never touch it). */
  get g(): AppCtxGlobals {
    return (this.#g ??= new AppCtxGlobals());
  }

  /** Whether this context carries a request. */
  get hasRequest(): boolean {
    return this.#request !== null;
  }

  /** The request of this context; throws in an app context without one. */
  get request(): unknown {
    if (this.#request === null) throw new Error(NO_REQUEST);
    return this.#request;
  }

  /** The session, opened on first access; marks it accessed (for `Vary: Cookie`). */
  get session(): SessionLike {
    const session = this.peekSession();
    session.accessed = true;
    return session;
  }

  /** The session without marking it accessed (opens it if needed). */
  peekSession(): SessionLike {
    const session = this.#openSession();
    if (isPromise(session)) throw new Error(ASYNC_SESSION);
    return session;
  }

  /**
   * Open the session and wait for it: needed before `session` can be used when the app's
   * session interface is asynchronous (a server-side store). The app calls it before
   * the `beforeRequest` hooks; it does nothing once the session is open.
   *
   * @example
   * await ctx.loadSession();
   * ctx.session.user; // usable synchronously from here on
   */
  async loadSession(): Promise<SessionLike> {
    return this.#openSession();
  }

  // The open session, or the one load under way (kept, so the session opens only once).
  #openSession(): SessionLike | Promise<SessionLike> {
    if (this.#session !== null) return this.#session;
    if (this.#request === null) throw new Error(NO_REQUEST);
    if (this.#sessionLoading === null) {
      const session = this.app.openSession(this.#request);
      if (!isPromise(session)) return (this.#session = session);
      this.#sessionLoading = this.#settleSession(session);
      // A load nobody awaits (a synchronous access that threw) must not be unhandled.
      this.#sessionLoading.catch(() => {});
    }
    return this.#sessionLoading;
  }

  async #settleSession(pending: Promise<SessionLike>): Promise<SessionLike> {
    try {
      return (this.#session = await pending);
    } finally {
      // A failed load (store down) may be retried by the next access.
      this.#sessionLoading = null;
    }
  }

  /** The session if something opened it, else null (saving skips unopened sessions). */
  get openedSession(): SessionLike | null {
    return this.#session;
  }

  /** A new context sharing this one's request and session (Flask's `copy`). */
  copy(): AppContext {
    return new AppContext(this.app, { request: this.#request ?? undefined, session: this.#session ?? undefined });
  }

  /**
   * Run `fn` with this context active. For an app context without a request, the
   * teardown_appcontext functions run when `fn` settles (request contexts are torn
   * down by the app's dispatch, which knows the error).
   */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    return storage.run(this, async () => {
      let error: unknown = undefined;
      try {
        return await fn();
      } catch (err) {
        error = err;
        throw err;
      } finally {
        await this.teardown(error);
      }
    });
  }

  /**
   * Run `fn(...args)` with this context active, without teardown (the caller owns the
   * lifecycle). Passing arguments rather than a closure keeps the hot path allocation-free.
   */
  enter<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): T {
    return storage.run(this, fn, ...args);
  }

  /** Run the teardown functions: request ones first (with a request), then app ones. */
  teardown(error: unknown): Promise<void> | void {
    // Synchronous unless a teardown function returns a promise: most requests have none.
    const errors: unknown[] = [];
    if (this.#request !== null) {
      let pending: Promise<void> | void = undefined;
      try {
        pending = this.app.doTeardownRequest(this, error);
      } catch (err) {
        errors.push(err);
      }
      if (pending !== undefined) return this.#finishTeardown(error, pending, errors, true);
    }
    let pending: Promise<void> | void = undefined;
    try {
      pending = this.app.doTeardownAppcontext(this, error);
    } catch (err) {
      errors.push(err);
    }
    if (pending !== undefined) return this.#finishTeardown(error, pending, errors, false);
    if (errors.length) throw teardownFailure(errors);
  }

  async #finishTeardown(error: unknown, pending: Promise<void>, errors: unknown[], appcontextLeft: boolean): Promise<void> {
    try {
      await pending;
    } catch (err) {
      errors.push(err);
    }
    if (appcontextLeft) {
      try {
        const rv = this.app.doTeardownAppcontext(this, error);
        if (rv !== undefined) await rv;
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw teardownFailure(errors);
  }

  toString(): string {
    return `<AppContext of ${this.app.name}${this.#request !== null ? " with a request" : ""}>`;
  }
}

function teardownFailure(errors: unknown[]): unknown {
  return errors.length === 1 ? errors[0] : new AggregateError(errors, "Errors during context teardown");
}

/** Flask's name for a context that carries a request; the same class as `AppContext`. */
export const RequestContext = AppContext;
/** A context that carries a request. */
export type RequestContext = AppContext;

const ASYNC_SESSION =
  "The session is not loaded yet: the app's session interface opens sessions asynchronously " +
  "(a server-side store), so the session must be awaited before it is used. Flagon does this " +
  "before the beforeRequest hooks; elsewhere (a test request context, a background task) call " +
  "`await ctx.loadSession()` first.";

// Not a `then` probe: reading `then` from a session proxy would count as accessing it.
const isPromise = (value: unknown): value is Promise<SessionLike> => value instanceof Promise;

const NO_APP =
  "Working outside of application context.\n\n" +
  "Attempted to use functionality that expected a current application to be set. " +
  "Run the code inside app.appContext().run(() => ...), or inside a request.";
const NO_REQUEST =
  "Working outside of request context.\n\n" +
  "Attempted to use functionality that expected an active HTTP request. Run the code " +
  "inside a view or hook, or in tests inside app.testRequestContext(path).run(() => ...).";

/** The active context, or undefined outside one. */
export function currentContext(): AppContext | undefined {
  return storage.getStore();
}

/** The active context; throws "Working outside of application context" outside one. */
export function appContextOrThrow(): AppContext {
  const ctx = storage.getStore();
  if (ctx === undefined) throw new Error(NO_APP);
  return ctx;
}

/** The active request context; throws "Working outside of request context" otherwise. */
export function requestContextOrThrow(): AppContext {
  const ctx = storage.getStore();
  if (ctx === undefined || !ctx.hasRequest) throw new Error(NO_REQUEST);
  return ctx;
}

/** Whether an app context is active (Flask's `has_app_context`). */
export function hasAppContext(): boolean {
  return storage.getStore() !== undefined;
}

/** Whether a request context is active (Flask's `has_request_context`). */
export function hasRequestContext(): boolean {
  return storage.getStore()?.hasRequest === true;
}

/**
 * Wrap `fn` so that it runs in the current context even when called later (for
 * callbacks and background work started during a request).
 */
export function copyCurrentContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  const ctx = requestContextOrThrow().copy();
  return (...args: A) => ctx.enter(() => fn(...args));
}

/** Register a function to run on this request's response before `afterRequest` hooks. */
export function afterThisRequest<F extends (response: any) => unknown>(fn: F): F {
  (requestContextOrThrow().afterRequestFunctions ??= []).push(fn);
  return fn;
}
