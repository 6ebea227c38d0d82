/**
 * The module-level proxies `request`, `session`, `g` and `currentApp`: each forwards
 * every operation to the object of the active context, and fails with a message that
 * says how to get a context when there is none.
 */
import type { Flagon } from "./app.js";
import { appContextOrThrow, requestContextOrThrow, type AppCtxGlobals } from "./ctx.js";
import type { Session } from "./sessions.js";
import type { Request } from "./wrappers.js";

// An arrow-function target lets the proxy be called when the real object is callable,
// and has no non-configurable `prototype` that would break the ownKeys invariant.
function proxyOf<T extends object>(current: () => T): T {
  return new Proxy((() => {}) as unknown as T, {
    get(_, key) {
      if (key === PROXY_TARGET) return current();
      const target = current() as Record<PropertyKey, unknown>;
      const value = Reflect.get(target, key, target);
      // Methods must run against the real object (private fields, `this`).
      return typeof value === "function" && key !== "constructor" ? (value as Function).bind(target) : value;
    },
    set(_, key, value) {
      return Reflect.set(current(), key, value);
    },
    has(_, key) {
      return Reflect.has(current(), key);
    },
    deleteProperty(_, key) {
      return Reflect.deleteProperty(current(), key);
    },
    ownKeys() {
      return Reflect.ownKeys(current());
    },
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(current(), key);
      // Proxy invariants: a property reported on the proxy must be configurable unless
      // it is on the (function) target too.
      if (descriptor) descriptor.configurable = true;
      return descriptor;
    },
    getPrototypeOf() {
      return Reflect.getPrototypeOf(current());
    },
    apply(_, thisArg, args) {
      return Reflect.apply(current() as unknown as Function, thisArg, args);
    },
    defineProperty(_, key, descriptor) {
      return Reflect.defineProperty(current(), key, descriptor);
    },
  });
}

const PROXY_TARGET = Symbol("flagon.proxyTarget");

/** The real object behind a proxy (Werkzeug's `_get_current_object`). */
export function getCurrentObject<T>(proxy: T): T {
  return (proxy as Record<PropertyKey, unknown>)[PROXY_TARGET] as T;
}

/** Storage for the current app context: `g.db = connect()`. */
export const g: AppCtxGlobals = proxyOf(() => appContextOrThrow().g);

/** A proxy to the current app, typed as the caller needs (`currentApp` is the Flagon one). */
export const currentAppProxy = <T extends object>(): T => proxyOf(() => appContextOrThrow().app as unknown as T);

/** A proxy to the current request, typed as the caller needs. */
export const requestProxy = <T extends object>(): T => proxyOf(() => requestContextOrThrow().request as T);

/** A proxy to the current session; accessing it marks it accessed. */
export const sessionProxy = <T extends object>(): T => proxyOf(() => requestContextOrThrow().session as unknown as T);

/** The current request (inside a view, hook, or `testRequestContext(...).run`). */
export const request: Request = requestProxy<Request>();

/** The current session: a plain-object-like store, saved by the session interface. */
export const session: Session = sessionProxy<Session>();

/** The application handling the current request or app context. */
export const currentApp: Flagon = currentAppProxy<Flagon>();
