/**
 * The session interface the application talks to (Flask's `SessionInterface`): open a
 * session for a request, save it into a response. Signed-cookie and server-side
 * implementations plug in here; until one is set, sessions are null sessions.
 */
import type { Request, Response } from "@flagon/werk";

/** What every session offers on top of its keys. */
export interface SessionMixin {
  [key: string]: unknown;
  /** Whether a handler read or wrote the session (adds `Vary: Cookie`). */
  accessed: boolean;
  /** Whether the data changed and must be saved. */
  modified: boolean;
  /** Whether the session lives for PERMANENT_SESSION_LIFETIME instead of the browser session. */
  permanent: boolean;
  /** Whether the session was just created (no valid cookie came with the request). */
  isNew: boolean;
}

/** Open and save sessions; assign an implementation to `app.sessionInterface`. */
export interface SessionInterface<App = unknown> {
  /** The session for a request, or null when none can be had (a null session is used). */
  openSession(app: App, request: Request): SessionMixin | null;
  /** Write the session into the response (cookie, store, or nothing). */
  saveSession(app: App, session: SessionMixin, response: Response): void | Promise<void>;
  /** A session that refuses writes, used when `openSession` gives none. */
  makeNullSession(app: App): SessionMixin;
  /** Whether a session is the null session (not saved). */
  isNullSession(session: SessionMixin): boolean;
}

const NULL_SESSION = Symbol("flagon.nullSession");

function refuse(): never {
  throw new Error(
    "The session is unavailable because no secret key was set. Set app.config.SECRET_KEY " +
      "(a long random string) to use sessions.",
  );
}

/**
 * A session that can be read (it is empty) but not written: writing explains that a
 * secret key is needed.
 */
export function createNullSession(): SessionMixin {
  const target: SessionMixin = { accessed: false, modified: false, permanent: false, isNew: true };
  Object.defineProperty(target, NULL_SESSION, { value: true });
  return new Proxy(target, {
    set(obj, key, value) {
      if (key === "accessed") return Reflect.set(obj, key, value);
      return refuse();
    },
    deleteProperty: () => refuse(),
    defineProperty: () => refuse(),
  });
}

/** Whether a session is a null session. */
export function isNullSession(session: SessionMixin): boolean {
  return (session as unknown as Record<symbol, unknown>)[NULL_SESSION] === true;
}

/** The interface used until a real one is configured: every session is a null session. */
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
