/**
 * Message flashing (Flask's `flash` / `get_flashed_messages`): a view records a message
 * for the next request, which reads and removes it. Messages live in the session under
 * `"_flashes"` as `[category, message]` pairs, so they need a working session.
 */
import { requestContextOrThrow } from "./ctx.js";
import type { SessionMixin } from "./sessions.js";

/** A flashed message with its category: `[category, message]`. */
export type FlashedMessage = [category: string, message: string];

/** Options of `getFlashedMessages`. */
export interface GetFlashedMessagesOptions {
  /** Return `[category, message]` pairs instead of messages alone. */
  withCategories?: boolean;
  /** Only messages of these categories. */
  categoryFilter?: Iterable<string>;
}

/**
 * Record a message for the next request (the session key `_flashes`). The category is
 * free text; Flask suggests "message", "error", "info" and "warning".
 *
 * @example
 * flash("Saved.");
 * flash("That name is taken.", "error");
 * return redirect(urlFor("edit"));
 */
export function flash(message: string, category = "message"): void {
  const session = requestContextOrThrow().session as SessionMixin;
  // Read, append, assign: assigning marks the session modified (a push alone would not).
  const stored = session._flashes;
  const flashes = Array.isArray(stored) ? stored : [];
  flashes.push([category, message]);
  session._flashes = flashes;
}

/**
 * The flashed messages, removed from the session. Within one request every call returns
 * the same messages (they are kept on the context), so a layout and a page can both ask.
 *
 * @example
 * getFlashedMessages();                                              // ["Saved."]
 * getFlashedMessages({ withCategories: true });                      // [["message", "Saved."]]
 * getFlashedMessages({ categoryFilter: ["error"], withCategories: true });
 */
export function getFlashedMessages(opts?: GetFlashedMessagesOptions & { withCategories?: false }): string[];
export function getFlashedMessages(opts: GetFlashedMessagesOptions & { withCategories: true }): FlashedMessage[];
export function getFlashedMessages(opts?: GetFlashedMessagesOptions): string[] | FlashedMessage[];
export function getFlashedMessages(opts: GetFlashedMessagesOptions = {}): string[] | FlashedMessage[] {
  const ctx = requestContextOrThrow();
  let flashes = ctx.flashes as FlashedMessage[] | undefined;
  if (flashes === undefined) {
    const session = ctx.session as SessionMixin;
    let stored: unknown = [];
    if ("_flashes" in session) {
      stored = session._flashes;
      delete session._flashes;
    }
    flashes = Array.isArray(stored) ? stored.filter(isFlash) : [];
    ctx.flashes = flashes;
  }
  if (opts.categoryFilter !== undefined) {
    const wanted = new Set(opts.categoryFilter);
    if (wanted.size !== 0) flashes = flashes.filter(([category]) => wanted.has(category));
  }
  return opts.withCategories ? flashes : flashes.map(([, message]) => message);
}

// A pair as `flash` stores it; anything else under "_flashes" (an old format) is dropped.
const isFlash = (item: unknown): item is FlashedMessage => Array.isArray(item) && item.length === 2 && typeof item[0] === "string";
