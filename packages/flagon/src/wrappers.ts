/**
 * Flagon's `Request` (Flask's `flask.wrappers.Request`): werk's request plus what routing
 * found for it — the rule, the URL values, the endpoint and its blueprint — so hooks can
 * ask `request.endpoint` before the view runs.
 */
import { Request as WerkRequest, type Rule } from "@flagon/werk";

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

  /** The endpoint of the matched rule, or null. */
  get endpoint(): string | null {
    const rule = this.urlRule;
    return rule === null ? null : String(rule.endpoint);
  }

  /** The name of the blueprint the endpoint belongs to (`"admin"` for `"admin.users"`), or null. */
  get blueprint(): string | null {
    const endpoint = this.endpoint;
    if (endpoint === null) return null;
    const dot = endpoint.lastIndexOf(".");
    return dot < 0 ? null : endpoint.slice(0, dot);
  }

  /** The blueprint and its parents, innermost first (`["admin.users", "admin"]`); empty outside blueprints. */
  get blueprints(): string[] {
    const name = this.blueprint;
    if (name === null) return [];
    const names = [name];
    for (let dot = name.lastIndexOf("."); dot > 0; dot = name.lastIndexOf(".", dot - 1)) names.push(name.slice(0, dot));
    return names;
  }
}
