/**
 * Exceptions raised by routing: redirects the map asks for, build failures and
 * duplicate rules. Not-found and method-not-allowed are the HTTP layer's own.
 */
import { BadRequest, HTTPException, type HeaderPairs } from "../http/exceptions.js";
import type { MapAdapter } from "./adapter.js";
import type { Rule } from "./rules.js";

/** Marker base of the exceptions routing raises to steer the application. */
export class RoutingException extends Error {}

/**
 * The map asks for a redirect (strict slashes, merged slashes, defaults, aliases or
 * `redirectTo`). `newUrl` is the absolute target; as a response it is a 308.
 */
export class RequestRedirect extends HTTPException {
  static override code = 308;
  static override description = "The URL has moved permanently.";
  /** The absolute URL to redirect to. */
  newUrl: string;

  constructor(newUrl: string) {
    super(`Redirecting to ${newUrl}`);
    this.newUrl = newUrl;
  }

  override getBody(): string {
    const href = this.newUrl.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    return (
      "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n" +
      `<p>You should be redirected automatically to the target URL: <a href="${href}">${href}</a>. ` +
      "If not, click the link.\n"
    );
  }

  override getHeaders(): HeaderPairs {
    return [
      ["Content-Type", "text/html; charset=utf-8"],
      ["Location", this.newUrl],
    ];
  }
}
Object.defineProperty(RequestRedirect.prototype, "name", { value: "RequestRedirect", writable: true });

/** The only rule that matched is a WebSocket rule and the request is HTTP, or the reverse. */
export class WebsocketMismatch extends BadRequest {
  static override description = "The requested URL exists, but not for this protocol (HTTP versus WebSocket).";
}
Object.defineProperty(WebsocketMismatch.prototype, "name", { value: "WebsocketMismatch", writable: true });

/** A rule was added that matches exactly like one already in the map. */
export class DuplicateRuleError extends RoutingException {
  /** The rule already in the map. */
  existing: Rule;
  /** The rule that duplicates it. */
  duplicate: Rule;

  constructor(existing: Rule, duplicate: Rule) {
    super(
      `${String(duplicate)} matches the same URLs and methods as ${String(existing)}. ` +
        "Give one of them a different path, methods or host, or remove it.",
    );
    this.name = "DuplicateRuleError";
    this.existing = existing;
    this.duplicate = duplicate;
  }
}

/** Python's `repr` of a string: single quotes unless the text contains one. */
export function pyRepr(value: unknown): string {
  if (typeof value !== "string") return value === undefined || value === null ? "None" : String(value);
  if (value.includes("'") && !value.includes('"')) return `"${value}"`;
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** Python's `repr` of a sorted list of strings: `['a', 'b']`. */
function pyList(values: Iterable<string>): string {
  return `[${[...values].sort().map(pyRepr).join(", ")}]`;
}

// Ratcliff/Obershelp similarity, the measure Python's difflib uses, so suggestions
// match Werkzeug's "did you mean" choices.
function similarity(a: string, b: string): number {
  const total = a.length + b.length;
  return total === 0 ? 1 : (2 * matchingCharacters(a, b)) / total;
}

function matchingCharacters(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  let bestLen = 0;
  let bestA = 0;
  let bestB = 0;
  // Longest common substring by dynamic programming; strings here are endpoint names.
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        const len = prev[j - 1]! + 1;
        row[j] = len;
        if (len > bestLen) {
          bestLen = len;
          bestA = i - len;
          bestB = j - len;
        }
      }
    }
    prev = row;
  }
  if (bestLen === 0) return 0;
  return (
    bestLen +
    matchingCharacters(a.slice(0, bestA), b.slice(0, bestB)) +
    matchingCharacters(a.slice(bestA + bestLen), b.slice(bestB + bestLen))
  );
}

/**
 * No rule can build a URL for the endpoint with these values and method. The message
 * names the closest rule: "Did you mean 'x' instead?", or the values or methods it needs.
 */
export class BuildError extends RoutingException {
  /** The endpoint that was asked for. */
  endpoint: unknown;
  /** The values that were given. */
  values: Record<string, unknown>;
  /** The method that was asked for, if any. */
  method: string | undefined;
  /** The adapter that tried to build. */
  adapter: MapAdapter | undefined;
  #suggested: Rule | null | undefined = undefined;

  constructor(endpoint: unknown, values: Record<string, unknown> | null | undefined, method?: string | null, adapter?: MapAdapter) {
    super("");
    this.name = "BuildError";
    this.endpoint = endpoint;
    this.values = values ?? {};
    this.method = method ?? undefined;
    this.adapter = adapter;
    Object.defineProperty(this, "message", { get: () => this.describe(), configurable: true });
  }

  /** The rule closest to what was asked for, or null when the map is empty. */
  get suggested(): Rule | null {
    if (this.#suggested === undefined) this.#suggested = this.closestRule(this.adapter);
    return this.#suggested;
  }

  /** Score every rule of the adapter's map by endpoint similarity, values and method. */
  closestRule(adapter: MapAdapter | undefined): Rule | null {
    if (!adapter) return null;
    const valueKeys = Object.keys(this.values);
    const wanted = String(this.endpoint);
    let best: Rule | null = null;
    let bestScore = -1;
    for (const rule of adapter.map.iterRules()) {
      const score =
        0.98 * similarity(String(rule.endpoint), wanted) +
        0.01 * Number(valueKeys.every((k) => rule.arguments.has(k))) +
        0.01 * Number(rule.methods !== undefined && this.method !== undefined && rule.methods.has(this.method));
      if (score > bestScore) {
        best = rule;
        bestScore = score;
      }
    }
    return best;
  }

  private describe(): string {
    let message = `Could not build url for endpoint ${pyRepr(this.endpoint)}`;
    if (this.method) message += ` (${pyRepr(this.method)})`;
    const keys = Object.keys(this.values);
    if (keys.length) message += ` with values ${pyList(keys)}`;
    message += ".";
    const suggested = this.suggested;
    if (suggested) {
      if (this.endpoint === suggested.endpoint) {
        if (this.method && suggested.methods !== undefined && !suggested.methods.has(this.method)) {
          message += ` Did you mean to use methods ${pyList(suggested.methods)}?`;
        }
        const missing = new Set([...suggested.arguments, ...Object.keys(suggested.defaults ?? {})]);
        for (const key of keys) missing.delete(key);
        if (missing.size) message += ` Did you forget to specify values ${pyList(missing)}?`;
      } else {
        message += ` Did you mean ${pyRepr(suggested.endpoint)} instead?`;
      }
    }
    return message;
  }
}
