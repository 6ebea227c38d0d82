/**
 * Flagon's `Request` (Flask's `flask.wrappers.Request`): werk's request plus what routing
 * found for it — the rule, the URL values, the endpoint and its blueprint — so hooks can
 * ask `request.endpoint` before the view runs.
 */
import { Request as WerkRequest, type Rule } from "@flagon/werk";

// Shared by every request outside a blueprint: the hook loops read it, nobody writes it.
const NO_BLUEPRINTS: readonly string[] = Object.freeze([]);

/**
 * The request object views and hooks see through `request`. Routing fills `urlRule` and
 * `viewArgs` (or `routingException`) before any `beforeRequest` hook runs.
 *
 * @example
 * app.beforeRequest(() => {
 *   if (request.endpoint !== "login" && !session.user) return redirect(urlFor("login"));
 * });
 */
export class Request extends WerkRequest {
  /** The rule that matched, or null before routing or when nothing matched. */
  urlRule: Rule | null = null;
  /** The values the URL carried for the view, or null when nothing matched. */
  viewArgs: Record<string, unknown> | null = null;
  /** The routing error (404, 405, redirect) when matching failed, else null. */
  routingException: Error | null = null;
  // The blueprint scopes of `#scopesRule`, worked out once per matched rule.
  #scopes: readonly string[] = NO_BLUEPRINTS;
  #scopesRule: Rule | null = null;

  /** The endpoint of the matched rule, or null. */
  get endpoint(): string | null {
    const rule = this.urlRule;
    return rule === null ? null : String(rule.endpoint);
  }

  /** The name of the blueprint the endpoint belongs to (`"admin"` for `"admin.users"`), or null. */
  get blueprint(): string | null {
    const scopes = this.blueprintScopes();
    return scopes.length === 0 ? null : scopes[0]!;
  }

  /** The blueprint and its parents, innermost first (`["admin.users", "admin"]`); empty outside blueprints. */
  get blueprints(): string[] {
    return [...this.blueprintScopes()];
  }

  /**
   * `blueprints` without the copy, for the app's hook loops (one array per matched rule,
   * shared, never to be changed). @internal
   */
  blueprintScopes(): readonly string[] {
    const rule = this.urlRule;
    if (rule !== this.#scopesRule) {
      this.#scopesRule = rule;
      this.#scopes = rule === null ? NO_BLUEPRINTS : blueprintPath(String(rule.endpoint));
    }
    return this.#scopes;
  }
}

/** The dotted blueprint names an endpoint lies in, innermost first: `"a.b.view"` gives `["a.b", "a"]`. */
export function blueprintPath(endpoint: string): readonly string[] {
  const last = endpoint.lastIndexOf(".");
  if (last <= 0) return NO_BLUEPRINTS;
  const names = [endpoint.slice(0, last)];
  for (let dot = endpoint.lastIndexOf(".", last - 1); dot > 0; dot = endpoint.lastIndexOf(".", dot - 1)) names.push(endpoint.slice(0, dot));
  return names;
}
